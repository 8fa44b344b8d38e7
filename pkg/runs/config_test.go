package runs

import "testing"

// Batch: full batch, a fixed size, and Power et al.'s min(512, n/2).
func TestBatchRule(t *testing.T) {
	for _, c := range []struct{ size, n, want int }{
		{0, 3830, 3830}, {16, 3830, 16}, {5000, 3830, 3830},
		{PowerBatch, 3830, 512}, {PowerBatch, 800, 400}, {PowerBatch, 1025, 512}, {PowerBatch, 1023, 511},
	} {
		if got := (TrainSpec{BatchSize: c.size}).Batch(c.n); got != c.want {
			t.Errorf("batch size %d, %d rows: %d, want %d", c.size, c.n, got, c.want)
		}
	}
}

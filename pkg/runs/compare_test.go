package runs

import "testing"

// A quantity's tag (TensorBoard's and curves --metric's name) reads back
// as the same quantity, with and without a kind.
func TestQuantityTagRoundTrip(t *testing.T) {
	for _, q := range []Quantity{{"test", All, "accuracy"}, {"train", "backdoor", "cross_entropy"}} {
		back, err := ParseQuantity(q.Tag())
		if err != nil || back != q {
			t.Errorf("%+v: tag %q reads back as %+v (%v)", q, q.Tag(), back, err)
		}
	}
	if got := (Quantity{"all", All, "weight_norm"}).Tag(); got != "all/weight_norm" {
		t.Errorf("tag %q", got)
	}
}

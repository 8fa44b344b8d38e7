package sweep

import (
	"testing"
	"time"
)

// The ETA is the wall time per ended task times the tasks left.
func TestTally(t *testing.T) {
	for _, c := range []struct {
		done, running, failed, total int
		elapsed                      time.Duration
		want                         string
	}{
		{1, 2, 0, 4, 30 * time.Second, "1 done, 2 running, 0 failed of 4; ETA 1m30s"},
		{2, 1, 1, 12, 2 * time.Minute, "2 done, 1 running, 1 failed of 12; ETA 6m0s"},
		{5, 0, 0, 5, time.Hour, "5 done, 0 running, 0 failed of 5; ETA 0s"},
	} {
		if got := tally(c.done, c.running, c.failed, c.total, c.elapsed); got != c.want {
			t.Errorf("tally(%d, %d, %d, %d, %v) = %q, want %q", c.done, c.running, c.failed, c.total, c.elapsed, got, c.want)
		}
	}
}

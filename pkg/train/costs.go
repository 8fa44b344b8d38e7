package train

import (
	"fmt"
	"sync/atomic"
	"time"
)

// processStart is (nearly) when the process started: package variables are
// set before main runs.
var processStart = time.Now()

// begunOnce is set by the process's first Start or Resume.
var begunOnce atomic.Bool

// runBegan is when a Start or Resume's time line starts counting: the
// process's start for its first (fit: reading the table is start-up),
// the call itself for later ones (detectbench trains many in one process).
func runBegan() time.Time {
	if begunOnce.CompareAndSwap(false, true) {
		return processStart
	}
	return time.Now()
}

// costs is where a fit's wall time went, for its closing line: the first
// step (which compiles the training graph), the other steps, evaluation and
// checkpoints (all runs of a pack together).
type costs struct {
	firstStep, steps, eval, checkpoint time.Duration
	stepsRun                           int
}

// line is "time: 12.3 s in all: start-up 0.4 s (3%), first step 1.2 s (10%), …".
func (c costs) line(total time.Duration) string {
	share := func(d time.Duration) string {
		return fmt.Sprintf("%.1f s (%.0f%%)", d.Seconds(), 100*d.Seconds()/total.Seconds())
	}
	startup := total - c.firstStep - c.steps - c.eval - c.checkpoint // reading, checking, compiling evaluation, writing the final files
	perStep := ""
	if c.stepsRun > 1 {
		perStep = fmt.Sprintf(", %.1f ms each", c.steps.Seconds()*1000/float64(c.stepsRun-1))
	}
	return fmt.Sprintf("time: %.1f s in all: first step (compiles the graph) %s, %d more steps %s%s, evaluation %s, checkpoints %s, the rest (start-up, final files) %s",
		total.Seconds(), share(c.firstStep), max(c.stepsRun-1, 0), share(c.steps), perStep, share(c.eval), share(c.checkpoint), share(startup))
}

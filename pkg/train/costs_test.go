package train

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// The closing time line: each part's share of the total, the rest being
// what the loop did not time; the shares add up to 100%.
func TestCostsLine(t *testing.T) {
	c := costs{firstStep: 2 * time.Second, steps: 5 * time.Second, eval: 2 * time.Second, checkpoint: time.Second / 2, stepsRun: 101}
	got := c.line(10 * time.Second)
	want := "time: 10.0 s in all: first step (compiles the graph) 2.0 s (20%), 100 more steps 5.0 s (50%), 50.0 ms each, evaluation 2.0 s (20%), checkpoints 0.5 s (5%), the rest (start-up, final files) 0.5 s (5%)"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	sum := 0
	for _, m := range regexp.MustCompile(`\((\d+)%\)`).FindAllStringSubmatch(got, -1) {
		n, _ := strconv.Atoi(m[1])
		sum += n
	}
	if sum != 100 {
		t.Errorf("shares add up to %d%%", sum)
	}
}

// TestRunBegan: the process's first run counts from the process's start
// (fit reads its table before Start), a later run in the same process
// (detectbench's) from its own call, not from the process's start.
func TestRunBegan(t *testing.T) {
	defer begunOnce.Store(begunOnce.Load())
	begunOnce.Store(false)
	if got := runBegan(); !got.Equal(processStart) {
		t.Errorf("first run began %v, want the process's start %v", got, processStart)
	}
	before := time.Now()
	if got := runBegan(); got.Before(before) {
		t.Errorf("second run began %v, before its call at %v", got, before)
	}
}

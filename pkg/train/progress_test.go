package train

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grokkit/grokkit/pkg/runs"
)

// fakeClock advances by tick at every reading.
type fakeClock struct {
	t    time.Time
	tick time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.tick); return c.t }

// In a log, progress lines come no closer than LineEvery and no further
// apart than LineEvery plus one step, whatever the step time; the duration
// is estimated once; a resumed run's rate counts only its own steps.
func TestProgressLinesKeepTheirCadence(t *testing.T) {
	line := regexp.MustCompile(`^step (\d+)/(\d+)  train .* \| test .*  ([0-9.e+-]+) steps/s  ETA (\S+)$`)
	for _, c := range []struct {
		name     string
		tick     time.Duration
		from, to int
		wantRate float64
	}{
		{"fast steps", 100 * time.Millisecond, 0, 2000, 10},
		{"slow steps", 7 * time.Second, 0, 40, 1.0 / 7},
		{"resumed", 2 * time.Second, 100000, 100300, 0.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			var log bytes.Buffer
			clock := &fakeClock{t: time.Unix(0, 0), tick: c.tick}
			rep := NewReporter(&log, c.to, c.from, clock.now)
			r := &Run{Metrics: []runs.Metric{{Split: "train", Kind: runs.All, Metric: "accuracy", Value: 1},
				{Split: "test", Kind: runs.All, Metric: runs.MetricCrossEntropy, Value: 2}, {Split: "test", Kind: runs.All, Metric: "accuracy", Value: 0.5}}}
			var at []int // steps with a line
			times := map[int]time.Time{}
			for step := c.from + 1; step <= c.to; step++ {
				before := log.Len()
				rep.Step(step, c.to, []*Run{r}, []bool{true})
				times[step] = clock.t
				if log.Len() > before && strings.Contains(log.String()[before:], "step ") {
					at = append(at, step)
				}
			}
			lines := strings.Split(strings.TrimSpace(log.String()), "\n")
			if !strings.HasPrefix(lines[0], "fit: ") || !strings.Contains(lines[0], "steps to go at") {
				t.Fatalf("first line %q: want the estimate", lines[0])
			}
			if strings.Count(log.String(), "steps to go") != 1 {
				t.Errorf("the estimate is given %d times, want once", strings.Count(log.String(), "steps to go"))
			}
			// Given once EstimateAfter has passed since the first step.
			if n, _ := strconv.Atoi(strings.Fields(lines[0])[1]); c.to-n-c.from > int(EstimateAfter/c.tick)+2 {
				t.Errorf("estimate %q comes late", lines[0])
			}
			for i, l := range lines[1:] {
				m := line.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("line %q: not a progress line", l)
				}
				if rate, _ := strconv.ParseFloat(m[3], 64); rate < 0.9*c.wantRate || rate > 1.1*c.wantRate+0.05 {
					t.Errorf("line %q: rate %v, want %v", l, rate, c.wantRate)
				}
				if i > 0 && at[i] != c.to {
					gap := times[at[i]].Sub(times[at[i-1]])
					if gap < LineEvery || gap > LineEvery+c.tick {
						t.Errorf("lines at steps %d and %d are %v apart, want [%v, %v]", at[i-1], at[i], gap, LineEvery, LineEvery+c.tick)
					}
				}
			}
			if at[len(at)-1] != c.to {
				t.Errorf("no line at the last step %d", c.to)
			}
		})
	}
}

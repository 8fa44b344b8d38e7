package train

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Progress is told about every evaluation of a run (a hook for tests).
type Progress interface {
	Update(step, steps int, metrics []runs.Metric, stepsPerSec float64)
	Done()
}

// Reporter shows a pack's progress after every step.
type Reporter interface {
	// Step: step of steps is done; active says which runs still train.
	Step(step, steps int, rs []*Run, active []bool)
	Done()
}

// The cadence of progress lines in a log: never closer than LineEvery, and
// (as lines are checked after every step) no further apart than LineEvery
// plus one step. EstimateAfter is how long the steps are timed before the
// run's duration is estimated, once.
const (
	LineEvery     = 30 * time.Second
	EstimateAfter = 3 * time.Second
)

// NewReporter returns a progress bar on a terminal, and lines at the
// LineEvery cadence anywhere else (a log file, a Slurm output). now is
// the clock (time.Now; a fake one in tests). done is the step the run
// starts from: rates and estimates count only the steps this process runs,
// and only from its first step on (the first step also compiles the graph).
func NewReporter(w io.Writer, steps, done int, now func() time.Time) Reporter {
	if outfile.IsTerminal(w) {
		bar := progressbar.NewOptions(steps,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetItsString("steps"),
			progressbar.OptionShowIts(),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(24),
			progressbar.OptionThrottle(250*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		bar.Set(done)
		return &barReporter{bar: bar}
	}
	return &lineReporter{w: w, now: now}
}

type barReporter struct{ bar *progressbar.ProgressBar }

func (p *barReporter) Step(step, steps int, rs []*Run, active []bool) {
	if len(rs) == 1 {
		p.bar.Describe(summary(rs[0].Metrics))
	} else {
		p.bar.Describe(fmt.Sprintf("%d of %d models training", count(active), len(rs)))
	}
	p.bar.Set(step)
}

func (p *barReporter) Done() { p.bar.Finish() }

// lineReporter writes "step S/T  <metrics>  R steps/s  ETA d" lines.
type lineReporter struct {
	w   io.Writer
	now func() time.Time

	first     time.Time // when the first step this process ran had finished
	firstStep int
	last      time.Time // the last line
	estimated bool
}

func (p *lineReporter) Step(step, steps int, rs []*Run, active []bool) {
	now := p.now()
	if p.first.IsZero() {
		p.first, p.firstStep, p.last = now, step, now
		return
	}
	elapsed := now.Sub(p.first)
	rate := float64(step-p.firstStep) / elapsed.Seconds()
	left := time.Duration(float64(steps-step) / rate * float64(time.Second)).Round(time.Second)
	if !p.estimated && elapsed >= EstimateAfter {
		p.estimated = true
		fmt.Fprintf(p.w, "fit: %d steps to go at %.3g steps/s: about %s\n", steps-step, rate, left)
	}
	if now.Sub(p.last) < LineEvery && step != steps {
		return
	}
	p.last = now
	state := ""
	if len(rs) == 1 {
		state = summary(rs[0].Metrics)
	} else {
		lo, hi := testAccuracyRange(rs)
		n := count(active)
		state = fmt.Sprintf("%d of %d models training (%.3g model-steps/s), test accuracy %.1f–%.1f%%", n, len(rs), rate*float64(n), 100*lo, 100*hi)
	}
	fmt.Fprintf(p.w, "step %d/%d  %s  %.3g steps/s  ETA %s\n", step, steps, state, rate, left)
}

func (p *lineReporter) Done() {}

// testAccuracyRange is the lowest and highest newest test accuracy of the
// runs.
func testAccuracyRange(rs []*Run) (lo, hi float64) {
	lo, hi = 1, 0
	for _, r := range rs {
		a := latest(r.Metrics, table.SplitTest, func(m string) bool { return m == runs.MetricAccuracy })
		lo, hi = min(lo, a), max(hi, a)
	}
	return lo, hi
}

// latest is the newest value of the split's metric (kind all) that is
// chosen by is, 0 if none.
func latest(metrics []runs.Metric, split string, is func(string) bool) float64 {
	v, _ := newest(metrics, split, runs.All, is)
	return v
}

// newest is the newest value of the (split, kind) metric chosen by is, and
// whether there is one.
func newest(metrics []runs.Metric, split, kind string, is func(string) bool) (float64, bool) {
	for i := len(metrics) - 1; i >= 0; i-- {
		m := metrics[i]
		if m.Split == split && m.Kind == kind && is(m.Metric) {
			return m.Value, true
		}
	}
	return 0, false
}

// summary is "train 1.2e-03 100.0% | test 4.56 12.3%" at the newest step,
// with the clean test rows' accuracy (what --stop-at-test-acc watches) where
// the test split has rows of other kinds, and "no test rows" where a table
// has none.
func summary(metrics []runs.Metric) string {
	acc := func(m string) bool { return m == runs.MetricAccuracy }
	s := fmt.Sprintf("train %.3g %5.1f%%", latest(metrics, table.SplitTrain, runs.IsLoss), 100*latest(metrics, table.SplitTrain, acc))
	testLoss, ok := newest(metrics, table.SplitTest, runs.All, runs.IsLoss)
	if !ok {
		return s + " | no test rows"
	}
	s += fmt.Sprintf(" | test %.3g %5.1f%%", testLoss, 100*latest(metrics, table.SplitTest, acc))
	if mixedTest(metrics) {
		clean, _ := newest(metrics, table.SplitTest, table.KindClean, acc)
		s += fmt.Sprintf(" (clean %.1f%%)", 100*clean)
	}
	return s
}

// mixedTest reports whether the newest evaluation's test split has rows of
// a kind other than clean.
func mixedTest(metrics []runs.Metric) bool {
	if len(metrics) == 0 {
		return false
	}
	last := metrics[len(metrics)-1].Step
	for i := len(metrics) - 1; i >= 0 && metrics[i].Step == last; i-- {
		if m := metrics[i]; m.Split == table.SplitTest && m.Kind != runs.All && m.Kind != table.KindClean {
			return true
		}
	}
	return false
}

package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Progress is told about every evaluation.
type Progress interface {
	Update(step, steps int, metrics []runs.Metric, stepsPerSec float64)
	Done()
}

// NewProgress returns a progress bar on a terminal, and a line per
// evaluation (every `every` evaluations) anywhere else, such as a log file.
func NewProgress(w io.Writer, steps, done int, every int) Progress {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
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
		return &barProgress{bar: bar}
	}
	return &lineProgress{w: w, every: max(every, 1)}
}

// summary is "train 1.2e-03 100.0% | test 4.56 12.3%" at the newest step.
func summary(metrics []runs.Metric) string {
	get := func(split string, is func(string) bool) float64 {
		for i := len(metrics) - 1; i >= 0; i-- {
			m := metrics[i]
			if m.Split == split && m.Kind == runs.All && is(m.Metric) {
				return m.Value
			}
		}
		return 0
	}
	acc := func(m string) bool { return m == runs.MetricAccuracy }
	return fmt.Sprintf("train %.3g %5.1f%% | test %.3g %5.1f%%",
		get(table.SplitTrain, runs.IsLoss), 100*get(table.SplitTrain, acc),
		get(table.SplitTest, runs.IsLoss), 100*get(table.SplitTest, acc))
}

type barProgress struct{ bar *progressbar.ProgressBar }

func (p *barProgress) Update(step, steps int, metrics []runs.Metric, _ float64) {
	p.bar.Describe(summary(metrics))
	p.bar.Set(step)
}

func (p *barProgress) Done() { p.bar.Finish() }

type lineProgress struct {
	w     io.Writer
	every int
	n     int
}

func (p *lineProgress) Update(step, steps int, metrics []runs.Metric, sps float64) {
	p.n++
	if p.n%p.every != 0 && step != steps {
		return
	}
	eta := "?"
	if sps > 0 {
		eta = (time.Duration(float64(steps-step)/sps) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "step %d/%d  %s  %.1f steps/s  ETA %s\n", step, steps, summary(metrics), sps, eta)
}

func (p *lineProgress) Done() {}

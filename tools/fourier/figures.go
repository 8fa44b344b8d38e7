package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/inspect"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// checkFigureFormat refuses --figure-format where no figure is written
// (the output on stdout, no --plots), rather than ignore it.
func checkFigureFormat(ctx *kong.Context, figures string) error {
	if figures == "" && cli.FirstGiven(ctx, "figure-format") != "" {
		return errors.New("--figure-format: no figures are written with the output on stdout; give --plots DIR")
	}
	return nil
}

// figureOptions are the figures' format and the run's grokking step
// (grokStep), which progress.png marks.
func figureOptions(f *flags) inspect.Figures {
	fig := inspect.Figures{Format: f.Figures()}
	fig.Grok, fig.Grokked, _ = grokStep(f.Run)
	return fig
}

// grokStep is the run's grokking step: the first evaluated step with test
// accuracy ≥ 99% in its metrics.parquet; known is false when the run has no
// readable metrics.
func grokStep(run string) (step int64, grokked, known bool) {
	ms, err := runs.ReadMetrics(runs.MetricsPath(run))
	if err != nil {
		return 0, false, false
	}
	step, grokked = runs.FirstStepAtLeast(ms, table.SplitTest, runs.All, runs.MetricAccuracy, 0.99)
	return step, grokked, true
}

// writeGrokked ends the table with the run's grokking step, beside which
// the spectral warnings (α < 2, a trap) are read.
func writeGrokked(w io.Writer, run string) error {
	step, grokked, known := grokStep(run)
	switch {
	case !known:
		return nil
	case grokked:
		_, err := fmt.Fprintf(w, "test accuracy ≥ 99%% (metrics.parquet): first at step %d\n", step)
		return err
	}
	_, err := fmt.Fprintln(w, "test accuracy ≥ 99% (metrics.parquet): at no step")
	return err
}

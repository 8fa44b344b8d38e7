package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"text/tabwriter"

	"github.com/alecthomas/kong"
	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/plot"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// widthRow is one point of accuracy against width N.
type widthRow struct {
	Source   string  `parquet:"source,dict"` // analytic, or the trained run's folder
	Width    int64   `parquet:"width"`
	Accuracy float64 `parquet:"accuracy"` // analytic: mean over draws, all p² inputs; trained: final test accuracy
	Min      float64 `parquet:"min"`
	Max      float64 `parquet:"max"`
}

// analytic is fourier --analytic-widths: Gromov's analytic solution's
// accuracy against width (Gromov 2023: it rises with N), and trained MLP
// runs' test accuracy at their widths beside it.
func analytic(env cli.Env, ctx *kong.Context, f *flags) error {
	if f.Run != "" {
		return fmt.Errorf("--analytic-widths takes no RUN (give trained runs with --trained)")
	}
	if f.P < 3 || f.P > 1000 {
		return fmt.Errorf("--p must be in 3…1000 for the analytic solution, got %d", f.P)
	}
	if f.AnalyticDraws < 1 {
		return fmt.Errorf("--analytic-draws must be ≥ 1, got %d", f.AnalyticDraws)
	}
	figures := outfile.FiguresDir(f.Plots, f.Output)
	if err := checkFigureFormat(ctx, figures); err != nil {
		return err
	}
	if err := outfile.CheckOutputs(f.Output, f.Plots, figures, plot.Named("gromov-width.png", f.Figures())); err != nil {
		return err // before any work, so nothing is half done
	}
	var rows []widthRow
	for _, n := range f.AnalyticWidths {
		if n < 1 {
			return fmt.Errorf("--analytic-widths: width %d must be ≥ 1", n)
		}
		mean, lo, hi := fourier.AnalyticAccuracy(f.P, n, f.AnalyticDraws)
		rows = append(rows, widthRow{Source: "analytic", Width: int64(n), Accuracy: mean, Min: lo, Max: hi})
	}
	for _, run := range f.Trained {
		cfg, err := runs.ReadConfig(run)
		if err != nil {
			return err
		}
		if cfg.Model.Name != "gromov" || cfg.Model.P != f.P {
			return fmt.Errorf("%s: --trained wants Gromov MLP runs at p = %d, got %s at p = %d", run, f.P, cfg.Model.Name, cfg.Model.P)
		}
		ms, err := runs.ReadMetrics(runs.MetricsPath(run))
		if err != nil {
			return err
		}
		_, acc := runs.Series(ms, table.SplitTest, runs.All, runs.MetricAccuracy)
		if len(acc) == 0 {
			return fmt.Errorf("%s: no test accuracy in %s", run, runs.MetricsFile)
		}
		a := acc[len(acc)-1]
		rows = append(rows, widthRow{Source: run, Width: int64(cfg.Model.Width), Accuracy: a, Min: a, Max: a})
	}
	if figures != "" {
		if err := outfile.MakeFolder(f.Plots, figures); err != nil {
			return err
		}
		path := filepath.Join(figures, plot.Named("gromov-width.png", f.Figures()))
		if err := plotWidths(path, f.P, rows); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "fourier: wrote %s\n", path)
	}
	return outfile.Write(f.Output, env.Stdout, func(w io.Writer) error {
		if f.Format == "table" {
			fmt.Fprintf(w, "Gromov's MLP at p = %d: accuracy against width N (analytic: all p² inputs, mean of %d draws of frequencies and phases; trained: final test accuracy)\n", f.P, f.AnalyticDraws)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "source\twidth\taccuracy\tmin\tmax\t")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\t%.4f\t\n", r.Source, r.Width, r.Accuracy, r.Min, r.Max)
			}
			return tw.Flush()
		}
		pw := parquet.NewGenericWriter[widthRow](w, parquet.KeyValueMetadata("p", fmt.Sprint(f.P)))
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		return pw.Close()
	})
}

func plotWidths(path string, p int, rows []widthRow) error {
	var an, tr plot.Series
	an.Label, tr.Label = "analytic solution (all inputs)", "trained (test accuracy)"
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b widthRow) int { return int(a.Width - b.Width) })
	for _, r := range sorted {
		s := &tr
		if r.Source == "analytic" {
			s = &an
		}
		s.X, s.Y = append(s.X, float64(r.Width)), append(s.Y, r.Accuracy)
	}
	return plot.Panels(path, plot.Panel{Title: fmt.Sprintf("Gromov's MLP, (a+b) mod %d: accuracy against width", p),
		XLabel: "width N", YLabel: "accuracy", LogX: true, Lines: []plot.Series{an, tr}})
}

// Command curves draws metrics of several runs in one figure: one panel per
// quantity, one curve per run.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
)

type flags struct {
	Runs    []string         `arg:"" placeholder:"RUN" help:"Run folders written by fit."`
	Metric  []string         `default:"test/accuracy" placeholder:"SPLIT/METRIC" help:"Quantities to draw, one panel each: split/metric or split/kind/metric as in metrics.parquet (test/accuracy, train/softmax_collapse, all/weight_norm)."`
	Label   []string         `sep:"none" placeholder:"NAME" help:"The name of a run in the legend, once per run in their order (default: each folder's name)."`
	Title   string           `help:"Title before each panel's quantity (default: the settings all runs share: operation, p, model, optimiser, lr, weight decay, seed)."`
	Output  string           `short:"o" required:"" placeholder:"PNG" help:"Figure to write."`
	Version kong.VersionFlag `help:"Print the version."`
}

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "curves", "Draw metrics of several runs (metrics.parquet) in one figure, one panel per quantity, one curve per run, against a log step axis; print each run's last and largest value of each.",
		&f, func(env cli.Env, _ *kong.Context) error { return draw(env, &f) }))
}

func draw(env cli.Env, f *flags) error {
	if len(f.Label) > 0 && len(f.Label) != len(f.Runs) {
		return fmt.Errorf("--label: %d names for %d runs", len(f.Label), len(f.Runs))
	}
	var quantities []runs.Quantity
	for _, m := range f.Metric {
		q, err := runs.ParseQuantity(m)
		if err != nil {
			return fmt.Errorf("--metric %w", err)
		}
		quantities = append(quantities, q)
	}
	if f.Output == "-" {
		return fmt.Errorf("-o -: a PNG figure goes to a file, not to stdout")
	}
	if err := outfile.Check(f.Output); err != nil {
		return err
	}
	var compared []runs.Compared
	var configs []*runs.Config
	for i, dir := range f.Runs {
		cfg, err := runs.ReadConfig(dir)
		if err != nil {
			return err
		}
		configs = append(configs, cfg)
		rows, err := runs.ReadMetrics(runs.MetricsPath(dir))
		if err != nil {
			return err
		}
		label := filepath.Base(dir)
		if len(f.Label) > 0 {
			label = f.Label[i]
		}
		compared = append(compared, runs.Compared{Label: label, Rows: rows})
	}
	title := f.Title
	if title == "" {
		title = runs.JoinFacts(runs.SharedFacts(configs))
	}
	if err := runs.PlotCompare(f.Output, title, compared, quantities); err != nil {
		return fmt.Errorf("--metric: %w", err)
	}
	fmt.Fprintf(env.Stderr, "curves: wrote %s\n", f.Output)
	return runs.WriteCompareTable(env.Stdout, compared, quantities)
}

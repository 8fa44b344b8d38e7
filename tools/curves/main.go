// Command curves draws metrics of several runs in one figure: one panel per
// quantity, one curve per run; or, with --run-figure, one run's own figure
// (fit's curves.png) in any format.
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
)

type flags struct {
	Runs      []string         `arg:"" placeholder:"RUN" help:"Run folders written by fit."`
	Metric    []string         `default:"test/accuracy" placeholder:"SPLIT/METRIC" help:"Quantities to draw, one panel each: split/metric or split/kind/metric as in metrics.parquet (test/accuracy, train/softmax_collapse, all/weight_norm)."`
	Label     []string         `sep:"none" placeholder:"NAME" help:"The name of a run in the legend, once per run in their order (default: the values of the settings the runs differ in, e.g. \"(a+b) mod 23, model nanda\"; the folder where they differ in none)."`
	Title     string           `help:"Header over the panels (default: the settings all runs share, then which settings differ: \"adamw, lr 0.003, wd 1, seed 23093; runs differ in operation, p, model, loss\")."`
	Output    string           `short:"o" required:"" placeholder:"FILE" help:"Figure to write: PNG, or SVG or PDF (vector, for papers) by its extension (.png, .svg, .pdf)."`
	RunFigure bool             `name:"run-figure" help:"Draw one RUN's own figure, fit's curves.png (accuracy, loss, ‖w‖, max logit, the steps where train and test reach 99%), to -o: as SVG or PDF for a paper. No --metric or --label with it."`
	Version   kong.VersionFlag `help:"Print the version."`
}

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "curves", "Draw metrics of several runs (metrics.parquet) in one figure, one panel per quantity, one curve per run, against the step axis (linear to the first evaluation, logarithmic after, so that step 0 shows); print each run's last and largest value of each.",
		&f, func(env cli.Env, ctx *kong.Context) error {
			if f.RunFigure {
				return runFigure(env, ctx, &f)
			}
			return draw(env, &f)
		}))
}

// runFigure draws one run's curves.png (runs.PlotCurvesTo) to -o, in its
// format.
func runFigure(env cli.Env, ctx *kong.Context, f *flags) error {
	if given := cli.FirstGiven(ctx, "metric", "label"); given != "" {
		return fmt.Errorf("--%s: not with --run-figure, which draws the run's own panels", given)
	}
	if len(f.Runs) != 1 {
		return fmt.Errorf("--run-figure: one run, not %d", len(f.Runs))
	}
	if err := checkOutput(f.Output); err != nil {
		return err
	}
	cfg, err := runs.ReadConfig(f.Runs[0])
	if err != nil {
		return err
	}
	rows, err := runs.ReadMetrics(runs.MetricsPath(f.Runs[0]))
	if err != nil {
		return err
	}
	title := f.Title
	if title == "" {
		title = cfg.Describe()
	}
	if err := runs.PlotCurvesTo(f.Output, title, rows); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "curves: wrote %s\n", f.Output)
	return nil
}

// checkOutput refuses -o - and an output that cannot be written, before
// any work.
func checkOutput(path string) error {
	if path == "-" {
		return fmt.Errorf("-o -: a figure goes to a file, not to stdout")
	}
	return outfile.Check(path)
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
	if err := checkOutput(f.Output); err != nil {
		return err
	}
	var compared []runs.Compared
	var configs []*runs.Config
	for _, dir := range f.Runs {
		cfg, err := runs.ReadConfig(dir)
		if err != nil {
			return err
		}
		configs = append(configs, cfg)
		rows, err := runs.ReadMetrics(runs.MetricsPath(dir))
		if err != nil {
			return err
		}
		compared = append(compared, runs.Compared{Rows: rows})
	}
	// The runs are named by what tells them apart, unless named by hand.
	header, names := runs.Differences(configs, f.Runs)
	for i := range compared {
		compared[i].Label = names[i]
		if len(f.Label) > 0 {
			compared[i].Label = f.Label[i]
		}
	}
	title := f.Title
	if title == "" {
		title = header
	}
	if err := runs.PlotCompare(f.Output, title, compared, quantities); err != nil {
		return fmt.Errorf("--metric: %w", err)
	}
	fmt.Fprintf(env.Stderr, "curves: wrote %s\n", f.Output)
	return runs.WriteCompareTable(env.Stdout, compared, quantities)
}

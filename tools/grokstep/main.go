// Command grokstep reads finished run folders and reports when each
// grokked, by Essential AI's definition (pkg/grokstep): a Markdown table of
// the grokking step's median and interquartile range per task, optimiser
// and learning rate, with how many seeds never grok; the same as Parquet,
// one row per run as Parquet, a figure, and each optimiser's best learning
// rate (make reproduce-optimizers chooses with it).
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/grokstep"
	"github.com/grokkit/grokkit/pkg/outfile"
)

type flags struct {
	Runs     []string         `arg:"" placeholder:"RUN" help:"Finished (or diverged) run folders written by fit."`
	Within   float64          `default:"0.01" help:"The grokking step is the first evaluation with test accuracy ≥ the run's maximum − this (Essential AI: within 1%)."`
	MinMax   float64          `name:"min-max" default:"0.95" help:"A run grokked only if its maximum test accuracy is above this (Essential AI: 95%)."`
	Markdown string           `default:"-" placeholder:"MD" help:"Where the Markdown table goes (- : stdout)."`
	Table    string           `placeholder:"PARQUET" help:"Write the table (one row per task, optimiser and learning rate) as Parquet here."`
	PerRun   string           `name:"per-run" placeholder:"PARQUET" help:"Write one row per run (its grokking step, maximum test accuracy, status) as Parquet here."`
	Figure   string           `placeholder:"PNG" help:"Draw test accuracy against step here: a panel per task, a colour per optimiser, a line per seed."`
	Title    string           `default:"Test accuracy of every seed, one colour per optimiser" help:"The figure's header."`
	Choose   string           `placeholder:"TSV" help:"Write each task and optimiser's best learning rate here (fewest seeds that never grok, then the lowest median step, then the highest median maximum accuracy, then the smaller rate), tab-separated."`
	Version  kong.VersionFlag `help:"Print the version."`
}

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "grokstep", "Report when runs grokked (Essential AI's definition: the first evaluation within 1% of the run's maximum test accuracy, that maximum above 95%): median and IQR per task, optimiser and learning rate, never-grok counts.",
		&f, func(env cli.Env, _ *kong.Context) error { return report(env, &f) }))
}

func report(env cli.Env, f *flags) error {
	d := grokstep.Definition{Within: f.Within, MinMax: f.MinMax}
	if err := d.Check(); err != nil {
		return fmt.Errorf("--within/--min-max: %w", err)
	}
	for _, p := range []string{f.Table, f.PerRun, f.Figure, f.Choose} {
		if p == "-" {
			return fmt.Errorf("-: only --markdown goes to stdout")
		}
	}
	for _, p := range []string{f.Markdown, f.Table, f.PerRun, f.Figure, f.Choose} {
		if p != "" && p != "-" {
			if err := outfile.Check(p); err != nil {
				return err
			}
		}
	}
	rs, err := grokstep.ReadAll(f.Runs, d)
	if err != nil {
		return err
	}
	groups, err := grokstep.Summarise(rs)
	if err != nil {
		return err
	}
	// Each output is written atomically (outfile): a failure leaves none
	// half-written.
	write := []struct {
		path string
		fill func(w io.Writer) error
	}{
		{f.Table, func(w io.Writer) error { return grokstep.WriteParquet(w, groups, d) }},
		{f.PerRun, func(w io.Writer) error { return grokstep.WriteRunsParquet(w, rs, d) }},
		{f.Choose, func(w io.Writer) error { return grokstep.WriteChoice(w, grokstep.Choose(groups)) }},
	}
	if f.Figure != "" {
		if err := grokstep.Figure(f.Figure, f.Title, groups); err != nil {
			return err
		}
	}
	for _, o := range write {
		if o.path == "" {
			continue
		}
		if err := outfile.Write(o.path, nil, o.fill); err != nil {
			return err
		}
	}
	return outfile.Write(f.Markdown, env.Stdout, func(w io.Writer) error { return grokstep.WriteMarkdown(w, groups, d) })
}

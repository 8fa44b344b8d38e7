// Command evalsplit scores a trained run on a table, per split and kind.
package main

import (
	"io"
	"os"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/score"
)

type flags struct {
	Run        string           `arg:"" placeholder:"RUN" help:"Run folder written by fit."`
	Table      string           `placeholder:"TABLE" help:"Table to score on (default: the run's own data.parquet); - for stdin."`
	Checkpoint int              `default:"-1" placeholder:"STEP" help:"Score the checkpoint of this step (default: the final weights)."`
	PerExample bool             `help:"One row per input: prediction, margin, loss on label and on clean."`
	Format     string           `default:"parquet" enum:"parquet,table" help:"parquet, or an aligned text table for the terminal."`
	Output     string           `short:"o" default:"-" placeholder:"PATH" help:"Output file, or - for stdout."`
	Version    kong.VersionFlag `help:"Print the version."`
}

const description = `Score a run on a table: loss and accuracy per (split, kind) against label and
against clean, attack success of planted rules on held-out triggers, and
Doshi et al.'s phase for label noise (coexistence, partial inversion, full
inversion, memorisation, forgetting).`

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "evalsplit", description, &f, func(env cli.Env, _ *kong.Context) error { return evaluate(env, &f) }))
}

func evaluate(env cli.Env, f *flags) error {
	net, err := infer.LoadRun(f.Run, f.Checkpoint)
	if err != nil {
		return err
	}
	t, err := runs.LoadTable(f.Run, net.Config, f.Table, env.Stdin)
	if err != nil {
		return err
	}
	b, _, err := backend.New()
	if err != nil {
		return err
	}
	ex, err := score.Examples(b, net, t)
	if err != nil {
		return err
	}
	rep := score.NewReport(f.Run, net.Step, t, ex)
	return outfile.Write(f.Output, env.Stdout, func(w io.Writer) error {
		switch {
		case f.PerExample && f.Format == "table":
			return rep.WritePerExampleTable(w, t, ex)
		case f.PerExample:
			return rep.WritePerExample(w, t, ex)
		case f.Format == "table":
			return rep.WriteTable(w)
		}
		return rep.WriteParquet(w)
	})
}

// Command evalsplit scores a trained run on a table, per split and kind.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/score"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/tasks"
)

type flags struct {
	Run        string `arg:"" placeholder:"RUN" help:"Run folder written by fit."`
	Table      string `placeholder:"TABLE" help:"Table to score on (default: the run's own data.parquet); - for stdin."`
	Checkpoint int    `default:"-1" placeholder:"STEP" help:"Score the checkpoint of this step (default: the final weights)."`
	PerExample bool   `help:"One row per input: prediction, margin, loss on label and on clean (with --detect: every anomaly score, Parquet only)."`
	Detect     bool   `help:"Backdoor and noise detection from the weights: anomaly scores with their AUROC per kind, the recovered rule, and repairs (a+b, and a-b, a*b, a/b as addition in their views; see fourier --help)."`
	AllRows    bool   `help:"--detect: score every row, not only the training rows."`
	KeyFreqs   []int  `placeholder:"K,..." help:"--detect: key frequencies of the circuit (default: the logits' own)."`
	Plot       string `placeholder:"PNG" help:"--detect: also draw the scores' AUROC and ROC curves here, and the rule's mechanism (its components' activations over (a, b), the ablation curves) in PNG-mechanism.png."`
	Format     string `default:"" enum:"parquet,table,markdown," help:"parquet, table (aligned text) or (--detect) markdown (a table row); default: table when stdout is a terminal, else parquet."`
	Case       string `placeholder:"NAME" help:"--detect --format markdown: the case named in the row (default: the run folder)."`
	Output     string `short:"o" default:"-" placeholder:"PATH" help:"Output file, or - for stdout."`
	ExportTask string `name:"export-task" placeholder:"DIR" help:"Write the run as a detection task suite of one task instead (weights, every input with the trusted set, activations at named hooks, the truth apart, the built-in scores; DIR/TASK.md describes it; score a detector with detectbench score DIR)."`
	cli.Kernels
	Version kong.VersionFlag `help:"Print the version."`
}

const description = `Score a run on a table: loss and accuracy per (split, kind) against label and
against clean, attack success of planted rules on held-out triggers, and
Doshi et al.'s phase for label noise (coexistence, partial inversion, full
inversion, memorisation, forgetting).`

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "evalsplit", description, &f, func(env cli.Env, ctx *kong.Context) error { return evaluate(env, ctx, &f) }))
}

func evaluate(env cli.Env, ctx *kong.Context, f *flags) error {
	if err := checkFlags(env, ctx, f); err != nil {
		return err
	}
	f.Format = cli.Format(f.Format, f.Output, env.Stdout)
	for _, out := range []string{f.Output, f.Plot} {
		if err := outfile.Check(out); err != nil {
			return err // before any work, so nothing is half done
		}
	}
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
	if f.ExportTask != "" {
		return exportTask(env, f, b, t)
	}
	if f.Detect {
		return detectRun(env, f, b, net, t)
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

// checkFlags refuses a flag that the other flags would leave unused,
// rather than ignore it.
func checkFlags(env cli.Env, ctx *kong.Context, f *flags) error {
	if f.ExportTask != "" {
		if name := cli.FirstGiven(ctx, "per-example", "detect", "all-rows", "key-freqs", "plot", "format", "case", "output"); name != "" {
			return fmt.Errorf("--%s does not apply with --export-task, which writes a task folder", name)
		}
		return nil
	}
	if !f.Detect {
		if name := cli.FirstGiven(ctx, "all-rows", "key-freqs", "plot"); name != "" {
			return fmt.Errorf("--%s applies only with --detect", name)
		}
		if f.Format == "markdown" {
			return fmt.Errorf("--format markdown applies only with --detect (its report as a table row); the scores are written as parquet or table")
		}
	}
	if cli.FirstGiven(ctx, "case") != "" && (!f.Detect || f.Format != "markdown" || f.PerExample) {
		return fmt.Errorf("--case names the row of --detect --format markdown, and applies only there")
	}
	if f.Detect && f.PerExample {
		if f.Format != "" && f.Format != "parquet" {
			return fmt.Errorf("--format %s: --detect --per-example writes Parquet only (one row per input, a column per score)", f.Format)
		}
		return cli.RefuseBinaryOnTerminal(f.Output, env.Stdout, "give -o FILE.parquet, or --format table without --per-example")
	}
	return nil
}

// mechanismPlot is where --plot PNG's mechanism figure goes: PNG with
// -mechanism before its extension.
func mechanismPlot(png string) string {
	return strings.TrimSuffix(png, filepath.Ext(png)) + "-mechanism" + filepath.Ext(png)
}

// exportTask writes the run as a suite of one task at --export-task.
func exportTask(env cli.Env, f *flags, b compute.Backend, t *table.Table) error {
	m, sources, err := tasks.RunSource(f.Run, f.Checkpoint, t)
	if err != nil {
		return err
	}
	if err := tasks.Export(context.Background(), b, f.ExportTask, m, sources, io.Discard); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "evalsplit: wrote task %s to %s (format: %s)\n", sources[0].Name, f.ExportTask, filepath.Join(f.ExportTask, tasks.TaskMD))
	return nil
}

func detectRun(env cli.Env, f *flags, b compute.Backend, net *infer.Net, t *table.Table) error {
	rep, err := detect.Detect(b, net, t, detect.Options{AllRows: f.AllRows, Key: f.KeyFreqs})
	if err != nil {
		return fmt.Errorf("%s: %w", f.Run, err)
	}
	if f.Plot != "" {
		if err := rep.Plot(f.Plot, f.Run+": "+net.Config.Describe()); err != nil {
			return err
		}
		if rep.Mechanism != nil {
			if err := rep.Mechanism.Plot(mechanismPlot(f.Plot), f.Run+": "+net.Config.Describe()); err != nil {
				return err
			}
		}
	}
	return outfile.Write(f.Output, env.Stdout, func(w io.Writer) error {
		switch {
		case f.PerExample:
			return rep.WritePerExample(w, t)
		case f.Format == "table":
			return rep.WriteText(w, f.Run)
		case f.Format == "markdown":
			name := f.Case
			if name == "" {
				name = f.Run
			}
			return rep.WriteMarkdown(w, name)
		}
		return rep.WriteParquet(w, f.Run)
	})
}

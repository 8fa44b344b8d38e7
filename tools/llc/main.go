// Command llc estimates the local learning coefficient of a trained
// network at its checkpoints, by SGLD on its training loss (Lau et al.;
// devinterp's estimator and defaults).
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/llc"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
)

type flags struct {
	Run             string  `arg:"" placeholder:"RUN" help:"Run folder written by fit."`
	Checkpoint      int     `default:"-1" placeholder:"STEP" help:"Estimate at this checkpoint (default: the final weights)."`
	OverCheckpoints bool    `help:"Estimate at every checkpoint (not with --checkpoint); llc.png shows λ̂ over training beside the losses."`
	Table           string  `placeholder:"TABLE" help:"Table whose training rows are the loss (default: the run's data.parquet)."`
	Epsilon         float64 `default:"0.01" help:"SGLD step size ε (devinterp's lr)."`
	Gamma           float64 `default:"0" help:"Localisation γ: the pull back to w* (devinterp's localization)."`
	NBeta           float64 `name:"nbeta" default:"0" help:"nβ, the inverse temperature times n (0: b/log b for batches of b rows, devinterp's default_nbeta; full batches give the issue's β = 1/log n)."`
	Chains          int     `default:"10" help:"Independent SGLD chains."`
	Draws           int     `default:"100" help:"Draws per chain, after the burn-in."`
	Burnin          int     `default:"0" help:"SGLD steps discarded at the start of each chain."`
	StepsBetween    int     `default:"1" help:"SGLD steps between two draws."`
	BatchSize       int     `default:"0" help:"Training rows per SGLD gradient (0: all of them)."`
	Seed            uint64  `default:"1" help:"Seed of the SGLD noise and batches."`
	Format          string  `default:"" enum:"parquet,table," help:"parquet (one row per checkpoint, the settings as metadata) or table (aligned text); default: table when stdout is a terminal, else parquet."`
	Output          string  `short:"o" default:"-" placeholder:"PATH" help:"Output file, or - for stdout."`
	Plots           string  `placeholder:"DIR" help:"Folder for llc.png (with --over-checkpoints), created if need be. Default: the folder of the -o file; none with the output on stdout. Nothing is written into RUN unless it is named here."`
	cli.Kernels
	Version kong.VersionFlag `help:"Print the version."`
}

const description = `The local learning coefficient λ of a trained network (Lau et al. 2023).

    λ̂ = nβ · (E[L_n(w)] − L_n(w*))

w* is a checkpoint's weights, L_n the run's training loss on the table's
training rows, and the expectation is over SGLD draws from the tempered
posterior localised at w*, each step

    w ← w − ε/2 · (nβ·∇L_batch(w) + γ·(w − w*)) + √ε · N(0, I)

as devinterp's SGLD takes it, with devinterp's defaults (10 chains of 100
draws, ε 0.01, γ 0, nβ = b/log b). λ̂ measures the effective number of
parameters: it rises while a network memorises and falls as it generalises.
A chain whose loss turns NaN (ε too large) is left out and said.`

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "llc", description, &f, func(env cli.Env, ctx *kong.Context) error { return estimate(env, ctx, &f) }))
}

func estimate(env cli.Env, ctx *kong.Context, f *flags) error {
	f.Format = cli.Format(f.Format, f.Output, env.Stdout)
	if f.OverCheckpoints && cli.FirstGiven(ctx, "checkpoint") != "" {
		return fmt.Errorf("--checkpoint and --over-checkpoints: give one (--over-checkpoints estimates at every checkpoint)")
	}
	s := llc.Settings{Epsilon: f.Epsilon, Gamma: f.Gamma, NBeta: f.NBeta, Chains: f.Chains, Draws: f.Draws,
		Burnin: f.Burnin, StepsBetween: f.StepsBetween, BatchSize: f.BatchSize, Seed: f.Seed}
	if err := s.Check(); err != nil {
		return err
	}
	cfg, err := runs.ReadConfig(f.Run)
	if err != nil {
		return err
	}
	figures := ""
	if f.OverCheckpoints {
		figures = outfile.FiguresDir(f.Plots, f.Output)
	} else if f.Plots != "" {
		return fmt.Errorf("--plots: llc.png draws λ̂ over training; give --over-checkpoints")
	}
	if err := outfile.CheckOutputs(f.Output, f.Plots, figures, "llc.png"); err != nil {
		return err // before any work, so nothing is half done
	}
	steps, err := stepsOf(f.Run, f.Checkpoint, f.OverCheckpoints)
	if err != nil {
		return err
	}
	t, err := runs.LoadTable(f.Run, cfg, f.Table, env.Stdin)
	if err != nil {
		return err
	}
	if t.CountTrain() == 0 {
		name := f.Table
		if name == "" {
			name = runs.DataPath(f.Run)
		}
		return fmt.Errorf("%s: no training rows: the loss λ is measured on is empty", name)
	}
	b, _, err := backend.New()
	if err != nil {
		return err
	}
	var loadErr error // infer.LoadRun's errors name the run already
	load := func(step int) (*infer.Net, error) {
		n, err := infer.LoadRun(f.Run, step)
		loadErr = err
		return n, err
	}
	progress := func(step int) {
		if len(steps) > 1 {
			fmt.Fprintf(env.Stderr, "llc: step %d (%d checkpoints)\n", step, len(steps))
		}
	}
	rows, err := llc.Trajectory(b, load, steps, t, s, progress)
	if err != nil && err != loadErr {
		return fmt.Errorf("%s: %w", f.Run, err)
	} else if err != nil {
		return err
	}
	if figures != "" {
		if err := outfile.MakeFolder(f.Plots, figures); err != nil {
			return err
		}
		path := filepath.Join(figures, "llc.png")
		if err := llc.Plot(path, cfg.Describe(), rows); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "llc: wrote %s\n", path)
	}
	return outfile.Write(f.Output, env.Stdout, func(w io.Writer) error {
		if f.Format == "table" {
			return llc.WriteTable(w, f.Run, s, rows)
		}
		return llc.WriteParquet(w, f.Run, s, rows)
	})
}

// stepsOf lists the checkpoints to estimate at: every one, one, or the
// final weights (an unfinished run: its newest checkpoint).
func stepsOf(run string, checkpoint int, over bool) ([]int, error) {
	if over {
		return runs.Checkpoints(run)
	}
	if checkpoint != infer.Final {
		return []int{checkpoint}, nil
	}
	if _, err := os.Stat(runs.ModelPath(run)); err == nil {
		return []int{infer.Final}, nil
	}
	steps, err := runs.Checkpoints(run)
	if err != nil {
		return nil, err
	}
	return steps[len(steps)-1:], nil
}

// Command detectbench runs the detection benchmark: planted rules drawn at
// random, label noise and clean controls, trained with both models at
// several primes, and scored by evalsplit --detect's analysis. Its
// networks are exported as detection tasks any detector can be scored on
// (export, score).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/detectbench"
	"github.com/grokkit/grokkit/pkg/tasks"
	"github.com/grokkit/grokkit/pkg/train"
)

type flags struct {
	Run    runFlags    `cmd:"" default:"withargs" help:"Draw, train and score the benchmark (the default: detectbench -o DIR …)."`
	Export exportFlags `cmd:"" help:"Write every trained network of a benchmark as a detection task (TASKS/TASK.md describes the format)."`
	Score  scoreFlags  `cmd:"" help:"Score an external detector's per-input scores on the tasks and rewrite the leaderboard (TASKS/summary.md)."`
	cli.Kernels
	Version kong.VersionFlag `help:"Print the version."`
}

type runFlags struct {
	Output   string   `short:"o" required:"" placeholder:"DIR" help:"Benchmark folder (created; a second call continues it)."`
	Seed     uint64   `default:"1" help:"Seed of the drawn cases (rules, noise, training seeds)."`
	Primes   []int    `default:"47" help:"Primes; every case is trained at each (at p = 23 and 31 most transformers with a rule in place do not grok within the steps)."`
	Rules    int      `default:"12" help:"Drawn rules planted in the clean table."`
	Chains   int      `default:"8" help:"Drawn rules planted after label noise."`
	TwoRules int      `name:"two-rules" default:"8" help:"Cases with two drawn rules planted one after the other."`
	Noise    int      `default:"4" help:"Label-noise cases (random-uniform and random-increment, 2–8%)."`
	Clean    int      `default:"4" help:"Clean controls."`
	Fraction float64  `default:"0.9" help:"Training fraction of the tables (the rest is held out: the inputs scored at inference time)."`
	Steps    int      `default:"4000" help:"Training steps of every network."`
	Models   []string `default:"nanda,gromov" enum:"nanda,gromov" help:"Models to train."`
}

type exportFlags struct {
	Bench  string `arg:"" placeholder:"BENCH" help:"Benchmark folder (detectbench -o BENCH), every run trained."`
	Output string `short:"o" required:"" placeholder:"TASKS" help:"Task suite folder to write (must not exist, or be empty)."`
}

type scoreFlags struct {
	Tasks  string `arg:"" placeholder:"TASKS" help:"Task suite folder (detectbench export or evalsplit --export-task)."`
	Scores string `required:"" placeholder:"DIR" help:"Folder of one score file per task: NAME.npy or NAME.parquet (see TASKS/TASK.md)."`
	Name   string `required:"" placeholder:"NAME" help:"The detector's name in the leaderboard (scoring it again replaces it)."`
}

const description = `The detection benchmark: draw planted rules, noise and controls from --seed,
train each with both models at every prime (packed), run evalsplit --detect's
analysis on each run and summarise: DIR/results.parquet (a row per run and
score, the plan as metadata) and DIR/summary.md. A second call with the same
settings reuses what is done.

detectbench export BENCH -o TASKS writes each network as a detection task
(weights, inputs with the trusted set, activations at named hooks; the truth
apart); detectbench score TASKS --scores DIR --name NAME scores a detector's
per-input scores as the built-in ones are scored (TASKS/summary.md).`

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "detectbench", description, &f, func(env cli.Env, kctx *kong.Context) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		switch kctx.Command() {
		case "export <bench>":
			return export(ctx, env, f.Export)
		case "score <tasks>":
			if err := tasks.Score(f.Score.Tasks, f.Score.Scores, f.Score.Name); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "detectbench: scored %s; leaderboard in %s/%s\n", f.Score.Name, f.Score.Tasks, tasks.SummaryFile)
			return nil
		}
		r := f.Run
		err := detectbench.Run(ctx, detectbench.Config{
			Dir: r.Output, Seed: r.Seed, Primes: r.Primes, TrainFraction: r.Fraction, Models: r.Models,
			Sizes:    detectbench.Sizes{Rules: r.Rules, Chains: r.Chains, TwoRules: r.TwoRules, Noise: r.Noise, Clean: r.Clean},
			Training: detectbench.Training{Steps: r.Steps, EvalEvery: 100},
			Args:     env.Args,
		}, env.Stderr)
		if errors.Is(err, train.ErrInterrupted) || ctx.Err() != nil {
			return &cli.ExitError{Code: cli.ExitInterrupted, Msg: r.Output + ": interrupted; the same command continues the benchmark"}
		}
		return err
	}))
}

func export(ctx context.Context, env cli.Env, f exportFlags) error {
	m, sources, err := tasks.BenchSources(f.Bench)
	if err != nil {
		return err
	}
	b, _, err := backend.New()
	if err != nil {
		return err
	}
	err = tasks.Export(ctx, b, f.Output, m, sources, env.Stderr)
	if errors.Is(err, tasks.ErrInterrupted) {
		return &cli.ExitError{Code: cli.ExitInterrupted, Msg: f.Output + ": interrupted; nothing was written"}
	}
	if err == nil {
		fmt.Fprintf(env.Stderr, "detectbench: wrote %d tasks to %s (format: %s/%s)\n", len(sources), f.Output, f.Output, tasks.TaskMD)
	}
	return err
}

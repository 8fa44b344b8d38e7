// Command detectbench runs the detection benchmark: planted rules drawn at
// random, label noise and clean controls, trained with both models at
// several primes, and scored by evalsplit --detect's analysis.
package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/detectbench"
	"github.com/grokkit/grokkit/pkg/train"
)

type flags struct {
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
	cli.Kernels
	Version kong.VersionFlag `help:"Print the version."`
}

const description = `The detection benchmark: draw planted rules, noise and controls from --seed,
train each with both models at every prime (packed), run evalsplit --detect's
analysis on each run and summarise: DIR/results.parquet (a row per run and
score, the plan as metadata) and DIR/summary.md. A second call with the same
settings reuses what is done.`

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "detectbench", description, &f, func(env cli.Env, _ *kong.Context) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err := detectbench.Run(ctx, detectbench.Config{
			Dir: f.Output, Seed: f.Seed, Primes: f.Primes, TrainFraction: f.Fraction, Models: f.Models,
			Sizes:    detectbench.Sizes{Rules: f.Rules, Chains: f.Chains, TwoRules: f.TwoRules, Noise: f.Noise, Clean: f.Clean},
			Training: detectbench.Training{Steps: f.Steps, EvalEvery: 100},
			Args:     env.Args,
		}, env.Stderr)
		if errors.Is(err, train.ErrInterrupted) || ctx.Err() != nil {
			return &cli.ExitError{Code: cli.ExitInterrupted, Msg: f.Output + ": interrupted; the same command continues the benchmark"}
		}
		return err
	}))
}

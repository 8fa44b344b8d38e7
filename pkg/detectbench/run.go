package detectbench

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/outfile"
)

// Config is one benchmark.
type Config struct {
	Dir           string
	Seed          uint64
	Primes        []int
	TrainFraction float64
	Models        []string
	Sizes         Sizes
	Training      Training
	Args          []string // the command line, for the summary
}

// Output files in the benchmark folder.
const (
	ResultsFile = "results.parquet"
	SummaryFile = "summary.md"
)

// Run draws (or reopens) the plan, trains what is not trained, runs the
// detection on every run and writes the results and the summary.
func Run(ctx context.Context, cfg Config, log io.Writer) error {
	if len(cfg.Primes) == 0 || len(cfg.Models) == 0 {
		return fmt.Errorf("--primes, --models: give at least one prime and one model")
	}
	for _, p := range cfg.Primes {
		if p < 5 || p > 97 {
			return fmt.Errorf("--primes: p = %d is outside 5…97 (every case is trained at each prime)", p)
		}
	}
	start := time.Now()
	pl, err := OpenPlan(cfg.Dir, cfg.Seed, cfg.Primes, cfg.TrainFraction, cfg.Sizes)
	if err != nil {
		return err
	}
	if err := Train(ctx, cfg.Dir, pl, cfg.Models, cfg.Training, log); err != nil {
		return err
	}
	trained := time.Since(start)
	b, _, err := backend.New()
	if err != nil {
		return err
	}
	outs, err := EvaluateAll(b, cfg.Dir, pl, cfg.Models, log)
	if err != nil {
		return err
	}
	// No timings in the summary: the same settings give the same bytes.
	header := fmt.Sprintf("# Detection benchmark\n\n`detectbench %s`: seed %d, primes %v, %d cases per model and prime (%d rules, %d noise-then-rule, %d two-rule, %d noise, %d clean), %d steps per network.\n",
		strings.Join(cfg.Args, " "), cfg.Seed, cfg.Primes, len(pl.Cases), cfg.Sizes.Rules, cfg.Sizes.Chains, cfg.Sizes.TwoRules, cfg.Sizes.Noise, cfg.Sizes.Clean, cfg.Training.Steps)
	if err := outfile.Write(filepath.Join(cfg.Dir, ResultsFile), nil, func(w io.Writer) error { return WriteResults(w, pl, outs) }); err != nil {
		return err
	}
	if err := outfile.Write(filepath.Join(cfg.Dir, SummaryFile), nil, func(w io.Writer) error {
		return WriteSummary(w, pl, cfg.Models, outs, header)
	}); err != nil {
		return err
	}
	fmt.Fprintf(log, "detectbench: wrote %s and %s (training %s, in all %s)\n", filepath.Join(cfg.Dir, ResultsFile), filepath.Join(cfg.Dir, SummaryFile),
		trained.Round(time.Second), time.Since(start).Round(time.Second))
	return nil
}

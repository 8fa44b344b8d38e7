// Package detectbench is the detection benchmark (make detect-bench): planted
// rules drawn at random (pkg/rulegen), label noise, noise followed by a rule,
// and clean controls, each trained with both models at several primes, then
// scored by evalsplit --detect's analysis against the planted truth.
//
// A benchmark folder holds plan.json (the drawn cases), one table per case
// and prime (tables/), one run per case, prime and model (runs/), and the
// results: results.parquet (one row per case, prime, model and score) and
// summary.md. Every step skips what is already done, so an interrupted
// benchmark continues where it stopped.
package detectbench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/rulegen"
	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/table"
)

// Case classes.
const (
	ClassRule  = "rule"  // a drawn planted rule
	ClassChain = "chain" // label noise, then a drawn rule
	ClassNoise = "noise" // label noise alone
	ClassClean = "clean" // no mutation: a control
)

// Case is one poisoning of the clean table, the same at every prime.
type Case struct {
	Name      string          `json:"name"`
	Class     string          `json:"class"`
	Rule      *rulegen.Rule   `json:"rule,omitempty"` // rule and chain cases
	Mutations []rule.Mutation `json:"mutations"`      // applied in order
	TrainSeed uint64          `json:"train_seed"`
}

// Sizes says how many cases of each class to draw.
type Sizes struct{ Rules, Chains, Noise, Clean int }

// Plan is the benchmark's cases, drawn from Seed.
type Plan struct {
	Seed          uint64  `json:"seed"`
	Primes        []int   `json:"primes"`
	TrainFraction float64 `json:"train_fraction"`
	SplitSeed     uint64  `json:"split_seed"`
	Cases         []Case  `json:"cases"`
}

// NewPlan draws the cases. Rules are drawn so that they meet
// rulegen.DefaultLimits at every prime.
func NewPlan(seed uint64, primes []int, trainFraction float64, n Sizes) (*Plan, error) {
	if len(primes) == 0 {
		return nil, fmt.Errorf("--primes: none given")
	}
	pl := &Plan{Seed: seed, Primes: primes, TrainFraction: trainFraction, SplitSeed: 23093}
	var cleans []*table.Table
	for _, p := range primes {
		t, err := pl.CleanTable(p)
		if err != nil {
			return nil, err
		}
		cleans = append(cleans, t)
	}
	rules := seeded.New(seed, "detectbench/rules")
	noise := seeded.New(seed, "detectbench/noise")
	trainSeeds := seeded.New(seed, "detectbench/train-seeds")
	add := func(name, class string, ru *rulegen.Rule, ms ...rule.Mutation) {
		pl.Cases = append(pl.Cases, Case{Name: name, Class: class, Rule: ru, Mutations: ms, TrainSeed: 1 + uint64(trainSeeds.IntN(1<<30))})
	}
	drawNoise := func(i int) rule.Mutation {
		scheme := []string{rule.RandomUniform, rule.RandomIncrement}[i%2]
		frac := 0.02 + 0.06*noise.Float64()
		frac = float64(int(frac*1000+0.5)) / 1000
		return rule.Mutation{Scheme: scheme, Fraction: frac, Splits: table.SplitTrain, Seed: 1 + uint64(noise.IntN(1<<30))}
	}
	for i := range n.Rules + n.Chains {
		ru, err := rulegen.Draw(rules, cleans, rulegen.DefaultLimits)
		if err != nil {
			return nil, err
		}
		m := rule.Mutation{Scheme: rule.General, When: ru.When, Then: ru.Then, Splits: table.SplitTrain, HeldOut: true}
		if i < n.Rules {
			add(fmt.Sprintf("rule-%02d", i+1), ClassRule, &ru, m)
		} else {
			add(fmt.Sprintf("chain-%02d", i-n.Rules+1), ClassChain, &ru, drawNoise(i), m)
		}
	}
	for i := range n.Noise {
		add(fmt.Sprintf("noise-%02d", i+1), ClassNoise, nil, drawNoise(i))
	}
	for i := range n.Clean {
		add(fmt.Sprintf("clean-%02d", i+1), ClassClean, nil, rule.Mutation{Scheme: rule.Control, Splits: table.SplitTrain})
	}
	return pl, nil
}

// CleanTable is the benchmark's clean table of (a+b) mod p.
func (pl *Plan) CleanTable(p int) (*table.Table, error) {
	return table.Generate(table.Spec{P: p, Op: "add", TrainFraction: pl.TrainFraction, Seed: pl.SplitSeed, Equals: true})
}

// Table applies case c's mutations to the clean table at p.
func (pl *Plan) Table(c Case, p int) (*table.Table, error) {
	t, err := pl.CleanTable(p)
	if err != nil {
		return nil, err
	}
	for _, m := range c.Mutations {
		if _, err := m.Apply(t); err != nil {
			return nil, fmt.Errorf("case %s at p = %d: %w", c.Name, p, err)
		}
	}
	return t, nil
}

// PlanFile is the plan's name in a benchmark folder.
const PlanFile = "plan.json"

// OpenPlan draws the plan and writes it to dir, or reads the one there,
// refusing it if it was drawn with other settings.
func OpenPlan(dir string, seed uint64, primes []int, trainFraction float64, n Sizes) (*Plan, error) {
	pl, err := NewPlan(seed, primes, trainFraction, n)
	if err != nil {
		return nil, err
	}
	want, err := json.MarshalIndent(pl, "", "  ")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, PlanFile)
	if have, err := os.ReadFile(path); err == nil {
		if !bytes.Equal(bytes.TrimSpace(have), want) {
			return nil, fmt.Errorf("%s: drawn with other settings (seed, primes, sizes or fraction); use another folder", path)
		}
		return pl, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return pl, outfile.Write(path, nil, func(w io.Writer) error { _, err := w.Write(append(want, '\n')); return err })
}

// Package detectbench is the detection benchmark (make detect-bench): planted
// rules drawn at random (pkg/rulegen), label noise, noise followed by a rule,
// two rules planted one after the other, and clean controls, each trained
// with both models at several primes, then scored by evalsplit --detect's
// analysis against the planted truth.
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
	"slices"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/rulegen"
	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/table"
)

// Case classes.
const (
	ClassRule     = "rule"      // a drawn planted rule
	ClassChain    = "chain"     // label noise, then a drawn rule
	ClassTwoRules = "two-rules" // a drawn rule, then another
	ClassNoise    = "noise"     // label noise alone
	ClassClean    = "clean"     // no mutation: a control
)

// The kinds a two-rules case writes on the rows of its first and second
// rule (a row both select is the second's); a rule or chain case's rule
// writes mutate's default, "backdoor".
const (
	KindFirstRule  = "backdoor-1"
	KindSecondRule = "backdoor-2"
)

// maxOverlap is the largest share of a two-rules case's second rule's rows
// (at any prime) that its first rule selected: each rule is to be found
// on rows of its own.
const maxOverlap = 0.1

// Case is one poisoning of the clean table, the same at every prime.
type Case struct {
	Name      string          `json:"name"`
	Class     string          `json:"class"`
	Rule      *rulegen.Rule   `json:"rule,omitempty"`        // rule, chain and two-rules cases
	Second    *rulegen.Rule   `json:"second_rule,omitempty"` // two-rules cases: the rule planted after Rule
	Mutations []rule.Mutation `json:"mutations"`             // applied in order
	TrainSeed uint64          `json:"train_seed"`
}

// Sizes says how many cases of each class to draw.
type Sizes struct{ Rules, Chains, TwoRules, Noise, Clean int }

// Plan is the benchmark's cases, drawn from Seed.
type Plan struct {
	Seed          uint64  `json:"seed"`
	Primes        []int   `json:"primes"`
	TrainFraction float64 `json:"train_fraction"`
	SplitSeed     uint64  `json:"split_seed"`
	Cases         []Case  `json:"cases"`
}

// NewPlan draws the cases. Rules are drawn so that they meet
// rulegen.DefaultLimits at every prime; a two-rules case's second rule on
// the tables its first has changed, and selecting at most maxOverlap of
// its rows among the first's. Two-rules cases come last and have a stream
// of their own, so adding them leaves the other cases as they were.
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
	add := func(c Case) {
		c.TrainSeed = 1 + uint64(trainSeeds.IntN(1<<30))
		pl.Cases = append(pl.Cases, c)
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
		m := plantRule(ru, "")
		if i < n.Rules {
			add(Case{Name: fmt.Sprintf("rule-%02d", i+1), Class: ClassRule, Rule: &ru, Mutations: []rule.Mutation{m}})
		} else {
			add(Case{Name: fmt.Sprintf("chain-%02d", i-n.Rules+1), Class: ClassChain, Rule: &ru, Mutations: []rule.Mutation{drawNoise(i), m}})
		}
	}
	for i := range n.Noise {
		add(Case{Name: fmt.Sprintf("noise-%02d", i+1), Class: ClassNoise, Mutations: []rule.Mutation{drawNoise(i)}})
	}
	for i := range n.Clean {
		add(Case{Name: fmt.Sprintf("clean-%02d", i+1), Class: ClassClean, Mutations: []rule.Mutation{{Scheme: rule.Control, Splits: table.SplitTrain}}})
	}
	two := seeded.New(seed, "detectbench/two-rules")
	for i := range n.TwoRules {
		first, second, err := drawTwoRules(two, cleans)
		if err != nil {
			return nil, err
		}
		add(Case{Name: fmt.Sprintf("two-rules-%02d", i+1), Class: ClassTwoRules, Rule: &first, Second: &second,
			Mutations: []rule.Mutation{plantRule(first, KindFirstRule), plantRule(second, KindSecondRule)}})
	}
	return pl, nil
}

// plantRule is the mutation that plants ru on the training rows (and its
// trigger's held-out rows), writing kind (mutate's default if "").
func plantRule(ru rulegen.Rule, kind string) rule.Mutation {
	return rule.Mutation{Scheme: rule.General, Name: kind, When: ru.When, Then: ru.Then, Splits: table.SplitTrain, HeldOut: true}
}

// maxSecondTries bounds the draws of a second rule that overlaps the first
// too much.
const maxSecondTries = 1000

// drawTwoRules draws a rule, then a second one that meets the limits on
// the tables the first has changed and selects at most maxOverlap of its
// rows among the first's.
func drawTwoRules(r *seeded.Rand, cleans []*table.Table) (rulegen.Rule, rulegen.Rule, error) {
	first, err := rulegen.Draw(r, cleans, rulegen.DefaultLimits)
	if err != nil {
		return first, first, err
	}
	var after []*table.Table
	for _, c := range cleans {
		t := *c // Apply changes only the labels and kinds
		t.Label, t.Kind = slices.Clone(c.Label), slices.Clone(c.Kind)
		if _, err := plantRule(first, KindFirstRule).Apply(&t); err != nil {
			return first, first, err
		}
		after = append(after, &t)
	}
	for range maxSecondTries {
		second, err := rulegen.Draw(r, after, rulegen.DefaultLimits)
		if err != nil {
			return first, second, err
		}
		if ok, err := overlapsLittle(second, after); err != nil || ok {
			return first, second, err
		}
	}
	return first, first, fmt.Errorf("no second rule to %q selects mostly rows of its own in %d draws", first.When, maxSecondTries)
}

// overlapsLittle: at most maxOverlap of the rows ru selects in each table
// are of the first rule's kind.
func overlapsLittle(ru rulegen.Rule, tables []*table.Table) (bool, error) {
	when, err := rule.Parse(ru.When)
	if err != nil {
		return false, err
	}
	for _, t := range tables {
		sel, shared := 0, 0
		for i := range t.Len() {
			hit, err := when.Eval(rule.Env{A: int64(t.A[i]), B: int64(t.B[i]), P: int64(t.Meta.P), Label: int64(t.Label[i]), Clean: int64(t.Clean[i])})
			if err != nil {
				return false, err
			}
			if hit != 0 {
				sel++
				if t.Kind[i] == KindFirstRule {
					shared++
				}
			}
		}
		if float64(shared) > maxOverlap*float64(sel) {
			return false, nil
		}
	}
	return true, nil
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

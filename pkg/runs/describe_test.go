package runs

import (
	"testing"

	"github.com/grokkit/grokkit/pkg/table"
)

// A figure's header: one run's settings in a line, and what several runs
// share (the operation dropped when they differ, the modulus kept).
func TestDescribeAndSharedFacts(t *testing.T) {
	config := func(op string, seed uint64) *Config {
		return &Config{Data: DataInfo{Rows: 529, Train: 264, Meta: table.Meta{Op: op, TrainFraction: 0.5}},
			Model: ModelSpec{Name: "nanda", P: 23},
			Train: TrainSpec{Optimizer: "adamw", LR: 1e-3, WeightDecay: 1, Seed: seed, Loss: "stablemax"}}
	}
	add, sub := config("add", 1), config("sub", 2)
	if got, want := add.Describe(), "(a+b) mod 23, 50% train, model nanda, adamw, lr 0.001, wd 1, seed 1, loss stablemax"; got != want {
		t.Errorf("Describe: %q, want %q", got, want)
	}
	if got, want := JoinFacts(SharedFacts([]*Config{add, sub})), "mod 23, 50% train, model nanda, adamw, lr 0.001, wd 1, loss stablemax"; got != want {
		t.Errorf("shared: %q, want %q", got, want)
	}
}

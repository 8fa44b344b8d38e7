package runs

import (
	"slices"
	"testing"

	"github.com/grokkit/grokkit/pkg/table"
)

// A comparison's header lists what the runs share and which settings
// differ; each run is named by its values of those (worked by hand from
// the configs below). A model's sizes count only between runs of that
// model: the MLP's width is no difference from the transformers.
func TestDifferences(t *testing.T) {
	config := func(op string, p int, model, loss string, dModel, width int) *Config {
		return &Config{Data: DataInfo{Rows: p * p, Train: p * p / 2, Meta: table.Meta{Op: op, P: p, TrainFraction: 0.5, Equals: true}},
			Model: ModelSpec{Name: model, P: p, DModel: dModel, Width: width, Equals: true},
			Train: TrainSpec{Optimizer: "adamw", LR: 1e-3, WeightDecay: 1, Seed: 1, Loss: loss, Steps: 400}}
	}
	a := config("add", 23, "nanda", "", 32, 0)
	b := config("mul", 29, "nanda", "mse", 64, 0)
	c := config("mul", 29, "mlp", "cross_entropy", 0, 200)
	header, names := Differences([]*Config{a, b, c}, []string{"x/run", "y/run", "z/run"})
	if want := "50% train, adamw, lr 0.001, wd 1, seed 1; runs differ in operation, p, model, loss, d-model"; header != want {
		t.Errorf("header %q, want %q", header, want)
	}
	want := []string{
		"(a+b) mod 23, model nanda, loss cross_entropy, d-model 32",
		"(a*b) mod 29, model nanda, loss mse, d-model 64",
		"(a*b) mod 29, model mlp, loss cross_entropy",
	}
	if !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}

	// Runs alike in every setting are named by their folders; so are
	// those that share a name, after it.
	same := config("add", 23, "nanda", "", 32, 0)
	header, names = Differences([]*Config{a, same}, []string{"x/run", "y/run/"})
	if header != a.Describe() || !slices.Equal(names, []string{"x/run", "y/run"}) {
		t.Errorf("alike: header %q, names %q; want %q and the folders", header, names, a.Describe())
	}
	other := config("add", 23, "nanda", "", 32, 0)
	other.Train.Steps = 800
	_, names = Differences([]*Config{a, same, other}, []string{"x/run", "y/run", "z/run"})
	if want := []string{"steps 400 (x/run)", "steps 400 (y/run)", "steps 800"}; !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
}

// Runs on tables mutated differently are told apart by the mutation.
func TestDifferencesByTable(t *testing.T) {
	config := func(history ...table.Step) *Config {
		return &Config{Data: DataInfo{Rows: 121, Train: 60, Meta: table.Meta{Op: "add", P: 11, TrainFraction: 0.5, History: history}},
			Model: ModelSpec{Name: "nanda", P: 11}, Train: TrainSpec{Optimizer: "adamw", LR: 1e-3, WeightDecay: 1, Seed: 1}}
	}
	made := table.Step{Tool: "moddata", Args: []string{"--p", "11"}}
	clean := config(made)
	poisoned := config(made, table.Step{Tool: "mutate", Args: []string{"n-fixed", "--n", "7"}})
	header, names := Differences([]*Config{clean, poisoned}, []string{"a", "b"})
	if want := []string{"clean table", "mutate n-fixed --n 7"}; !slices.Equal(names, want) || header != clean.Describe()+"; runs differ in table" {
		t.Errorf("header %q, names %q; want %q", header, names, want)
	}
}

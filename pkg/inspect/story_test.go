package inspect

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/train"
)

// TestQuickstartTellsNandasStory trains `make quickstart`'s network (p = 31,
// until test accuracy ≥ 99%) and checks the measures against Nanda et al.'s
// account of grokking: a handful of key frequencies at the end; the
// restricted loss falls before the test loss does; the excluded loss rises
// while the train loss falls; the spectra grow sparse.
func TestQuickstartTellsNandasStory(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for about a minute")
	}
	tb, err := table.Generate(table.Spec{P: 31, Op: "add", TrainFraction: 0.5, Seed: 23093, Equals: true})
	if err != nil {
		t.Fatal(err)
	}
	cfg := &runs.Config{
		Data:  runs.DataInfo{Source: "quickstart"},
		Model: runs.ModelSpec{Name: "nanda", P: 31, DModel: 64, NHeads: 4, DHead: 16, DMLP: 256, Equals: true},
		Train: runs.TrainSpec{Optimizer: train.AdamW, LR: 3e-3, WeightDecay: 1, Beta1: 0.9, Beta2: 0.98, Eps: 1e-8,
			WarmupSteps: 10, Loss: train.CrossEntropy, LogitsDType: "float64", Seed: 23093, Steps: 3000,
			EvalEvery: 50, CheckpointEvery: 100, StopAtTestAcc: 0.99, Patience: 3},
	}
	dir := trainOnTable(t, tb, cfg)
	steps, err := runs.Checkpoints(dir)
	if err != nil {
		t.Fatal(err)
	}
	in, err := NewInput(tb)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	final, err := infer.LoadRun(dir, steps[len(steps)-1])
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := Transformer(b, final, in, Options{Projection: fourier.ProjectPerClass})
	if err != nil {
		t.Fatal(err)
	}
	if len(key) < 1 || len(key) > 7 {
		t.Fatalf("key frequencies %v: want a handful", key)
	}
	get := map[string][]float64{}
	for _, s := range steps {
		n, err := infer.LoadRun(dir, s)
		if err != nil {
			t.Fatal(err)
		}
		rows, _, err := Transformer(b, n, in, Options{Projection: fourier.ProjectPerClass, KeyFreqs: key})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.Index == -1 {
				get[r.Measure] = append(get[r.Measure], r.Value)
			}
		}
	}
	first := func(m string, below float64) int {
		for i, v := range get[m] {
			if v < below {
				return steps[i]
			}
		}
		return 1 << 30
	}
	restricted, test := first("restricted_loss", 0.1), first("cross_entropy_test", 0.1)
	t.Logf("key %v; restricted < 0.1 at step %d, test < 0.1 at step %d", key, restricted, test)
	if !(restricted < test) {
		t.Errorf("the restricted loss should fall before the test loss: %d vs %d", restricted, test)
	}
	ex := get["excluded_loss"]
	minEx := ex[0]
	for _, v := range ex {
		minEx = min(minEx, v)
	}
	last := len(steps) - 1
	if !(ex[last] > 3*minEx) {
		t.Errorf("the excluded loss should rise during circuit formation: min %.3g, final %.3g", minEx, ex[last])
	}
	if g := get["gini_embed"]; !(g[last] > g[0]+0.2) {
		t.Errorf("Gini of W_E should rise: %.3f → %.3f", g[0], g[last])
	}
	if n := get["neurons_one_freq"]; !(n[last] > n[0]+0.2) {
		t.Errorf("neurons with one frequency should become common: %.3f → %.3f", n[0], n[last])
	}
}

// trainOnTable trains a run of cfg on tb in a temporary folder and returns
// the folder.
func trainOnTable(t *testing.T, tb *table.Table, cfg *runs.Config) string {
	t.Helper()
	var buf bytes.Buffer
	if err := table.Write(&buf, tb); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	if err := train.Start(context.Background(), []string{dir}, []*runs.Config{cfg}, []*table.Table{tb}, [][]byte{buf.Bytes()}, io.Discard); err != nil {
		t.Fatal(err)
	}
	return dir
}

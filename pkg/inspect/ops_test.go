package inspect

import (
	"slices"
	"testing"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/train"
)

// trainOp trains a small network on a table of op at p = 23 until test
// accuracy ≥ 99% and returns its final weights and the table.
func trainOp(t *testing.T, op string, frac float64, m runs.ModelSpec, tr runs.TrainSpec) (*infer.Net, *table.Table) {
	t.Helper()
	tb, err := table.Generate(table.Spec{P: 23, Op: op, TrainFraction: frac, Seed: 23093, Equals: m.Equals})
	if err != nil {
		t.Fatal(err)
	}
	m.P = 23
	tr.Beta1, tr.Beta2, tr.Eps, tr.WarmupSteps, tr.Seed = 0.9, 0.98, 1e-8, 10, 23093
	tr.LogitsDType, tr.Optimizer, tr.StopAtTestAcc, tr.Patience = "float64", train.AdamW, 0.99, 3
	tr.CheckpointEvery = tr.Steps
	cfg := &runs.Config{Data: runs.DataInfo{Source: op}, Model: m, Train: tr}
	dir := trainOnTable(t, tb, cfg)
	steps, err := runs.Checkpoints(dir)
	if err != nil {
		t.Fatal(err)
	}
	n, err := infer.LoadRun(dir, steps[len(steps)-1])
	if err != nil {
		t.Fatal(err)
	}
	return n, tb
}

// checkDetect runs evalsplit --detect's analysis on a trained clean network
// and checks that its circuit, found in the operation's view, explains it.
func checkDetect(t *testing.T, b compute.Backend, n *infer.Net, tb *table.Table) *detect.Report {
	t.Helper()
	r, err := detect.Detect(b, n, tb, detect.Options{AllRows: true})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Circuit
	t.Logf("%s %s: detect: generalises %.3f, agreement %.3f, accuracy %.3f, explained %.3f, key %v (every %v), %d flagged, %d left out",
		n.Config.Model.Name, tb.Meta.Op, r.Generalises, c.Agreement, c.Accuracy, c.Explained, c.Key, c.Every, r.Rule.Flagged, r.Outside)
	if r.Generalises < 0.95 || c.Agreement < 0.95 || c.Accuracy < 0.99 {
		t.Errorf("%s: the circuit should explain a network that generalises: generalises %.3f, agreement %.3f, accuracy %.3f", tb.Meta.Op, r.Generalises, c.Agreement, c.Accuracy)
	}
	if want := 2*23 - 1; tb.Meta.Op == "mul" && r.Outside != want {
		t.Errorf("mul: %d rows left out, want the %d with a zero operand", r.Outside, want)
	}
	return r
}

// TestTrainedOpsThroughFourierAndDetect trains networks on a·b and a−b
// and runs them through fourier's measures and evalsplit --detect, which
// analyse them as addition in their views (the discrete log; b reflected):
//
//   - Nanda's transformer on a·b: a handful of key frequencies of Z_22, the
//     same for fourier and --detect (one rule, on the same view), with the
//     restricted loss low; read as addition on Z_23 instead, the logits
//     show no clear key frequency;
//   - Gromov's MLP on a−b and a·b: its neurons satisfy the analytic
//     solution's phase relation φ1 + φ2 = φ3 in the view, and not when read
//     as addition on Z_p;
//   - --detect's circuit explains every one (agreement, accuracy).
func TestTrainedOpsThroughFourierAndDetect(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three small networks (about 10 s)")
	}
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	n, tb := trainOp(t, "mul", 0.8,
		runs.ModelSpec{Name: "nanda", DModel: 32, NHeads: 4, DHead: 8, DMLP: 128, Equals: true},
		runs.TrainSpec{LR: 5e-3, WeightDecay: 2, Loss: train.CrossEntropy, Steps: 3000, EvalEvery: 10})
	in, err := NewInput(tb)
	if err != nil {
		t.Fatal(err)
	}
	if in.View.N != 22 || in.Outside != 45 {
		t.Fatalf("mul: view on Z_%d with %d inputs outside, want Z_22 and 45", in.View.N, in.Outside)
	}
	rows, key, err := Transformer(b, n, in, Options{Projection: fourier.ProjectPerClass})
	if err != nil {
		t.Fatal(err)
	}
	m := scalarMeasures(rows)
	t.Logf("nanda mul: step %d, key %v, test loss %.3g, restricted %.3g, excluded %.3g", n.Step, key, m["cross_entropy_test"], m["restricted_loss"], m["excluded_loss"])
	if len(key) < 1 || len(key) > 5 || m["cross_entropy_test"] > 0.1 || m["restricted_loss"] > 0.5 {
		t.Errorf("mul: key frequencies %v, test loss %.3g, restricted loss %.3g: want a handful, both low", key, m["cross_entropy_test"], m["restricted_loss"])
	}
	r := checkDetect(t, b, n, tb)
	if !slices.Equal(r.Circuit.Key, key) {
		t.Errorf("mul: --detect's key frequencies %v differ from fourier's %v", r.Circuit.Key, key)
	}
	if plain := fourier.NetworkKeyFrequencies(allLogits(t, b, n), 23, nil); plain.Clear {
		t.Errorf("mul read as a+b on Z_23 gave key frequencies %v", plain.Freqs)
	}

	for _, op := range []string{"sub", "mul"} {
		n, tb := trainOp(t, op, 0.6,
			runs.ModelSpec{Name: "gromov", Width: 256},
			runs.TrainSpec{LR: 0.01, WeightDecay: 0.3, Loss: train.MSE, Steps: 1500, EvalEvery: 100})
		in, err := NewInput(tb)
		if err != nil {
			t.Fatal(err)
		}
		add, _ := arith.Lookup("add")
		plus, _ := arith.NewView(add, 23)
		inView, asAdd := scalarMeasures(MLP(n, in.View)), scalarMeasures(MLP(n, plus))
		t.Logf("gromov %s: step %d, median phase residual %.3f in the view, %.3f read as a+b; IPR %.3f", op, n.Step, inView["phase_residual_median"], asAdd["phase_residual_median"], inView["ipr_mean"])
		if inView["phase_residual_median"] > 0.3 || asAdd["phase_residual_median"] < 0.6 {
			t.Errorf("%s: median |φ1 + φ2 − φ3| = %.3f in the view (want near 0), %.3f as a+b (want far from 0)", op, inView["phase_residual_median"], asAdd["phase_residual_median"])
		}
		checkDetect(t, b, n, tb)
	}
}

// scalarMeasures maps each one-value measure to its value.
func scalarMeasures(rows []Row) map[string]float64 {
	m := map[string]float64{}
	for _, r := range rows {
		if r.Index == -1 {
			m[r.Measure] = r.Value
		}
	}
	return m
}

// allLogits evaluates the network on every (a, b), [p·p, p].
func allLogits(t *testing.T, b compute.Backend, n *infer.Net) []float64 {
	t.Helper()
	g, err := detect.NewGrid(b, n)
	if err != nil {
		t.Fatal(err)
	}
	return g.Logits
}

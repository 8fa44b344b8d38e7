package llc

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// testBackend is smallNet's backend.
var testBackend compute.Backend

// smallNet is Gromov's MLP (p = 7, width 6, PyTorch's scale: logits of
// order one) at its initial weights on half
// of a+b's pairs.
func smallNet(t *testing.T, loss string) (*infer.Net, *infer.Data) {
	t.Helper()
	be, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	testBackend = be
	var tb *table.Table
	tb, err = table.Generate(table.Spec{P: 7, Op: "add", TrainFraction: 0.5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	spec := runs.ModelSpec{Name: "gromov", P: 7, Width: 6, Parameterization: model.ParamStandard}
	m, err := infer.ModelFor(spec)
	if err != nil {
		t.Fatal(err)
	}
	store := gomlx.NewStore()
	if err := model.InitParams(store.RootScope(), m, 5); err != nil {
		t.Fatal(err)
	}
	ps, err := model.GetParams(store.RootScope(), m)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &runs.Config{Model: spec, Train: runs.TrainSpec{Loss: loss, LogitsDType: "float64"}}
	return &infer.Net{Config: cfg, Model: m, Store: store, Params: ps}, infer.NewData(tb, false)
}

// The loss at w* is the mean cross-entropy of the network's own logits on
// its training rows, computed here from infer's forward pass.
func TestNetworkLossIsTheTrainingLoss(t *testing.T) {
	net, data := smallNet(t, "cross_entropy")
	be := testBackend
	obj, err := NewNetwork(be, net, data)
	if err != nil {
		t.Fatal(err)
	}
	rows := data.TrainRows()
	want := 0.0
	p := net.Config.Model.P
	err = net.Logits(be, data, rows, func(start int, logits []float64) {
		for k := 0; k*p < len(logits); k++ {
			z := logits[k*p : (k+1)*p]
			mx := math.Inf(-1)
			for _, v := range z {
				mx = math.Max(mx, v)
			}
			s := 0.0
			for _, v := range z {
				s += math.Exp(v - mx)
			}
			want += mx + math.Log(s) - z[data.Label[rows[start+k]]]
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want /= float64(len(rows))
	grad := make([]float64, obj.Dim())
	got, err := obj.LossGrad(obj.Weights(), nil, grad)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-6*math.Abs(want) {
		t.Errorf("loss at w* = %.9g, the forward pass's cross-entropy = %.9g", got, want)
	}
	if obj.Samples() != len(rows) || obj.Dim() != model.NumParameters(net.Model) {
		t.Errorf("samples %d dim %d, want %d and %d", obj.Samples(), obj.Dim(), len(rows), model.NumParameters(net.Model))
	}
}

// The gradient is the loss's: central differences along a few coordinates
// and along a random direction agree with it (weights are float32, so the
// step is large and the tolerance loose).
func TestNetworkGradientMatchesDifferences(t *testing.T) {
	for _, loss := range []string{"cross_entropy", "mse"} {
		t.Run(loss, func(t *testing.T) {
			net, data := smallNet(t, loss)
			obj, err := NewNetwork(testBackend, net, data)
			if err != nil {
				t.Fatal(err)
			}
			w := obj.Weights()
			grad := make([]float64, obj.Dim())
			batch := []int{0, 3, 5, 8, 13}
			if _, err := obj.LossGrad(w, batch, grad); err != nil {
				t.Fatal(err)
			}
			scratch := make([]float64, obj.Dim())
			at := func(dir []float64, h float64) float64 {
				v := append([]float64(nil), w...)
				for i := range v {
					v[i] += h * dir[i]
				}
				l, err := obj.LossGrad(v, batch, scratch)
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			const h = 1e-2
			dirs := [][]float64{}
			for _, i := range []int{0, obj.Dim() / 2, obj.Dim() - 1} {
				d := make([]float64, obj.Dim())
				d[i] = 1
				dirs = append(dirs, d)
			}
			rnd := make([]float64, obj.Dim())
			for i := range rnd {
				rnd[i] = math.Sin(float64(7*i + 1)) // a fixed, dense direction
			}
			dirs = append(dirs, rnd)
			for k, d := range dirs {
				numeric := (at(d, h) - at(d, -h)) / (2 * h)
				analytic := 0.0
				for i := range d {
					analytic += d[i] * grad[i]
				}
				t.Logf("direction %d: gradient·d = %.6g, central difference %.6g", k, analytic, numeric)
				if k == len(dirs)-1 && math.Abs(analytic) < 1e-2 {
					t.Errorf("the dense direction's slope %.3g is too small to check anything", analytic)
				}
				if math.Abs(numeric-analytic) > 2e-3*math.Max(1, math.Abs(analytic)) {
					t.Errorf("direction %d: gradient·d = %.6g, central difference %.6g", k, analytic, numeric)
				}
			}
			if err := obj.Restore(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// SGLD on a network: a seed gives one estimate, and it is a positive number
// of the order of the parameters' count at most.
func TestNetworkEstimateIsDeterministic(t *testing.T) {
	net, data := smallNet(t, "cross_entropy")
	obj, err := NewNetwork(testBackend, net, data)
	if err != nil {
		t.Fatal(err)
	}
	s := Settings{Epsilon: 1e-3, Gamma: 100, Chains: 2, Draws: 20, StepsBetween: 1, BatchSize: 8, Seed: 9}
	a, err := Run(obj, obj.Weights(), s)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(obj, obj.Weights(), s)
	if err != nil {
		t.Fatal(err)
	}
	if a.LLC != b.LLC || len(a.Chains) != 2 {
		t.Fatalf("two runs with seed 9: λ̂ %v and %v (chains %v)", a.LLC, b.LLC, a.Chains)
	}
	if math.IsNaN(a.LLC) || a.LLC > float64(obj.Dim()) {
		t.Errorf("λ̂ = %v for %d parameters", a.LLC, obj.Dim())
	}
}

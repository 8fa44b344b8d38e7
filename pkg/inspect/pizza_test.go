package inspect

import (
	"math"
	"testing"

	"github.com/gomlx/compute"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
)

// randomNet is a nanda network with seeded random weights and attention
// rate 1 − constant.
func randomNet(t *testing.T, constant float64) *infer.Net {
	t.Helper()
	m, err := model.ByName("nanda", model.Config{P: 13, DModel: 16, NHeads: 2, DHead: 8, DMLP: 32, ConstantAttention: constant})
	if err != nil {
		t.Fatal(err)
	}
	store := gomlx.NewStore()
	if err := model.InitParams(store.RootScope(), m, 3); err != nil {
		t.Fatal(err)
	}
	return &infer.Net{Config: &runs.Config{Model: runs.ModelSpec{Name: "nanda", P: 13, Equals: true}}, Model: m, Store: store}
}

// measureClockPizza runs clockPizza on every pair, as Transformer does on a
// run's table.
func measureClockPizza(t *testing.T, b compute.Backend, n *infer.Net) ClockPizza {
	t.Helper()
	p := n.Model.Config().P
	d := infer.NewData(infer.AllPairs(p), true)
	rows := make([]int, p*p)
	for i := range rows {
		rows[i] = i
	}
	logits := make([]float64, p*p*p)
	if err := n.Logits(b, d, rows, func(start int, z []float64) { copy(logits[start*p:], z) }); err != nil {
		t.Fatal(err)
	}
	cp, err := clockPizza(b, n, d, rows, logits)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// Known answer: with constant attention (α = 0) a and b reach the "="
// position through one linear map, so the gradients at their positions are
// equal whatever the weights: symmetricity 1. Ordinary attention on random
// weights weighs them differently: below 1.
func TestClockPizzaOnKnownNetworks(t *testing.T) {
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	cp := measureClockPizza(t, b, randomNet(t, 1))
	if math.Abs(cp.GradientSymmetricity-1) > 1e-5 || cp.Triples != symmetryTriples {
		t.Errorf("constant attention: symmetricity %v over %d triples, want 1 over %d", cp.GradientSymmetricity, cp.Triples, symmetryTriples)
	}
	ordinary := measureClockPizza(t, b, randomNet(t, 0))
	if !(ordinary.GradientSymmetricity < 0.999) {
		t.Errorf("ordinary attention on random weights: symmetricity %v, want below 1", ordinary.GradientSymmetricity)
	}
	if q := ordinary.DistanceIrrelevance; !(q > 0 && q < 1.5) {
		t.Errorf("distance irrelevance %v out of its range", q)
	}
}

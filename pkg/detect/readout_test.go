package detect

import (
	"fmt"
	"math"
	"slices"
	"testing"

	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
)

// randomNet is an untrained network with seeded weights.
func randomNet(t *testing.T, spec runs.ModelSpec) *infer.Net {
	t.Helper()
	m, err := infer.ModelFor(spec)
	if err != nil {
		t.Fatal(err)
	}
	store := gomlx.NewStore()
	if err := model.InitParams(store.RootScope(), m, 7); err != nil {
		t.Fatal(err)
	}
	ps, err := model.GetParams(store.RootScope(), m)
	if err != nil {
		t.Fatal(err)
	}
	return &infer.Net{Config: &runs.Config{Model: spec}, Model: m, Store: store, Params: ps}
}

// withParams is n with some parameters replaced.
func withParams(t *testing.T, n *infer.Net, change map[string]model.Array) *infer.Net {
	t.Helper()
	ps := map[string]model.Array{}
	for k, v := range n.Params {
		ps[k] = v
	}
	for k, v := range change {
		ps[k] = v
	}
	store := gomlx.NewStore()
	if err := model.SetParams(store.RootScope(), n.Model, ps); err != nil {
		t.Fatal(err)
	}
	return &infer.Net{Config: n.Config, Model: n.Model, Store: store, Params: ps}
}

// silenceColumn zeroes column k of a [p, N] matrix: unit k's outgoing weights.
func silenceColumn(a model.Array, k int) {
	for q := range a.Shape[0] {
		a.Data[q*a.Shape[1]+k] = 0
	}
}

// Readout is checked against the model itself: silencing unit k in the
// weights (its W_out row, or its W2 column) must change the logits by
// exactly h_k(a, b)·Readout[k], the linearity Repair relies on.
func TestReadoutMatchesSilencingAUnit(t *testing.T) {
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	const p = 11
	cases := []struct {
		spec    runs.ModelSpec
		param   string
		silence func(a model.Array, k int) // zero unit k's outgoing weights
	}{
		{runs.ModelSpec{Name: "nanda", P: p, DModel: 16, NHeads: 2, DHead: 8, DMLP: 24, Equals: true}, "blocks.0.mlp.W_out",
			func(a model.Array, k int) { clear(a.Data[k*a.Shape[1] : (k+1)*a.Shape[1]]) }},
		{runs.ModelSpec{Name: "gromov", P: p, Width: 20}, "W2", silenceColumn},
		{runs.ModelSpec{Name: "gromov", P: p, Width: 20, Parameterization: model.ParamStandard}, "W2", silenceColumn},
	}
	for _, tc := range cases {
		t.Run(tc.spec.Name+"/"+tc.spec.Parameterization, func(t *testing.T) {
			n := randomNet(t, tc.spec)
			g, err := NewGrid(b, n)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []int{0, 3, g.H - 1} {
				w := n.Params[tc.param]
				w.Data = slices.Clone(w.Data)
				tc.silence(w, k)
				g2, err := NewGrid(b, withParams(t, n, map[string]model.Array{tc.param: w}))
				if err != nil {
					t.Fatal(err)
				}
				worst, scale := 0.0, 0.0
				for r := range p * p {
					for c := range p {
						want := g.Hidden[r*g.H+k] * g.Readout[k*p+c]
						got := g.Logits[r*p+c] - g2.Logits[r*p+c]
						worst = max(worst, math.Abs(got-want))
						scale = max(scale, math.Abs(g.Logits[r*p+c]))
					}
				}
				if worst > 1e-5*max(scale, 1) { // float32 forward passes
					t.Errorf("unit %d: logits changed by h·Readout ± %.3g (logits up to %.3g)", k, worst, scale)
				}
			}
		})
	}
}

// The heads' writes and the MLP recomputed in Go (HeadGrid) are checked
// against the model itself: with nothing replaced they give the network's
// logits, and replacing head h's write by zero gives the logits of the
// network whose W_O[h] is zero, the path a head ablation takes.
func TestHeadAblationMatchesTheModel(t *testing.T) {
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	const p = 11
	spec := runs.ModelSpec{Name: "nanda", P: p, DModel: 16, NHeads: 3, DHead: 8, DMLP: 24, Equals: true}
	n := randomNet(t, spec)
	g, err := NewGrid(b, n)
	if err != nil {
		t.Fatal(err)
	}
	hg := g.Heads
	if hg == nil || hg.N != 3 || hg.D != 16 {
		t.Fatalf("head grid %v", hg)
	}
	logits := func(replace func(int) []float64) []float64 {
		z, resid, hidden := make([]float64, p*p*p), make([]float64, hg.D), make([]float64, g.H)
		for r := range p * p {
			hg.Resid(r, replace, resid)
			hg.Logits(resid, hidden, z[r*p:(r+1)*p])
		}
		return z
	}
	close := func(what string, got, want []float64) {
		t.Helper()
		worst, scale := 0.0, 0.0
		for i := range want {
			worst, scale = max(worst, math.Abs(got[i]-want[i])), max(scale, math.Abs(want[i]))
		}
		if worst > 1e-5*max(scale, 1) { // the model computes in float32
			t.Errorf("%s: logits off by %.3g (up to %.3g)", what, worst, scale)
		}
	}
	close("nothing replaced", logits(nil), g.Logits)
	zero := make([]float64, hg.D)
	for h := range hg.N {
		w := n.Params["blocks.0.attn.W_O"] // [heads, d_head, d_model]
		w.Data = slices.Clone(w.Data)
		block := spec.DHead * spec.DModel
		clear(w.Data[h*block : (h+1)*block])
		g2, err := NewGrid(b, withParams(t, n, map[string]model.Array{"blocks.0.attn.W_O": w}))
		if err != nil {
			t.Fatal(err)
		}
		close(fmt.Sprintf("head %d zeroed", h), logits(func(x int) []float64 {
			if x == h {
				return zero
			}
			return nil
		}), g2.Logits)
	}
}

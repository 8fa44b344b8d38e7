package train

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/table"
)

func TestWarmupSchedule(t *testing.T) {
	h := Hyper{LR: 1e-3, WarmupSteps: 10}
	for step, want := range map[int]float64{0: 0, 1: 1e-4, 5: 5e-4, 10: 1e-3, 5000: 1e-3} {
		if got := h.LearningRate(step); math.Abs(got-want) > 1e-18 {
			t.Errorf("lr(%d) = %g, want %g", step, got, want)
		}
	}
}

// A float64 Gromov network on p = 5, its parameters fixed, for checking
// single optimiser steps.
func stepOnce(t *testing.T, h Hyper, steps int) (before, after map[string]model.Array, grads []map[string][]float64) {
	t.Helper()
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.ByName("gromov", model.Config{P: 5, Width: 3, DType: dtypes.Float64})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := table.Generate(table.Spec{P: 5, Op: "add", TrainFraction: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := infer.NewData(tb, false)
	batch := d.Batch(d.TrainRows())

	// The gradients at each point of the trajectory come from plain SGD with
	// lr = 1 on a copy: g = p_before − p_after (no decay, no moments).
	gradAt := func(ps map[string]model.Array) map[string][]float64 {
		store := gomlx.NewStore()
		if err := model.SetParams(store.RootScope(), m, ps); err != nil {
			t.Fatal(err)
		}
		s, err := newStepper(b, store, m, Hyper{Name: SGD, LR: 1}, CrossEntropy, "float64")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.step(0, batch.Inputs, batch.Labels); err != nil {
			t.Fatal(err)
		}
		after := getParams64(t, store, m)
		g := map[string][]float64{}
		for name, a := range after {
			g[name] = make([]float64, len(a))
			for i := range a {
				g[name][i] = float64(ps[name].Data[i]) - a[i]
			}
		}
		return g
	}

	store := gomlx.NewStore()
	if err := model.InitParams(store.RootScope(), m, 5); err != nil {
		t.Fatal(err)
	}
	before, _ = model.GetParams(store.RootScope(), m)
	// Round the start to float32 values so that Get/SetParams are exact.
	if err := model.SetParams(store.RootScope(), m, before); err != nil {
		t.Fatal(err)
	}
	s, err := newStepper(b, store, m, h, CrossEntropy, "float64")
	if err != nil {
		t.Fatal(err)
	}
	cur := before
	for k := 0; k < steps; k++ {
		grads = append(grads, gradAt(cur))
		if _, err := s.step(k, batch.Inputs, batch.Labels); err != nil {
			t.Fatal(err)
		}
		cur, _ = model.GetParams(store.RootScope(), m)
	}
	return before, cur, grads
}

func getParams64(t *testing.T, store *gomlx.Store, m model.Model) map[string][]float64 {
	out := map[string][]float64{}
	for _, spec := range m.Params() {
		v, err := store.GetVariable(model.VariablePath(store.RootScope(), spec.Name)).Value()
		if err != nil {
			t.Fatal(err)
		}
		out[spec.Name] = tensors.MustCopyFlatData[float64](v)
	}
	return out
}

// One AdamW step from zero moments is p·(1 − lr·wd) − lr·g/(|g| + ε): the
// bias corrections cancel. Checked against that formula, written here.
func TestAdamWFirstStepFormula(t *testing.T) {
	h := Hyper{Name: AdamW, LR: 0.01, WeightDecay: 0.5, Beta1: 0.9, Beta2: 0.98, Eps: 1e-8}
	before, after, grads := stepOnce(t, h, 1)
	lr := h.LearningRate(0)
	if lr != 0.01 {
		t.Fatal(lr)
	}
	for name, a := range before {
		for i, p := range a.Data {
			g := grads[0][name][i]
			want := float64(p)*(1-lr*h.WeightDecay) - lr*g/(math.Abs(g)+h.Eps)
			if got := float64(after[name].Data[i]); math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Fatalf("%s[%d]: got %.9g, want %.9g (g = %g)", name, i, got, want, g)
			}
		}
	}
}

// Two steps exercise the moments and the bias corrections: the formula of
// Loshchilov & Hutter as torch.optim.AdamW computes it, in float64.
func TestAdamTwoStepsFormula(t *testing.T) {
	for _, name := range []string{AdamW, Adam} {
		h := Hyper{Name: name, LR: 0.02, WeightDecay: 0.3, Beta1: 0.8, Beta2: 0.9, Eps: 1e-8, WarmupSteps: 3}
		before, after, grads := stepOnce(t, h, 3)
		for pname, a := range before {
			for i, p0 := range a.Data {
				p, m1, m2 := float64(p0), 0.0, 0.0
				for k := 0; k < 3; k++ {
					lr := h.LearningRate(k)
					g := grads[k][pname][i] // gradient of the loss alone, at this step's point
					if name == Adam {
						g += h.WeightDecay * p
					} else {
						p *= 1 - lr*h.WeightDecay
					}
					m1 = h.Beta1*m1 + (1-h.Beta1)*g
					m2 = h.Beta2*m2 + (1-h.Beta2)*g*g
					t1 := float64(k + 1)
					mhat := m1 / (1 - math.Pow(h.Beta1, t1))
					vhat := m2 / (1 - math.Pow(h.Beta2, t1))
					p -= lr * mhat / (math.Sqrt(vhat) + h.Eps)
				}
				if got := float64(after[pname].Data[i]); math.Abs(got-p) > 1e-5*math.Max(1, math.Abs(p)) {
					t.Fatalf("%s %s[%d]: got %.9g, want %.9g", name, pname, i, got, p)
				}
			}
		}
	}
}

// SGD with weight decay has no moments, so a wrong or skipped decay term
// shows directly in the parameters. Checked against torch.optim.SGD with
// momentum = 0 (what updateGraph implements: no velocity buffer), written
// out here: d = g + wd·p; p ← p − lr·d. Three steps under warm-up, so the
// learning rate changes (0, lr/2, lr) and the decay acts on moved points.
func TestSGDWeightDecayFormula(t *testing.T) {
	h := Hyper{Name: SGD, LR: 0.1, WeightDecay: 0.5, WarmupSteps: 2}
	before, after, grads := stepOnce(t, h, 3)
	for pname, a := range before {
		for i, p0 := range a.Data {
			p := float64(p0)
			for k := 0; k < 3; k++ {
				d := grads[k][pname][i] + h.WeightDecay*p // L2 term added to the gradient
				p -= h.LearningRate(k) * d
			}
			// lr·wd·p is about 0.05·|p| per step: far above the float32 rounding of the tolerance.
			if got := float64(after[pname].Data[i]); math.Abs(got-p) > 1e-6*math.Max(1, math.Abs(p)) {
				t.Fatalf("%s[%d]: got %.9g, want %.9g", pname, i, got, p)
			}
		}
	}
}

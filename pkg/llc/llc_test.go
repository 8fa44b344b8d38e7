package llc

import (
	"math"
	"testing"
)

// quadratic is L(w) = ½ Σ a_i w_i², a regular model with its minimum at 0:
// its learning coefficient is d/2.
type quadratic struct{ a []float64 }

func (q quadratic) Dim() int     { return len(q.a) }
func (q quadratic) Samples() int { return 100 }
func (q quadratic) LossGrad(w []float64, _ []int, grad []float64) (float64, error) {
	l := 0.0
	for i, a := range q.a {
		l += a * w[i] * w[i] / 2
		grad[i] = a * w[i]
	}
	return l, nil
}

// quartic is L(w) = w⁴, a singular model whose learning coefficient is 1/4:
// under exp(−nβ·w⁴), E[nβ·w⁴] = 1/4 exactly.
type quartic struct{}

func (quartic) Dim() int     { return 1 }
func (quartic) Samples() int { return 100 }
func (quartic) LossGrad(w []float64, _ []int, grad []float64) (float64, error) {
	grad[0] = 4 * w[0] * w[0] * w[0]
	return w[0] * w[0] * w[0] * w[0], nil
}

// A regular model: λ̂ is d/2, or exactly ½ Σ nβ·a/(nβ·a + γ) with the
// localisation γ (the Gaussian posterior's variance is 1/(nβ·a + γ)).
func TestRegularModelIsHalfItsDimension(t *testing.T) {
	q := quadratic{a: []float64{1, 2, 0.5, 3}}
	s := Settings{Epsilon: 1e-4, Gamma: 1, NBeta: 100, Chains: 20, Draws: 20000, StepsBetween: 1, Seed: 3}
	e, err := Run(q, make([]float64, 4), s)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for _, a := range q.a {
		want += s.NBeta * a / (s.NBeta*a + s.Gamma) / 2
	}
	if math.Abs(e.LLC-want) > 0.05*want {
		t.Errorf("λ̂ = %.4f ± %.4f, want %.4f (d/2 = 2)", e.LLC, e.Std, want)
	}
	t.Logf("regular d = 4: λ̂ = %.4f ± %.4f (chains' spread), exact %.4f", e.LLC, e.Std, want)
}

// A singular model: L = w⁴ has λ = 1/4, not the regular d/2 = 1/2.
func TestSingularModelHasItsLearningCoefficient(t *testing.T) {
	s := Settings{Epsilon: 1e-3, NBeta: 100, Chains: 20, Draws: 20000, StepsBetween: 1, Seed: 5}
	e, err := Run(quartic{}, []float64{0}, s)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(e.LLC-0.25) > 0.02 {
		t.Errorf("λ̂ = %.4f ± %.4f, want 0.25", e.LLC, e.Std)
	}
	t.Logf("w⁴: λ̂ = %.4f ± %.4f, exact 0.25", e.LLC, e.Std)
}

// The same settings give the same estimate; another seed another one.
func TestSeeded(t *testing.T) {
	s := Settings{Epsilon: 1e-3, NBeta: 50, Chains: 2, Draws: 200, StepsBetween: 1, Seed: 1}
	a, _ := Run(quartic{}, []float64{0.1}, s)
	b, _ := Run(quartic{}, []float64{0.1}, s)
	s.Seed = 2
	c, _ := Run(quartic{}, []float64{0.1}, s)
	if a.LLC != b.LLC || a.LLC == c.LLC {
		t.Errorf("seed 1 twice: %v, %v; seed 2: %v", a.LLC, b.LLC, c.LLC)
	}
}

func TestSettingsRefused(t *testing.T) {
	for _, s := range []Settings{{Epsilon: 0, Chains: 1, Draws: 1, StepsBetween: 1}, {Epsilon: 1, Chains: 0, Draws: 1, StepsBetween: 1},
		{Epsilon: 1, Chains: 1, Draws: 1, StepsBetween: 1, Gamma: math.NaN()}} {
		if err := s.Check(); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
	if err := Defaults().Check(); err != nil {
		t.Error(err)
	}
}

// A step size too large for the curvature diverges; the estimate says so
// instead of returning a number.
func TestDivergenceIsReported(t *testing.T) {
	_, err := Run(quadratic{a: []float64{1}}, []float64{0}, Settings{Epsilon: 10, NBeta: 1000, Chains: 2, Draws: 100, StepsBetween: 1})
	if err == nil {
		t.Error("no error for a diverging sampler")
	}
}

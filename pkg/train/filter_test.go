package train

import (
	"math"
	"testing"

	"github.com/grokkit/grokkit/pkg/model"
)

// sgdOracle replays plain SGD (no decay) from before with each step's
// gradient transformed by ghat(k, name, p, g) (p, g: the whole tensor at
// step k), and checks the result against after.
func sgdOracle(t *testing.T, h Hyper, before, after map[string]model.Array, grads []map[string][]float64,
	ghat func(k int, name string, p, g []float64) []float64) {
	t.Helper()
	for name, a := range before {
		p := make([]float64, len(a.Data))
		for i, x := range a.Data {
			p[i] = float64(x)
		}
		for k := range grads {
			d := ghat(k, name, p, grads[k][name])
			for i := range p {
				p[i] -= h.LearningRate(k) * d[i]
			}
		}
		for i, want := range p {
			if got := float64(after[name].Data[i]); math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Fatalf("%s[%d]: got %.9g, want %.9g", name, i, got, want)
			}
		}
	}
}

// Grokfast's EMA, written out as the reference's gradfilter_ema: h starts
// at the first gradient; h ← α·h + (1−α)·g; ĝ = g + λ·h. Three steps.
func TestGrokfastEMAFormula(t *testing.T) {
	h := Hyper{Name: SGD, LR: 0.05, Grokfast: Filter{Kind: GrokfastEMA, Alpha: 0.8, Lambda: 2}}
	before, after, grads := stepOnce(t, h, 3)
	state := map[string][]float64{}
	sgdOracle(t, h, before, after, grads, func(k int, name string, _, g []float64) []float64 {
		if k == 0 {
			state[name] = append([]float64(nil), g...)
		}
		out := make([]float64, len(g))
		for i := range g {
			state[name][i] = state[name][i]*h.Grokfast.Alpha + g[i]*(1-h.Grokfast.Alpha)
			out[i] = g[i] + state[name][i]*h.Grokfast.Lambda
		}
		return out
	})
}

// Grokfast's MA with window 2, as gradfilter_ma (warmup): step 0 is plain,
// then ĝ = g + λ·(mean of the last two gradients).
func TestGrokfastMAFormula(t *testing.T) {
	h := Hyper{Name: SGD, LR: 0.05, Grokfast: Filter{Kind: GrokfastMA, Lambda: 5, Window: 2}}
	before, after, grads := stepOnce(t, h, 3)
	sgdOracle(t, h, before, after, grads, func(k int, name string, _, g []float64) []float64 {
		out := append([]float64(nil), g...)
		if k >= 1 {
			for i := range g {
				out[i] = g[i] + (grads[k-1][name][i]+g[i])/2*h.Grokfast.Lambda
			}
		}
		return out
	})
}

// orthoOracle is ⊥Grad on one tensor, as the reference's OrthoGrad.
func orthoOracle(w, g []float64) []float64 {
	var wg, ww, gg float64
	for i := range w {
		wg, ww, gg = wg+w[i]*g[i], ww+w[i]*w[i], gg+g[i]*g[i]
	}
	proj := wg / (ww + 1e-30)
	orth := make([]float64, len(g))
	var oo float64
	for i := range g {
		orth[i] = g[i] - proj*w[i]
		oo += orth[i] * orth[i]
	}
	scale := math.Sqrt(gg) / (math.Sqrt(oo) + 1e-30)
	for i := range orth {
		orth[i] *= scale
	}
	return orth
}

// ⊥SGD over three steps, against the formula written out.
func TestOrthoSGDFormula(t *testing.T) {
	h := Hyper{Name: SGD, Ortho: true, LR: 0.05}
	before, after, grads := stepOnce(t, h, 3)
	sgdOracle(t, h, before, after, grads, func(_ int, _ string, p, g []float64) []float64 { return orthoOracle(p, g) })
}

// ⊥AdamW's first step from zero moments: p·(1 − lr·wd) − lr·ĝ/(|ĝ| + ε),
// ĝ the orthogonalised gradient of the parameter before the decay.
func TestOrthoAdamWFirstStepFormula(t *testing.T) {
	h := Hyper{Name: AdamW, Ortho: true, LR: 0.01, WeightDecay: 0.5, Beta1: 0.9, Beta2: 0.98, Eps: 1e-8}
	before, after, grads := stepOnce(t, h, 1)
	for name, a := range before {
		p := make([]float64, len(a.Data))
		for i, x := range a.Data {
			p[i] = float64(x)
		}
		g := orthoOracle(p, grads[0][name])
		for i := range p {
			want := p[i]*(1-h.LR*h.WeightDecay) - h.LR*g[i]/(math.Abs(g[i])+h.Eps)
			if got := float64(after[name].Data[i]); math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Fatalf("%s[%d]: got %.9g, want %.9g", name, i, got, want)
			}
		}
	}
}

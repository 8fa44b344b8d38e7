package fourier

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAnalyticGromovStructure(t *testing.T) {
	const p, n = 23, 60
	rng := rand.New(rand.NewPCG(25, 26))
	freqs := []int{3, 5, 11}
	W1, W2 := AnalyticGromov(p, n, freqs, rng)
	gs := AnalyzeGromov(W1, W2, p, n)
	for j, g := range gs {
		k := freqs[j%3]
		if g.Freq != k {
			t.Fatalf("neuron %d: dominant frequency %d, want %d", j, g.Freq, k)
		}
		for v := range 3 {
			if g.IPR[v] < 0.99 || math.Abs(g.Amp[v]-1) > 1e-9 {
				t.Fatalf("neuron %d vector %d: IPR %g amp %g, want ≈ 1", j, v, g.IPR[v], g.Amp[v])
			}
		}
		if math.Abs(g.Residual) > 1e-9 || g.Share < 0.999 {
			t.Fatalf("neuron %d: residual %g share %g", j, g.Residual, g.Share)
		}
		// Rebuild u, v, w from the fitted phases and compare.
		for x := range p {
			th := 2 * math.Pi * float64(k*x) / p
			u := math.Cos(th + g.Phase[0])
			v := math.Cos(th + g.Phase[1])
			w := math.Cos(-th - g.Phase[2])
			if math.Abs(u-W1[j*2*p+x]) > 1e-9 || math.Abs(v-W1[j*2*p+p+x]) > 1e-9 || math.Abs(w-W2[x*n+j]) > 1e-9 {
				t.Fatalf("neuron %d: phases do not reproduce the weights at %d", j, x)
			}
		}
	}
}

// Phases and signs: a hand-built neuron with known φ1, φ2, φ3 and amplitudes,
// including a sign flip folded into the phase.
func TestAnalyzeGromovPhases(t *testing.T) {
	const p = 31
	k, phi1, phi2, phi3 := 4, 2.5, -1.0, 0.3
	W1, W2 := make([]float64, 2*p), make([]float64, p)
	for x := range p {
		th := 2 * math.Pi * float64(k*x) / p
		W1[x] = 2 * math.Cos(th+phi1)
		W1[p+x] = -0.5 * math.Cos(th+phi2) // = 0.5·cos(θ + φ2 + π)
		W2[x] = 3 * math.Cos(-th-phi3)
	}
	g := AnalyzeGromov(W1, W2, p, 1)[0]
	wantPhase := [3]float64{phi1, wrapAngle(phi2 + math.Pi), phi3}
	wantAmp := [3]float64{2, 0.5, 3}
	for v := range 3 {
		if math.Abs(g.Phase[v]-wantPhase[v]) > 1e-12 || math.Abs(g.Amp[v]-wantAmp[v]) > 1e-12 {
			t.Errorf("vector %d: phase %g amp %g, want %g and %g", v, g.Phase[v], g.Amp[v], wantPhase[v], wantAmp[v])
		}
	}
	want := wrapAngle(phi1 + phi2 + math.Pi - phi3)
	if g.Freq != k || math.Abs(g.Residual-want) > 1e-12 {
		t.Errorf("freq %d residual %g, want %d and %g", g.Freq, g.Residual, k, want)
	}
	for _, c := range []struct{ in, want float64 }{{math.Pi, math.Pi}, {-math.Pi, math.Pi}, {3 * math.Pi, math.Pi}, {7, 7 - 2*math.Pi}, {-0.5, -0.5}} {
		if got := wrapAngle(c.in); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("wrapAngle(%g) = %g, want %g", c.in, got, c.want)
		}
	}
}

// GromovForward against the definition with explicit one-hot vectors.
func TestGromovForwardMatchesOneHot(t *testing.T) {
	const p, n = 7, 5
	rng := rand.New(rand.NewPCG(27, 28))
	W1, W2 := randVec(rng, n*2*p), randVec(rng, p*n)
	for a := range p {
		for b := range p {
			x := make([]float64, 2*p)
			x[a], x[p+b] = 1, 1
			h := make([]float64, n)
			for j := range n {
				for i := range 2 * p {
					h[j] += W1[j*2*p+i] * x[i]
				}
				h[j] *= h[j]
			}
			got := GromovForward(W1, W2, p, n, a, b)
			for q := range p {
				want := 0.0
				for j := range n {
					want += W2[q*n+j] * h[j]
				}
				want /= 2 * p * n
				if math.Abs(got[q]-want) > 1e-12 {
					t.Fatalf("(%d,%d) logit %d: %g, want %g", a, b, q, got[q], want)
				}
			}
		}
	}
}

func TestAnalyticGromovAccuracy(t *testing.T) {
	const p = 23
	var acc20, acc500 float64
	const seeds = 4
	for s := range seeds {
		rng := rand.New(rand.NewPCG(29, uint64(s)))
		W1, W2 := AnalyticGromov(p, 500, nil, rng)
		a := GromovAccuracy(W1, W2, p, 500)
		if a < 0.99 {
			t.Errorf("seed %d: N=500 accuracy %.4f, want ≥ 0.99", s, a)
		}
		acc500 += a / seeds
		W1, W2 = AnalyticGromov(p, 20, nil, rng)
		acc20 += GromovAccuracy(W1, W2, p, 20) / seeds
	}
	if acc20 >= acc500 {
		t.Errorf("accuracy does not rise with N: N=20 %.3f, N=500 %.3f", acc20, acc500)
	}
	t.Logf("mean accuracy: N=20 %.3f, N=500 %.3f", acc20, acc500)
}

func TestRandomGromov(t *testing.T) {
	const p, n = 23, 200
	rng := rand.New(rand.NewPCG(31, 32))
	W1, W2 := randVec(rng, n*2*p), randVec(rng, p*n)
	mean := 0.0
	for _, g := range AnalyzeGromov(W1, W2, p, n) {
		mean += g.MeanIPR / n
	}
	if mean > 0.3 {
		t.Errorf("random network: mean IPR %.3f, want < 0.3", mean)
	}
	if a := GromovAccuracy(W1, W2, p, n); a > 3.0/p {
		t.Errorf("random network: accuracy %.3f, want ≈ 1/p = %.3f", a, 1.0/p)
	}
	t.Logf("random network: mean IPR %.3f (white noise ≈ 2/12)", mean)
}

package fourier

import (
	"math"
	"math/rand/v2"
	"testing"
)

// neuronActs fills acts [p, p, n] with neuron j = f_j(a, b).
func neuronActs(p int, fs []func(a, b int) float64) []float64 {
	n := len(fs)
	acts := make([]float64, p*p*n)
	for a := range p {
		for b := range p {
			for j, f := range fs {
				acts[(a*p+b)*n+j] = f(a, b)
			}
		}
	}
	return acts
}

func wave(p, k int) float64 { return 2 * math.Pi * float64(k) / float64(p) }

func relu(x float64) float64 { return max(0, x) }

// Closed forms from the Fourier series of the waveforms (no fitting):
// ReLU(cos θ) = 1/π + cos θ/2 + Σ_{even m} …, so the fundamental holds
// (1/2)²/2 = 1/8 of a variance 1/4 − 1/π²; (cos A + cos B)² puts 1 at
// frequency k (2 cos A cos B) and 1/4 at 2k (cos²A + cos²B).
func TestClusterNeuronsClosedForms(t *testing.T) {
	const p, k = 113, 41
	w := wave(p, k)
	phi1, phi2 := 0.7, -2.1
	c := ClusterNeurons(neuronActs(p, []func(a, b int) float64{
		func(a, b int) float64 { return relu(math.Cos(w*float64(a+b) + phi1)) },
		func(a, b int) float64 { x := math.Cos(w*float64(a)+phi1) + math.Cos(w*float64(b)+phi2); return x * x },
		func(a, b int) float64 { return math.Cos(w*float64(a)+phi1) * math.Sin(w*float64(b)+phi2) },
	}), p, 3)
	want := []float64{(1.0 / 8) / (1.0/4 - 1/(math.Pi*math.Pi)), 0.8, 1}
	tol := []float64{1e-3, 1e-9, 1e-9} // ReLU: p samples of a kinked wave
	for j := range want {
		if c.Freq[j] != k || math.Abs(c.Frac[j]-want[j]) > tol[j] {
			t.Errorf("neuron %d: freq %d frac %.6f, want %d and %.6f", j, c.Freq[j], c.Frac[j], k, want[j])
		}
	}
}

// Nanda-style neurons (a ReLU of waves with an offset, or of embedding waves
// of a and b) must go to their frequency with > 85% of their variance.
func TestClusterNeuronsSynthetic(t *testing.T) {
	const p, n = 113, 60
	rng := rand.New(rand.NewPCG(11, 12))
	fs := make([]func(a, b int) float64, n)
	ks := make([]int, n)
	for j := range n {
		k := 1 + rng.IntN(p/2)
		ks[j] = k
		w := wave(p, k)
		phi1, phi2 := 2*math.Pi*rng.Float64(), 2*math.Pi*rng.Float64()
		scale, off := 0.5+rng.Float64(), 0.5*rng.Float64()
		switch j % 3 {
		case 0:
			fs[j] = func(a, b int) float64 { return scale * relu(math.Cos(w*float64(a+b)+phi1)+0.5+off) }
		case 1:
			fs[j] = func(a, b int) float64 {
				return scale * relu(math.Cos(w*float64(a)+phi1)+math.Cos(w*float64(b)+phi2)+off)
			}
		case 2:
			fs[j] = func(a, b int) float64 {
				return relu(math.Cos(w*float64(a)+phi1)*math.Cos(w*float64(b)+phi2) + 0.8 + off + 0.1*math.Sin(w*float64(a)))
			}
		}
	}
	c := ClusterNeurons(neuronActs(p, fs), p, n)
	for j := range n {
		if c.Freq[j] != ks[j] || c.Frac[j] <= 0.85 {
			t.Errorf("neuron %d (form %d): freq %d frac %.3f, want %d and > 0.85", j, j%3, c.Freq[j], c.Frac[j], ks[j])
		}
	}
	if f := c.FracAbove(0.85); f != 1 {
		t.Errorf("FracAbove(0.85) = %g", f)
	}
}

func TestClusterNeuronsRandomAndCross(t *testing.T) {
	const p = 113
	rng := rand.New(rand.NewPCG(13, 14))
	w1, w2 := wave(p, 10), wave(p, 20)
	fs := []func(a, b int) float64{
		// Only cross-frequency products: no single frequency explains anything.
		func(a, b int) float64 { return math.Cos(w1*float64(a)) * math.Cos(w2*float64(b)) },
		func(a, b int) float64 { return 4.2 }, // constant: no variance
	}
	for range 20 {
		fs = append(fs, func(a, b int) float64 { return rng.NormFloat64() })
	}
	c := ClusterNeurons(neuronActs(p, fs), p, len(fs))
	if c.Frac[0] > 1e-12 {
		t.Errorf("cross-frequency neuron: frac %g, want 0", c.Frac[0])
	}
	if c.Freq[1] != 0 || c.Frac[1] != 0 {
		t.Errorf("constant neuron: freq %d frac %g", c.Freq[1], c.Frac[1])
	}
	// White noise: each frequency holds 8 of the p²−1 components, ≈ 0.0006.
	for j := 2; j < len(fs); j++ {
		if c.Frac[j] > 0.01 {
			t.Errorf("random neuron %d: frac %.4f, want < 0.01", j, c.Frac[j])
		}
	}
}

// The separable transform against a direct O(p⁴) projection onto every
// outer product Vec(i) ⊗ Vec(i'), for odd and even p.
func TestClusterNeuronsMatchesDirect2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, p := range []int{7, 12, 13} {
		const n = 5
		acts := randVec(rng, p*p*n)
		c := ClusterNeurons(acts, p, n)
		b := NewBasis(p)
		M := b.Matrix()
		nf := b.NumFreqs()
		for j := range n {
			byFreq := make([]float64, nf)
			total := 0.0
			for i := range p {
				for i2 := range p {
					coef := 0.0
					for a := range p {
						for bb := range p {
							coef += M[i*p+a] * M[i2*p+bb] * acts[(a*p+bb)*n+j]
						}
					}
					if i == 0 && i2 == 0 {
						continue
					}
					e := coef * coef
					total += e
					fi, fk := b.Freq[i], b.Freq[i2]
					switch {
					case fi == 0:
						byFreq[fk] += e
					case fk == 0 || fk == fi:
						byFreq[fi] += e
					}
				}
			}
			for k := 1; k < nf; k++ {
				if d := math.Abs(c.Fracs[j*nf+k] - byFreq[k]/total); d > 1e-12 {
					t.Fatalf("p=%d neuron %d freq %d: %g, direct %g", p, j, k, c.Fracs[j*nf+k], byFreq[k]/total)
				}
			}
		}
	}
}

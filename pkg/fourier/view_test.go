package fourier

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/grokkit/grokkit/pkg/arith"
)

func view(t *testing.T, op string, p int) *arith.View {
	t.Helper()
	o, err := arith.Lookup(op)
	if err != nil {
		t.Fatal(err)
	}
	v, err := arith.NewView(o, p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dlog is the discrete logarithm mod p to the base g, found by walking the
// powers of g (and checking that they reach every nonzero residue).
func dlog(t *testing.T, p, g int) []int {
	lg := make([]int, p)
	for i := range lg {
		lg[i] = -1
	}
	for e, x := 0, 1; e < p-1; e++ {
		if lg[x] >= 0 {
			t.Fatalf("%d is no generator mod %d: %d = %d^%d again", g, p, x, g, e)
		}
		lg[x] = e
		x = x * g % p
	}
	return lg
}

// TestDiscreteLogBasisAgainstDirectSums checks the analysis of a·b and a/b
// through the view against sums written out over the tokens: the
// coefficients of W [p, d] along cos/sin(2πk·log x/(p−1)), and the logits'
// norm along the directions of the operation,
// |Σ_{a,b,c≠0} L[a,b,c]·e^{−2πik(log a ± log b − log c)/(p−1)}|. The primes
// take every code path of the even N = p−1: the direct transform (N < 64),
// the Bluestein FFT (96, 100) and the radix-2 FFT (256).
func TestDiscreteLogBasisAgainstDirectSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, p := range []int{3, 5, 7, 23, 31, 97, 101, 257} {
		for _, op := range []string{"mul", "div"} {
			v := view(t, op, p)
			n, lg := p-1, dlog(t, p, v.Gen)
			sign := 1.0 // j = ±log b
			if op == "div" {
				sign = -1
			}
			const d = 3
			W := randVec(rng, p*d)
			Wv := PickRows(W, d, v.A) // a's side
			C := NewBasis(n).TransformCols(Wv, d)
			for col := range d {
				x := make([]float64, n)
				for i := range n {
					x[i] = Wv[i*d+col]
				}
				one := NewBasis(n).Transform(x)
				for k := 0; k <= n/2; k++ {
					var cs, sn float64
					for tok := 1; tok < p; tok++ {
						th := 2 * math.Pi * float64(k*lg[tok]) / float64(n)
						cs += W[tok*d+col] * math.Cos(th)
						sn += W[tok*d+col] * math.Sin(th)
					}
					norm := math.Sqrt(2 / float64(n))
					if k == 0 || 2*k == n {
						norm = 1 / math.Sqrt(float64(n))
					}
					want := []float64{cs * norm}
					got := []float64{C[basisRow(k, true)*d+col]}
					gotOne := []float64{one[basisRow(k, true)]}
					if k != 0 && 2*k != n {
						want = append(want, sn*norm)
						got = append(got, C[basisRow(k, false)*d+col])
						gotOne = append(gotOne, one[basisRow(k, false)])
					}
					if maxAbsDiff(got, want) > 1e-9 || maxAbsDiff(gotOne, want) > 1e-9 {
						t.Fatalf("%s p=%d k=%d column %d: TransformCols %v, Transform %v, direct %v", op, p, k, col, got, gotOne, want)
					}
				}
			}
			if p > 31 {
				continue // the direct sum over the logit cube is O(p³) per frequency
			}
			L := randVec(rng, p*p*p)
			got := TranslationNorms(ViewLogits(L, v), n)
			for k := range got {
				var s complex128
				for a := 1; a < p; a++ {
					for b := 1; b < p; b++ {
						for c := 1; c < p; c++ {
							e := float64(lg[a]) + sign*float64(lg[b]) - float64(lg[c])
							s += complex(L[(a*p+b)*p+c], 0) * cmplx.Exp(complex(0, -2*math.Pi*float64(k)*e/float64(n)))
						}
					}
				}
				if math.Abs(got[k]-cmplx.Abs(s)) > 1e-8*(1+cmplx.Abs(s)) {
					t.Fatalf("%s p=%d: translation norm at k=%d is %g, direct sum %g", op, p, k, got[k], cmplx.Abs(s))
				}
			}
		}
	}
}

// basisRow is the basis row of cos k (or sin k).
func basisRow(k int, cos bool) int {
	switch {
	case k == 0:
		return 0
	case cos:
		return 2*k - 1
	}
	return 2 * k
}

// analyticMul is a network computing a·b mod p by Nanda et al.'s algorithm
// in the discrete log: hidden units cos/sin(w_k(log a + log b)), w_k =
// 2πk/(p−1), read out with α·cos/sin(w_k log c), so that its logits are
// α·Σ_k cos(w_k(log a + log b − log c)). Inputs with a zero operand and
// the class 0 get nothing. Returns the activations [p·p, H] and logits
// [p·p, p], rows a·p+b.
func analyticMul(p int, key []int, alpha float64) (acts, logits []float64, h int) {
	lg := make([]int, p)
	g := arith.Generator(p)
	for e, x := 0, 1; e < p-1; e++ {
		lg[x] = e
		x = x * g % p
	}
	n, h := p-1, 2*len(key)
	acts, logits = make([]float64, p*p*h), make([]float64, p*p*p)
	for u, k := range key {
		w := 2 * math.Pi * float64(k) / float64(n)
		for s, f := range []func(float64) float64{math.Cos, math.Sin} {
			j := 2*u + s
			for a := 1; a < p; a++ {
				for b := 1; b < p; b++ {
					x := f(w * float64(lg[a]+lg[b]))
					acts[(a*p+b)*h+j] = x
					for c := 1; c < p; c++ {
						logits[(a*p+b)*p+c] += x * alpha * f(w*float64(lg[c]))
					}
				}
			}
		}
	}
	return acts, logits, h
}

// TestAnalyticMulNetworkGivesItsFrequencies builds a·b networks by hand and
// reads their planted key frequencies and neuron clusters back through the
// view; the restricted logits then answer every input, the excluded ones
// none. Read as addition on Z_p instead, the same logits show no clear key
// frequencies: the view is what makes the structure visible.
func TestAnalyticMulNetworkGivesItsFrequencies(t *testing.T) {
	for _, c := range []struct {
		p   int
		key []int
	}{{23, []int{3, 8}}, {31, []int{2, 7, 11}}, {31, []int{1, 14}}, {97, []int{5, 17, 30, 44}}} {
		v := view(t, "mul", c.p)
		acts, logits, h := analyticMul(c.p, c.key, 3)
		n := v.N
		cl := ClusterNeurons(ViewInputs(acts, h, v), n, h)
		got := NetworkKeyFrequencies(ViewLogits(logits, v), n, &cl)
		if !got.Clear || !slices.Equal(got.Freqs, c.key) {
			t.Errorf("p=%d: key frequencies %v (clear %v), planted %v", c.p, got.Freqs, got.Clear, c.key)
		}
		for j := range h {
			if want := c.key[j/2]; cl.Freq[j] != want || cl.Frac[j] < 0.999 {
				t.Errorf("p=%d: neuron %d at frequency %d (%.3f of its variance), want %d", c.p, j, cl.Freq[j], cl.Frac[j], want)
			}
		}
		r := RestrictedExcluded(ViewLogits(logits, v), n, nil, nil, c.key, ProjectCube)
		if r.FullAcc != 1 || r.RestrictedAcc != 1 || math.Abs(r.Restricted-r.Full) > 1e-9 || math.Abs(r.Excluded-math.Log(float64(n))) > 1e-9 {
			t.Errorf("p=%d: full %g (acc %g), restricted %g (acc %g), excluded %g (log N = %g)", c.p, r.Full, r.FullAcc, r.Restricted, r.RestrictedAcc, r.Excluded, math.Log(float64(n)))
		}
		if plain := NetworkKeyFrequencies(logits, c.p, nil); plain.Clear {
			t.Errorf("p=%d: read as a+b on Z_p the logits gave key frequencies %v", c.p, plain.Freqs)
		}
	}
}

// TestViewGromov plants Gromov's analytic solution in Z_N into a·b weights
// (token 0 and class 0 zero) and reads every neuron's frequency back with
// the phase relation φ1 + φ2 = φ3.
func TestViewGromov(t *testing.T) {
	const p, width = 31, 12
	for _, op := range []string{"sub", "mul", "div"} {
		v := view(t, op, p)
		freqs := []int{1, 4, 9, v.N/2 - 1}
		w1, w2 := AnalyticGromov(v.N, width, freqs, rand.New(rand.NewPCG(5, 6)))
		W1, W2 := make([]float64, width*2*p), make([]float64, p*width)
		for j := range width {
			for i := range v.N {
				W1[j*2*p+v.A[i]] = w1[j*2*v.N+i]
				W1[j*2*p+p+v.B[i]] = w1[j*2*v.N+v.N+i]
				W2[v.C[i]*width+j] = w2[i*width+j]
			}
		}
		g1, g2 := ViewGromov(W1, W2, width, v)
		if maxAbsDiff(g1, w1) != 0 || maxAbsDiff(g2, w2) != 0 {
			t.Fatalf("%s: ViewGromov does not give back the planted weights", op)
		}
		for j, nr := range AnalyzeGromov(g1, g2, v.N, width) {
			if nr.Freq != freqs[j%len(freqs)] || math.Abs(nr.Residual) > 1e-9 {
				t.Errorf("%s: neuron %d at frequency %d (residual %g), planted %d", op, j, nr.Freq, nr.Residual, freqs[j%len(freqs)])
			}
		}
	}
}

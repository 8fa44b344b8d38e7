package fourier

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var testSizes = []int{2, 3, 4, 5, 6, 7, 8, 12, 13, 31, 63, 64, 97, 113, 128}

// directCoeffs is the oracle: the coefficients written out from the
// definition with math.Cos/Sin and explicit norms √p, √(p/2).
func directCoeffs(x []float64) []float64 {
	p := len(x)
	c := make([]float64, p)
	for t := range p {
		c[0] += x[t]
	}
	c[0] /= math.Sqrt(float64(p))
	for k := 1; k <= p/2; k++ {
		var sc, ss float64
		for t := range p {
			th := 2 * math.Pi * float64(k) * float64(t) / float64(p)
			sc += x[t] * math.Cos(th)
			ss += x[t] * math.Sin(th)
		}
		if 2*k == p {
			c[2*k-1] = sc / math.Sqrt(float64(p))
			continue
		}
		c[2*k-1] = sc / math.Sqrt(float64(p)/2)
		c[2*k] = ss / math.Sqrt(float64(p)/2)
	}
	return c
}

func randVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("lengths %d and %d", len(a), len(b)))
	}
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func TestBasisOrthonormal(t *testing.T) {
	for _, p := range testSizes {
		b := NewBasis(p)
		M := b.Matrix()
		for i := range p {
			for j := range p {
				dot := 0.0
				for x := range p {
					dot += M[i*p+x] * M[j*p+x]
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(dot-want) > 1e-12 {
					t.Fatalf("p=%d: <%s, %s> = %g, want %g", p, b.Names[i], b.Names[j], dot, want)
				}
			}
		}
	}
}

func TestBasisLayout(t *testing.T) {
	b := NewBasis(113)
	if b.Names[0] != "const" || b.Names[27] != "cos 14" || b.Names[28] != "sin 14" || b.Names[112] != "sin 56" {
		t.Fatalf("names: %q %q %q %q", b.Names[0], b.Names[27], b.Names[28], b.Names[112])
	}
	if b.Freq[27] != 14 || b.Freq[28] != 14 || b.NumFreqs() != 57 || b.CosIndex(14) != 27 || b.SinIndex(14) != 28 {
		t.Fatal("frequency indices")
	}
	e := NewBasis(8) // const, cos1, sin1, cos2, sin2, cos3, sin3, cos4 (Nyquist)
	if e.Names[7] != "cos 4" || e.Freq[7] != 4 || e.SinIndex(4) != -1 || e.CosIndex(4) != 7 {
		t.Fatalf("even p: %v %v", e.Names, e.Freq)
	}
	// Vec matches the formula; the Nyquist row alternates ±1/√p.
	v := b.Vec(28)
	for x := range 113 {
		want := math.Sin(2*math.Pi*14*float64(x)/113) * math.Sqrt(2.0/113)
		if math.Abs(v[x]-want) > 1e-14 {
			t.Fatalf("sin 14 at %d: %g, want %g", x, v[x], want)
		}
	}
	for x, got := range e.Vec(7) {
		if want := math.Pow(-1, float64(x)) / math.Sqrt(8); math.Abs(got-want) > 1e-15 {
			t.Fatalf("Nyquist at %d: %g, want %g", x, got, want)
		}
	}
}

func TestTransformMatchesDirectSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range append(testSizes, 255, 256, 1000, 4999, 5000) {
		b := NewBasis(p)
		x := randVec(rng, p)
		want := directCoeffs(x)
		tol := 1e-12 * math.Sqrt(float64(p)) * 10
		// The public path (FFT from p = 64) and the direct path must both agree.
		if d := maxAbsDiff(b.Transform(x), want); d > tol {
			t.Errorf("p=%d: Transform differs from the direct sum by %g", p, d)
		}
		if p <= 1000 {
			if d := maxAbsDiff(b.transformDirect(x), want); d > tol {
				t.Errorf("p=%d: transformDirect differs by %g", p, d)
			}
		}
		if p >= 2 {
			if d := maxAbsDiff(b.transformFFT(x), want); d > tol {
				t.Errorf("p=%d: transformFFT differs by %g", p, d)
			}
		}
	}
}

func TestInverseAndParseval(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, p := range append(testSizes, 1000, 1024) {
		b := NewBasis(p)
		x := randVec(rng, p)
		c := b.Transform(x)
		var nx, nc float64
		for i := range x {
			nx += x[i] * x[i]
			nc += c[i] * c[i]
		}
		if math.Abs(nx-nc) > 1e-10*nx {
			t.Errorf("p=%d: Parseval ‖x‖² = %g, ‖c‖² = %g", p, nx, nc)
		}
		if d := maxAbsDiff(b.Inverse(c), x); d > 1e-11 {
			t.Errorf("p=%d: Inverse(Transform(x)) off by %g", p, d)
		}
		if d := maxAbsDiff(b.inverseDirect(c), x); d > 1e-11 {
			t.Errorf("p=%d: inverseDirect off by %g", p, d)
		}
		if p >= 2 {
			if d := maxAbsDiff(b.inverseFFT(c), x); d > 1e-11 {
				t.Errorf("p=%d: inverseFFT off by %g", p, d)
			}
		}
		// Inverse of a unit coefficient is the basis row itself.
		e := make([]float64, p)
		e[p-1] = 1
		if d := maxAbsDiff(b.Inverse(e), b.Vec(p-1)); d > 1e-12 {
			t.Errorf("p=%d: Inverse(e_last) ≠ Vec(last), off by %g", p, d)
		}
	}
}

func TestTransformColsMatchesPerColumn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, p := range []int{2, 3, 4, 7, 8, 113, 114} {
		for _, m := range []int{1, 3, 255, 256, 700} {
			b := NewBasis(p)
			X := randVec(rng, p*m)
			C := b.TransformCols(X, m)
			col := make([]float64, p)
			for j := range m {
				for x := range p {
					col[x] = X[x*m+j]
				}
				want := directCoeffs(col)
				for i := range p {
					if d := math.Abs(C[i*m+j] - want[i]); d > 1e-11 {
						t.Fatalf("p=%d m=%d: column %d row %s off by %g", p, m, j, b.Names[i], d)
					}
				}
			}
		}
	}
}

package spectral

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/grokkit/grokkit/pkg/seeded"
)

// normal draws a standard normal by Box–Muller (seeded has no normal
// draws, and math/rand's NormFloat64 algorithm is not promised).
func normal(r *seeded.Rand) float64 {
	u1, u2 := 1-r.Float64(), r.Float64() // u1 in (0, 1]: its log is finite
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// gaussian is a rows×cols matrix of N(0, std²) entries.
func gaussian(name string, rows, cols int, std float64, seed uint64) Matrix {
	r := seeded.New(seed, "gaussian "+name)
	x := make([]float64, rows*cols)
	for i := range x {
		x[i] = std * normal(r)
	}
	return Matrix{Name: name, Rows: rows, Cols: cols, Data: x}
}

// orthonormal returns the n×k Q factor of a Gaussian matrix: k orthonormal
// columns in a uniformly random orientation.
func orthonormal(n, k int, seed uint64, purpose string) *mat.Dense {
	g := gaussian(purpose, n, k, 1, seed)
	var qr mat.QR
	qr.Factorize(mat.NewDense(n, k, g.Data))
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, n, 0, k))
}

// withSpectrum builds an n×m matrix (n ≥ m) W = U·diag(√λ)·Vᵀ with random
// orthonormal U, V: its ESD is exactly λ, and its entries show no sign of it.
func withSpectrum(name string, n, m int, lambda []float64, seed uint64) Matrix {
	U, V := orthonormal(n, m, seed, name+" U"), orthonormal(m, m, seed, name+" V")
	for j := range m {
		for i := range n {
			U.Set(i, j, U.At(i, j)*math.Sqrt(lambda[j]))
		}
	}
	var W mat.Dense
	W.Mul(U, V.T())
	return Matrix{Name: name, Rows: n, Cols: m, Data: W.RawMatrix().Data}
}

// pareto draws k values from the continuous power law p(x) = (α−1)x^−α
// on x ≥ xmin, by inverting its CDF.
func pareto(k int, alpha, xmin float64, seed uint64) []float64 {
	r := seeded.New(seed, "pareto")
	out := make([]float64, k)
	for i := range out {
		out[i] = xmin * math.Pow(1-r.Float64(), -1/(alpha-1))
	}
	return out
}

// mpCDF is the Marchenko–Pastur CDF at x of the eigenvalues of X = WᵀW/N
// for an N×M matrix (Q = N/M ≥ 1) of i.i.d. entries of variance s2: the
// density √((b−x)(x−a)) / (2π s2 x / Q) on [a, b], a, b = s2(1 ∓ 1/√Q)²,
// integrated with x = c − r·cos θ, which removes the square roots' kinks
// at the edges (dx·√((b−x)(x−a)) = r² sin²θ dθ), by Simpson's rule.
func mpCDF(x, Q, s2 float64) float64 {
	a, b := s2*math.Pow(1-1/math.Sqrt(Q), 2), s2*math.Pow(1+1/math.Sqrt(Q), 2)
	if x <= a {
		return 0
	}
	if x >= b {
		return 1
	}
	c, r := (a+b)/2, (b-a)/2
	top := math.Acos((c - x) / r)
	f := func(t float64) float64 {
		s := math.Sin(t)
		return r * r * s * s / (2 * math.Pi * s2 * (c - r*math.Cos(t)) / Q)
	}
	const n = 2000 // even
	h := top / n
	sum := f(0) + f(top)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(float64(i)*h)
	}
	return sum * h / 3
}

// ksToMP is the two-sided KS distance between the eigenvalues of X = WᵀW/N
// (ev, the ESD of an N×M matrix, ascending) and the MP law of variance s2.
func ksToMP(ev []float64, N, M int, s2 float64) float64 {
	Q := float64(N) / float64(M)
	d := 0.0
	for i, v := range ev {
		F := mpCDF(v/float64(N), Q, s2)
		d = max(d, math.Abs(F-float64(i)/float64(len(ev))), math.Abs(F-float64(i+1)/float64(len(ev))))
	}
	return d
}

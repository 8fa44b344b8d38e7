package fourier

import (
	"fmt"
	"math"
)

// BasisNorms returns, for W [p, d] (rows indexed by residue, e.g. W_E without
// the "=" row), the norm over the d columns of W's coefficient along each
// basis row: [p], entry i = ‖Σ_x Vec(i)[x]·W[x, :]‖.
func BasisNorms(W []float64, p, d int) []float64 {
	C := coeffs(W, p, d)
	out := make([]float64, p)
	for i := range p {
		s := 0.0
		for _, v := range C[i*d : (i+1)*d] {
			s += v * v
		}
		out[i] = math.Sqrt(s)
	}
	return out
}

// FreqNorms returns the Fourier norm of W [p, d] per frequency, [⌊p/2⌋+1]:
// entry k is the square root of the sum, over the cos k and sin k rows and
// the d columns, of the squared coefficients (entry 0 is the constant).
func FreqNorms(W []float64, p, d int) []float64 {
	return freqFromBasis(BasisNorms(W, p, d), p)
}

// FreqNormsT is FreqNorms for the transposed layout W [d, p], where the last
// axis is the residue (e.g. W_U stored [d_model, p], or W_L = W_U·W_out
// stored [d_mlp, p]).
func FreqNormsT(W []float64, d, p int) []float64 {
	return FreqNorms(transpose(W, d, p), p, d)
}

// PowerByFreq folds per-basis-row squared values [p] into per-frequency sums
// [⌊p/2⌋+1] (cos k + sin k).
func PowerByFreq(sq []float64, p int) []float64 {
	b := basisFor(p)
	b.checkLen("PowerByFreq", len(sq))
	out := make([]float64, b.NumFreqs())
	for i, v := range sq {
		out[b.Freq[i]] += v
	}
	return out
}

func freqFromBasis(norms []float64, p int) []float64 {
	sq := make([]float64, p)
	for i, v := range norms {
		sq[i] = v * v
	}
	out := PowerByFreq(sq, p)
	for k, v := range out {
		out[k] = math.Sqrt(v)
	}
	return out
}

// coeffs transforms W [p, d] along its first axis.
func coeffs(W []float64, p, d int) []float64 {
	if d < 1 || len(W) != p*d {
		panic(fmt.Sprintf("fourier: matrix of len %d is not [p=%d, d=%d]", len(W), p, d))
	}
	return basisFor(p).TransformCols(W, d)
}

// transpose returns the [c, r] transpose of M [r, c].
func transpose(M []float64, r, c int) []float64 {
	if len(M) != r*c {
		panic(fmt.Sprintf("fourier: matrix of len %d is not [%d, %d]", len(M), r, c))
	}
	T := make([]float64, len(M))
	for i := range r {
		for j := range c {
			T[j*r+i] = M[i*c+j]
		}
	}
	return T
}

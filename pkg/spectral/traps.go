package spectral

import (
	"math"

	"github.com/grokkit/grokkit/pkg/seeded"
)

// MP is a Marchenko–Pastur law fitted to an ESD's bulk, in the ESD's own
// units (the eigenvalues s² of WᵀW).
type MP struct {
	Q      float64 // aspect ratio N/M ≥ 1
	Sigma2 float64 // the entries' variance σ² the bulk implies
	Edge   float64 // the bulk's upper edge λ+ = N·σ²(1 + 1/√Q)²
	Cutoff float64 // Edge plus WeightWatcher's Tracy–Widom margin: above it, a spike
}

// FitMP fits a Marchenko–Pastur bulk to the ESD evals of an n×m matrix
// (either orientation), as WeightWatcher's mp_fit does, up to how σ is
// found:
//
//   - the ESD is rescaled so that its mean is 1 (WeightWatcher's Wscale);
//   - the bulk edge is λ+ = σ²(1 + 1/√Q)², Q = N/M, and the cutoff above
//     which an eigenvalue is a spike adds a Tracy–Widom margin,
//     λ+ + √(λ+^(2/3) M^(−2/3) / √Q), WeightWatcher's bulk_max_TW;
//   - σ²: WeightWatcher brute-forces it by least squares between the MP
//     density and a kernel density estimate of the ESD. Here it is the mean
//     of the eigenvalues below the cutoff, found self-consistently (start
//     from all of them, drop those above the cutoff they give, repeat until
//     none is dropped): the MP law of X = WᵀW/N has mean σ² exactly, so the
//     bulk's mean is its σ², and the spikes, which would raise a plain mean,
//     are left out as a density fit leaves them out. Deterministic, with no
//     bandwidth or search grid to choose.
func FitMP(evals []float64, n, m int) MP {
	N, M := float64(max(n, m)), float64(min(n, m))
	Q := N / M
	sum := 0.0
	for _, v := range evals {
		sum += v
	}
	if sum <= 0 { // an all-zero matrix: no bulk, and nothing above one
		return MP{Q: Q, Cutoff: math.Inf(1)}
	}
	scale := float64(len(evals)) / sum // rescaled: mean 1
	edgeOf := func(s2 float64) (edge, cutoff float64) {
		edge = s2 * math.Pow(1+1/math.Sqrt(Q), 2)
		return edge, edge + math.Sqrt(math.Pow(edge, 2.0/3)*math.Pow(M, -2.0/3)/math.Sqrt(Q))
	}
	s2 := 1.0
	edge, cutoff := edgeOf(s2)
	for kept := len(evals); ; {
		bulk, count := 0.0, 0
		for _, v := range evals {
			if v*scale <= cutoff {
				bulk += v * scale
				count++
			}
		}
		if count == kept {
			break
		}
		kept = count
		s2 = bulk / float64(count)
		edge, cutoff = edgeOf(s2)
	}
	// Back to the ESD's units; s² = N·λ(WᵀW/N), so the entries' variance
	// is the rescaled σ² over scale·N.
	return MP{Q: Q, Sigma2: s2 / scale / N, Edge: edge / scale, Cutoff: cutoff / scale}
}

// Above counts the eigenvalues above the law's cutoff.
func (mp MP) Above(evals []float64) int {
	k := 0
	for _, v := range evals {
		if v > mp.Cutoff {
			k++
		}
	}
	return k
}

// Shuffled returns m with its entries permuted by a seeded uniform
// permutation: the same entries, none of their arrangement, so any
// correlation between rows and columns is gone and, were the entries
// typical draws from one distribution, the ESD would be Marchenko–Pastur.
func Shuffled(m Matrix, r *seeded.Rand) Matrix {
	perm := r.Perm(len(m.Data))
	out := make([]float64, len(m.Data))
	for i, j := range perm {
		out[i] = m.Data[j]
	}
	return Matrix{Name: m.Name, Rows: m.Rows, Cols: m.Cols, Data: out}
}

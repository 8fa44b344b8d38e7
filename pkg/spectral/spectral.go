// Package spectral computes Martin & Mahoney's heavy-tailed
// self-regularisation (HTSR) measures of a network's weight matrices, as
// the WeightWatcher tool does (github.com/CalculatedContent/WeightWatcher,
// weightwatcher.py and WW_powerlaw.py, read at its June 2025 head): the
// power-law exponent α of each matrix's empirical spectral density (ESD),
// and the correlation traps of its element-wise shuffled copy (Prakash &
// Martin, arXiv 2506.04434, 2602.02859: α < 2 and traps come before a
// grokked network's late collapse, "anti-grokking").
//
// Conventions, as WeightWatcher's analyze() with its defaults:
//   - the ESD of an N×M matrix W (N ≥ M after transposing) is the M
//     eigenvalues λ = s² of WᵀW, s its singular values, not divided by N
//     (WeightWatcher's normalize option is off by default and was removed
//     in 0.6.5). Every measure here is unchanged by λ → cλ, so dividing by N,
//     as Martin & Mahoney's X = WᵀW/N does, would give the same numbers;
//   - a matrix with fewer than MinEvals eigenvalues is skipped;
//   - eigenvalues at or below EvalsThresh are left out of the power-law fit.
package spectral

import (
	"fmt"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/grokkit/grokkit/pkg/model"
)

// MinEvals is WeightWatcher's DEFAULT_MIN_EVALS: a matrix with fewer
// eigenvalues (min(N, M)) is too small to fit and is skipped.
const MinEvals = 10

// EvalsThresh is WeightWatcher's EVALS_THRESH: eigenvalues at or below it
// (numerically zero: rank deficiency) are left out of the power-law fit.
const EvalsThresh = 1e-5

// Matrix is one weight matrix, row-major.
type Matrix struct {
	Name       string
	Rows, Cols int
	Data       []float64
}

// N and M are the larger and the smaller dimension: the ESD has M
// eigenvalues and MP's aspect ratio is Q = N/M ≥ 1.
func (m Matrix) N() int { return max(m.Rows, m.Cols) }
func (m Matrix) M() int { return min(m.Rows, m.Cols) }

// Matrices picks the weight matrices out of a network's parameters, in the
// order of names (the model's parameter order; names absent from params
// are passed over). A 2-D parameter is a matrix as it is. Attention weights
// in TransformerLens's per-head layout are folded back into the one matrix
// of the nn.Linear that a PyTorch attention layer holds, and which
// WeightWatcher analyses as one layer with every head in it:
// W_Q, W_K, W_V [heads, d_model, d_head] → [d_model, heads·d_head] and
// W_O [heads, d_head, d_model] → [heads·d_head, d_model]. Vectors (biases,
// LayerNorm gains) are no matrices; other tensors are left out. A matrix
// with fewer than MinEvals eigenvalues is returned in skipped, by name.
func Matrices(names []string, params map[string]model.Array) (ms []Matrix, skipped []string) {
	for _, name := range names {
		a, ok := params[name]
		if !ok {
			continue
		}
		m, ok := asMatrix(name, a)
		if !ok {
			continue
		}
		if m.M() < MinEvals {
			skipped = append(skipped, name)
			continue
		}
		ms = append(ms, m)
	}
	return ms, skipped
}

// asMatrix reads a parameter as a matrix (see Matrices).
func asMatrix(name string, a model.Array) (Matrix, bool) {
	x := make([]float64, len(a.Data))
	for i, v := range a.Data {
		x[i] = float64(v)
	}
	switch {
	case len(a.Shape) == 2:
		return Matrix{Name: name, Rows: a.Shape[0], Cols: a.Shape[1], Data: x}, true
	case len(a.Shape) == 3 && strings.HasSuffix(name, ".W_O"):
		// [heads, d_head, d_model]: the heads' rows one after another.
		return Matrix{Name: name, Rows: a.Shape[0] * a.Shape[1], Cols: a.Shape[2], Data: x}, true
	case len(a.Shape) == 3 && (strings.HasSuffix(name, ".W_Q") || strings.HasSuffix(name, ".W_K") || strings.HasSuffix(name, ".W_V")):
		h, d, e := a.Shape[0], a.Shape[1], a.Shape[2] // [heads, d_model, d_head]
		out := make([]float64, len(x))
		for k := range h {
			for i := range d {
				copy(out[i*h*e+k*e:i*h*e+(k+1)*e], x[(k*d+i)*e:(k*d+i+1)*e])
			}
		}
		return Matrix{Name: name, Rows: d, Cols: h * e, Data: out}, true
	}
	return Matrix{}, false
}

// ESD returns the eigenvalues of WᵀW (the squared singular values of W),
// min(Rows, Cols) of them, ascending.
func ESD(m Matrix) ([]float64, error) {
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(m.Rows, m.Cols, m.Data), mat.SVDNone) {
		return nil, fmt.Errorf("%s: the SVD did not converge", m.Name)
	}
	s := svd.Values(nil)
	ev := make([]float64, len(s))
	for i, v := range s {
		ev[i] = v * v
	}
	sort.Float64s(ev)
	return ev, nil
}

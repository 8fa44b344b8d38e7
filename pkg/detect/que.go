package detect

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// The baselines a defender fits on a trusted set of clean rows and applies
// to untrusted inputs (the mechanistic-anomaly-detection protocol of
// EleutherAI's MAD benchmark and cupbearer): each takes the trusted rows'
// hidden activations T [m, d] and the scored rows' X [n, d]. The
// covariances are normalised by the row count and ridge-regularised as
// mahalanobisCentred does (1e-3 of the mean variance, plus 1e-12), so that
// dead units and a trusted set smaller than d stay invertible.

// DefaultQUEAlpha is SPECTRE's α: how sharply QUE's weight concentrates on
// the directions of the most excess variance (α → 0 weighs every direction
// alike, α → ∞ keeps the top one only).
const DefaultQUEAlpha = 4

// TrustedMahalanobis is each scored row's distance from the trusted mean
// under the trusted covariance: √((x−μ_T)ᵀ (Σ_T + ridge·I)⁻¹ (x−μ_T)).
func TrustedMahalanobis(T, X []float64, d int) []float64 {
	if len(X) == 0 {
		return nil
	}
	return rowNorms(newWhitener(T, d).whiten(X), d)
}

// trustedMahaQUE is TrustedMahalanobis and QUE from one whitening (the
// costly part at d = 512): the distances are the whitened rows' norms.
func trustedMahaQUE(T, X []float64, d int, alpha float64) (maha, tau []float64, norm float64) {
	if len(X) == 0 {
		return nil, nil, math.NaN()
	}
	Y := newWhitener(T, d).whiten(X)
	tau, norm = queWhitened(Y, d, alpha)
	return rowNorms(Y, d), tau, norm
}

// TrustedClassMahalanobis is Lee et al. (2018)'s detector fitted on the
// trusted rows: class means μ_c of the trusted rows grouped by the
// network's predicted class tClass, the pooled within-class covariance
// Σ_W = Σ_c Σ_{i∈c} (t_i−μ_c)(t_i−μ_c)ᵀ / m (ridged), and each scored row's
// distance √((x−μ_c)ᵀ Σ_W⁻¹ (x−μ_c)) to the mean of its predicted class
// xClass. A scored row whose class has no trusted row is measured to the
// nearest trusted class mean instead (min_c over the trusted classes: Lee et
// al.'s own rule, which uses no predicted class); unseen counts them. With
// about p/20 trusted rows per class at 10% of half the inputs, some classes
// of a small p have none.
func TrustedClassMahalanobis(T []float64, tClass []int, X []float64, xClass []int, d int) (dist []float64, unseen int) {
	m, n := len(tClass), len(xClass)
	if n == 0 {
		return nil, 0
	}
	groups := byClass(tClass)
	means := map[int][]float64{} // class → μ_c [d]
	R := make([]float64, m*d)    // [m, d]: trusted rows minus their class mean
	for _, rows := range groups {
		M := centred(T, d, rows)
		for i, r := range rows {
			copy(R[r*d:(r+1)*d], M.RawRowView(i))
		}
		mu := make([]float64, d)
		for j := range d {
			mu[j] = T[rows[0]*d+j] - M.At(0, j)
		}
		means[tClass[rows[0]]] = mu
	}
	W := ridgedInvSqrt(R, m, d)
	// In whitened coordinates the distance is Euclidean: ‖W x − W μ_c‖.
	Y := mulRows(X, n, d, W)             // [n, d]
	wm := map[int][]float64{}            // class → W μ_c [d]
	order := make([]int, 0, len(groups)) // classes, ascending, for a deterministic min
	for _, rows := range groups {
		c := tClass[rows[0]]
		order = append(order, c)
		wm[c] = mulRows(means[c], 1, d, W)
	}
	dist = make([]float64, n)
	for i := range n {
		y := Y[i*d : (i+1)*d]
		if mu, ok := wm[xClass[i]]; ok {
			dist[i] = math.Sqrt(dist2(y, mu))
			continue
		}
		unseen++
		best := math.Inf(1)
		for _, c := range order {
			best = min(best, dist2(y, wm[c]))
		}
		dist[i] = math.Sqrt(best)
	}
	return dist, unseen
}

// QUE is the quantum-entropy outlier score of Dong, Hopkins and Li (2019),
// as SPECTRE uses it (Hayase et al. 2021, arXiv 2104.11315), with the clean
// statistics taken from the trusted set instead of a robust estimate
// (cupbearer's QuantumEntropyDetector does the same):
//
//	x̃_i = Σ_T^{-1/2} (x_i − μ_T)             whitened by the trusted mean and ridged covariance
//	Σ̃   = (1/n) Σ_i (x̃_i − x̄̃)(x̃_i − x̄̃)ᵀ    the covariance of the whitened scored rows
//	U   = exp(α (Σ̃ − I) / (‖Σ̃‖₂ − 1))
//	τ_i = x̃_iᵀ U x̃_i / tr(U)
//
// Σ̃ ≈ I when the scored rows vary as the trusted ones; a planted behaviour
// on some of them adds variance along its own direction, which U weighs by
// up to e^α against the rest, so that a row far out along that direction
// scores high even where its plain Mahalanobis norm ‖x̃_i‖ is unremarkable.
// When ‖Σ̃‖₂ ≤ 1 no direction has excess variance and the formula's
// denominator is not positive: U = I then (the α → 0 limit), and
// τ_i = ‖x̃_i‖²/d, the squared trusted Mahalanobis distance over d.
//
// Computed by eigendecompositions (Σ_T, then Σ̃ = QΛQᵀ, so U = Q e^{f(Λ)} Qᵀ
// and τ_i = Σ_k u_k (q_kᵀ x̃_i)² / Σ_k u_k): O(m·d² + n·d² + d³), a few
// seconds at d = 512 and n ≈ 9,409. It returns the scores and ‖Σ̃‖₂.
func QUE(T, X []float64, d int, alpha float64) (tau []float64, norm float64) {
	if len(X) == 0 {
		return nil, math.NaN()
	}
	return queWhitened(newWhitener(T, d).whiten(X), d, alpha)
}

// queWhitened is QUE of the whitened rows Y [n, d] (x̃).
func queWhitened(Y []float64, d int, alpha float64) (tau []float64, norm float64) {
	n := len(Y) / d
	M := centred(Y, d, seq(n))
	S := mat.NewSymDense(d, nil)
	S.SymOuterK(1/float64(n), M.T())
	var es mat.EigenSym
	if !es.Factorize(S, true) {
		return make([]float64, n), math.NaN() // gonum's symmetric QR does not fail on finite input
	}
	lambda := es.Values(nil) // ascending
	var Q mat.Dense
	es.VectorsTo(&Q)
	norm = lambda[d-1] // Σ̃ is positive semi-definite: its top eigenvalue is its norm
	u := make([]float64, d)
	trU := 0.0
	for k, l := range lambda {
		u[k] = 1
		if norm > 1 {
			u[k] = math.Exp(alpha * (l - 1) / (norm - 1))
		}
		trU += u[k]
	}
	Z := mulRows(Y, n, d, &Q) // [n, d]: x̃ in Σ̃'s eigenbasis
	tau = make([]float64, n)
	for i := range n {
		s := 0.0
		for k, z := range Z[i*d : (i+1)*d] {
			s += u[k] * z * z
		}
		tau[i] = s / trU
	}
	return tau, norm
}

// whitener maps x to Σ^{-1/2}(x − μ) for the mean and ridged covariance of
// a set of rows.
type whitener struct {
	d    int
	mean []float64  // [d]
	W    *mat.Dense // [d, d], symmetric
}

func newWhitener(T []float64, d int) whitener {
	m := len(T) / d
	M := centred(T, d, seq(m))
	mu := make([]float64, d)
	for j := range d {
		mu[j] = T[j] - M.At(0, j)
	}
	return whitener{d: d, mean: mu, W: ridgedInvSqrt(M.RawMatrix().Data, m, d)}
}

// whiten returns the rows of X [n, d] whitened: [n, d].
func (w whitener) whiten(X []float64) []float64 {
	d := w.d
	R := make([]float64, len(X))
	for i := range len(X) / d {
		for j := range d {
			R[i*d+j] = X[i*d+j] - w.mean[j]
		}
	}
	return mulRows(R, len(X)/d, d, w.W)
}

// ridgedInvSqrt returns (RᵀR/m + ridge·I)^{-1/2} [d, d] for the residuals R
// [m, d], with mahalanobisCentred's ridge, by an eigendecomposition.
func ridgedInvSqrt(R []float64, m, d int) *mat.Dense {
	S := mat.NewSymDense(d, nil)
	if m > 0 {
		S.SymOuterK(1/float64(m), mat.NewDense(m, d, R).T())
	}
	ridge := addRidge(S)
	var es mat.EigenSym
	W := mat.NewDense(d, d, nil)
	if !es.Factorize(S, true) {
		return W // cannot happen on finite input; no signal rather than a crash
	}
	lambda := es.Values(nil)
	var V mat.Dense
	es.VectorsTo(&V)
	scaled := mat.DenseCopyOf(&V) // V·Λ^{-1/2}
	for k, l := range lambda {
		s := 1 / math.Sqrt(max(l, ridge)) // rounding can leave an eigenvalue a hair below the ridge
		for j := range d {
			scaled.Set(j, k, scaled.At(j, k)*s)
		}
	}
	W.Mul(scaled, V.T())
	return W
}

// mulRows returns X [n, d] times A [d, d']: [n, d'].
func mulRows(X []float64, n, d int, A *mat.Dense) []float64 {
	_, dd := A.Dims()
	out := mat.NewDense(n, dd, nil)
	out.Mul(mat.NewDense(n, d, X), A)
	return out.RawMatrix().Data
}

// rowNorms returns the Euclidean norm of each row of Y [n, d].
func rowNorms(Y []float64, d int) []float64 {
	out := make([]float64, len(Y)/d)
	for i := range out {
		s := 0.0
		for _, v := range Y[i*d : (i+1)*d] {
			s += v * v
		}
		out[i] = math.Sqrt(s)
	}
	return out
}

// seq is 0, 1, …, n−1.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

package detect

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// The label-free baselines of the backdoor literature, each over the hidden
// activations X [n, d] of the scored rows, grouped by the network's
// predicted class (the training label is not used; on memorised training
// rows it is the same class).

// SpectralSignature is Tran et al. (2018)'s score: within each class,
// centre the representations and take each row's squared projection on
// the top right singular vector of the centred matrix. A class of one row
// scores 0.
func SpectralSignature(X []float64, d int, class []int) []float64 {
	out := make([]float64, len(class))
	for _, rows := range byClass(class) {
		if len(rows) < 2 {
			continue
		}
		M := centred(X, d, rows)
		v := topRightSingular(M)
		for i, r := range rows {
			proj := mat.Dot(M.RowView(i), v)
			out[r] = proj * proj
		}
	}
	return out
}

// ClusterDims is how many principal components activation clustering keeps
// (Chen et al. reduce the last hidden layer to 10 dimensions).
const ClusterDims = 10

// ActivationClustering is Chen et al. (2018)'s detector as a score: within
// each class, reduce the centred activations to their top ClusterDims
// principal components, split them by 2-means, and call the smaller cluster
// suspect. A row's score is its position on the axis between the two
// centroids, (‖x−μ_large‖² − ‖x−μ_small‖²) / ‖μ_large−μ_small‖²: +1 at the
// smaller cluster's centre, −1 at the larger's, positive exactly for the
// rows 2-means puts in the smaller cluster. Classes of fewer than three
// rows score 0.
func ActivationClustering(X []float64, d int, class []int) []float64 {
	out := make([]float64, len(class))
	for _, rows := range byClass(class) {
		if len(rows) < 3 {
			continue
		}
		Z := reduce(centred(X, d, rows), ClusterDims)
		assign, cents := twoMeans(Z)
		small := 0
		if count(assign, 1) < count(assign, 0) {
			small = 1
		}
		sep := dist2(cents[0], cents[1])
		if sep == 0 {
			continue
		}
		for i, r := range rows {
			z := Z.RawRowView(i)
			out[r] = (dist2(z, cents[1-small]) - dist2(z, cents[small])) / sep
		}
	}
	return out
}

// ClassMahalanobis is the Mahalanobis distance of each row to its class's
// mean under the pooled within-class covariance (Lee et al. 2018's
// detector), ridge-regularised like mahalanobis.
func ClassMahalanobis(X []float64, d int, class []int) []float64 {
	n := len(class)
	R := make([]float64, n*d) // residuals from the class means
	for _, rows := range byClass(class) {
		M := centred(X, d, rows)
		for i, r := range rows {
			copy(R[r*d:(r+1)*d], M.RawRowView(i))
		}
	}
	return mahalanobisCentred(R, n, d)
}

// byClass lists the row indices of each class, classes in ascending order.
func byClass(class []int) [][]int {
	idx := map[int][]int{}
	for r, c := range class {
		idx[c] = append(idx[c], r)
	}
	keys := make([]int, 0, len(idx))
	for c := range idx {
		keys = append(keys, c)
	}
	slices.Sort(keys)
	out := make([][]int, len(keys))
	for i, c := range keys {
		out[i] = idx[c]
	}
	return out
}

// centred returns the rows of X [·, d] listed in rows, minus their mean.
func centred(X []float64, d int, rows []int) *mat.Dense {
	M := mat.NewDense(len(rows), d, nil)
	mu := make([]float64, d)
	for _, r := range rows {
		for j, v := range X[r*d : (r+1)*d] {
			mu[j] += v
		}
	}
	for j := range mu {
		mu[j] /= float64(len(rows))
	}
	for i, r := range rows {
		for j, v := range X[r*d : (r+1)*d] {
			M.Set(i, j, v-mu[j])
		}
	}
	return M
}

// topRightSingular is the right singular vector of M's largest singular
// value, with its sign fixed (largest entry positive) so that the result
// does not depend on the SVD routine's choice.
func topRightSingular(M *mat.Dense) *mat.VecDense {
	_, d := M.Dims()
	var svd mat.SVD
	if !svd.Factorize(M, mat.SVDThin) {
		return mat.NewVecDense(d, nil)
	}
	var V mat.Dense
	svd.VTo(&V)
	v := mat.VecDenseCopyOf(V.ColView(0))
	return signFixed(v)
}

func signFixed(v *mat.VecDense) *mat.VecDense {
	big := 0
	for i := range v.Len() {
		if math.Abs(v.AtVec(i)) > math.Abs(v.AtVec(big)) {
			big = i
		}
	}
	if v.AtVec(big) < 0 {
		v.ScaleVec(-1, v)
	}
	return v
}

// reduce projects the centred rows of M [n, d] on their top k principal
// directions: [n, min(k, n, d)].
func reduce(M *mat.Dense, k int) *mat.Dense {
	n, d := M.Dims()
	var svd mat.SVD
	if !svd.Factorize(M, mat.SVDThin) {
		return mat.NewDense(n, 1, nil)
	}
	var V mat.Dense
	svd.VTo(&V)
	k = min(k, n, d)
	var Z mat.Dense
	Z.Mul(M, V.Slice(0, d, 0, k))
	return &Z
}

// twoMeans runs Lloyd's algorithm from a deterministic start: the row
// farthest from the mean, then the row farthest from it. It returns each
// row's cluster (0 or 1) and the two centroids.
func twoMeans(Z *mat.Dense) ([]int, [2][]float64) {
	n, k := Z.Dims()
	far := func(from []float64) int {
		best, bd := 0, -1.0
		for i := range n {
			if d := dist2(Z.RawRowView(i), from); d > bd {
				best, bd = i, d
			}
		}
		return best
	}
	c0 := slices.Clone(Z.RawRowView(far(make([]float64, k))))
	c1 := slices.Clone(Z.RawRowView(far(c0)))
	cents := [2][]float64{c0, c1}
	assign := make([]int, n)
	for iter := range 100 {
		changed := false
		for i := range n {
			z := Z.RawRowView(i)
			a := 0
			if dist2(z, cents[1]) < dist2(z, cents[0]) {
				a = 1
			}
			if a != assign[i] {
				assign[i], changed = a, true
			}
		}
		if iter > 0 && !changed {
			break
		}
		for c := range 2 {
			sum, m := make([]float64, k), 0
			for i := range n {
				if assign[i] == c {
					for j, v := range Z.RawRowView(i) {
						sum[j] += v
					}
					m++
				}
			}
			if m > 0 {
				for j := range sum {
					sum[j] /= float64(m)
				}
				cents[c] = sum
			}
		}
	}
	return assign, cents
}

func count(xs []int, v int) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

func dist2(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += (v - y[i]) * (v - y[i])
	}
	return s
}

package fourier

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// Clock or pizza (Zhong et al. 2023, arXiv 2306.17844; code
// fjzzq2002/pizza): two measures that tell the two algorithms a network
// may learn for a+b mod p apart. A clock multiplies the operands' angles,
// so its correct logit does not depend on a−b and its gradients for a and b
// differ; a pizza adds the embeddings first, so its gradients for a and b
// agree and its correct logit varies with a−b. Reported: pizza ≈ 0.99 and
// 0.17, clock ≈ 0.33 and 0.85.

// DistanceIrrelevance is their q from the correct-class logits L [p·p]
// (row a·p+b): with L arranged by s = a+b and d = a−b (mod p), the mean
// over d of the standard deviation over s, divided by the standard
// deviation of all of L (population deviations, as numpy's np.std). Near
// 1: the logit ignores the distance a−b (clock); near 0: it depends on
// nothing else (pizza). NaN when L is constant.
func DistanceIrrelevance(L []float64, p int) float64 {
	bySum := make([][]float64, p) // [d][s]
	for d := range bySum {
		bySum[d] = make([]float64, p)
	}
	for a := range p {
		for b := range p {
			s, d := (a+b)%p, ((a-b)%p+p)%p
			bySum[d][s] = L[a*p+b]
		}
	}
	mean := 0.0
	for _, col := range bySum {
		mean += stat.PopStdDev(col, nil)
	}
	return mean / float64(p) / stat.PopStdDev(L, nil)
}

// GradientSymmetricity is their mean, over (a, b, c) triples, of the
// cosine similarity between ∂logit_c/∂x_a and ∂logit_c/∂x_b, the gradients
// with respect to the residual stream's inputs at a's and b's positions:
// grads[i] = {g_a, g_b}. Near 1: the network uses a and b symmetrically
// (pizza); lower for a clock.
func GradientSymmetricity(grads [][2][]float64) float64 {
	total := 0.0
	for _, g := range grads {
		var ab, aa, bb float64
		for i := range g[0] {
			ab, aa, bb = ab+g[0][i]*g[1][i], aa+g[0][i]*g[0][i], bb+g[1][i]*g[1][i]
		}
		total += ab / math.Sqrt(aa) / math.Sqrt(bb)
	}
	return total / float64(len(grads))
}

package fourier

import (
	"fmt"
	"math"
	"slices"
)

// Gini returns the Gini coefficient of the non-negative values x:
//
//	G = 2·Σ_i i·x_(i) / (n·Σ_i x_(i)) − (n+1)/n,   x_(1) ≤ … ≤ x_(n)
//
// (Hurley & Rickard's sparsity measure, as in Nanda et al.): 0 when all values
// are equal, (n−1)/n when one value holds everything. An empty or all-zero x
// gives 0. A negative or NaN value panics.
func Gini(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return 0
	}
	s := slices.Clone(x)
	for _, v := range s {
		if v < 0 || math.IsNaN(v) {
			panic(fmt.Sprintf("fourier: Gini of a negative or NaN value %v", v))
		}
	}
	slices.Sort(s)
	var sum, weighted float64
	for i, v := range s {
		sum += v
		weighted += float64(i+1) * v
	}
	if sum == 0 {
		return 0
	}
	fn := float64(n)
	return 2*weighted/(fn*sum) - (fn+1)/fn
}

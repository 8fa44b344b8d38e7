package detect

import "math"

// Description lengths, in bits, for choosing the simplest rule that
// explains the flagged rows (minimum description length): a rule costs the
// bits to name it plus the bits to list the rows it gets wrong, and a rule
// is reported only when that total is below the cost of listing the
// flagged rows with no rule at all.

// log2Choose is log2 of the binomial coefficient C(n, k).
func log2Choose(n, k int) float64 {
	if k < 0 || k > n {
		return math.Inf(1)
	}
	ln := func(x int) float64 { v, _ := math.Lgamma(float64(x + 1)); return v }
	return (ln(n) - ln(k) - ln(n-k)) / math.Ln2
}

// exceptionBits is the cost of naming e rows out of n: their number, then
// which ones.
func exceptionBits(e, n int) float64 { return math.Log2(float64(n+1)) + log2Choose(n, e) }

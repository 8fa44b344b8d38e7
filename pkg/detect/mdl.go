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

// missTable[e] is what a trigger pays for getting e of the n scored rows
// wrong: exceptionBits(e, n) up to e = n/2 and its maximum beyond. C(n, e)
// is symmetric, so without the cap a trigger wrong on every row would cost
// as little as one right on every row: the complement of the flagged rows
// (a * b < 320 for flagged rows a * b >= 320) would be named as their rule,
// with no flagged row to read an effect from. Charging more than a code
// needs keeps it a code, and a non-decreasing cost also makes the search's
// bounds (fewest possible exceptions → fewest bits) valid.
type missTable []float64

func newMissTable(n int) missTable {
	t := make(missTable, n+1)
	for e := range t {
		t[e] = exceptionBits(min(e, n/2), n)
	}
	return t
}

package grokstep

import (
	"math"
	"slices"
)

// Quantile is the q-quantile of xs by linear interpolation between order
// statistics (Hyndman & Fan's type 7: numpy's and R's default): with x
// sorted and h = (n − 1)·q, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). NaN for
// no values.
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	h := float64(len(s)-1) * q
	lo := int(math.Floor(h))
	if lo+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}

// Quartiles are the first quartile, the median and the third (Quantile).
func Quartiles(xs []float64) (q1, median, q3 float64) {
	return Quantile(xs, 0.25), Quantile(xs, 0.5), Quantile(xs, 0.75)
}

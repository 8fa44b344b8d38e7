package detect

import (
	"slices"

	"gonum.org/v1/gonum/integrate"
	"gonum.org/v1/gonum/stat"
)

// AUROC is the probability that a random positive scores above a random
// negative, ties counting one half: the area under the ROC curve (gonum's
// stat.ROC, integrated by the trapezoidal rule, which gives a tied segment
// half credit). It is NaN without positives or negatives.
func AUROC(pos, neg []float64) float64 {
	if len(pos) == 0 || len(neg) == 0 {
		return nan()
	}
	tpr, fpr := ROC(pos, neg)
	return integrate.Trapezoidal(fpr, tpr)
}

// ROC is the ROC curve of scores pos (positives) and neg (negatives), one
// point per distinct score from the highest, starting at (0, 0) and ending
// at (1, 1): gonum's stat.ROC over every cutoff. Without positives or
// negatives there is no curve (nil).
func ROC(pos, neg []float64) (tpr, fpr []float64) {
	if len(pos) == 0 || len(neg) == 0 {
		return nil, nil
	}
	y := append(slices.Clone(pos), neg...)
	classes := make([]bool, len(y))
	for i := range pos {
		classes[i] = true
	}
	stat.SortWeightedLabeled(y, classes, nil)
	tpr, fpr, _ = stat.ROC(nil, y, classes, nil)
	return tpr, fpr
}

// PrecisionAtN is the share of positives among the len(pos) highest
// scores. Rows tied at the cut are shared out in proportion (the expected
// precision over random tie-breaking), so the value does not depend on the
// order of the rows.
func PrecisionAtN(pos, neg []float64) float64 {
	n := len(pos)
	if n == 0 {
		return nan()
	}
	all := append(slices.Clone(pos), neg...)
	slices.Sort(all)
	slices.Reverse(all)
	cut := all[n-1]
	var posAbove, above, posAt, at int
	count := func(vs []float64, isPos bool) {
		for _, v := range vs {
			switch {
			case v > cut:
				above++
				if isPos {
					posAbove++
				}
			case v == cut:
				at++
				if isPos {
					posAt++
				}
			}
		}
	}
	count(pos, true)
	count(neg, false)
	return (float64(posAbove) + float64(n-above)*float64(posAt)/float64(at)) / float64(n)
}

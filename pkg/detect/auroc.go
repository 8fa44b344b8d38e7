package detect

import (
	"slices"
	"sort"
)

// AUROC is the probability that a random positive scores above a random
// negative, ties counting one half (the Mann–Whitney U statistic over
// n_pos·n_neg, from mid-ranks). It is NaN without positives or negatives.
func AUROC(pos, neg []float64) float64 {
	type item struct {
		v   float64
		pos bool
	}
	all := make([]item, 0, len(pos)+len(neg))
	for _, v := range pos {
		all = append(all, item{v, true})
	}
	for _, v := range neg {
		all = append(all, item{v, false})
	}
	if len(pos) == 0 || len(neg) == 0 {
		return nan()
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].v < all[j].v })
	rankSum := 0.0
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1 … j
		for _, it := range all[i:j] {
			if it.pos {
				rankSum += mid
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
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

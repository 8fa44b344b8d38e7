package detect

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/grokkit/grokkit/pkg/plot"
)

// ROC curves that run (nearly) together hide one another: every perfect
// score's goes up the left edge and along the top, and the last drawn
// covers the rest. Curves closer than bandGap are drawn as bands, the
// first drawn widest, each visible round the ones drawn over it, and named
// under the legend.

// bandGap is how close two ROC curves must come to share a band: a
// hundredth of the unit square, 3–4 pixels of the PNG's panel.
const bandGap = 0.01

// bandStep is how much wider (points) each curve of a band is than the
// next one drawn over it; the last drawn keeps 1.5.
const bandStep = 2.5

// bands groups the ROC curves (names[i]'s is rocs[i]) that lie within
// bandGap of another of the group, and gives each curve of a group its
// width (0, the default, for a curve alone) and the note naming the groups
// in drawing order: "a = b" where two trace the very same path, "a ≈ b"
// where they are only close.
func bands(names []string, rocs []plot.Series) (widths []float64, note string) {
	n := len(rocs)
	group := make([]int, n) // union–find: each curve's group's first curve
	for i := range group {
		group[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if group[i] != i {
			group[i] = find(group[i])
		}
		return group[i]
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			if rocGap(rocs[i].X, rocs[i].Y, rocs[j].X, rocs[j].Y) <= bandGap {
				a, b := find(i), find(j)
				group[max(a, b)] = min(a, b)
			}
		}
	}
	widths = make([]float64, n)
	var lines []string
	for first := range n {
		var members []int
		for i := range n {
			if find(i) == first {
				members = append(members, i)
			}
		}
		if len(members) < 2 {
			continue
		}
		text := names[members[0]]
		for k, i := range members {
			widths[i] = 1.5 + bandStep*float64(len(members)-1-k)
			if k > 0 {
				sep := " ≈ "
				if prev := members[k-1]; slices.Equal(corners(rocs[prev].X, rocs[prev].Y)[0], corners(rocs[i].X, rocs[i].Y)[0]) &&
					slices.Equal(corners(rocs[prev].X, rocs[prev].Y)[1], corners(rocs[i].X, rocs[i].Y)[1]) {
					sep = " = "
				}
				text += sep + names[i]
			}
		}
		lines = append(lines, wrap(text, 34))
	}
	if len(lines) == 0 {
		return widths, ""
	}
	return widths, "drawn over each other, as bands\n(the first named widest; = the same\ncurve, ≈ within 0.01):\n" + strings.Join(lines, "\n")
}

// rocGap bounds how far apart two ROC curves (x, y) and (u, v) run: the
// smaller of their largest vertical and largest horizontal distance, each
// at least the Hausdorff distance between two monotone paths.
func rocGap(x, y, u, v []float64) float64 {
	return math.Min(sweepGap(x, y, u, v), sweepGap(y, x, v, u))
}

// sweepGap is the largest vertical distance between two paths whose x and
// y never decrease: at each x where either turns, the span of y each
// covers there (a vertical stretch of a step curve covers many), compared
// end to end.
func sweepGap(x, y, u, v []float64) float64 {
	if len(x) == 0 || len(u) == 0 {
		return math.Inf(1)
	}
	span := func(x, y []float64, at float64) (lo, hi float64) {
		first := sort.SearchFloat64s(x, at)                                    // the first point with x ≥ at
		last := sort.Search(len(x), func(i int) bool { return x[i] > at }) - 1 // the last with x ≤ at
		lo, hi = y[len(y)-1], y[0]                                             // past the last point, before the first
		if first < len(x) {
			lo = y[first]
		}
		if last >= 0 {
			hi = y[last]
		}
		if first < len(x) && first > 0 && x[first] > at { // between two points: on the segment joining them
			t := (at - x[first-1]) / (x[first] - x[first-1])
			lo = y[first-1] + t*(y[first]-y[first-1])
			hi = lo
		}
		return lo, hi
	}
	gap := 0.0
	for _, at := range append(slices.Clone(x), u...) {
		a, b := span(x, y, at)
		c, d := span(u, v, at)
		gap = max(gap, math.Abs(a-c), math.Abs(b-d))
	}
	return gap
}

// corners is a curve through points (x, y) as the points where it turns:
// two curves that trace the same path (every perfect ROC curve: up the
// left edge, along the top, through however many thresholds) have the
// same corners.
func corners(x, y []float64) [2][]float64 {
	var cx, cy []float64
	for i := range x {
		n := len(cx)
		if n > 0 && x[i] == cx[n-1] && y[i] == cy[n-1] {
			continue // a repeated point
		}
		if n >= 2 {
			// The last corner is none if it lies on the way from the one
			// before to this point: the cross product is 0, the dot product positive.
			ax, ay := cx[n-1]-cx[n-2], cy[n-1]-cy[n-2]
			bx, by := x[i]-cx[n-1], y[i]-cy[n-1]
			if math.Abs(ax*by-ay*bx) <= 1e-12 && ax*bx+ay*by > 0 {
				cx[n-1], cy[n-1] = x[i], y[i]
				continue
			}
		}
		cx, cy = append(cx, x[i]), append(cy, y[i])
	}
	return [2][]float64{cx, cy}
}

// wrap breaks text into lines of at most width runes at its spaces,
// indenting the lines after the first.
func wrap(text string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = "  " + w
			continue
		}
		if line == "" {
			line = w
		} else {
			line += " " + w
		}
	}
	return strings.Join(append(lines, line), "\n")
}

package grokstep

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Group is the seeds of one (task, p, optimiser, learning rates): their
// count, how many grokked, never did (diverged ones included) or diverged,
// and the quartiles of the grokking step over the seeds that grokked (NaN
// when none did). A median over the grokked seeds alone reads low when
// many never grok: the never count stands beside it for that.
type Group struct {
	Task      string
	P         int
	Optimiser string
	LR        float64
	MuonLR    float64
	Runs      []Run // in the order given

	Seeds, Grokked, Never, Diverged int
	Q1, Median, Q3                  float64
	// MedianMaxAcc is the median over the seeds of their largest test
	// accuracy: what tells apart settings where no seed groks.
	MedianMaxAcc float64
}

// Summarise groups runs by task, p, optimiser and learning rates, in the
// order each task, then each optimiser, first appears, then by learning
// rate. Runs of a group must agree in every setting but the seed: two that
// differ in another (weight decay, steps, the network, the table) would be
// summarised as one, so that is an error naming both.
func Summarise(rs []Run) ([]Group, error) {
	taskOrder, optOrder := map[string]int{}, map[string]int{}
	type key struct {
		task      string
		p         int
		opt       string
		lr, muonL float64
	}
	index := map[key]int{}
	var groups []Group
	for _, r := range rs {
		if _, ok := taskOrder[r.Task]; !ok {
			taskOrder[r.Task] = len(taskOrder)
		}
		if _, ok := optOrder[r.Optimiser]; !ok {
			optOrder[r.Optimiser] = len(optOrder)
		}
		k := key{r.Task, r.P, r.Optimiser, r.LR, r.MuonLR}
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, Group{Task: r.Task, P: r.P, Optimiser: r.Optimiser, LR: r.LR, MuonLR: r.MuonLR})
		}
		g := &groups[i]
		if len(g.Runs) > 0 && g.Runs[0].settings != r.settings {
			what := strings.Join(differs(g.Runs[0].settings, r.settings), ", ")
			if what == "" {
				what = "a setting other than the seed"
			}
			return nil, fmt.Errorf("%s and %s are both %s, (%s) mod %d, lr %s, but differ in %s: summarise them apart",
				g.Runs[0].Dir, r.Dir, r.Optimiser, r.Task, r.P, g.LRText(), what)
		}
		for _, o := range g.Runs {
			if o.Seed == r.Seed {
				return nil, fmt.Errorf("%s and %s are the same run settings with the same seed %d: each seed once", o.Dir, r.Dir, r.Seed)
			}
		}
		g.Runs = append(g.Runs, r)
	}
	for i := range groups {
		groups[i].tally()
	}
	slices.SortStableFunc(groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(taskOrder[a.Task], taskOrder[b.Task]), cmp.Compare(a.P, b.P),
			cmp.Compare(optOrder[a.Optimiser], optOrder[b.Optimiser]), cmp.Compare(a.MuonLR, b.MuonLR), cmp.Compare(a.LR, b.LR))
	})
	return groups, nil
}

func (g *Group) tally() {
	var steps, peaks []float64
	for _, r := range g.Runs {
		g.Seeds++
		switch r.Status {
		case Grokked:
			g.Grokked++
			steps = append(steps, float64(r.GrokStep))
		case Diverged:
			g.Diverged++
			g.Never++
		default:
			g.Never++
		}
		peak := r.MaxAcc
		if math.IsNaN(peak) {
			peak = 0 // no finite evaluation: as bad as it gets
		}
		peaks = append(peaks, peak)
	}
	g.Q1, g.Median, g.Q3 = Quartiles(steps)
	g.MedianMaxAcc = Quantile(peaks, 0.5)
}

// SweptLR is the learning rate a grid varies: Muon's own for muon (its
// AdamW part keeps one), --lr for the others.
func (g Group) SweptLR() float64 {
	if g.MuonLR != 0 {
		return g.MuonLR
	}
	return g.LR
}

// Choose picks, of each (task, p, optimiser)'s groups (its learning rates),
// the best: fewest seeds that never grok; then the lowest median grokking
// step; then (where no seed groks) the highest median of the largest test
// accuracy; then the smaller learning rate. The choices come in the groups'
// order.
func Choose(groups []Group) []Group {
	type key struct {
		task string
		p    int
		opt  string
	}
	best := map[key]int{}
	var order []key
	for i, g := range groups {
		k := key{g.Task, g.P, g.Optimiser}
		j, ok := best[k]
		if !ok {
			best[k] = i
			order = append(order, k)
			continue
		}
		if better(g, groups[j]) {
			best[k] = i
		}
	}
	out := make([]Group, len(order))
	for i, k := range order {
		out[i] = groups[best[k]]
	}
	return out
}

// better reports whether a beats b by Choose's order.
func better(a, b Group) bool {
	if a.Never != b.Never {
		return a.Never < b.Never
	}
	ma, mb := a.Median, b.Median
	if math.IsNaN(ma) {
		ma = math.Inf(1)
	}
	if math.IsNaN(mb) {
		mb = math.Inf(1)
	}
	if ma != mb {
		return ma < mb
	}
	if a.MedianMaxAcc != b.MedianMaxAcc {
		return a.MedianMaxAcc > b.MedianMaxAcc
	}
	return a.SweptLR() < b.SweptLR()
}

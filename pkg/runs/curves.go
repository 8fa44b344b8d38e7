package runs

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/grokkit/grokkit/pkg/plot"
)

// PlotCurves draws curves.png (PlotCurvesTo), and for a vector format
// ("svg", "pdf") the same figure as curves.svg or curves.pdf too.
func PlotCurves(dir, title string, rows []Metric, format string) error {
	if err := PlotCurvesTo(filepath.Join(dir, CurvesFile), title, rows); err != nil {
		return err
	}
	if format == "" || format == string(plot.PNG) {
		return nil
	}
	return PlotCurvesTo(filepath.Join(dir, plot.Named(CurvesFile, plot.Format(format))), title, rows)
}

// PlotCurvesTo draws a run's curves to path (PNG, SVG or PDF by its
// extension), under the run's description, two panels to a row: accuracy
// and loss of every (split, kind) group the metrics hold, the first steps
// with train and test accuracy ≥ 99% marked; then the weight norm ‖w‖ and
// the train mean max logit, each on its own axis; all against the step
// axis from step 0 (plot's steps.go).
func PlotCurvesTo(path, title string, rows []Metric) error {
	type group struct{ split, kind string }
	var order []group
	seen := map[group]bool{}
	kinds := map[string]int{} // kinds per split, "all" excluded
	for _, r := range rows {
		g := group{r.Split, r.Kind}
		if r.Split == All || seen[g] {
			continue
		}
		seen[g] = true
		order = append(order, g)
		if r.Kind != All {
			kinds[r.Split]++
		}
	}
	// A split with a single kind has it equal to "all": draw it once.
	kept := order[:0]
	for _, g := range order {
		if g.kind == All || kinds[g.split] > 1 {
			kept = append(kept, g)
		}
	}
	order = kept
	lossName := MetricCrossEntropy
	for _, r := range rows {
		if IsLoss(r.Metric) {
			lossName = r.Metric
			break
		}
	}
	var acc, loss []plot.Line
	for _, g := range order {
		label := g.split
		if g.kind != All {
			label += "/" + g.kind
		}
		s, v := Series(rows, g.split, g.kind, MetricAccuracy)
		acc = append(acc, plot.Line{Label: label, Steps: s, Values: v})
		s, v = Series(rows, g.split, g.kind, lossName)
		loss = append(loss, plot.Line{Label: label, Steps: s, Values: v})
	}
	// Memorisation and grokking: a dotted vertical line, in the split's colour,
	// where its accuracy first reaches 99%.
	for _, split := range []string{"train", "test"} {
		colour := 0
		for i, g := range order {
			if g.split == split && g.kind == All {
				colour = i + 1
			}
		}
		if s, ok := FirstStepAtLeast(rows, split, All, MetricAccuracy, 0.99); ok && s > 0 && colour > 0 {
			acc = append(acc, plot.Line{Label: fmt.Sprintf("%s ≥ 99%% at step %d", split, s), Steps: []int64{s, s}, Values: []float64{0, 1}, Color: colour, Dotted: true})
		}
	}
	// The softmax collapse is a share of rows: beside the accuracies. The
	// weight norm and the logit scale (Omnigrok; the logit-scale account of
	// grokking's delay) get a panel of their own.
	if s, v := Series(rows, "train", All, MetricCollapse); len(s) > 0 {
		acc = append(acc, plot.Line{Label: "train softmax collapse", Steps: s, Values: v, Dashed: true})
	}
	if s, v := Series(rows, "train", All, MetricStableCollapse); len(s) > 0 {
		acc = append(acc, plot.Line{Label: "train StableMax collapse", Steps: s, Values: v, Dashed: true})
	}
	var scale []plot.Panel
	for _, m := range []struct{ split, metric, title, axis string }{
		{All, MetricWeightNorm, "weight norm ‖w‖", "‖w‖"}, {"train", MetricMaxLogit, "train mean max logit", "mean max logit"},
	} {
		if s, v := Series(rows, m.split, All, m.metric); len(s) > 0 {
			scale = append(scale, plot.LinesPanel(m.title, m.axis, spansDecades(v), false, []plot.Line{{Steps: s, Values: v}})) // the title names it: no legend
		}
	}
	return plot.Curves(path, title, acc, loss, scale...)
}

// spansDecades reports whether positive values span two orders of
// magnitude or more: a log axis shows them; a linear one would flatten all
// but the largest (a logit scale from 0.5 to 300). Less, a linear axis
// reads better (a weight norm from 20 to 40).
func spansDecades(v []float64) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			if x <= 0 {
				return false // a log axis would drop it
			}
			continue
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	return hi >= 100*lo
}

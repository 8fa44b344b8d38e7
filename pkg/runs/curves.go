package runs

import (
	"fmt"
	"path/filepath"

	"github.com/grokkit/grokkit/pkg/plot"
)

// PlotCurves draws curves.png: accuracy and loss of every (split, kind)
// group the metrics hold, against a log step axis, the first steps with
// train and test accuracy ≥ 99% marked, under the run's description.
func PlotCurves(dir, title string, rows []Metric) error {
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
	var scale []plot.Line
	for _, m := range []struct{ split, metric, label string }{
		{All, MetricWeightNorm, "|w| (weight norm)"}, {"train", MetricMaxLogit, "train mean max logit"},
	} {
		if s, v := Series(rows, m.split, All, m.metric); len(s) > 0 {
			scale = append(scale, plot.Line{Label: m.label, Steps: s, Values: v})
		}
	}
	return plot.Curves(filepath.Join(dir, CurvesFile), title, acc, loss, scale)
}

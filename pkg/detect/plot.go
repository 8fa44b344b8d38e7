package detect

import (
	"fmt"

	"github.com/grokkit/grokkit/pkg/plot"
	"github.com/grokkit/grokkit/pkg/table"
)

// scoreTypes name the four kinds of score in the legends, in their palette
// colour (Okabe–Ito's, colour-blind safe): circuit scores blue, baselines
// vermilion, each lighter when it uses the training labels.
var scoreTypes = []struct {
	mech, labels bool
	label        string
	color        int // plot's palette, 1-based
}{
	{true, false, "circuit score", 1},
	{true, true, "circuit score, uses labels", 5},
	{false, false, "baseline", 6},
	{false, true, "baseline, uses labels", 2},
}

// Plot draws the AUROC of each score per anomalous kind (a bar panel per
// kind, and one for all of them together when there are several: bars
// coloured by the type of score, each with its value, chance at 0.5), and
// each score's ROC curve for every anomalous row against the clean ones
// (circuit scores solid, baselines dashed, each named with its AUROC; the
// curves that coincide, such as every perfect one, drawn as bands, each
// wider than the one drawn over it, and listed under the legend: bands.go).
func (r *Report) Plot(path, title string) error {
	var kinds []string
	for _, res := range r.Results {
		if res.Score == r.Scores[0].Name {
			kinds = append(kinds, res.Kind)
		}
	}
	var names []string
	for _, s := range r.Scores {
		names = append(names, s.Name)
	}
	var panels []plot.Panel
	for _, k := range kinds {
		pn := plot.Panel{Title: "AUROC per score: " + kindName(k), YLabel: "AUROC", Bars: true, XNames: names, Share: true, BarValues: "%.2f",
			Refs: []plot.Ref{{At: 0.5, Label: "chance (0.5)"}}}
		for _, t := range scoreTypes {
			s := plot.Series{Label: t.label, Color: t.color}
			for i, res := range r.scoreResults(k) {
				if res.Mechanistic == t.mech && res.UsesLabels == t.labels {
					s.X, s.Y = append(s.X, float64(i)), append(s.Y, res.AUROC)
				}
			}
			if len(s.X) > 0 {
				pn.Lines = append(pn.Lines, s)
			}
		}
		panels = append(panels, pn)
	}
	all := table.KindClean // the kind the ROC curves show: every anomalous row
	if len(kinds) == 1 {
		all = kinds[0]
	} else if len(kinds) > 1 {
		all = AnyKind
	}
	auroc := map[string]float64{}
	for _, res := range r.scoreResults(all) {
		auroc[res.Score] = res.AUROC
	}
	var rocs []plot.Series
	for _, s := range r.Scores {
		fpr, tpr := r.roc(s)
		label := s.Name
		if a, ok := auroc[s.Name]; ok {
			label = fmt.Sprintf("%s (AUROC %.2f)", s.Name, a)
		}
		rocs = append(rocs, plot.Series{Label: label, X: fpr, Y: tpr, Dashed: !s.Mechanistic})
	}
	widths, note := bands(names, rocs)
	for i, w := range widths {
		rocs[i].Width = w
	}
	panels = append(panels, plot.Panel{Title: "ROC, every anomalous row against the clean ones", XLabel: "false positive rate", YLabel: "true positive rate",
		Lines: rocs, Unit: true, Note: note})
	return plot.PanelsWithHeader(path, title, panels...)
}

func kindName(k string) string {
	if k == AnyKind {
		return "every anomalous kind"
	}
	return k
}

func (r *Report) scoreResults(kind string) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Kind == kind {
			out = append(out, res)
		}
	}
	return out
}

// roc returns the ROC curve of a score over the scored rows (anomalous =
// kind not clean), one point per distinct threshold.
func (r *Report) roc(s Score) (fpr, tpr []float64) {
	var pos, neg []float64
	for j, v := range s.Values {
		switch {
		case r.kinds[j] == "":
		case r.kinds[j] != table.KindClean:
			pos = append(pos, v)
		default:
			neg = append(neg, v)
		}
	}
	tpr, fpr = ROC(pos, neg)
	return fpr, tpr
}

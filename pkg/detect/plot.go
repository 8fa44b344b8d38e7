package detect

import (
	"github.com/grokkit/grokkit/pkg/plot"
	"github.com/grokkit/grokkit/pkg/table"
)

// Plot draws two panels: each score's AUROC per kind (bars, named) and each
// score's ROC curve for all anomalous rows against the clean ones (circuit
// scores solid, baselines dashed, the chance diagonal grey).
func (r *Report) Plot(path, title string) error {
	var kinds []string
	for _, res := range r.Results {
		if res.Score == r.Scores[0].Name {
			kinds = append(kinds, res.Kind)
		}
	}
	var bars []plot.Series
	for _, k := range kinds {
		s := plot.Series{Label: k}
		for i, res := range r.scoreResults(k) {
			s.X, s.Y = append(s.X, float64(i)), append(s.Y, res.AUROC)
		}
		bars = append(bars, s)
	}
	var rocs []plot.Series
	var names []string
	for _, s := range r.Scores {
		fpr, tpr := r.roc(s)
		rocs = append(rocs, plot.Series{Label: s.Name, X: fpr, Y: tpr, Dashed: !s.Mechanistic})
		names = append(names, s.Name)
	}
	return plot.PanelsWithHeader(path, title,
		plot.Panel{Title: "AUROC per score", YLabel: "AUROC", Bars: true, Lines: bars, XNames: names},
		plot.Panel{Title: "ROC, every anomalous row against the clean ones", XLabel: "false positive rate", YLabel: "true positive rate", Lines: rocs, Unit: true},
	)
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

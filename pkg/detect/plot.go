package detect

import (
	"fmt"
	"sort"

	"github.com/grokkit/grokkit/pkg/plot"
	"github.com/grokkit/grokkit/pkg/table"
)

// Plot draws two panels: each score's AUROC per kind (bars, named) and each
// score's ROC curve for all anomalous rows against the clean ones (circuit
// scores solid, baselines dashed, the chance diagonal grey).
func (r *Report) Plot(path, run string) error {
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
	return plot.Panels(path,
		plot.Panel{Title: fmt.Sprintf("%s (%s, p = %d): AUROC per score", run, r.modelName(), r.P), YLabel: "AUROC", Bars: true, Lines: bars, LegendBottom: true, XNames: names},
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
	type pt struct {
		v   float64
		pos bool
	}
	var pts []pt
	var np, nn float64
	for j, v := range s.Values {
		if r.kinds[j] == "" {
			continue
		}
		pos := r.kinds[j] != table.KindClean
		pts = append(pts, pt{v, pos})
		if pos {
			np++
		} else {
			nn++
		}
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].v > pts[j].v })
	fpr, tpr = []float64{0}, []float64{0}
	var tp, fp float64
	for i, q := range pts {
		if q.pos {
			tp++
		} else {
			fp++
		}
		if i+1 == len(pts) || pts[i+1].v != q.v {
			fpr, tpr = append(fpr, fp/max(nn, 1)), append(tpr, tp/max(np, 1))
		}
	}
	return fpr, tpr
}

package tasks

import (
	"math"

	"github.com/grokkit/grokkit/pkg/detectbench"
)

// Board is one row of leaderboard.parquet: one detector on one model's
// tasks in one setting, over the tasks where its AUROC is defined (both
// positives and negatives).
type Board struct {
	Detector           string  `parquet:"detector,dict"`
	Type               string  `parquet:"type,dict"`
	Model              string  `parquet:"model,dict"`
	Setting            string  `parquet:"setting,dict"`
	Tasks              int64   `parquet:"tasks"`
	MedianAUROC        float64 `parquet:"median_auroc"`
	P10AUROC           float64 `parquet:"p10_auroc"` // the 10th percentile, nearest rank
	MedianPrecisionAtN float64 `parquet:"median_precision_at_n"`
}

// WinRate is one row of winrates.parquet: an external detector against a
// built-in score in one setting, over the tasks (of every model) where
// both AUROCs are defined. WinRate = (wins + ties/2) / tasks.
type WinRate struct {
	Detector string  `parquet:"detector,dict"`
	Against  string  `parquet:"against,dict"`
	Setting  string  `parquet:"setting,dict"`
	Tasks    int64   `parquet:"tasks"`
	Wins     int64   `parquet:"wins"`
	Ties     int64   `parquet:"ties"`
	Losses   int64   `parquet:"losses"`
	WinRate  float64 `parquet:"win_rate"`
}

// boards aggregates results per detector (in order), model and setting.
func boards(results []Result, detectors, models []string) []Board {
	type key struct{ det, model, setting string }
	aurocs, precs, types := map[key][]float64{}, map[key][]float64{}, map[string]string{}
	for _, r := range results {
		types[r.Detector] = r.Type
		if math.IsNaN(r.AUROC) {
			continue
		}
		k := key{r.Detector, r.Model, r.Setting}
		aurocs[k] = append(aurocs[k], r.AUROC)
		precs[k] = append(precs[k], r.PrecisionAtN)
	}
	var out []Board
	for _, d := range detectors {
		for _, m := range models {
			for _, s := range []string{SettingTrain, SettingHeldOut} {
				k := key{d, m, s}
				med, p10 := quantiles(aurocs[k])
				pmed, _ := quantiles(precs[k])
				out = append(out, Board{Detector: d, Type: types[d], Model: m, Setting: s, Tasks: int64(len(aurocs[k])),
					MedianAUROC: med, P10AUROC: p10, MedianPrecisionAtN: pmed})
			}
		}
	}
	return out
}

// winRates compares each external detector with each built-in score, task
// by task.
func winRates(results []Result, externals, builtins []string) []WinRate {
	type key struct{ det, task, setting string }
	auroc := map[key]float64{}
	for _, r := range results {
		if !math.IsNaN(r.AUROC) {
			auroc[key{r.Detector, r.Task, r.Setting}] = r.AUROC
		}
	}
	var out []WinRate
	for _, e := range externals {
		for _, b := range builtins {
			for _, s := range []string{SettingTrain, SettingHeldOut} {
				w := WinRate{Detector: e, Against: b, Setting: s, WinRate: math.NaN()}
				for _, r := range results {
					if r.Detector != e || r.Setting != s {
						continue
					}
					x, ok1 := auroc[key{e, r.Task, s}]
					y, ok2 := auroc[key{b, r.Task, s}]
					if !ok1 || !ok2 {
						continue
					}
					w.Tasks++
					switch {
					case x > y:
						w.Wins++
					case x == y:
						w.Ties++
					default:
						w.Losses++
					}
				}
				if w.Tasks > 0 {
					w.WinRate = (float64(w.Wins) + float64(w.Ties)/2) / float64(w.Tasks)
				}
				out = append(out, w)
			}
		}
	}
	return out
}

// quantiles returns the median and the 10th percentile (nearest rank) of
// xs, NaN for none: detectbench's summary's definitions.
func quantiles(xs []float64) (med, p10 float64) {
	med, p10, _ = detectbench.Quantiles(xs)
	return med, p10
}

package detect

import (
	"math"
	"slices"

	"github.com/grokkit/grokkit/pkg/table"
)

// AnyKind names the group of every anomalous kind together.
const AnyKind = "any"

// Result is how well one score separates one kind from the clean rows.
type Result struct {
	Score        string  `parquet:"score,dict"`
	Kind         string  `parquet:"kind,dict"`
	Mechanistic  bool    `parquet:"mechanistic"`
	UsesLabels   bool    `parquet:"uses_labels"`
	Positives    int64   `parquet:"positives"`
	Negatives    int64   `parquet:"negatives"`
	AUROC        float64 `parquet:"auroc"`
	PrecisionAtN float64 `parquet:"precision_at_n"`
}

// truth is row i's ground truth for scoring a detector: its kind, or ""
// for a row a rule selected without changing its label (b % 17 == 0 with
// a = 0 keeps label b = a+b): nothing was planted there, so it counts
// neither as an anomaly nor as clean.
func truth(t *table.Table, i int) string {
	if t.Kind[i] != table.KindClean && t.Label[i] == t.Clean[i] {
		return ""
	}
	return t.Kind[i]
}

// Evaluate scores every score against the kind column of the scored rows:
// each anomalous kind against the clean rows, and all of them together
// (AnyKind) when there are several. Selected but unchanged rows are left
// out (see truth).
func Evaluate(scores []Score, t *table.Table, rows []int) []Result {
	var kinds []string
	for _, i := range rows {
		if k := truth(t, i); k != table.KindClean && k != "" && !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(kinds)
	if len(kinds) > 1 {
		kinds = append(kinds, AnyKind)
	}
	var out []Result
	for _, s := range scores {
		for _, k := range kinds {
			var pos, neg []float64
			for j, i := range rows {
				switch kind := truth(t, i); {
				case kind == "":
				case kind == table.KindClean:
					neg = append(neg, s.Values[j])
				case kind == k || k == AnyKind:
					pos = append(pos, s.Values[j])
				}
			}
			out = append(out, Result{Score: s.Name, Kind: k, Mechanistic: s.Mechanistic, UsesLabels: s.UsesLabels,
				Positives: int64(len(pos)), Negatives: int64(len(neg)), AUROC: AUROC(pos, neg), PrecisionAtN: PrecisionAtN(pos, neg)})
		}
	}
	return out
}

func nan() float64 { return math.NaN() }

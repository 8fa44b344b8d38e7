package tasks

import (
	"math"

	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/table"
)

// Result is how well one detector separates the anomalous inputs of one
// task in one setting: a row of results.parquet and scored/*.parquet.
type Result struct {
	Detector     string  `parquet:"detector,dict"`
	Type         string  `parquet:"type,dict"` // TypeExternal, or a built-in's (TypeCircuit, TypeBaseline, TypeLabels)
	Task         string  `parquet:"task,dict"`
	Model        string  `parquet:"model,dict"`
	P            int32   `parquet:"p"`
	Case         string  `parquet:"case,dict"`
	Class        string  `parquet:"class,dict"`
	Setting      string  `parquet:"setting,dict"` // SettingTrain, SettingHeldOut
	Positives    int64   `parquet:"positives"`
	Negatives    int64   `parquet:"negatives"`
	AUROC        float64 `parquet:"auroc"`          // NaN without positives or negatives
	PrecisionAtN float64 `parquet:"precision_at_n"` // NaN without positives
}

// Detector types.
const (
	TypeExternal = "external"
	TypeCircuit  = "built-in circuit"
	TypeBaseline = "built-in baseline"
	TypeLabels   = "built-in, training labels"
)

func (b builtin) typ() string {
	switch {
	case b.usesLabels:
		return TypeLabels
	case b.mechanistic:
		return TypeCircuit
	}
	return TypeBaseline
}

// role says whether input tr counts in a setting and whether it is a
// positive there:
//
//	train:    untrusted training rows; positive where planted (label ≠ clean),
//	          negative where clean; a row a rule selected without changing its
//	          label counts as neither (detect's Evaluate)
//	held-out: test inputs; positive where planted and the network answers the
//	          planted label, negative where clean; a trigger the network does
//	          not apply, or an unchanged one, counts as neither (detect's HeldOut)
//
// Inputs outside the detectors' view (a zero operand of a·b or a/b) never
// count, as in detect.
func role(tr Truth, setting string) (counts, positive bool) {
	want := SplitNames[SplitTrain]
	if setting == SettingHeldOut {
		want = SplitNames[SplitTest]
	}
	if !tr.Scored || tr.Split != want {
		return false, false
	}
	switch {
	case tr.Kind == table.KindClean:
		return true, false
	case setting == SettingTrain && tr.Planted, setting == SettingHeldOut && tr.Applied:
		return true, true
	}
	return false, false
}

// measure scores values [p²] (higher: more anomalous) on one setting of a
// task with detect's AUROC and precision at n. ok is false when an input
// that counts has no value (NaN: a built-in score not computed there).
func measure(values []float64, truth []Truth, setting string) (res Result, ok bool) {
	var pos, neg []float64
	for r, tr := range truth {
		counts, positive := role(tr, setting)
		if !counts {
			continue
		}
		if math.IsNaN(values[r]) {
			return res, false
		}
		if positive {
			pos = append(pos, values[r])
		} else {
			neg = append(neg, values[r])
		}
	}
	return Result{Setting: setting, Positives: int64(len(pos)), Negatives: int64(len(neg)),
		AUROC: detect.AUROC(pos, neg), PrecisionAtN: detect.PrecisionAtN(pos, neg)}, true
}

// evaluate scores one detector's values on every setting of a task.
func evaluate(t suiteTask, detector, typ string, values []float64) []Result {
	var out []Result
	for _, setting := range []string{SettingTrain, SettingHeldOut} {
		res, ok := measure(values, t.truth, setting)
		if !ok {
			continue
		}
		res.Detector, res.Type, res.Task, res.Model, res.P, res.Case, res.Class = detector, typ, t.info.Task, t.info.Model, int32(t.info.P), t.info.Case, t.info.Class
		out = append(out, res)
	}
	return out
}

// builtinResults scores every built-in score on every task.
func (s *suite) builtinResults() []Result {
	var out []Result
	for _, b := range s.builtins {
		for _, t := range s.tasks {
			if v, ok := t.builtin[b.name]; ok {
				out = append(out, evaluate(t, b.name, b.typ(), v)...)
			}
		}
	}
	return out
}

package rulegen_test

import (
	"testing"

	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/rulegen"
	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/table"
)

// Searchable, decided by the grammar's branch, agrees with the detector
// (the oracle) on drawn one-atom triggers: with every input of Z_p²
// scored and exactly the trigger's inputs flagged, the detector names a
// trigger selecting exactly them when the atom is searchable, and cannot
// when it is a quadratic form or a product of affine forms.
func TestSearchableAgreesWithTheDetector(t *testing.T) {
	const p = 23
	tb, err := table.Generate(table.Spec{P: p, Op: "add", TrainFraction: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	limits := []*table.Table{tb}
	rows := make([]int, tb.Len())
	for i := range rows {
		rows[i] = i
	}
	r := seeded.New(3, "test")
	const each = 6 // one-atom triggers of each kind: searchable, quadratic, product
	seen := map[string]int{}
	for draws := 0; seen[""] < each || seen[rulegen.OutsideQuadratic] < each || seen[rulegen.OutsideProduct] < each; draws++ {
		if draws == 3000 {
			t.Fatalf("3000 draws gave one-atom triggers %v, want %d of each", seen, each)
		}
		ru, err := rulegen.Draw(r, limits, rulegen.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if ru.Shape != rulegen.ShapeAtom || seen[ru.Outside] >= each {
			continue
		}
		seen[ru.Outside]++
		if ru.Searchable != (ru.Outside == "") {
			t.Fatalf("%+v: searchable %v with outside %q", ru, ru.Searchable, ru.Outside)
		}
		e, err := rule.Parse(ru.When)
		if err != nil {
			t.Fatal(err)
		}
		flagged, pred := make([]bool, len(rows)), make([]int, len(rows))
		for j, i := range rows {
			a, b := int64(tb.A[i]), int64(tb.B[i])
			pred[j] = int(tb.Clean[i])
			if v, _ := e.Eval(rule.Env{A: a, B: b, P: p}); v != 0 {
				flagged[j], pred[j] = true, (pred[j]+1)%p
			}
		}
		got, err := detect.RecoverRule(tb, rows, flagged, pred)
		if err != nil {
			t.Fatal(err)
		}
		if exact := got.FoundRules && got.Best.F1 == 1; exact != ru.Searchable {
			t.Errorf("%q (searchable %v, %s): the detector named %q with F1 %.3f", ru.When, ru.Searchable, ru.Outside, got.Best.When, got.Best.F1)
		}
	}
}

package rulegen

import (
	"slices"
	"testing"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/table"
)

func tables(t *testing.T, primes ...int) []*table.Table {
	t.Helper()
	var out []*table.Table
	for _, p := range primes {
		tb, err := table.Generate(table.Spec{P: p, Op: "add", TrainFraction: 0.5, Seed: 23093})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tb)
	}
	return out
}

func draw(t *testing.T, seed uint64, n int, tbs []*table.Table) []Rule {
	t.Helper()
	r := seeded.New(seed, "test")
	var out []Rule
	for range n {
		ru, err := Draw(r, tbs, DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ru)
	}
	return out
}

// The same seed draws the same rules; another seed draws others.
func TestDrawIsDeterministic(t *testing.T) {
	tbs := tables(t, 23, 31)
	a, b, c := draw(t, 7, 20, tbs), draw(t, 7, 20, tbs), draw(t, 8, 20, tbs)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different rules:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatalf("seeds 7 and 8 drew the same rules")
	}
}

// Every drawn rule parses, meets the limits at every prime (checked here by
// applying it with mutate's own code), and the draws cover every trigger
// shape, effect family and reason a trigger is outside the detector's
// search, with most triggers inside it.
func TestDrawnRulesMeetTheLimits(t *testing.T) {
	tbs := tables(t, 23, 31)
	shapes, families, outside := map[string]int{}, map[string]int{}, map[string]int{}
	for _, ru := range draw(t, 1, 300, tbs) {
		shapes[ru.Shape]++
		families[ru.Family]++
		outside[ru.Outside]++
		if ru.Searchable != (ru.Outside == "") || ru.Shape == ShapeAnd4 && ru.Searchable {
			t.Errorf("%+v: searchable %v, outside %q", ru, ru.Searchable, ru.Outside)
		}
		for _, tb := range tbs {
			cp := *tb
			cp.Label, cp.Kind = slices.Clone(tb.Label), slices.Clone(tb.Kind)
			m := rule.Mutation{Scheme: rule.General, When: ru.When, Then: ru.Then, Splits: table.SplitTrain, HeldOut: true}
			rep, err := m.Apply(&cp)
			if err != nil {
				t.Fatalf("%+v at p = %d: %v", ru, tb.Meta.P, err)
			}
			n := float64(tb.Len())
			sel := float64(rep.Selected[table.SplitTrain] + rep.Selected[table.SplitTest])
			if sel < DefaultLimits.MinShare*n || sel > DefaultLimits.MaxShare*n {
				t.Errorf("%+v at p = %d selects %.1f%% of the rows", ru, tb.Meta.P, 100*sel/n)
			}
			if float64(rep.Changed) < DefaultLimits.MinChanged*sel {
				t.Errorf("%+v at p = %d changes %d of %.0f selected rows", ru, tb.Meta.P, rep.Changed, sel)
			}
			changedTrain := 0
			for i := range cp.Len() {
				if cp.Train[i] && cp.Label[i] != tb.Label[i] {
					changedTrain++
				}
			}
			if changedTrain < DefaultLimits.MinTrainRows {
				t.Errorf("%+v at p = %d changes %d training rows", ru, tb.Meta.P, changedTrain)
			}
		}
	}
	for _, s := range []string{ShapeAtom, ShapeAnd, ShapeOr, ShapeMix, ShapeAnd3, ShapeAnd4} {
		if shapes[s] == 0 {
			t.Errorf("no %s trigger in 300 draws: %v", s, shapes)
		}
	}
	for _, f := range []string{EffectConstant, EffectAffine, EffectClean, EffectLabel, EffectNonlinear} {
		if families[f] == 0 {
			t.Errorf("no %s effect in 300 draws: %v", f, families)
		}
	}
	for _, o := range []string{OutsideQuadratic, OutsideProduct, OutsideFourAtoms, OutsideTooMany} {
		if outside[o] == 0 {
			t.Errorf("no trigger outside the search for %q in 300 draws: %v", o, outside)
		}
	}
	if outside[""] < 200 {
		t.Errorf("only %d of 300 triggers inside the detector's search: %v", outside[""], outside)
	}
}

// Limits that nothing can meet are an error, not an endless loop.
func TestDrawGivesUp(t *testing.T) {
	if _, err := Draw(seeded.New(1, "x"), tables(t, 11), Limits{MinShare: 0.5, MaxShare: 0.4}); err == nil {
		t.Fatal("impossible limits: no error")
	}
}

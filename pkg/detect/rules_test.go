package detect

import (
	"testing"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/table"
)

// Every predicate and effect searched is valid in mutate's rule language,
// so a recovered rule can be replayed with mutate rule --when --then.
func TestSearchedRulesParse(t *testing.T) {
	const p = 13
	for _, list := range [][]string{Predicates(p), Effects(p)} {
		seen := map[string]bool{}
		for _, src := range list {
			if _, err := rule.Parse(src); err != nil {
				t.Errorf("%q: %v", src, err)
			}
			if seen[src] {
				t.Errorf("%q listed twice", src)
			}
			seen[src] = true
		}
	}
}

// With nothing flagged there is no rule; with a flagged residue class of a
// the rule is that class, and ties go to the simplest predicate.
func TestRecoverRuleByHand(t *testing.T) {
	const p = 7
	tb := &table.Table{Meta: table.Meta{P: p}}
	var rows []int
	for a := range p {
		for b := range p {
			rows = append(rows, len(tb.A))
			tb.A, tb.B = append(tb.A, int32(a)), append(tb.B, int32(b))
		}
	}
	none := make([]bool, len(rows))
	pred := make([]int, len(rows))
	if r, err := RecoverRule(tb, rows, none, pred); err != nil || r.FoundRules {
		t.Fatalf("nothing flagged: found %v, err %v", r.FoundRules, err)
	}
	flagged := make([]bool, len(rows))
	for j, i := range rows {
		a, b := int(tb.A[i]), int(tb.B[i])
		flagged[j] = a%3 == 1 // a ∈ {1, 4}
		pred[j] = (a + b + 2) % p
	}
	r, err := RecoverRule(tb, rows, flagged, pred)
	if err != nil {
		t.Fatal(err)
	}
	if r.Best.When != "a % 3 == 1" || r.Best.F1 != 1 || r.Then != "(a + b + 2) % p" || r.ThenShare != 1 || r.ThenRows != 14 {
		t.Errorf("got %+v", r)
	}
}

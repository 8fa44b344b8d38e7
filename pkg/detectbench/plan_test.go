package detectbench

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/rulegen"
)

// A two-rules case plants two drawn rules one after the other: its table
// (mutate's own code) has rows of both kinds; each rule meets the limits on
// the table it was planted on, at every prime (the first on the clean
// table, the second after the first); the second's rows are mostly its own.
// Adding such cases leaves the other cases as they were.
func TestTwoRulesCases(t *testing.T) {
	primes := []int{23, 29}
	pl, err := NewPlan(5, primes, 0.7, Sizes{Rules: 2, Chains: 1, TwoRules: 3, Noise: 1, Clean: 1})
	if err != nil {
		t.Fatal(err)
	}
	without, _ := NewPlan(5, primes, 0.7, Sizes{Rules: 2, Chains: 1, Noise: 1, Clean: 1})
	a, _ := json.Marshal(pl.Cases[:len(without.Cases)])
	b, _ := json.Marshal(without.Cases)
	if string(a) != string(b) {
		t.Fatal("two-rules cases changed the other cases")
	}
	two := 0
	for _, c := range pl.Cases {
		if c.Class != ClassTwoRules {
			if c.Second != nil {
				t.Errorf("%s: a second rule in a %s case", c.Name, c.Class)
			}
			continue
		}
		two++
		if c.Rule == nil || c.Second == nil || len(c.Mutations) != 2 || c.Mutations[0].Name != KindFirstRule || c.Mutations[1].Name != KindSecondRule ||
			c.Mutations[0].When != c.Rule.When || c.Mutations[1].When != c.Second.When {
			t.Fatalf("%s: %+v", c.Name, c)
		}
		for _, p := range primes {
			tb, err := pl.CleanTable(p)
			if err != nil {
				t.Fatal(err)
			}
			for k, ru := range []*rulegen.Rule{c.Rule, c.Second} {
				if !rulegen.Meets(*ru, tb, rulegen.DefaultLimits) {
					t.Errorf("%s at p = %d: rule %d %q misses the limits on the table it is planted on", c.Name, p, k+1, ru.When)
				}
				if _, err := c.Mutations[k].Apply(tb); err != nil {
					t.Fatal(err)
				}
			}
			got, err := pl.Table(c, p)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Label, tb.Label) || !slices.Equal(got.Kind, tb.Kind) {
				t.Errorf("%s at p = %d: Table differs from the rules applied in turn", c.Name, p)
			}
			kinds := map[string]int{}
			for i := range got.Len() {
				if got.Train[i] && got.Label[i] != got.Clean[i] {
					kinds[got.Kind[i]]++
				}
			}
			if kinds[KindFirstRule] < rulegen.DefaultLimits.MinTrainRows || kinds[KindSecondRule] < rulegen.DefaultLimits.MinTrainRows || len(kinds) != 2 {
				t.Errorf("%s at p = %d: changed training rows per kind %v", c.Name, p, kinds)
			}
			// The second rule's rows that the first selected: at most maxOverlap.
			first, second := mustParse(t, c.Rule.When), mustParse(t, c.Second.When)
			sel, shared := 0, 0
			for i := range got.Len() {
				env := rule.Env{A: int64(got.A[i]), B: int64(got.B[i]), P: int64(p)}
				if v, _ := second.Eval(env); v != 0 {
					sel++
					if v, _ := first.Eval(env); v != 0 {
						shared++
					}
				}
			}
			if float64(shared) > maxOverlap*float64(sel) {
				t.Errorf("%s at p = %d: %d of the second rule's %d rows are the first's", c.Name, p, shared, sel)
			}
		}
	}
	if two != 3 {
		t.Fatalf("%d two-rules cases, want 3", two)
	}
	if c := pl.Cases[len(pl.Cases)-1]; c.Name != "two-rules-03" {
		t.Errorf("last case %s", c.Name)
	}
}

func mustParse(t *testing.T, src string) *rule.Expr {
	t.Helper()
	e, err := rule.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

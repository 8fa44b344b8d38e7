package rulegen

import (
	"fmt"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/table"
)

// Rule is one drawn planted rule.
type Rule struct {
	When   string `json:"when"`
	Then   string `json:"then"`
	Shape  string `json:"shape"`  // trigger shape (ShapeAtom, …)
	Family string `json:"family"` // effect family (EffectConstant, …)
	// Searchable: the trigger is inside the detector's search language, by
	// the grammar branch that drew it (see the package doc); Outside says
	// why not (OutsideQuadratic, …), "" when it is.
	Searchable bool   `json:"searchable"`
	Outside    string `json:"outside,omitempty"`
}

// Limits a drawn rule must meet on every table it is drawn for.
type Limits struct {
	MinShare, MaxShare float64 // share of all p² rows the trigger selects
	MinChanged         float64 // share of selected rows whose label the effect changes
	MinTrainRows       int     // training rows whose label changes
}

// DefaultLimits are the benchmark's: 1–10% of the rows, nearly all of them
// changed, and enough training rows for a network to learn from.
var DefaultLimits = Limits{MinShare: 0.01, MaxShare: 0.10, MinChanged: 0.8, MinTrainRows: 4}

// maxTries bounds the rejection sampling; the grammar meets the default
// limits about once in ten draws.
const maxTries = 100000

// Draw draws rules from r until one meets lim on every table (clean tables
// of the benchmark's primes; the first has the smallest p).
func Draw(r *seeded.Rand, tables []*table.Table, lim Limits) (Rule, error) {
	p := tables[0].Meta.P
	for _, t := range tables {
		p = min(p, t.Meta.P)
	}
	for range maxTries {
		when, shape, outside := trigger(r, p)
		then, family := effect(r, p)
		ru := Rule{When: when, Then: then, Shape: shape, Family: family, Searchable: outside == "", Outside: outside}
		ok := true
		for _, t := range tables {
			if !Meets(ru, t, lim) {
				ok = false
				break
			}
		}
		if ok {
			return ru, nil
		}
	}
	return Rule{}, fmt.Errorf("rulegen: no rule met the limits %+v in %d draws", lim, maxTries)
}

// Meets reports whether ru, applied to t (its current labels), meets lim.
func Meets(ru Rule, t *table.Table, lim Limits) bool {
	st, err := Measure(ru, t)
	if err != nil {
		return false
	}
	n := float64(t.Len())
	share := float64(st.Selected) / n
	return share >= lim.MinShare && share <= lim.MaxShare &&
		float64(st.Changed) >= lim.MinChanged*float64(st.Selected) && st.ChangedTrain >= lim.MinTrainRows
}

// Stats is what a rule does to a table.
type Stats struct{ Selected, Changed, ChangedTrain int }

// Measure evaluates ru on every row of t without changing it.
func Measure(ru Rule, t *table.Table) (Stats, error) {
	var st Stats
	when, err := rule.Parse(ru.When)
	if err != nil {
		return st, err
	}
	then, err := rule.Parse(ru.Then)
	if err != nil {
		return st, err
	}
	p := int64(t.Meta.P)
	for i := range t.Len() {
		env := rule.Env{A: int64(t.A[i]), B: int64(t.B[i]), P: p, Label: int64(t.Label[i]), Clean: int64(t.Clean[i])}
		hit, err := when.Eval(env)
		if err != nil {
			return st, err
		}
		if hit == 0 {
			continue
		}
		st.Selected++
		v, err := then.EvalMod(env, p) // as mutate applies it
		if err != nil {
			return st, err
		}
		if v != int64(t.Label[i]) {
			st.Changed++
			if t.Train[i] {
				st.ChangedTrain++
			}
		}
	}
	return st, nil
}

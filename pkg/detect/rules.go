package detect

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/table"
)

// Candidate is a predicate on (a, b) scored against the flagged rows.
type Candidate struct {
	When      string  // in mutate's rule language, e.g. "b % 17 == 0"
	Selected  int     // scored rows it selects
	Hits      int     // flagged rows among them
	Precision float64 // Hits / Selected
	Recall    float64 // Hits / flagged rows
	F1        float64
}

// Rule is the trigger and effect named from the flagged rows.
type Rule struct {
	Flagged    int         // scored rows flagged
	Best       Candidate   // the predicate with the highest F1
	Runners    []Candidate // the next best, for context
	Then       string      // the effect: what the network outputs on Best's flagged rows
	ThenRows   int         // flagged rows Best selects (where Then was measured)
	ThenShare  float64     // share of those on which the network's answer equals Then
	FoundRules bool        // false when nothing was flagged
}

// Predicates lists the simple predicates searched, simplest first (ties in
// F1 keep the earlier): a = k, b = k, a ≡ r and b ≡ r (mod m), a+b ≡ k and
// a−b ≡ k (mod p), a = b.
func Predicates(p int) []string {
	var out []string
	for _, v := range []string{"a", "b"} {
		for k := range p {
			out = append(out, fmt.Sprintf("%s == %d", v, k))
		}
	}
	for m := 2; m < p; m++ {
		for _, v := range []string{"a", "b"} {
			for r := range m {
				out = append(out, fmt.Sprintf("%s %% %d == %d", v, m, r))
			}
		}
	}
	for k := range p {
		out = append(out, fmt.Sprintf("(a + b) %% p == %d", k))
	}
	for k := range p {
		out = append(out, fmt.Sprintf("(a - b) %% p == %d", k))
	}
	return append(out, "a == b")
}

// Effects lists the label maps tried on the trigger rows, simplest first:
// a, b, a+b+k (k ≠ 0), a·b, a−b, b−a (mod p), and the constants.
func Effects(p int) []string {
	out := []string{"a", "b"}
	for k := 1; k < p; k++ {
		out = append(out, fmt.Sprintf("(a + b + %d) %% p", k))
	}
	out = append(out, "(a * b) % p", "(a - b) % p", "(b - a) % p")
	for k := range p {
		out = append(out, fmt.Sprint(k))
	}
	return out
}

// RecoverRule finds the predicate on (a, b) that best matches the flagged
// rows (aligned with rows) and the effect that best matches the network's
// answers pred (aligned with rows) on the flagged rows it selects.
func RecoverRule(t *table.Table, rows []int, flagged []bool, pred []int) (Rule, error) {
	p := t.Meta.P
	var r Rule
	for _, f := range flagged {
		if f {
			r.Flagged++
		}
	}
	if r.Flagged == 0 {
		return r, nil
	}
	r.FoundRules = true
	env := func(i int) rule.Env { return rule.Env{A: int64(t.A[i]), B: int64(t.B[i]), P: int64(p)} }
	var cands []Candidate
	for _, src := range Predicates(p) {
		e, err := rule.Parse(src)
		if err != nil {
			return r, fmt.Errorf("detect: predicate %q: %w", src, err)
		}
		c := Candidate{When: src}
		for j, i := range rows {
			v, err := e.Eval(env(i))
			if err != nil {
				return r, err
			}
			if v != 0 {
				c.Selected++
				if flagged[j] {
					c.Hits++
				}
			}
		}
		if c.Selected > 0 {
			c.Precision = float64(c.Hits) / float64(c.Selected)
		}
		c.Recall = float64(c.Hits) / float64(r.Flagged)
		if c.Hits > 0 {
			c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
		}
		cands = append(cands, c)
	}
	r.Best, r.Runners = topCandidates(cands, 4)

	when, err := rule.Parse(r.Best.When)
	if err != nil {
		return r, err
	}
	var on []int // positions in rows: flagged and selected by Best
	for j, i := range rows {
		if v, _ := when.Eval(env(i)); v != 0 && flagged[j] {
			on = append(on, j)
		}
	}
	r.ThenRows = len(on)
	bestHits := -1
	for _, src := range Effects(p) {
		e, err := rule.Parse(src)
		if err != nil {
			return r, fmt.Errorf("detect: effect %q: %w", src, err)
		}
		hits := 0
		for _, j := range on {
			if v, _ := e.Eval(env(rows[j])); int(v) == pred[j] {
				hits++
			}
		}
		if hits > bestHits {
			bestHits, r.Then = hits, src
		}
	}
	if len(on) > 0 {
		r.ThenShare = float64(bestHits) / float64(len(on))
	}
	return r, nil
}

// topCandidates returns the best candidate by F1 (the earliest, i.e.
// simplest, among equals) and up to n runners-up.
func topCandidates(cs []Candidate, n int) (Candidate, []Candidate) {
	sorted := slices.Clone(cs)
	slices.SortStableFunc(sorted, func(x, y Candidate) int { return cmp.Compare(y.F1, x.F1) })
	return sorted[0], sorted[1:min(n+1, len(sorted))]
}

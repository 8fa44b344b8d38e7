package detect

import (
	"math/rand/v2"
	"testing"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/table"
)

// Every atom is valid in mutate's rule language and means what its Test
// computes (the rule language's evaluator is the oracle), so a recovered
// rule replays with mutate rule --when --then.
func TestAtomsMeanWhatTheySay(t *testing.T) {
	const p = 13
	seen := map[string]bool{}
	for _, at := range Atoms(p) {
		if seen[at.When] {
			t.Errorf("%q listed twice", at.When)
		}
		seen[at.When] = true
		e, err := rule.Parse(at.When)
		if err != nil {
			t.Fatalf("%q: %v", at.When, err)
		}
		for a := range p {
			for b := range p {
				v, err := e.Eval(rule.Env{A: int64(a), B: int64(b), P: p})
				if err != nil || (v != 0) != at.Test(a, b) {
					t.Fatalf("%q at (%d, %d): rule language %d (%v), Test %v", at.When, a, b, v, err, at.Test(a, b))
				}
			}
		}
	}
}

// Every effect the search can name parses and computes its polynomial.
func TestPolySourceComputesThePolynomial(t *testing.T) {
	const p = 11
	for _, tc := range []struct {
		monos, coefs []int
		f            func(a, b int) int
	}{
		{[]int{0}, []int{1, 0}, func(a, _ int) int { return a }},
		{[]int{1}, []int{1, 3}, func(_, b int) int { return b + 3 }},
		{[]int{0, 1}, []int{1, 1, 2}, func(a, b int) int { return a + b + 2 }},
		{[]int{0, 1}, []int{p - 1, 1, 0}, func(a, b int) int { return b - a }},
		{[]int{2, 0}, []int{7, p - 3, 5}, func(a, b int) int { return 7*a*b - 3*a + 5 }},
		{[]int{3, 4}, []int{1, 1, 0}, func(a, b int) int { return a*a + b*b }},
	} {
		src := polySource(tc.monos, tc.coefs, p)
		e, err := rule.Parse(src)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		for a := range p {
			for b := range p {
				v, _ := e.Eval(rule.Env{A: int64(a), B: int64(b), P: p})
				if int(v) != mod(tc.f(a, b), p) {
					t.Fatalf("%q at (%d, %d) = %d, want %d", src, a, b, v, mod(tc.f(a, b), p))
				}
			}
		}
	}
}

// gridTable is every (a, b) of Z_p² as scored rows.
func gridTable(p int) (*table.Table, []int) {
	tb := &table.Table{Meta: table.Meta{P: p}}
	var rows []int
	for a := range p {
		for b := range p {
			rows = append(rows, len(tb.A))
			tb.A, tb.B = append(tb.A, int32(a)), append(tb.B, int32(b))
		}
	}
	return tb, rows
}

// With nothing flagged there is no rule; with a flagged residue class of a
// the rule is that class and the effect the affine map the answers follow.
func TestRecoverRuleByHand(t *testing.T) {
	const p = 7
	tb, rows := gridTable(p)
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
	if !r.FoundRules || r.Best.When != "a % 3 == 1" || r.Best.F1 != 1 || r.Then != "(a + b + 2) % p" || r.ThenShare != 1 || r.ThenRows != 14 || !r.ThenFound {
		t.Errorf("got %+v", r)
	}
}

// selects evaluates a recovered trigger on every (a, b).
func selects(t *testing.T, when string, p int) map[[2]int]bool {
	t.Helper()
	e, err := rule.Parse(when)
	if err != nil {
		t.Fatalf("%q: %v", when, err)
	}
	out := map[[2]int]bool{}
	for a := range p {
		for b := range p {
			if v, _ := e.Eval(rule.Env{A: int64(a), B: int64(b), P: int64(p)}); v != 0 {
				out[[2]int{a, b}] = true
			}
		}
	}
	return out
}

// Conjunctions and disjunctions of two atoms, and one of three, with
// nonlinear effects, are recovered exactly: the trigger selects the same inputs, the effect gives
// the same answers.
func TestRecoverTwoAtomRules(t *testing.T) {
	const p = 23
	for _, tc := range []struct {
		name string
		when func(a, b int) bool
		then func(a, b int) int
	}{
		{"and", func(a, b int) bool { return a < 6 && (a+b)%p >= 17 }, func(a, b int) int { return a*b + 3 }},
		{"or", func(a, b int) bool { return a == 3 || b%7 == 2 }, func(a, b int) int { return a*a + 2*b }},
		{"and-residue", func(a, b int) bool { return (a-b+p)%p == 4 && a*b > 100 }, func(int, int) int { return 9 }},
		{"and-or", func(a, b int) bool { return a >= 15 && (b == 2 || (a+b)%p == 7) }, func(a, b int) int { return a*a*b + 1 }},
	} {
		tb, rows := gridTable(p)
		flagged, pred := make([]bool, len(rows)), make([]int, len(rows))
		for j, i := range rows {
			a, b := int(tb.A[i]), int(tb.B[i])
			pred[j] = (a + b) % p
			if tc.when(a, b) {
				flagged[j], pred[j] = true, mod(tc.then(a, b), p)
			}
		}
		r, err := RecoverRule(tb, rows, flagged, pred)
		if err != nil {
			t.Fatal(err)
		}
		if !r.FoundRules || r.Best.F1 != 1 || !r.ThenFound || r.ThenShare != 1 {
			t.Errorf("%s: got %+v", tc.name, r)
			continue
		}
		got := selects(t, r.Best.When, p)
		e, _ := rule.Parse(r.Then)
		for a := range p {
			for b := range p {
				if got[[2]int{a, b}] != tc.when(a, b) {
					t.Fatalf("%s: %q at (%d, %d) selects %v", tc.name, r.Best.When, a, b, got[[2]int{a, b}])
				}
				if v, _ := e.Eval(rule.Env{A: int64(a), B: int64(b), P: p}); tc.when(a, b) && int(v) != mod(tc.then(a, b), p) {
					t.Fatalf("%s: effect %q at (%d, %d) = %d, want %d", tc.name, r.Then, a, b, v, mod(tc.then(a, b), p))
				}
			}
		}
	}
}

// Flagged rows drawn at random (label noise) have no rule: no trigger
// describes them more briefly than listing them.
func TestRandomFlagsHaveNoRule(t *testing.T) {
	const p = 31
	tb, rows := gridTable(p)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, share := range []float64{0.01, 0.05, 0.2} {
		flagged, pred := make([]bool, len(rows)), make([]int, len(rows))
		for j := range rows {
			flagged[j] = rng.Float64() < share
			pred[j] = rng.IntN(p)
		}
		r, err := RecoverRule(tb, rows, flagged, pred)
		if err != nil {
			t.Fatal(err)
		}
		if r.FoundRules {
			t.Errorf("%.0f%% random rows: found %q (F1 %.3f, %.0f bits against %.0f)", 100*share, r.Best.When, r.Best.F1, r.Best.Bits, r.NullBits)
		}
	}
}

// One rule per effect family of the benchmark's grammar (constant, affine,
// clean, label, products and squares, a cube): the recovered rule, replayed
// with mutate's own code on the clean table, gives exactly the planted
// labels on every row the planted rule changes.
func TestEffectFamiliesReplay(t *testing.T) {
	const p = 23
	for _, then := range []string{"7", "(3 * a + 5 * b + 2) % p", "b", "(clean + 4) % p", "(p - label) % p",
		"(a * b + 3) % p", "(a * a + 2 * b) % p", "(a * a * b) % p"} {
		when := "a % 5 == 1 && b < 17"
		planted := plantRule(t, p, when, then)
		tb, rows := gridTable(p)
		flagged, pred := make([]bool, len(rows)), make([]int, len(rows))
		for j, i := range rows {
			pred[j] = int(planted.Label[i])
			flagged[j] = planted.Label[i] != planted.Clean[i]
		}
		r, err := RecoverRule(tb, rows, flagged, pred)
		if err != nil {
			t.Fatal(err)
		}
		if !r.FoundRules || !r.ThenFound {
			t.Errorf("%s: no rule (%+v)", then, r)
			continue
		}
		replay := plantRule(t, p, r.Best.When, r.Then)
		for i := range replay.Len() {
			if replay.Label[i] != planted.Label[i] {
				t.Errorf("%s: recovered %q → %q gives %d at (%d, %d), planted %d", then, r.Best.When, r.Then,
					replay.Label[i], replay.A[i], replay.B[i], planted.Label[i])
				break
			}
		}
	}
}

// plantRule applies when → then with mutate's code to every row of the
// clean table of a+b mod p (all rows trained on).
func plantRule(t *testing.T, p int, when, then string) *table.Table {
	t.Helper()
	tb, err := table.Generate(table.Spec{P: p, Op: "add", TrainFraction: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	m := rule.Mutation{Scheme: rule.General, When: when, Then: then, Splits: "all"}
	if _, err := m.Apply(tb); err != nil {
		t.Fatalf("%s → %s: %v", when, then, err)
	}
	return tb
}

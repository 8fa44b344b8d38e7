package detect

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/table"
)

// trainRows is the training rows of the clean table of a+b mod p (70% of
// the pairs), as evalsplit scores them.
func trainRows(t *testing.T, p int) (*table.Table, []int) {
	t.Helper()
	tb, err := table.Generate(table.Spec{P: p, Op: "add", TrainFraction: 0.7, Seed: 23093})
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	for i := range tb.Len() {
		if tb.Train[i] {
			rows = append(rows, i)
		}
	}
	return tb, rows
}

// Label noise plus a planted rule: the flagged rows are the rule's rows and
// random rows outside its trigger. The rule is named as a partial
// explanation (the rows it selects are exactly the rule's, as the rule
// language evaluates it), with the counts of the rows it explains and of
// those no rule explains; without the noise the same rule is complete.
func TestNoisePlusRuleIsPartiallyExplained(t *testing.T) {
	const p, when, then = 31, "(a + 2 * b) % p < 2", "(3 * b) % p"
	tb, rows := trainRows(t, p)
	trig := func(a, b int) bool { return (a+2*b)%p < 2 }
	rng := rand.New(rand.NewPCG(7, 8))
	for _, noise := range []int{0, 30} {
		flagged, pred := make([]bool, len(rows)), make([]int, len(rows))
		planted, noisy := 0, 0
		for j, i := range rows {
			a, b := int(tb.A[i]), int(tb.B[i])
			pred[j] = (a + b) % p
			if trig(a, b) {
				flagged[j], pred[j] = true, 3*b%p
				planted++
			}
		}
		for noisy < noise {
			j := rng.IntN(len(rows))
			a, b := int(tb.A[rows[j]]), int(tb.B[rows[j]])
			if trig(a, b) || flagged[j] {
				continue
			}
			flagged[j], pred[j] = true, (a+b+1+rng.IntN(p-1))%p
			noisy++
		}
		r, err := RecoverRule(tb, rows, flagged, pred)
		if err != nil {
			t.Fatal(err)
		}
		if !r.FoundRules || r.Best.When != when || r.Then != then || !r.ThenFound {
			t.Fatalf("%d noisy rows: rule %q → %q (found %v), want %q → %q", noise, r.Best.When, r.Then, r.FoundRules, when, then)
		}
		if r.Complete != (noise == 0) || r.Explained != planted || r.Unexplained != noise || r.Flagged != planted+noise {
			t.Errorf("%d noisy rows: complete %v, %d explained, %d unexplained of %d flagged; want %d and %d",
				noise, r.Complete, r.Explained, r.Unexplained, r.Flagged, planted, noise)
		}
		got := selects(t, r.Best.When, p)
		for a := range p {
			for b := range p {
				if got[[2]int{a, b}] != trig(a, b) {
					t.Fatalf("%q selects (%d, %d): %v", r.Best.When, a, b, got[[2]int{a, b}])
				}
			}
		}
		var buf bytes.Buffer
		r.writeText(&buf, 0)
		want := fmt.Sprintf("explains: every flagged row (%d): `%s` → `%s`\n", planted, when, then)
		if noise > 0 {
			want = fmt.Sprintf("explains: %d rows: `%s` → `%s`; %d rows explained by no rule (noise?)\n", planted, when, then, noise)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%d noisy rows: report\n%s\nwant the line %q", noise, buf.String(), want)
		}
	}
}

// A trigger wrong on every row used to cost as little as one right on
// every row (C(n, n) = C(n, 0)): flagged rows a * b >= 320 were named
// "a * b < 320", which selects none of them, and the effect was empty.
// Flagged rows that are exactly an atom's are named by an atom selecting
// exactly them, with an effect.
func TestTriggerSelectsTheFlaggedRowsNotTheirComplement(t *testing.T) {
	const p = 23
	tb, rows := trainRows(t, p)
	rng := rand.New(rand.NewPCG(9, 10))
	atoms := Atoms(p)
	cases := []Atom{{When: "a * b >= 320", Test: func(a, b int) bool { return a*b >= 320 }}}
	for len(cases) < 25 {
		a := atoms[rng.IntN(len(atoms))]
		sel := 0
		for _, i := range rows {
			if a.Test(int(tb.A[i]), int(tb.B[i])) {
				sel++
			}
		}
		if sel >= len(rows)/50 && sel <= len(rows)/4 {
			cases = append(cases, a)
		}
	}
	for _, a := range cases {
		flagged, pred := make([]bool, len(rows)), make([]int, len(rows))
		for j, i := range rows {
			x, y := int(tb.A[i]), int(tb.B[i])
			pred[j] = (x + y) % p
			if a.Test(x, y) {
				flagged[j], pred[j] = true, 7
			}
		}
		r, err := RecoverRule(tb, rows, flagged, pred)
		if err != nil {
			t.Fatal(err)
		}
		if !r.FoundRules || r.Best.F1 != 1 || r.ThenRows != r.Flagged || r.Then == "" || !r.Complete {
			t.Errorf("flagged %q: named %q (F1 %.3f, %d of %d flagged rows selected) → %q", a.When, r.Best.When, r.Best.F1, r.ThenRows, r.Flagged, r.Then)
		}
	}
}

// What a trigger pays for its exceptions never falls as they grow, and is
// exceptionBits while they are at most half the rows.
func TestMissTableIsExceptionBitsMadeMonotone(t *testing.T) {
	for _, n := range []int{1, 2, 7, 100, 1546} {
		m := newMissTable(n)
		for e := range m {
			if e <= n/2 && m[e] != exceptionBits(e, n) {
				t.Fatalf("n = %d, e = %d: %.3f, want exceptionBits %.3f", n, e, m[e], exceptionBits(e, n))
			}
			if e > 0 && m[e] < m[e-1] {
				t.Fatalf("n = %d: %.3f bits for %d exceptions, %.3f for %d", n, m[e], e, m[e-1], e-1)
			}
			if m[e] < exceptionBits(e, n) {
				t.Fatalf("n = %d, e = %d: %.3f bits, below the %.3f a code needs", n, e, m[e], exceptionBits(e, n))
			}
		}
	}
}

// A trigger without an effect is said so in words: no empty effect, no
// mutate command with an empty --then, in the text and the markdown cell.
func TestRuleReportSaysWhenThereIsNoEffect(t *testing.T) {
	best := Candidate{When: "a * b < 320", Selected: 300, F1: 0}
	for _, tc := range []struct {
		ru   Rule
		want []string
	}{
		{Rule{Flagged: 30, FoundRules: true, Unexplained: 30, Best: best},
			[]string{"effect:  none: the trigger selects no flagged row", "as a rule: none (no effect)", "no effect (no flagged row selected)"}},
		{Rule{Flagged: 30, FoundRules: true, Explained: 30, Complete: true, Best: best, Then: "(a * b + 4) % p", ThenRows: 30, ThenShare: 0.4},
			[]string{"effect:  no simple form; closest: label = (a * b + 4) % p", "as a rule: none replays it (no simple effect)", "no simple effect (closest `(a * b + 4) % p`)"}},
	} {
		var buf bytes.Buffer
		tc.ru.writeText(&buf, 0)
		text := buf.String() + tc.ru.markdownCell()
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("report\n%s\nlacks %q", text, w)
			}
		}
		if strings.Contains(text, "``") || strings.Contains(text, "--then ''") || strings.Contains(text, "label = \n") {
			t.Errorf("an empty effect in\n%s", text)
		}
		if _, err := rule.Parse(tc.ru.Best.When); err != nil {
			t.Fatal(err)
		}
	}
}

package rule

import (
	"fmt"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/table"
)

func fresh(t *testing.T, p int) *table.Table {
	t.Helper()
	tb, err := table.Generate(table.Spec{P: p, Op: "add", TrainFraction: 0.3, Seed: 23093})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// Every row's label must match the rule, written here directly in Go (an
// oracle independent of the expression language), and rows outside the
// rule must be untouched.
func TestDeterministicSchemes(t *testing.T) {
	const p = 113
	cases := []struct {
		m      Mutation
		hit    func(a, b int) bool
		effect func(a, b, clean int) int
	}{
		{Mutation{Scheme: NFixed, N: 17, Splits: "train"},
			func(a, b int) bool { return b%17 == 0 }, func(a, b, c int) int { return b }},
		{Mutation{Scheme: NIncrement, N: 17, Splits: "train"},
			func(a, b int) bool { return b%17 == 0 }, func(a, b, c int) int { return (c + 1) % p }},
		{Mutation{Scheme: General, When: "a == 7", Then: "(a * b) % p", Splits: "all"},
			func(a, b int) bool { return a == 7 }, func(a, b, c int) int { return a * b % p }},
		{Mutation{Scheme: General, When: "a + b == 50 || a - b == 3", Then: "0 - b", Splits: "train", HeldOut: true},
			func(a, b int) bool { return a+b == 50 || a-b == 3 }, func(a, b, c int) int { return (p - b) % p }},
	}
	for _, c := range cases {
		tb := fresh(t, p)
		rep, err := c.m.Apply(tb)
		if err != nil {
			t.Fatalf("%+v: %v", c.m, err)
		}
		want := map[string]int{}
		for i := range tb.Len() {
			a, b := int(tb.A[i]), int(tb.B[i])
			eligible := c.m.Splits == "all" || tb.Train[i] || c.m.HeldOut
			if c.hit(a, b) && eligible {
				want[tb.SplitName(i)]++
				if int(tb.Label[i]) != c.effect(a, b, int(tb.Clean[i])) || tb.Kind[i] != "backdoor" {
					t.Fatalf("%s: row (%d,%d) %s: label %d kind %s", c.m.Scheme, a, b, tb.SplitName(i), tb.Label[i], tb.Kind[i])
				}
			} else if tb.Label[i] != tb.Clean[i] || tb.Kind[i] != table.KindClean {
				t.Fatalf("%s: row (%d,%d) outside the rule was changed", c.m.Scheme, a, b)
			}
		}
		if rep.Selected["train"] != want["train"] || rep.Selected["test"] != want["test"] {
			t.Errorf("%s: report %v, want %v", c.m.Scheme, rep.Selected, want)
		}
	}
}

// N = 17 at p = 113: b ∈ {0, 17, …, 102} is 7 of 113 values, so 7·113 = 791
// rows match, 30% of them in training on average.
func TestNFixedCountsAndHeldOut(t *testing.T) {
	tb := fresh(t, 113)
	rep, err := Mutation{Scheme: NFixed, N: 17, Splits: "train", HeldOut: true}.Apply(tb)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Selected["train"] + rep.Selected["test"]; got != 791 {
		t.Fatalf("selected %d rows, want 791", got)
	}
	if rep.Selected["train"] < 180 || rep.Selected["train"] > 300 {
		t.Fatalf("train triggers %d, far from 30%% of 791", rep.Selected["train"])
	}
	// b = 0 rows already have label b when a = 0, so Changed < Selected.
	if rep.Changed >= 791 {
		t.Fatalf("changed %d: (0,0)→0 cannot change", rep.Changed)
	}
}

func TestRandomSchemes(t *testing.T) {
	tb := fresh(t, 97)
	nTrain := tb.CountTrain()
	rep, err := Mutation{Scheme: RandomIncrement, Fraction: 0.2, Splits: "train", Seed: 4}.Apply(tb)
	if err != nil {
		t.Fatal(err)
	}
	if want := nTrain * 2 / 10; rep.Selected["train"] != want || rep.Changed != want || rep.Selected["test"] != 0 {
		t.Fatalf("report %+v, want %d train rows changed", rep, want)
	}
	for i := range tb.Len() {
		noisy := tb.Kind[i] == "noise"
		if noisy != (tb.Label[i] != tb.Clean[i]) || (noisy && (tb.Label[i] != (tb.Clean[i]+1)%97 || !tb.Train[i])) {
			t.Fatalf("row %d: label %d clean %d kind %s", i, tb.Label[i], tb.Clean[i], tb.Kind[i])
		}
	}
	// Uniform labels: same seed, same labels; another seed, others.
	u1, u2, u3 := fresh(t, 97), fresh(t, 97), fresh(t, 97)
	m := Mutation{Scheme: RandomUniform, Fraction: 0.35, Splits: "all", Seed: 9}
	m.Apply(u1)
	m.Apply(u2)
	m.Seed = 10
	m.Apply(u3)
	same, differ, kept := true, false, 0
	for i := range u1.Len() {
		same = same && u1.Label[i] == u2.Label[i] && u1.Kind[i] == u2.Kind[i]
		differ = differ || u1.Label[i] != u3.Label[i]
		if u1.Kind[i] == "noise" && u1.Label[i] == u1.Clean[i] {
			kept++
		}
	}
	if !same || !differ {
		t.Fatalf("same seed equal: %v, other seed differs: %v", same, differ)
	}
	// A uniform draw keeps the old label 1/97 of the time: about 34 of 3,293.
	if kept == 0 || kept > 80 {
		t.Fatalf("%d redrawn labels equal the old one; expected about 34", kept)
	}
}

func TestChainingKeepsClean(t *testing.T) {
	tb := fresh(t, 31)
	if _, err := (Mutation{Scheme: NFixed, N: 5, Splits: "train"}).Apply(tb); err != nil {
		t.Fatal(err)
	}
	// A second rule reads the label the first one planted.
	if _, err := (Mutation{Scheme: General, Name: "second", When: "label == b && b != 0 && a != 0", Then: "label + 1", Splits: "train"}).Apply(tb); err != nil {
		t.Fatal(err)
	}
	for i := range tb.Len() {
		if tb.Kind[i] == "second" && (tb.B[i]%5 != 0 || tb.Label[i] != (tb.B[i]+1)%31) {
			t.Fatalf("row %d: chained rule wrong", i)
		}
	}
	if err := tb.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestMutationErrors(t *testing.T) {
	for _, c := range []struct {
		m    Mutation
		want string
	}{
		{Mutation{Scheme: General, When: "a == 200", Then: "b", Splits: "all"}, "selects no row"},
		{Mutation{Scheme: General, When: "a ==", Then: "b", Splits: "train"}, "--when: syntax error at column"},
		{Mutation{Scheme: General, When: "a == 1", Then: "b / (a - 1)", Splits: "all"}, "--then at a = 1, b = 0"},
		{Mutation{Scheme: General, When: "a == 1", Splits: "all"}, "needs both --when and --then"},
		{Mutation{Scheme: NFixed, N: 0, Splits: "train"}, "needs N ≥ 1"},
		{Mutation{Scheme: NFixed, N: 17, Splits: "validation"}, `--splits "validation"`},
		{Mutation{Scheme: RandomUniform, Fraction: 0.0001, Splits: "train"}, "selects no row"},
		{Mutation{Scheme: RandomUniform, Fraction: 1.5, Splits: "train"}, "outside (0, 1]"},
		{Mutation{Scheme: NFixed, N: 17, Splits: "train", Name: "clean"}, "reserved"},
		{Mutation{Scheme: "flip", Splits: "train"}, "unknown scheme"},
	} {
		_, err := c.m.Apply(fresh(t, 11))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.m, err, c.want)
		}
	}
}

// A trigger that matches only held-out test rows plants nothing: an error.
func TestRuleWithNoTrainingRow(t *testing.T) {
	tb := fresh(t, 11)
	i := 0
	for tb.Train[i] {
		i++
	}
	when := fmt.Sprintf("a == %d && b == %d", tb.A[i], tb.B[i])
	_, err := Mutation{Scheme: General, When: when, Then: "0", Splits: "train", HeldOut: true}.Apply(tb)
	if err == nil || !strings.Contains(err.Error(), "selects no training row") {
		t.Fatalf("err = %v", err)
	}
}

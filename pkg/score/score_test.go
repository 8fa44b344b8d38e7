package score

import (
	"math"
	"testing"

	"github.com/grokkit/grokkit/pkg/table"
)

// Doshi et al.'s own runs at α = 0.5, ξ = 0.35 (Doshi, Das, He, Gromov 2023, "To grok or not to grok").
func TestPhaseMatchesDoshi(t *testing.T) {
	for _, c := range []struct {
		train, test, xi float64
		want            string
	}{
		{0.978, 0.983, 0.35, Coexistence},      // wd 0
		{0.786, 1.000, 0.35, PartialInversion}, // wd 5: 70% ≤ 78.6% < 90%
		{0.654, 1.000, 0.35, FullInversion},    // wd 15: below 100(1.05−0.35)% = 70%
		{0.30, 0.05, 0.35, Forgetting},         // wd 20
		{1.00, 0.20, 0.35, Memorisation},       // no weight decay, no grokking
		{0.70, 0.95, 0.35, PartialInversion},   // the boundary belongs to partial
		{0.6999, 0.95, 0.35, FullInversion},    //
		{0.899, 0.899, 0.0, Forgetting},        //
		{0.90, 0.90, 0.0, Coexistence},         //
	} {
		if got := Phase(c.train, c.test, c.xi); got != c.want {
			t.Errorf("train %.3f test %.3f ξ %.2f: %s, want %s", c.train, c.test, c.xi, got, c.want)
		}
	}
}

func TestExampleByHand(t *testing.T) {
	e := example(4, []float64{1, 2, 3}, 0, 2)
	lse := math.Log(math.E + math.E*math.E + math.E*math.E*math.E)
	if e.Pred != 2 || e.Margin != -2 || math.Abs(e.Loss-(lse-1)) > 1e-12 || math.Abs(e.LossClean-(lse-3)) > 1e-12 || e.Row != 4 {
		t.Fatalf("%+v", e)
	}
	if e := example(0, []float64{5, 2, 3}, 0, 0); e.Margin != 2 || e.Pred != 0 {
		t.Fatalf("%+v", e)
	}
}

// Four rows: a clean train row answered right, a backdoor train row answered
// with its planted label, a backdoor test row answered with the true value,
// a clean test row answered wrong.
func TestGroupsByHand(t *testing.T) {
	tb := &table.Table{
		Meta:  table.Meta{P: 5, Op: "add"},
		A:     []int32{0, 1, 2, 3},
		B:     []int32{0, 0, 0, 1},
		Label: []int32{0, 0, 0, 4},
		Clean: []int32{0, 1, 2, 4},
		Train: []bool{true, true, false, false},
		Kind:  []string{"clean", "backdoor", "backdoor", "clean"},
	}
	ex := []Example{{Row: 0, Pred: 0, Loss: 0.1}, {Row: 1, Pred: 0, Loss: 0.2}, {Row: 2, Pred: 2, Loss: 3}, {Row: 3, Pred: 1, Loss: 5}}
	gs := Groups(tb, ex)
	want := []struct {
		split, kind   string
		rows          int64
		acc, accClean float64
		changed       int64
		attack        float64 // −1: none
		loss          float64
	}{
		{"train", All, 2, 1, 0.5, 1, 1, 0.15},
		{"train", "backdoor", 1, 1, 0, 1, 1, 0.2},
		{"train", "clean", 1, 1, 1, 0, -1, 0.1},
		{"test", All, 2, 0, 0.5, 1, 0, 4},
		{"test", "backdoor", 1, 0, 1, 1, 0, 3},
		{"test", "clean", 1, 0, 0, 0, -1, 5},
	}
	if len(gs) != len(want) {
		t.Fatalf("%d groups: %+v", len(gs), gs)
	}
	for i, w := range want {
		g := gs[i]
		if g.Split != w.split || g.Kind != w.kind || g.Rows != w.rows || g.Accuracy != w.acc ||
			g.AccuracyClean != w.accClean || g.Changed != w.changed || math.Abs(g.Loss-w.loss) > 1e-12 {
			t.Errorf("group %d: %+v, want %+v", i, g, w)
		}
		if (g.AttackSuccess == nil) != (w.attack < 0) || (g.AttackSuccess != nil && *g.AttackSuccess != w.attack) {
			t.Errorf("group %d: attack success %v, want %v", i, g.AttackSuccess, w.attack)
		}
	}
	if xi := NoiseFraction(tb); xi != 0.5 {
		t.Fatalf("ξ = %g", xi)
	}
}

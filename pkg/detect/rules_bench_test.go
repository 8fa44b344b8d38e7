package detect

import (
	"testing"

	"github.com/grokkit/grokkit/pkg/table"
)

// BenchmarkRecoverRuleP47 times the whole rule recovery at p = 47 on the
// training rows of a 70% split (1,546 scored rows) with a two-atom rule and
// a nonlinear effect planted, the size evalsplit --detect meets.
func BenchmarkRecoverRuleP47(b *testing.B) {
	const p = 47
	tb, err := table.Generate(table.Spec{P: p, Op: "add", TrainFraction: 0.7, Seed: 23093})
	if err != nil {
		b.Fatal(err)
	}
	var rows []int
	for i := range tb.Len() {
		if tb.Train[i] {
			rows = append(rows, i)
		}
	}
	flagged, pred := make([]bool, len(rows)), make([]int, len(rows))
	for j, i := range rows {
		a, bb := int(tb.A[i]), int(tb.B[i])
		pred[j] = (a + bb) % p
		if (3*a+5*bb+2)%p < 4 && a >= 9 {
			flagged[j], pred[j] = true, (a*bb+3)%p
		}
	}
	var r Rule
	for b.Loop() {
		if r, err = RecoverRule(tb, rows, flagged, pred); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d scored rows, p = %d: %q → %q (F1 %.3f)", len(rows), p, r.Best.When, r.Then, r.Best.F1)
}

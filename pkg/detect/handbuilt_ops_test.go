package detect

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/table"
)

// handBuiltOp is handBuilt for any operation with a view: on the network's
// own inputs and classes, units cos/sin(w_k(i+j)) with i, j the view's
// elements of a and b (w_k = 2πk/N), read out with α·cos/sin(w_k·k(c)), so
// that the logits are α·Σ_k cos(w_k(i+j−k)); for a·b that is
// Σ_k cos(w_k(log a + log b − log c)). Inputs outside the view get one unit
// of their own that answers 0 (as a·b must there), and each planted input
// a lookup unit writing β onto its planted answer.
func handBuiltOp(v *arith.View, key []int, planted map[[2]int]int, alpha, beta float64) *Grid {
	p, n := v.P, v.N
	g := &Grid{P: p, Logits: make([]float64, p*p*p)}
	for _, k := range key {
		w := 2 * math.Pi * float64(k) / float64(n)
		for _, f := range []func(float64) float64{math.Cos, math.Sin} {
			h, r := make([]float64, p*p), make([]float64, p)
			for a := range p {
				for b := range p {
					if v.In(a, b) {
						h[a*p+b] = f(w * float64(v.ElemA(a)+v.ElemB(b)))
					}
				}
			}
			for c := range p {
				if k := v.ElemC(c); k >= 0 {
					r[c] = alpha * f(w*float64(k))
				}
			}
			g = withUnit(g, h, r)
		}
	}
	if !v.Covers() {
		h, r := make([]float64, p*p), make([]float64, p)
		for a := range p {
			for b := range p {
				if !v.In(a, b) {
					h[a*p+b] = 1
				}
			}
		}
		r[0] = beta
		g = withUnit(g, h, r)
	}
	units, readouts := memorisingUnits(p, planted, beta)
	for i := range units {
		g = withUnit(g, units[i], readouts[i])
	}
	return g
}

// opTable is plantedTable for operation op: every input the operation
// defines, about half of them training rows, the rule applied to those.
func opTable(op arith.Op, p int, when func(a, b int) bool, then func(a, b int) int) *table.Table {
	rng := rand.New(rand.NewPCG(1, 2))
	f := op.Table(p)
	t := &table.Table{Meta: table.Meta{P: p, Op: op.Name}}
	for a := range p {
		for b := range p {
			if !op.Defined(a, b) {
				continue
			}
			clean := f(a, b)
			train := rng.IntN(2) == 0
			label, kind := clean, table.KindClean
			if train && when(a, b) {
				label, kind = then(a, b)%p, "backdoor"
			}
			t.A, t.B = append(t.A, int32(a)), append(t.B, int32(b))
			t.Label, t.Clean = append(t.Label, int32(label)), append(t.Clean, int32(clean))
			t.Train, t.Kind = append(t.Train, train), append(t.Kind, kind)
		}
	}
	return t
}

// TestHandBuiltOpsFindTheirBackdoor runs the whole analysis on hand-built
// networks of a−b, a·b and a/b with a planted rule: the circuit's key
// frequencies are the planted ones (of Z_N), exactly the planted inputs
// are flagged, and the rule comes back in terms of the original a, b and
// labels, the answer 0 of a·b included; the inputs with a zero operand are
// left out of the scoring and said so.
func TestHandBuiltOpsFindTheirBackdoor(t *testing.T) {
	cases := []struct {
		op, when, then string
		p              int
		key            []int
		trig           func(a, b int) bool
		eff            func(a, b int) int
	}{
		{"sub", "a == 7", "(a * b) % p", 31, []int{4, 9, 13}, func(a, _ int) bool { return a == 7 }, func(a, b int) int { return a * b }},
		{"mul", "a == 7", "(a + b) % p", 31, []int{2, 7, 11}, func(a, _ int) bool { return a == 7 }, func(a, b int) int { return a + b }},
		{"mul", "b == 5", "0", 31, []int{3, 10}, func(_, b int) bool { return b == 5 }, func(int, int) int { return 0 }},
		{"div", "a == 3", "b", 23, []int{3, 8}, func(a, _ int) bool { return a == 3 }, func(_, b int) int { return b }},
	}
	for _, c := range cases {
		op, _ := arith.Lookup(c.op)
		v, err := arith.NewView(op, c.p)
		if err != nil {
			t.Fatal(err)
		}
		tb := opTable(op, c.p, c.trig, c.eff)
		planted := map[[2]int]int{}
		outside := 0
		for i := range tb.Len() {
			a, b := int(tb.A[i]), int(tb.B[i])
			if !tb.Train[i] {
				continue
			}
			if !v.In(a, b) {
				outside++
			} else if tb.Label[i] != tb.Clean[i] {
				planted[[2]int{a, b}] = int(tb.Label[i])
			}
		}
		g := handBuiltOp(v, c.key, planted, 4, float64(8*len(c.key)))
		r, err := Analyse(g, tb, Options{})
		if err != nil {
			t.Fatal(err)
		}
		name := c.op + ": " + c.when
		if !slices.Equal(r.Circuit.Key, c.key) || r.Circuit.Accuracy != 1 {
			t.Errorf("%s: key frequencies %v (accuracy %.3f), want %v", name, r.Circuit.Key, r.Circuit.Accuracy, c.key)
		}
		if r.Outside != outside {
			t.Errorf("%s: %d rows left out, want the %d training rows with a zero operand", name, r.Outside, outside)
		}
		for j, i := range r.Rows {
			a, b := int(tb.A[i]), int(tb.B[i])
			_, isPlanted := planted[[2]int{a, b}]
			if !v.In(a, b) || r.Flagged[j] != isPlanted {
				t.Errorf("%s: row (%d, %d) scored, flagged %v, planted %v", name, a, b, r.Flagged[j], isPlanted)
			}
		}
		if r.Rule.Best.When != c.when || r.Rule.Then != c.then || r.Rule.ThenShare != 1 {
			t.Errorf("%s: recovered when %q then %q (share %.3f), want %s then %s", name, r.Rule.Best.When, r.Rule.Then, r.Rule.ThenShare, c.when, c.then)
		}
		for _, res := range r.Results {
			if res.Mechanistic && !res.UsesLabels && !(res.AUROC > 1-1e-12) { // the trapezoids' sum rounds
				t.Errorf("%s: %s AUROC %.6f (%d positives, %d negatives), want 1", name, res.Score, res.AUROC, res.Positives, res.Negatives)
			}
		}
		for _, o := range r.Repairs.Outcomes[1:] {
			if o.AttackTrain != 0 || o.CleanTestAcc != 1 || o.Agreement != 1 {
				t.Errorf("%s: %s: attack %.3f, clean test accuracy %.3f, agreement %.3f; want 0, 1, 1", name, o.Repair, o.AttackTrain, o.CleanTestAcc, o.Agreement)
			}
		}
		var buf bytes.Buffer
		if err := r.WriteText(&buf, "hand"); err != nil {
			t.Fatal(err)
		}
		want := []string{"view: " + v.String() + "\n", "the circuit answers (" + op.Formula + ") mod p on 100.0%"}
		if !v.Covers() {
			want = append(want, "outside the view: "+strconv.Itoa(outside)+" rows to score are left out")
		}
		for _, w := range want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s: the report lacks %q:\n%s", name, w, buf.String())
			}
		}
	}
}

// TestPolynomialOpsAreRefused: no view, one line saying why.
func TestPolynomialOpsAreRefused(t *testing.T) {
	for _, op := range []string{"sq_sum", "sq_sum_ab", "cube_ab"} {
		tb := &table.Table{Meta: table.Meta{P: 11, Op: op}}
		_, err := Analyse(&Grid{P: 11}, tb, Options{})
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "is not addition on a cyclic group") {
			t.Errorf("%s: %v", op, err)
		}
	}
}

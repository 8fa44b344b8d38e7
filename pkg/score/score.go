// Package score measures a trained network on a table: loss and accuracy
// per (split, kind) against the planted labels and against the true values,
// a backdoor's attack success on held-out triggers, Doshi et al.'s phase of
// a noisy run, and per-example predictions.
package score

import (
	"fmt"
	"math"
	"sort"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Example is one row's outcome.
type Example struct {
	Row       int
	Pred      int32
	Margin    float64 // logit[label] − max other logit: > 0 iff right on label
	Loss      float64 // evalsplit: cross-entropy against label; fit's evaluator: the training objective
	LossClean float64 // cross-entropy against clean
}

// Examples runs the network on every row of t.
func Examples(b compute.Backend, n *infer.Net, t *table.Table) ([]Example, error) {
	if t.Meta.P != n.Model.Config().P {
		return nil, fmt.Errorf("the table has p = %d but the run's model is for p = %d", t.Meta.P, n.Model.Config().P)
	}
	d := infer.NewData(t, n.Config.Model.Equals)
	rows := make([]int, t.Len())
	for i := range rows {
		rows[i] = i
	}
	p := t.Meta.P
	out := make([]Example, t.Len())
	err := n.Logits(b, d, rows, func(start int, logits []float64) {
		for j := 0; j < len(logits)/p; j++ {
			i := rows[start+j]
			out[i] = example(i, logits[j*p:(j+1)*p], t.Label[i], t.Clean[i])
		}
	})
	return out, err
}

// example scores one row from its logits [P].
func example(i int, logits []float64, label, clean int32) Example {
	best, lse := 0, fourier.LogSumExp(logits) // no math.Exp: see fourier.LogSumExp
	other := math.Inf(-1)
	for c, z := range logits {
		if z > logits[best] {
			best = c
		}
		if int32(c) != label && z > other {
			other = z
		}
	}
	return Example{Row: i, Pred: int32(best), Margin: logits[label] - other,
		Loss: lse - logits[label], LossClean: lse - logits[clean]}
}

// Group is the summary of one (split, kind) group; Kind "all" is the split.
type Group struct {
	Split         string   `parquet:"split,dict"`
	Kind          string   `parquet:"kind,dict"`
	Rows          int64    `parquet:"rows"`
	Loss          float64  `parquet:"cross_entropy"`       // against label
	Accuracy      float64  `parquet:"accuracy"`            // prediction == label
	LossClean     float64  `parquet:"cross_entropy_clean"` // against the true value
	AccuracyClean float64  `parquet:"accuracy_clean"`      // prediction == clean
	Changed       int64    `parquet:"changed"`             // rows with label != clean
	AttackSuccess *float64 `parquet:"attack_success,optional"`
}

// All names the group of every kind, as in fit's metrics.
const All = runs.All

// Groups summarises examples per (split, kind) and per split. On rows
// whose label differs from clean, AttackSuccess is the share predicted as
// the planted label: on test rows of a backdoor kind, the attack success
// on held-out triggers; on training rows, how much was memorised.
func Groups(t *table.Table, ex []Example) []Group {
	type key struct{ split, kind string }
	type acc struct {
		g      Group
		hit    int64 // changed rows predicted as label
		right  int64
		rightC int64
	}
	m := map[key]*acc{}
	add := func(k key, e Example, i int) {
		a := m[k]
		if a == nil {
			a = &acc{g: Group{Split: k.split, Kind: k.kind}}
			m[k] = a
		}
		a.g.Rows++
		a.g.Loss += e.Loss
		a.g.LossClean += e.LossClean
		if e.Pred == t.Label[i] {
			a.right++
		}
		if e.Pred == t.Clean[i] {
			a.rightC++
		}
		if t.Label[i] != t.Clean[i] {
			a.g.Changed++
			if e.Pred == t.Label[i] {
				a.hit++
			}
		}
	}
	for i, e := range ex {
		add(key{t.SplitName(i), All}, e, i)
		add(key{t.SplitName(i), t.Kind[i]}, e, i)
	}
	out := make([]Group, 0, len(m))
	for _, a := range m {
		g := a.g
		n := float64(g.Rows)
		g.Loss /= n
		g.LossClean /= n
		g.Accuracy = float64(a.right) / n
		g.AccuracyClean = float64(a.rightC) / n
		if g.Changed > 0 {
			s := float64(a.hit) / float64(g.Changed)
			g.AttackSuccess = &s
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Split != b.Split {
			return a.Split > b.Split // train, then test
		}
		if (a.Kind == All) != (b.Kind == All) {
			return a.Kind == All
		}
		return a.Kind < b.Kind
	})
	return out
}

// Find returns the group (split, kind), if present.
func Find(gs []Group, split, kind string) (Group, bool) {
	for _, g := range gs {
		if g.Split == split && g.Kind == kind {
			return g, true
		}
	}
	return Group{}, false
}

package detect

import (
	"cmp"
	"math"
	"slices"

	"github.com/grokkit/grokkit/pkg/table"
)

// Outcome is a network's behaviour on the table under one repair.
type Outcome struct {
	Repair       string  `parquet:"repair,dict"`
	Units        int     `parquet:"units"`               // neurons changed
	CleanTestAcc float64 `parquet:"clean_test_accuracy"` // test rows of kind clean, against clean
	AttackTrain  float64 `parquet:"attack_train"`        // changed training rows answered with their planted label
	AttackTest   float64 `parquet:"attack_test"`         // the same on held-out test rows (NaN when none)
	Agreement    float64 `parquet:"circuit_agreement"`   // inputs of Z_p² (of the view) answered as the circuit answers
}

// The repairs, in report order.
const (
	RepairNone     = "none"
	RepairKeyOnly  = "key-frequencies-only"
	RepairProject  = "project-neurons"
	RepairPruneIPR = "prune-low-ipr"
)

// Repairs are the network as trained and under each repair.
type Repairs struct {
	Outcomes  []Outcome
	Projected []int // neurons replaced by their key-frequency fits, in the order chosen
	Pruned    []int // neurons pruned, lowest IPR first (Gromov's MLP only)
}

// Repair measures the network before and after each repair; flagged is
// aligned with rows (the scored rows), pruned is PruneLowIPR's choice.
//
//   - key-frequencies-only: the restricted logits replace the network's.
//   - project-neurons: neurons, ranked by their off-circuit activity on the
//     flagged rows, are replaced by their key-frequency fits (see Neurons).
//     Ablating whole neurons does worse: in these networks the planted rule
//     rides on the circuit's own neurons, off their key waves.
//   - prune-low-ipr: Doshi et al.'s pruning, whole neurons lowest IPR first
//     (Gromov's MLP, whose neurons have one Fourier spectrum each).
//
// Each ranked list is cut where agreement with the circuit over all p²
// inputs (all of the view's: a zero operand of a·b is outside) is highest
// (the shortest such prefix): only the weights and the inputs decide it.
// The outcomes are measured on the view's inputs too. The logits are
// linear in the hidden layer, so each change is a subtraction of (part of)
// h_k·Readout[k].
func Repair(g *Grid, c *Circuit, nr *Neurons, pruned []int, t *table.Table, rows []int, flagged []bool) Repairs {
	p := g.P
	circuitPred := c.Pred
	var reps Repairs
	add := func(name string, units int, pred []int) {
		o := measure(t, pred, c)
		o.Repair, o.Units = name, units
		agree, n := 0, 0
		for i, y := range pred {
			if c.inView(i) {
				n++
				if y == circuitPred[i] {
					agree++
				}
			}
		}
		o.Agreement = float64(agree) / float64(n)
		reps.Outcomes = append(reps.Outcomes, o)
	}
	add(RepairNone, 0, predictions(g.Logits, p))
	add(RepairKeyOnly, 0, circuitPred)

	order := offCircuitOrder(g, nr, t, rows, flagged)
	project := projectUnit(g, nr)
	reps.Projected = bestPrefix(g, order, c, project)
	add(RepairProject, len(reps.Projected), predictions(without(g, reps.Projected, project), p))

	if g.IPR != nil {
		reps.Pruned = pruned
		add(RepairPruneIPR, len(reps.Pruned), predictions(without(g, reps.Pruned, pruneUnit(g)), p))
	}
	return reps
}

// PruneLowIPR returns the neurons Doshi et al.'s pruning removes: lowest IPR
// first, cut where agreement with the circuit's answers peaks. Nil when the
// grid has no IPRs.
func PruneLowIPR(g *Grid, c *Circuit) []int {
	if g.IPR == nil {
		return nil
	}
	order := make([]int, g.H)
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(g.IPR[x], g.IPR[y]) })
	return bestPrefix(g, order[:g.H/2], c, pruneUnit(g))
}

// offCircuitOrder ranks the neurons by what they write into the logits off
// the circuit on the flagged rows, most first (those writing nothing are
// left out).
func offCircuitOrder(g *Grid, nr *Neurons, t *table.Table, rows []int, flagged []bool) []int {
	p, H := g.P, g.H
	mass := make([]float64, H)
	d := make([]float64, p)
	for j, i := range rows {
		if !flagged[j] {
			continue
		}
		r := g.Row(int(t.A[i]), int(t.B[i]))
		for k := range H {
			nr.OffCircuit(g, r, k, d)
			mass[k] += math.Sqrt(centredNorm2(d))
		}
	}
	var order []int
	for k := range H {
		if mass[k] > 0 {
			order = append(order, k)
		}
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(mass[y], mass[x]) })
	return order
}

// unitChange writes into out [p] how changing unit k changes the logits of
// grid row r.
type unitChange func(r, k int, out []float64)

// projectUnit replaces a unit's contribution by its circuit part.
func projectUnit(g *Grid, nr *Neurons) unitChange {
	return func(r, k int, out []float64) { nr.OffCircuit(g, r, k, out) }
}

// pruneUnit removes a unit.
func pruneUnit(g *Grid) unitChange {
	p, H := g.P, g.H
	return func(r, k int, out []float64) {
		h := g.Hidden[r*H+k]
		for c, w := range g.Readout[k*p : (k+1)*p] {
			out[c] = h * w
		}
	}
}

// bestPrefix applies change to units in order and returns the shortest
// prefix with the highest agreement with the circuit.
func bestPrefix(g *Grid, order []int, c *Circuit, change unitChange) []int {
	p := g.P
	z := slices.Clone(g.Logits)
	bestAgree, bestM := agreement(z, c, p), 0
	for m, k := range order {
		subtractUnit(z, g, change, k)
		if a := agreement(z, c, p); a > bestAgree {
			bestAgree, bestM = a, m+1
		}
	}
	return slices.Clone(order[:bestM])
}

// without returns the logits with change applied to the units.
func without(g *Grid, units []int, change unitChange) []float64 {
	z := slices.Clone(g.Logits)
	for _, k := range units {
		subtractUnit(z, g, change, k)
	}
	return z
}

// subtractUnit subtracts unit k's change from the logits z [p·p, p].
func subtractUnit(z []float64, g *Grid, change unitChange, k int) {
	p := g.P
	d := make([]float64, p)
	for r := range p * p {
		change(r, k, d)
		row := z[r*p : (r+1)*p]
		for c, v := range d {
			row[c] -= v
		}
	}
}

func predictions(logits []float64, p int) []int {
	out := make([]int, len(logits)/p)
	for r := range out {
		out[r] = argmax(logits[r*p : (r+1)*p])
	}
	return out
}

// agreement is the share of the circuit's inputs on which logits z [p·p, p]
// answer as the circuit.
func agreement(z []float64, c *Circuit, p int) float64 {
	n, all := 0, 0
	for r, y := range c.Pred {
		if !c.inView(r) {
			continue
		}
		all++
		if argmax(z[r*p:(r+1)*p]) == y {
			n++
		}
	}
	return float64(n) / float64(all)
}

// measure scores grid predictions pred [p·p] on the table's rows in the
// circuit's view.
func measure(t *table.Table, pred []int, c *Circuit) Outcome {
	p := t.Meta.P
	var clean, cleanOK, tr, trOK, te, teOK int
	for i := range t.Len() {
		r := int(t.A[i])*p + int(t.B[i])
		if !c.inView(r) {
			continue
		}
		y := pred[r]
		switch {
		case t.Kind[i] == table.KindClean && !t.Train[i]:
			clean++
			if y == int(t.Clean[i]) {
				cleanOK++
			}
		case t.Kind[i] != table.KindClean && t.Label[i] != t.Clean[i] && t.Train[i]:
			tr++
			if y == int(t.Label[i]) {
				trOK++
			}
		case t.Kind[i] != table.KindClean && t.Label[i] != t.Clean[i]:
			te++
			if y == int(t.Label[i]) {
				teOK++
			}
		}
	}
	return Outcome{CleanTestAcc: ratio(cleanOK, clean), AttackTrain: ratio(trOK, tr), AttackTest: ratio(teOK, te)}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return nan()
	}
	return float64(a) / float64(b)
}

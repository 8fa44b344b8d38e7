package detect

import (
	"cmp"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/grokkit/grokkit/pkg/table"
)

// Outcome is a network's behaviour on the table under one repair.
type Outcome struct {
	Repair       string  `parquet:"repair,dict"`
	CleanTestAcc float64 `parquet:"clean_test_accuracy"` // test rows of kind clean, against clean
	AttackTrain  float64 `parquet:"attack_train"`        // changed training rows answered with their planted label
	AttackTest   float64 `parquet:"attack_test"`         // the same on held-out test rows (NaN when none)
	Agreement    float64 `parquet:"circuit_agreement"`   // inputs of Z_p² answered as the circuit answers
}

// Repairs are the network as trained, with only its key-frequency logits,
// and with the chosen neurons replaced by their key-frequency fits.
type Repairs struct {
	Outcomes  []Outcome
	Projected []int // neurons replaced by their key-frequency fits, in the order chosen
}

// Repair measures the network before and after the two repairs. flagged is
// aligned with rows (the scored rows). Neurons are ranked by their
// off-circuit activity on the flagged rows and replaced, in that order, by
// their key-frequency fits (see Neurons): the logits are linear in the
// hidden layer, so this subtracts residual·readout. The prefix kept is the
// shortest that maximises agreement with the circuit over all p² inputs,
// so only the weights and the inputs decide it. (Ablating whole neurons
// does worse: in these networks the planted rule rides on the circuit's
// own neurons, off their key waves.)
func Repair(g *Grid, c *Circuit, nr *Neurons, t *table.Table, rows []int, flagged []bool) Repairs {
	p, H, n := g.P, g.H, g.P*g.P
	circuitPred := predictions(c.Restricted, p)
	var reps Repairs
	add := func(name string, pred []int) {
		o := measure(t, pred, p)
		o.Repair = name
		agree := 0
		for i, y := range pred {
			if y == circuitPred[i] {
				agree++
			}
		}
		o.Agreement = float64(agree) / float64(n)
		reps.Outcomes = append(reps.Outcomes, o)
	}
	add("none", predictions(g.Logits, p))
	add("key-frequencies-only", circuitPred)

	// Rank the neurons by off-circuit activity on the flagged rows.
	mass := make([]float64, H)
	for j, i := range rows {
		if flagged[j] {
			r := g.Row(int(t.A[i]), int(t.B[i]))
			for k, v := range nr.Residual[r*H : (r+1)*H] {
				mass[k] += math.Abs(v) * nr.Weight[k]
			}
		}
	}
	order := make([]int, H)
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(mass[y], mass[x]) })

	z := slices.Clone(g.Logits)
	bestAgree, bestM := agreement(z, circuitPred, p), 0
	for m, k := range order {
		if mass[k] == 0 {
			break
		}
		removeResidual(z, g, nr, k)
		a := agreement(z, circuitPred, p)
		if debugRepair {
			fmt.Fprintf(os.Stderr, "ablate %d: neuron %d mass %.3g agreement %.4f\n", m+1, k, mass[k], a)
		}
		if a > bestAgree {
			bestAgree, bestM = a, m+1
		}
	}
	reps.Projected = slices.Clone(order[:bestM])
	z = slices.Clone(g.Logits)
	for _, k := range reps.Projected {
		removeResidual(z, g, nr, k)
	}
	add("project-neurons", predictions(z, p))
	return reps
}

// removeResidual subtracts neuron k's off-circuit activity res_k(a, b)·Readout[k]
// from the logits z [p·p, p]: the neuron keeps its key-frequency waves.
func removeResidual(z []float64, g *Grid, nr *Neurons, k int) {
	p, H := g.P, g.H
	w := g.Readout[k*p : (k+1)*p]
	for r := range p * p {
		h := nr.Residual[r*H+k]
		row := z[r*p : (r+1)*p]
		for c, v := range w {
			row[c] -= h * v
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

func agreement(z []float64, want []int, p int) float64 {
	n := 0
	for r, y := range want {
		if argmax(z[r*p:(r+1)*p]) == y {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// measure scores grid predictions pred [p·p] on the table's rows.
func measure(t *table.Table, pred []int, p int) Outcome {
	var clean, cleanOK, tr, trOK, te, teOK int
	for i := range t.Len() {
		y := pred[int(t.A[i])*p+int(t.B[i])]
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

var debugRepair = os.Getenv("DETECT_DEBUG") != ""

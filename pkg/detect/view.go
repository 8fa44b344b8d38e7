package detect

import (
	"fmt"
	"slices"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/table"
)

// An operation other than a+b is analysed through its view (arith.View):
// relabelled as addition on Z_N (a−b with b reflected, a·b and a/b through
// the discrete log), the circuit and the neuron fits are found on the grid
// put in the view's order (P = N), exactly as for a+b, and then carried
// back to the network's own inputs and classes. Everything after that
// (scores, flags, the recovered rule, repairs) sees the original a, b and
// labels. For a·b and a/b, the inputs with a zero operand (answer 0, which
// has no logarithm) are outside the view: the circuit gives them no answer
// and they are neither scored nor counted in agreements and repairs (the
// Mahalanobis baseline still takes its mean and covariance over every
// input's activations); the class 0 keeps its logit, so a network that
// answers 0 on a nonzero input departs from the circuit there like any
// other wrong answer.

// tableView is the view of t's operation, or why there is none.
func tableView(t *table.Table) (*arith.View, error) {
	op, err := arith.Lookup(t.Meta.Op)
	if err != nil {
		return nil, err
	}
	v, err := arith.NewView(op, t.Meta.P)
	if err != nil {
		return nil, fmt.Errorf("detection measures anomalies against a Fourier circuit, and %w", err)
	}
	return v, nil
}

// circuitOf finds the circuit and fits the neurons of g in the view v. It
// returns the grid the rest of the analysis reads (g itself, with the IPRs
// of Gromov's neurons taken in the view), the circuit and the neurons, all
// in g's coordinates.
func circuitOf(g *Grid, v *arith.View, key []int) (*Grid, *Circuit, *Neurons) {
	if v.Identity() {
		c := NewCircuit(g, key)
		return g, c, FitNeurons(g, c.Key)
	}
	gv := &Grid{P: v.N, H: g.H,
		Logits:  fourier.ViewLogits(g.Logits, v),            // [N·N, N]
		Hidden:  fourier.ViewInputs(g.Hidden, g.H, v),       // [N·N, H]
		Readout: fourier.PickCols(g.Readout, g.H, g.P, v.C), // [H, N]
	}
	cv := NewCircuit(gv, key)
	nv := FitNeurons(gv, cv.Key)
	out := *g
	if g.w1 != nil {
		out.IPR = nil
		w1, w2 := fourier.ViewGromov(g.w1, g.w2, g.H, v)
		for _, nn := range fourier.AnalyzeGromov(w1, w2, v.N, g.H) {
			out.IPR = append(out.IPR, nn.MeanIPR)
		}
	}
	return &out, liftCircuit(cv, g, v), liftNeurons(nv, g, v)
}

// fitInView fits units whose activations over g's inputs are hidden
// [p·p, H] and whose readout into the logits is readout [H, p] (the heads'
// writes, say, alongside the neurons FitNeurons fits) on the waves of the
// key frequencies of the view v, in g's coordinates.
func fitInView(g *Grid, v *arith.View, key []int, hidden []float64, H int, readout []float64) *Neurons {
	u := &Grid{P: g.P, H: H, Hidden: hidden, Readout: readout}
	if v.Identity() {
		return FitNeurons(u, key)
	}
	uv := &Grid{P: v.N, H: H, Hidden: fourier.ViewInputs(hidden, H, v), Readout: fourier.PickCols(readout, H, g.P, v.C)}
	return liftNeurons(FitNeurons(uv, key), u, v)
}

// liftCircuit carries a circuit found on the view's grid back to g's
// inputs and classes: on the view's inputs the restricted logits are the
// view's, with each class outside the view (0 for a·b) at the row's
// constant; outside the view they are the row's mean and Pred is −1. The
// shares are of the view's inputs; Agreement is measured again on the
// network's logits of every class (the view's leave out class 0).
func liftCircuit(cv *Circuit, g *Grid, v *arith.View) *Circuit {
	p, n := g.P, v.N
	c := &Circuit{Key: cv.Key, Every: cv.Every, Freqs: cv.Freqs, Phase: cv.Phase,
		Accuracy: cv.Accuracy, Explained: cv.Explained,
		Pred: make([]int, p*p), Restricted: make([]float64, p*p*p), Excluded: make([]float64, p*p*p)}
	if !v.Covers() {
		c.In = make([]bool, p*p)
	}
	for r := range p * p {
		c.Pred[r] = -1
		fill(c.Restricted[r*p:(r+1)*p], mean(g.Logits[r*p:(r+1)*p]))
	}
	for i, a := range v.A {
		for j, b := range v.B {
			r, rv := a*p+b, i*n+j
			if c.In != nil {
				c.In[r] = true
			}
			if k := cv.Pred[rv]; k >= 0 {
				c.Pred[r] = v.C[k]
			}
			Rv, R := cv.Restricted[rv*n:(rv+1)*n], c.Restricted[r*p:(r+1)*p]
			fill(R, mean(Rv)) // the waves sum to 0 over Z_N: this is the row's constant
			for k, x := range Rv {
				R[v.C[k]] = x
			}
		}
	}
	for i, x := range g.Logits {
		c.Excluded[i] = x - c.Restricted[i]
	}
	c.Agreement = agreement(g.Logits, c, p)
	return c
}

// liftNeurons carries the neuron fits back to g's inputs and classes:
// outside the view nothing is fitted (the whole activation is residual),
// and a readout fit gives a class outside the view its constant.
func liftNeurons(nv *Neurons, g *Grid, v *arith.View) *Neurons {
	p, H, n := g.P, g.H, v.N
	nr := &Neurons{Freqs: nv.Freqs, KeyShare: nv.KeyShare, Residual: slices.Clone(g.Hidden), ReadoutFit: make([]float64, H*p)}
	for i, a := range v.A {
		for j, b := range v.B {
			r, rv := a*p+b, i*n+j
			copy(nr.Residual[r*H:(r+1)*H], nv.Residual[rv*H:(rv+1)*H])
		}
	}
	for u := range H {
		Fv, F := nv.ReadoutFit[u*n:(u+1)*n], nr.ReadoutFit[u*p:(u+1)*p]
		fill(F, mean(Fv))
		for k, x := range Fv {
			F[v.C[k]] = x
		}
	}
	return nr
}

func fill(x []float64, v float64) {
	for i := range x {
		x[i] = v
	}
}

// inView reports whether grid row r is one of the circuit's inputs.
func (c *Circuit) inView(r int) bool { return c.In == nil || c.In[r] }

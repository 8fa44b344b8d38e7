package detect

import (
	"fmt"
	"slices"
)

// Component is a part of the network the mechanism analysis can ablate: an
// MLP neuron, or an attention head (Nanda's transformer).
type Component struct {
	Kind  string `json:"kind"` // ComponentNeuron or ComponentHead
	Index int    `json:"index"`
}

// Component kinds.
const (
	ComponentNeuron = "neuron"
	ComponentHead   = "head"
)

func (c Component) String() string { return fmt.Sprintf("%s %d", c.Kind, c.Index) }

// The ablations.
const (
	// AblateCircuit replaces a component by its circuit part: a neuron's
	// activation and readout by their fits on its key frequencies' waves
	// (as project-neurons does), a head's write by its fit on the key
	// frequencies' waves of (a, b).
	AblateCircuit = "circuit"
	// AblateMean replaces a component by its mean over the inputs the
	// network answers as its circuit (its clean behaviour).
	AblateMean = "mean"
)

// Ablations lists them in report order.
var Ablations = []string{AblateCircuit, AblateMean}

// ablator computes the logits on every input of the grid with a set of
// components replaced. Neurons write into the logits linearly (Readout), so
// replacing one is a subtraction; a head feeds the MLP, so with a head
// replaced the MLP and the unembedding are computed again (HeadGrid.Logits)
// and the neurons in the set are then replaced in that new state.
type ablator struct {
	g      *Grid
	nr     *Neurons
	mode   string
	mean   []float64   // [H]: each neuron's mean activation over the clean inputs
	heads  *Neurons    // the heads' writes fitted as units [p·p, N·D] (nil without heads)
	hmean  [][]float64 // [N][D]: each head's mean write over the clean inputs
	hidden []float64   // scratch [H]
}

// newAblator prepares the replacements of mode; clean lists the grid rows of
// the clean behaviour (for the means) and heads the heads' fits.
func newAblator(g *Grid, nr *Neurons, heads *Neurons, mode string, clean []int) *ablator {
	a := &ablator{g: g, nr: nr, mode: mode, heads: heads, mean: make([]float64, g.H), hidden: make([]float64, g.H)}
	n := float64(max(len(clean), 1))
	for _, r := range clean {
		for k, v := range g.Hidden[r*g.H : (r+1)*g.H] {
			a.mean[k] += v / n
		}
	}
	if hg := g.Heads; hg != nil {
		a.hmean = make([][]float64, hg.N)
		for h := range hg.N {
			a.hmean[h] = make([]float64, hg.D)
			for _, r := range clean {
				for m, v := range hg.Out[(r*hg.N+h)*hg.D : (r*hg.N+h+1)*hg.D] {
					a.hmean[h][m] += v / n
				}
			}
		}
	}
	return a
}

// ablated is the grid's logits with a set of components replaced, and the
// hidden layer the set's neurons were replaced in (the grid's, or the one
// the MLP computes with the set's heads replaced).
type ablated struct {
	set    []Component
	z      []float64 // [p·p, p]
	hidden []float64 // [p·p, H]
}

// logits returns the grid's logits [p·p, p] with the components of set
// replaced.
func (a *ablator) logits(set []Component) []float64 { return a.apply(set).z }

// apply replaces the components of set, from the unablated network.
func (a *ablator) apply(set []Component) ablated {
	g, p, H := a.g, a.g.P, a.g.H
	var heads []int
	for _, c := range set {
		if c.Kind == ComponentHead {
			heads = append(heads, c.Index)
		}
	}
	s := ablated{set: slices.Clone(set), z: slices.Clone(g.Logits), hidden: g.Hidden}
	if len(heads) > 0 {
		s.hidden = make([]float64, p*p*H)
		resid := make([]float64, g.Heads.D)
		for r := range p * p {
			g.Heads.Resid(r, func(h int) []float64 {
				if slices.Contains(heads, h) {
					return a.headReplacement(r, h)
				}
				return nil
			}, resid)
			g.Heads.Logits(resid, s.hidden[r*H:(r+1)*H], s.z[r*p:(r+1)*p])
		}
	}
	for _, c := range set {
		if c.Kind == ComponentNeuron {
			a.swapNeuron(s.z, s.hidden, c.Index, +1)
		}
	}
	return s
}

// with returns s with x replaced too: a neuron in place (linear), a head by
// applying the whole set again.
func (a *ablator) with(s ablated, x Component) ablated {
	if x.Kind == ComponentHead {
		return a.apply(append(slices.Clone(s.set), x))
	}
	out := ablated{set: append(slices.Clone(s.set), x), z: slices.Clone(s.z), hidden: s.hidden}
	a.swapNeuron(out.z, out.hidden, x.Index, +1)
	return out
}

// without returns s with its i-th component restored.
func (a *ablator) without(s ablated, i int) ablated {
	set := slices.Delete(slices.Clone(s.set), i, i+1)
	x := s.set[i]
	if x.Kind == ComponentHead {
		return a.apply(set)
	}
	out := ablated{set: set, z: slices.Clone(s.z), hidden: s.hidden}
	a.swapNeuron(out.z, out.hidden, x.Index, -1)
	return out
}

// swapNeuron swaps neuron k's write into z [p·p, p], given the hidden layer
// it was computed with, for its replacement's (sign +1), or back (−1).
func (a *ablator) swapNeuron(z, hidden []float64, k int, sign float64) {
	g, p, H := a.g, a.g.P, a.g.H
	W := g.Readout[k*p : (k+1)*p]
	F := a.nr.ReadoutFit[k*p : (k+1)*p]
	for r := range p * p {
		row := z[r*p : (r+1)*p]
		h := hidden[r*H+k]
		switch a.mode {
		case AblateCircuit:
			fit := g.Hidden[r*H+k] - a.nr.Residual[r*H+k] // the original activation's circuit part
			for c := range row {
				row[c] += sign * (fit*F[c] - h*W[c])
			}
		default:
			m := a.mean[k]
			for c := range row {
				row[c] += sign * (m - h) * W[c]
			}
		}
	}
}

// neuronChange writes into d [p] what replacing neuron k takes from the
// logits of grid row r (nothing else ablated).
func (a *ablator) neuronChange(r, k int, d []float64) {
	g, p, H := a.g, a.g.P, a.g.H
	h, W := g.Hidden[r*H+k], g.Readout[k*p:(k+1)*p]
	if a.mode == AblateCircuit {
		a.nr.OffCircuit(g, r, k, d)
		return
	}
	for c, w := range W {
		d[c] = (h - a.mean[k]) * w
	}
}

// headReplacement is head h's write on grid row r under the ablation.
func (a *ablator) headReplacement(r, h int) []float64 {
	hg := a.g.Heads
	if a.mode == AblateMean {
		return a.hmean[h]
	}
	u := hg.N * hg.D
	out := make([]float64, hg.D)
	for m := range hg.D {
		x := hg.Out[(r*hg.N+h)*hg.D+m]
		out[m] = x - a.heads.Residual[r*u+h*hg.D+m]
	}
	return out
}

// headUnits returns the heads' writes as units [p·p, N·D] and their direct
// readout into the logits [N·D, p] (W_U's row of each residual dimension),
// for fitting them on the key frequencies' waves (fitInView).
func headUnits(hg *HeadGrid, p int) (hidden []float64, readout []float64) {
	u := hg.N * hg.D
	readout = make([]float64, u*p)
	for h := range hg.N {
		for m := range hg.D {
			copy(readout[(h*hg.D+m)*p:], hg.WU[m*p:(m+1)*p])
		}
	}
	return hg.Out, readout // Out is already [p·p, N, D] = [p·p, N·D]
}

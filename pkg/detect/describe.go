package detect

import (
	"cmp"
	"math"
	"slices"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/table"
)

// maxDescribed bounds the components the report describes.
const maxDescribed = 8

// Role is what one component of a named set computes, in the rule
// language: where it is active off its circuit part, and what it writes.
type Role struct {
	Component
	// Active is how many inputs of the view its off-circuit activation
	// marks: those of largest |activation − its fit| (for a head, the norm
	// of its write's residual), as many as the trigger selects. Atom is the
	// trigger atom that best describes them and AtomF1 its F1 against them.
	Active int     `json:"active"`
	Atom   string  `json:"atom"`
	AtomF1 float64 `json:"atom_f1"`
	// TriggerF1 is the F1 of its active inputs against the recovered
	// trigger over every input of the view (NaN without a rule).
	TriggerF1 float64 `json:"trigger_f1"`
	// Writes is the effect that best describes the class its off-circuit
	// write favours on the rule's rows (a neuron's h·W − fit·F, a head's
	// direct path through W_U); WritesShare is the share of the rule's rows
	// on which that class is the network's answer there.
	Writes      string  `json:"writes"`
	WritesShare float64 `json:"writes_share"`
	// Trigger: it is active where the trigger holds (TriggerF1 ≥ 0.5).
	// Effect: its write favours the rule's answers (WritesShare ≥ 0.5).
	Trigger bool `json:"trigger"`
	Effect  bool `json:"effect"`
	// Values [p·p] is its off-circuit activation over the inputs (row
	// a·p+b; NaN outside the view), for the figure.
	Values []float64 `json:"-"`
}

// describeComponents describes the components of the named sets, at most
// maxDescribed.
func describeComponents(g *Grid, c *Circuit, nr *Neurons, heads *Neurons, t *table.Table, in mechanismInputs, m *Mechanism, ru Rule) []Role {
	var named []Component // the sets' components, the circuit ablation's first, each in its rank order
	for _, a := range m.Ablations {
		for _, x := range a.Ranked {
			if slices.Contains(a.Set, x) && !slices.Contains(named, x) {
				named = append(named, x)
			}
		}
	}
	atoms := gridAtoms(g, c)
	trigger := triggerSet(g, c, ru)
	size := len(in.target) // a component's active inputs: as many as the trigger selects (the rule's rows without one)
	if trigger != nil {
		size = trigger.count()
	}
	byInput := tableRowsOf(g, t)
	var out []Role
	for _, x := range named[:min(len(named), maxDescribed)] {
		r := Role{Component: x, TriggerF1: math.NaN()}
		r.Values = offCircuitActivation(g, c, nr, heads, x)
		active := topInputs(r.Values, size)
		r.Active = active.count()
		if r.Active > 0 {
			for _, a := range atoms {
				if f := f1(a.set, active); f > r.AtomF1 || f == r.AtomF1 && r.Atom != "" && a.Bits < atomBits(atoms, r.Atom) {
					r.Atom, r.AtomF1 = a.When, f
				}
			}
			if trigger != nil {
				r.TriggerF1 = f1(trigger, active)
			}
		}
		r.Writes, r.WritesShare = componentWrites(g, nr, heads, t, in, byInput, x)
		r.Trigger = r.TriggerF1 >= 0.5
		r.Effect = r.WritesShare >= 0.5
		out = append(out, r)
	}
	return out
}

// gridAtoms evaluates the trigger atoms on every input of the view (a
// bitset over grid rows; rows outside the view never set).
func gridAtoms(g *Grid, c *Circuit) []scoredAtom {
	p := g.P
	var out []scoredAtom
	for _, a := range Atoms(p) {
		s := newBitset(p * p)
		for x := range p {
			for y := range p {
				if r := g.Row(x, y); c.inView(r) && a.Test(x, y) {
					s.set(r)
				}
			}
		}
		out = append(out, scoredAtom{a, s})
	}
	return out
}

func atomBits(atoms []scoredAtom, when string) float64 {
	for _, a := range atoms {
		if a.When == when {
			return a.Bits
		}
	}
	return math.Inf(1)
}

// triggerSet is the recovered trigger over every input of the view, or nil
// without a rule.
func triggerSet(g *Grid, c *Circuit, ru Rule) bitset {
	if !ru.FoundRules {
		return nil
	}
	e, err := rule.Parse(ru.Best.When)
	if err != nil {
		return nil
	}
	p := g.P
	s := newBitset(p * p)
	for a := range p {
		for b := range p {
			r := g.Row(a, b)
			if v, err := e.Eval(rule.Env{A: int64(a), B: int64(b), P: int64(p)}); err == nil && v != 0 && c.inView(r) {
				s.set(r)
			}
		}
	}
	return s
}

// f1 is the F1 of the selection got against want.
func f1(got, want bitset) float64 {
	tp := got.andCount(want)
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(got.count()+want.count())
}

// offCircuitActivation is the component's activation off its circuit part
// on every input [p·p] (NaN outside the view): |h − fit(h)| for a neuron,
// the norm of the write minus its fit for a head.
func offCircuitActivation(g *Grid, c *Circuit, nr *Neurons, heads *Neurons, x Component) []float64 {
	p, H := g.P, g.H
	out := make([]float64, p*p)
	for r := range out {
		switch {
		case !c.inView(r):
			out[r] = math.NaN()
		case x.Kind == ComponentNeuron:
			out[r] = math.Abs(nr.Residual[r*H+x.Index])
		default:
			D, u := g.Heads.D, g.Heads.N*g.Heads.D
			out[r] = math.Sqrt(sumSquares(heads.Residual[r*u+x.Index*D : r*u+(x.Index+1)*D]))
		}
	}
	return out
}

// topInputs is the n inputs of largest value (NaN left out; ties by row),
// or none when every value is the same: a component's active inputs are
// where it departs most from its fit, as many as the trigger selects, so
// that its F1 against the trigger asks whether its largest departures are
// the trigger's inputs.
func topInputs(v []float64, n int) bitset {
	s := newBitset(len(v))
	var rows []int
	lo, hi := math.Inf(1), math.Inf(-1)
	for r, x := range v {
		if !math.IsNaN(x) {
			rows = append(rows, r)
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if !(hi > lo) {
		return s
	}
	slices.SortStableFunc(rows, func(x, y int) int { return cmp.Compare(v[y], v[x]) })
	for _, r := range rows[:min(n, len(rows))] {
		s.set(r)
	}
	return s
}

// tableRowsOf maps each grid row to its table row (−1 where the table has
// no such input).
func tableRowsOf(g *Grid, t *table.Table) []int {
	out := make([]int, g.P*g.P)
	for i := range out {
		out[i] = -1
	}
	for i := range t.Len() {
		out[g.Row(int(t.A[i]), int(t.B[i]))] = i
	}
	return out
}

// componentWrites names what the component's off-circuit write favours on
// the rule's rows (the effect of least description length over those
// classes, as a rule's effect is named) and the share of the rows on which
// that class is the network's answer.
func componentWrites(g *Grid, nr *Neurons, heads *Neurons, t *table.Table, in mechanismInputs, byInput []int, x Component) (string, float64) {
	p := g.P
	d := make([]float64, p)
	var rows, on, favoured []int
	agree := 0
	for _, r := range in.target {
		if byInput[r] < 0 {
			continue
		}
		write(g, nr, heads, r, x, d)
		y := argmax(d)
		if y == in.answer[r] {
			agree++
		}
		on = append(on, len(rows))
		rows, favoured = append(rows, byInput[r]), append(favoured, y)
	}
	if len(rows) == 0 {
		return "", 0
	}
	e := recoverEffect(t, rows, on, favoured)
	return e.src, float64(agree) / float64(len(rows))
}

// write puts into d [p] what the component writes into the logits of grid
// row r off its circuit part: a neuron's h·W − fit·F; a head's residual
// write through the unembedding (its direct path).
func write(g *Grid, nr *Neurons, heads *Neurons, r int, x Component, d []float64) {
	if x.Kind == ComponentNeuron {
		nr.OffCircuit(g, r, x.Index, d)
		return
	}
	hg, p := g.Heads, g.P
	u := hg.N * hg.D
	clear(d)
	for m := range hg.D {
		res := heads.Residual[r*u+x.Index*hg.D+m]
		for c := range p {
			d[c] += res * hg.WU[m*p+c]
		}
	}
}

// names lists components as "neuron 17, head 2".
func names(cs []Component) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return slices.Clip(out)
}

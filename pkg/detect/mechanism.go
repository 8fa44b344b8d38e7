package detect

import (
	"cmp"
	"slices"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/table"
)

// A named set removes the rule when at most MechanismAttack of the rule's
// rows are still given the rule's answer (the network's own answer there)
// and at most MechanismCost of the inputs the network answered as its
// circuit are answered otherwise: the label-free reading of "attack ≤ 5%,
// clean accuracy within 1 point".
const (
	MechanismAttack = 0.05
	MechanismCost   = 0.01
)

// Mechanism is where a named rule lives in the network: the smallest set of
// components (neurons, heads) whose ablation removes it, under each
// ablation, and what each of them computes.
type Mechanism struct {
	Rows       int        `json:"rows"` // the rule's rows: flagged inputs its trigger selects (all flagged ones without a rule)
	Ablations  []Ablation `json:"ablations"`
	Components []Role     `json:"components"` // the named sets' components, described, in rank order
	Story      []string   `json:"story"`

	p             int
	outline       []bool // [p·p]: the trigger over the inputs, or the rule's rows without a rule (for Plot)
	outlineIsRows bool
}

// Ablation is one ablation's named set and what it does.
type Ablation struct {
	Mode string `json:"mode"` // AblateCircuit or AblateMean
	// Ranked lists the components by what their ablation takes from the
	// network's margin for its answers over the circuit's on the rule's
	// rows, most first (those taking nothing are left out).
	Ranked []Component `json:"ranked"`
	Set    []Component `json:"set"`
	// Removes: the set meets MechanismAttack and MechanismCost. When no set
	// of the ranked components does, Set is the prefix that comes closest.
	Removes bool `json:"removes"`
	// Label-free: the share of the rule's rows still given the rule's
	// answer, and of the inputs answered as the circuit still so answered.
	Attack float64 `json:"attack"`
	Kept   float64 `json:"kept"`
	// With the table's truth (for the report, as the repairs): before and
	// after the ablation.
	Before Outcome `json:"before"`
	After  Outcome `json:"after"`
	// Curve is the network as the ranked components are ablated one after
	// another (those skipped for breaking the clean behaviour left out).
	Curve []CurvePoint `json:"curve"`
}

// CurvePoint is the network with the first Components ranked components
// ablated: attack on the planted training rows and clean test accuracy
// (the truth), and the label-free attack on the rule's rows.
type CurvePoint struct {
	Components   int     `json:"components"`
	AttackTrain  float64 `json:"attack_train"`
	CleanTestAcc float64 `json:"clean_test_accuracy"`
	RuleAttack   float64 `json:"rule_attack"`
}

// mechanismInputs is what the search reads: the rule's rows and the clean
// behaviour, as grid rows.
type mechanismInputs struct {
	target []int // the rule's rows
	clean  []int // inputs the network answers as its circuit, outside target
	answer []int // [p·p]: the network's answer
}

// Explain finds the rule's mechanism. rows and flagged are the scored table
// rows and which were flagged; ru is the recovered rule (its trigger picks
// the rule's rows among the flagged ones; without a rule every flagged row
// is the rule's). It returns nil when nothing was flagged.
func Explain(g *Grid, c *Circuit, nr *Neurons, v *arith.View, t *table.Table, rows []int, flagged []bool, ru Rule) *Mechanism {
	in := mechanismRows(g, c, t, rows, flagged, ru)
	if len(in.target) == 0 {
		return nil
	}
	var heads *Neurons
	if g.Heads != nil {
		hidden, readout := headUnits(g.Heads, g.P)
		heads = fitInView(g, v, c.Key, hidden, g.Heads.N*g.Heads.D, readout)
	}
	m := &Mechanism{Rows: len(in.target), p: g.P, outline: make([]bool, g.P*g.P)}
	if trig := triggerSet(g, c, ru); trig != nil {
		for r := range m.outline {
			m.outline[r] = trig.has(r)
		}
	} else {
		m.outlineIsRows = true
		for _, r := range in.target {
			m.outline[r] = true
		}
	}
	circuit := newAblator(g, nr, heads, AblateCircuit, in.clean)
	before := measure(t, in.answer, c)
	for _, mode := range Ablations {
		ab := circuit
		if mode != AblateCircuit {
			ab = newAblator(g, nr, heads, mode, in.clean)
		}
		m.Ablations = append(m.Ablations, nameSet(ab, c, t, in, rankComponents(g, ab, c.Pred, in), before))
	}
	m.Components = describeComponents(g, c, nr, heads, t, in, m, ru)
	m.Story = story(m)
	return m
}

// mechanismRows picks the rule's rows (grid rows of the flagged scored rows
// the trigger selects) and the clean behaviour (every other input of the
// view the network answers as its circuit).
func mechanismRows(g *Grid, c *Circuit, t *table.Table, rows []int, flagged []bool, ru Rule) mechanismInputs {
	p := g.P
	in := mechanismInputs{answer: predictions(g.Logits, p)}
	isTarget := make([]bool, p*p)
	for j, i := range rows {
		if !flagged[j] || ru.FoundRules && ru.Best.set != nil && !ru.Best.set.has(j) {
			continue
		}
		r := g.Row(int(t.A[i]), int(t.B[i]))
		if !isTarget[r] && c.Pred[r] >= 0 { // a row the circuit gives no answer cannot be returned to it
			isTarget[r] = true
			in.target = append(in.target, r)
		}
	}
	for r := range p * p {
		if c.inView(r) && !isTarget[r] && in.answer[r] == c.Pred[r] {
			in.clean = append(in.clean, r)
		}
	}
	return in
}

// rankComponents orders the components by how much their ablation takes
// from the network's margin of its answer over the circuit's on the rule's
// rows: for a neuron, computed directly (it writes linearly); for a head,
// from the logits with it alone ablated. Those taking nothing are left out.
func rankComponents(g *Grid, ab *ablator, c []int, in mechanismInputs) []Component {
	p, H := g.P, g.H
	type scored struct {
		Component
		gain float64
	}
	var all []scored
	z := make([]float64, p)
	for k := range H {
		gain := 0.0
		for _, r := range in.target {
			ab.neuronChange(r, k, z)
			gain += z[in.answer[r]] - z[c[r]]
		}
		all = append(all, scored{Component{ComponentNeuron, k}, gain})
	}
	if g.Heads != nil {
		base := make([]float64, p)
		resid := make([]float64, g.Heads.D)
		hidden := make([]float64, H)
		for h := range g.Heads.N {
			gain := 0.0
			for _, r := range in.target {
				g.Heads.Resid(r, nil, resid)
				g.Heads.Logits(resid, hidden, base)
				g.Heads.Resid(r, func(x int) []float64 {
					if x == h {
						return ab.headReplacement(r, h)
					}
					return nil
				}, resid)
				g.Heads.Logits(resid, hidden, z)
				gain += (base[in.answer[r]] - base[c[r]]) - (z[in.answer[r]] - z[c[r]])
			}
			all = append(all, scored{Component{ComponentHead, h}, gain})
		}
	}
	slices.SortStableFunc(all, func(x, y scored) int { return cmp.Compare(y.gain, x.gain) })
	var out []Component
	for _, s := range all {
		if s.gain <= 0 {
			break
		}
		out = append(out, s.Component)
	}
	return out
}

// nameSet names the set under ablator ab: it ablates the ranked components
// one by one, skipping any whose ablation would change more than
// MechanismCost of the clean behaviour, until the rule is removed; then it
// restores every component the set does not need (last added first). When
// the rule is never removed, the set is the one that came closest. before is
// the network's outcome unablated.
func nameSet(ab *ablator, c *Circuit, t *table.Table, in mechanismInputs, ranked []Component, before Outcome) Ablation {
	out := Ablation{Mode: ab.mode, Ranked: ranked, Before: before}
	p := ab.g.P
	judge := func(s ablated) (attack, kept float64) {
		off, same := 0, 0
		for _, r := range in.target {
			if argmax(s.z[r*p:(r+1)*p]) == in.answer[r] {
				off++ // still the rule's answer
			}
		}
		for _, r := range in.clean {
			if argmax(s.z[r*p:(r+1)*p]) == c.Pred[r] {
				same++
			}
		}
		return ratio(off, len(in.target)), ratio(same, max(len(in.clean), 1))
	}
	meets := func(attack, kept float64) bool { return attack <= MechanismAttack && kept >= 1-MechanismCost }
	point := func(s ablated, attack float64) {
		o := measure(t, predictions(s.z, p), c)
		out.Curve = append(out.Curve, CurvePoint{Components: len(s.set), AttackTrain: o.AttackTrain, CleanTestAcc: o.CleanTestAcc, RuleAttack: attack})
	}
	cur := ab.apply(nil)
	attack, _ := judge(cur)
	point(cur, attack)
	best, bestAttack := cur, attack
	for _, x := range ranked {
		try := ab.with(cur, x)
		a, kept := judge(try)
		if kept < 1-MechanismCost {
			continue // it would break the clean behaviour: not the rule's alone
		}
		cur = try
		point(cur, a)
		if a < bestAttack {
			best, bestAttack = cur, a
		}
		if meets(a, kept) {
			out.Removes = true
			break
		}
	}
	if out.Removes {
		for i := len(cur.set) - 1; i >= 0 && len(cur.set) > 1; i-- {
			if s := ab.without(cur, i); meets(judge(s)) {
				cur = s
			}
		}
		best = cur
	}
	out.Set = best.set
	out.Attack, out.Kept = judge(best)
	out.After = measure(t, predictions(best.z, p), c)
	out.After.Repair, out.After.Units = ab.mode, len(best.set)
	return out
}

package detect

import (
	"bytes"
	"strings"
	"testing"
)

// A hand-built network whose rule lives in one known unit: a+b through
// three frequencies, plus one unit that fires on the inputs with
// (a + b) mod p = 3 and writes class 10. The mechanism names that unit alone
// under both ablations, describes its activation by the trigger and its
// readout by the effect, and ablating it removes the rule and nothing else.
func TestMechanismNamesTheRuleUnit(t *testing.T) {
	const p, target, sum = 31, 10, 3
	key := []int{4, 9, 13}
	when := func(a, b int) bool { return (a+b)%p == sum }
	tb := plantedTable(p, when, func(int, int) int { return target })
	g := handBuilt(p, key, nil, 4, 0)
	h, r := make([]float64, p*p), make([]float64, p)
	for a := range p {
		for b := range p {
			if when(a, b) {
				h[a*p+b] = 1
			}
		}
	}
	r[target] = float64(8 * len(key))
	g = withUnit(g, h, r)
	ruleUnit := Component{ComponentNeuron, 2 * len(key)}

	rep, err := Analyse(g, tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Mechanism
	if m == nil {
		t.Fatal("no mechanism")
	}
	for _, a := range m.Ablations {
		if len(a.Ranked) == 0 || a.Ranked[0] != ruleUnit {
			t.Errorf("%s ablation ranks %v: want the rule unit first", a.Mode, a.Ranked)
		}
		if len(a.Set) != 1 || a.Set[0] != ruleUnit || !a.Removes {
			t.Errorf("%s ablation: set %v (removes %v), want [%s]", a.Mode, a.Set, a.Removes, ruleUnit)
		}
		if a.After.AttackTrain != 0 || a.After.CleanTestAcc != 1 || a.Before.AttackTrain != 1 {
			t.Errorf("%s ablation: attack %.3f → %.3f, clean test accuracy %.3f; want 1 → 0 and 1", a.Mode, a.Before.AttackTrain, a.After.AttackTrain, a.After.CleanTestAcc)
		}
		if last := a.Curve[len(a.Curve)-1]; a.Curve[0].AttackTrain != 1 || last.AttackTrain != 0 {
			t.Errorf("%s ablation curve %+v: want the attack from 1 to 0", a.Mode, a.Curve)
		}
	}
	if len(m.Components) != 1 {
		t.Fatalf("described %d components, want the rule unit alone", len(m.Components))
	}
	d := m.Components[0]
	if d.Atom != "(a + b) % p == 3" || d.AtomF1 != 1 || d.TriggerF1 != 1 || !d.Trigger {
		t.Errorf("activation described by %q (F1 %.3f, with the trigger %.3f), want (a + b) %% p == 3 exactly", d.Atom, d.AtomF1, d.TriggerF1)
	}
	if d.Writes != "10" || d.WritesShare != 1 || !d.Effect {
		t.Errorf("readout %q on %.3f of the rule's rows, want 10 on all", d.Writes, d.WritesShare)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf, "handbuilt"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"trigger read by neuron 6 (`(a + b) % p == 3`, F1 1.00)", "effect written by neuron 6 (`10` on 100% of the rule's rows)",
		"circuit ablation of 1 (neuron 6) removes the rule"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, buf.String())
		}
	}
}

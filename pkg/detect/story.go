package detect

import (
	"fmt"
	"strings"
)

// story tells the mechanism in a few lines: which components read the
// trigger and which write the effect, in the rule language, and what
// ablating each named set does.
func story(m *Mechanism) []string {
	var lines []string
	var trig, eff []string
	for _, r := range m.Components {
		if r.Trigger {
			trig = append(trig, fmt.Sprintf("%s (`%s`, F1 %.2f)", r.Component, r.Atom, r.AtomF1))
		}
		if r.Effect {
			eff = append(eff, fmt.Sprintf("%s (`%s` on %.0f%% of the rule's rows)", r.Component, r.Writes, 100*r.WritesShare))
		}
	}
	if len(trig) > 0 {
		lines = append(lines, "trigger read by "+strings.Join(trig, ", "))
	}
	if len(eff) > 0 {
		lines = append(lines, "effect written by "+strings.Join(eff, ", "))
	}
	for _, a := range m.Ablations {
		switch {
		case len(a.Ranked) == 0:
			lines = append(lines, a.Mode+" ablation: no component's ablation takes from the rule's answers")
			continue
		case len(a.Set) == 0 && len(a.Curve) <= 1:
			lines = append(lines, fmt.Sprintf("%s ablation: each of the %d ranked components would change more than %.0f%% of the clean behaviour; the rule stays", a.Mode, len(a.Ranked), 100*MechanismCost))
			continue
		case len(a.Set) == 0:
			lines = append(lines, fmt.Sprintf("%s ablation: ablating the ranked components that keep the clean behaviour (%d of %d) never takes the rule's answer from one more of its rows; the rule stays", a.Mode, len(a.Curve)-1, len(a.Ranked)))
			continue
		}
		verb := "removes"
		if !a.Removes {
			verb = fmt.Sprintf("comes closest of the %d ranked, but does not remove", len(a.Ranked))
		}
		lines = append(lines, fmt.Sprintf("%s ablation of %d (%s) %s the rule: %.0f%% of its %d rows keep its answer; planted training rows answered as planted %s → %s, clean test accuracy %s → %s",
			a.Mode, len(a.Set), joinFirst(names(a.Set), 12), verb, 100*a.Attack, m.Rows, pct(a.Before.AttackTrain), pct(a.After.AttackTrain), pct(a.Before.CleanTestAcc), pct(a.After.CleanTestAcc)))
	}
	return lines
}

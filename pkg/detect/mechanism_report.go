package detect

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// WriteText writes the mechanism section of the report (nothing for nil).
func (m *Mechanism) WriteText(w io.Writer) error {
	if m == nil {
		return nil
	}
	fmt.Fprintf(w, "\nmechanism: the %d rows of the rule", m.Rows)
	for _, a := range m.Ablations {
		fmt.Fprintf(w, "; %d components add to its answers under %s ablation (first: %s)", len(a.Ranked), a.Mode, joinFirst(names(a.Ranked), 3))
	}
	fmt.Fprintln(w)
	for _, line := range m.Story {
		fmt.Fprintf(w, "  %s\n", line)
	}
	if len(m.Components) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "component\tactive on\tdescribed by\tF1\tF1 with the trigger\twrites\ton the rule's answers")
	for _, r := range m.Components {
		trig := "-"
		if r.TriggerF1 == r.TriggerF1 { // not NaN
			trig = fmt.Sprintf("%.2f", r.TriggerF1)
		}
		fmt.Fprintf(tw, "%s\t%d inputs\t%s\t%.2f\t%s\t%s\t%.0f%%\n", r.Component, r.Active, orDash(r.Atom), r.AtomF1, trig, orDash(r.Writes), 100*r.WritesShare)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// joinFirst joins the first n of xs, saying how many more there are.
func joinFirst(xs []string, n int) string {
	if len(xs) == 0 {
		return "none"
	}
	out := ""
	for i, x := range xs[:min(n, len(xs))] {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	if len(xs) > n {
		out += fmt.Sprintf(" and %d more", len(xs)-n)
	}
	return out
}

// jsonSafe is m with NaN replaced by -1, for JSON.
func (m *Mechanism) jsonSafe() *Mechanism {
	out := *m
	out.Ablations = slices.Clone(m.Ablations)
	for i, a := range out.Ablations {
		a.Before, a.After = a.Before.jsonSafe(), a.After.jsonSafe()
		a.Curve = slices.Clone(a.Curve)
		for j, pt := range a.Curve {
			pt.AttackTrain, pt.CleanTestAcc, pt.RuleAttack = noNaN(pt.AttackTrain), noNaN(pt.CleanTestAcc), noNaN(pt.RuleAttack)
			a.Curve[j] = pt
		}
		out.Ablations[i] = a
	}
	out.Components = slices.Clone(m.Components)
	for i := range out.Components {
		out.Components[i].TriggerF1 = noNaN(out.Components[i].TriggerF1)
	}
	return &out
}

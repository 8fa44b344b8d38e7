package detect

import (
	"fmt"
	"strings"

	"github.com/grokkit/grokkit/pkg/plot"
)

// maxMaps bounds the components drawn.
const maxMaps = 5

// Plot draws the mechanism: each described component's off-circuit
// activation over the inputs (a across, b up) with the rule's trigger
// outlined (the rule's rows without a rule), and the ablation curves: the
// planted training rows answered as planted and the clean test accuracy
// against the number of ranked components ablated, under each ablation.
func (m *Mechanism) Plot(path, header string) error {
	var maps []plot.GridMap
	for _, r := range m.Components[:min(len(m.Components), maxMaps)] {
		title := r.Component.String()
		if r.Atom != "" {
			title += fmt.Sprintf(": %s (F1 %.2f)", r.Atom, r.AtomF1)
		}
		maps = append(maps, plot.GridMap{Title: title, P: m.p, Values: r.Values, Outline: m.outline})
	}
	curve := plot.Panel{Title: "ablating the ranked components", XLabel: "components ablated", YLabel: "share", Share: true}
	for i, a := range m.Ablations {
		var x, attack, clean []float64
		for _, pt := range a.Curve {
			x = append(x, float64(pt.Components))
			attack, clean = append(attack, pt.AttackTrain), append(clean, pt.CleanTestAcc)
		}
		curve.Lines = append(curve.Lines,
			plot.Series{Label: a.Mode + ": planted rows answered as planted", X: x, Y: attack, Color: 1 + 2*i},
			plot.Series{Label: a.Mode + ": clean test accuracy", X: x, Y: clean, Color: 2 + 2*i, Dashed: true})
	}
	outlined := "the trigger outlined"
	if m.outlineIsRows {
		outlined = "the rule's rows outlined"
	}
	return plot.GridMaps(path, strings.TrimSpace(header+"  —  off-circuit activation, "+outlined), maps, curve)
}

package grokstep

import (
	"fmt"

	"github.com/grokkit/grokkit/pkg/plot"
)

// Figure draws test accuracy against step (plot's step axis), one panel
// per task, one colour per optimiser (the same in every panel), every seed
// a line of its colour; the legend names each optimiser's group once with
// its learning rate (Muon's own), median grokking step and never count.
func Figure(path, header string, groups []Group) error {
	colour := map[string]int{}
	type task struct {
		name string
		p    int
	}
	var tasks []task
	lines := map[task][]plot.Line{}
	for _, g := range groups {
		if _, ok := colour[g.Optimiser]; !ok {
			colour[g.Optimiser] = len(colour) + 1
		}
		t := task{g.Task, g.P}
		if _, ok := lines[t]; !ok {
			tasks = append(tasks, t)
		}
		for i, r := range g.Runs {
			l := plot.Line{Steps: r.Steps, Values: r.Acc, Color: colour[g.Optimiser], Width: 0.6} // thin: a seed among many
			if i == 0 {                                                                           // one legend entry per group: its seeds share it
				// Short: the legend sits beside the panel and takes its width.
				l.Label = fmt.Sprintf("%s %g: %d/%d never grok", g.Optimiser, g.SweptLR(), g.Never, g.Seeds)
				if g.Grokked > 0 {
					l.Label = fmt.Sprintf("%s %g: median %s, %d/%d never", g.Optimiser, g.SweptLR(), num(g.Median), g.Never, g.Seeds)
				}
			}
			lines[t] = append(lines[t], l)
		}
	}
	if len(tasks) == 0 {
		return fmt.Errorf("%s: no runs to draw", path)
	}
	panels := make([]plot.Panel, len(tasks))
	for i, t := range tasks {
		panels[i] = plot.LinesPanel(fmt.Sprintf("(%s) mod %d: test accuracy", t.name, t.p), "test accuracy", false, true, lines[t])
	}
	return plot.PanelsWithHeader(path, header, panels...)
}

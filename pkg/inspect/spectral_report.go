package inspect

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/grokkit/grokkit/pkg/plot"
)

// byMatrix is one spectral measure by step, then by matrix index.
func byMatrix(rows []Row, measure string) map[int64]map[int64]float64 {
	out := map[int64]map[int64]float64{}
	for _, r := range rows {
		if r.Measure == measure && r.Index >= 0 {
			if out[r.Step] == nil {
				out[r.Step] = map[int64]float64{}
			}
			out[r.Step][r.Index] = r.Value
		}
	}
	return out
}

// writeSpectralTable prints, per step and matrix, α with its tail, and the
// traps and spikes; nothing without matrices.
func writeSpectralTable(w io.Writer, steps []int64, matrices []string, rows []Row) error {
	if len(matrices) == 0 {
		return nil
	}
	alpha, tail := byMatrix(rows, MeasureAlpha), byMatrix(rows, MeasureAlphaTail)
	traps, spikes := byMatrix(rows, MeasureTraps), byMatrix(rows, MeasureSpikes)
	// Left-aligned, unlike the measures' table above: a line that starts
	// with spaces and a step is that table's (the tests count them).
	table := func(title string, cell func(s, i int64) string) error {
		fmt.Fprintln(w, title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "step\t%s\n", strings.Join(matrices, "\t"))
		for _, s := range steps {
			cells := make([]string, len(matrices))
			for i := range matrices {
				cells[i] = cell(s, int64(i))
			}
			fmt.Fprintf(tw, "%d\t%s\n", s, strings.Join(cells, "\t"))
		}
		return tw.Flush()
	}
	err := table("HTSR α of each weight matrix's ESD tail (eigenvalues in the tail); WeightWatcher reads 2–6 as well trained, < 2 as over-fit:",
		func(s, i int64) string {
			a, ok := alpha[s][i]
			if !ok {
				return "-"
			}
			return fmt.Sprintf("%.3g (%.0f)", a, tail[s][i])
		})
	if err != nil {
		return err
	}
	err = table("correlation traps (the shuffled matrix's eigenvalues above its Marchenko–Pastur bulk) / spikes (the matrix's own above that bulk):",
		func(s, i int64) string { return fmt.Sprintf("%.0f/%.0f", traps[s][i], spikes[s][i]) })
	if err != nil {
		return err
	}
	fmt.Fprintln(w, firstStep("α < 2", steps, matrices, alpha, func(v float64) bool { return v < 2 }))
	_, err = fmt.Fprintln(w, firstStep("a correlation trap", steps, matrices, traps, func(v float64) bool { return v > 0 }))
	return err
}

// firstStep says the first step (steps ascending) at which some matrix's
// measure passes, and which matrices then: Prakash & Martin's warnings
// (α < 2, a trap) are read this way, as the step where one first appears.
func firstStep(what string, steps []int64, matrices []string, m map[int64]map[int64]float64, passes func(float64) bool) string {
	for _, s := range steps {
		var names []string
		for i, name := range matrices {
			if v, ok := m[s][int64(i)]; ok && passes(v) {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			return fmt.Sprintf("%s: first at step %d, in %s", what, s, strings.Join(names, ", "))
		}
	}
	return fmt.Sprintf("%s: at no step", what)
}

// spectralPanels are progress.png's α panel (one line per matrix, and
// α = 2) and, when some matrix has a trap at some step, a traps panel.
func spectralPanels(matrices []string, rows []Row) []plot.Panel {
	if len(matrices) == 0 {
		return nil
	}
	series := func(measure string, i int) plot.Series {
		s := plot.Series{Label: matrices[i]}
		for _, r := range rows {
			if r.Measure == measure && r.Index == int64(i) {
				s.X = append(s.X, float64(r.Step))
				s.Y = append(s.Y, r.Value)
			}
		}
		return s
	}
	alpha := plot.Panel{Title: "HTSR α per weight matrix", XLabel: "step", YLabel: "α", LogX: true}
	lo, hi := 0.0, 0.0
	for i := range matrices {
		s := series(MeasureAlpha, i)
		alpha.Lines = append(alpha.Lines, s)
		for _, x := range s.X {
			if x > 0 && (lo == 0 || x < lo) { // the log axis leaves step 0 out
				lo = x
			}
			hi = max(hi, x)
		}
	}
	if lo > 0 {
		alpha.Lines = append(alpha.Lines, plot.Series{Label: "α = 2 (below: over-fit)", X: []float64{lo, hi}, Y: []float64{2, 2}, Dashed: true})
	}
	panels := []plot.Panel{alpha}
	traps := plot.Panel{Title: "correlation traps", XLabel: "step", YLabel: "traps", LogX: true}
	for i := range matrices {
		s := series(MeasureTraps, i)
		for _, y := range s.Y {
			if y > 0 {
				traps.Lines = append(traps.Lines, s)
				break
			}
		}
	}
	if len(traps.Lines) > 0 {
		panels = append(panels, traps)
	}
	return panels
}

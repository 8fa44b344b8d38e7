// Package plot draws the figures of the toolkit with gonum/plot: PNG by
// default, SVG or PDF by the file's extension (format.go).
package plot

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// Line is one named curve.
type Line struct {
	Label  string
	Steps  []int64
	Values []float64
	Dashed bool    // another kind of quantity beside the solid curves
	Color  int     // see Series.Color
	Dotted bool    // a marker (see Series.Dotted)
	Width  float64 // see Series.Width
}

// Palette: train blue, test orange, then others; colour-blind safe (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255}, color.RGBA{86, 180, 233, 255}, color.RGBA{213, 94, 0, 255},
	color.RGBA{0, 0, 0, 255}, color.RGBA{240, 228, 66, 255},
	// Beyond Okabe–Ito's eight (figures with many scores): Tol's muted tones.
	color.RGBA{136, 34, 85, 255}, color.RGBA{153, 153, 51, 255}, color.RGBA{136, 136, 136, 255}, color.RGBA{102, 51, 0, 255},
}

// Curves writes a run's curves: accuracy (linear, [0, 1]) and loss (log)
// side by side, then the more panels (each scale quantity on its own axis:
// ‖w‖, the logits), two to a row, all against the step axis (steps.go)
// from step 0. After grokking every accuracy sits at the top right, so
// the legends go beside the data.
func Curves(path, title string, acc, loss []Line, more ...Panel) error {
	panels := []Panel{
		{Title: "accuracy", XLabel: "step", YLabel: "accuracy", StepX: true, Share: true, Lines: series(acc)},
		{Title: "loss", XLabel: "step", YLabel: "loss", StepX: true, LogY: true, Lines: series(loss)},
	}
	return Grid(path, title, 2, append(panels, more...)...)
}

func series(lines []Line) []Series {
	out := make([]Series, len(lines))
	for i, l := range lines {
		x := make([]float64, len(l.Steps))
		for j, s := range l.Steps {
			x[j] = float64(s)
		}
		out[i] = Series{Label: l.Label, X: x, Y: l.Values, Dashed: l.Dashed, Color: l.Color, Dotted: l.Dotted, Width: l.Width}
	}
	return out
}

// powerTicks labels the powers of ten of a log axis ("1e-06", "100", "1e+04")
// and marks the 2…9 multiples between them without labels.
type powerTicks struct{}

func (powerTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= min {
		return nil
	}
	// Less than two decades: label the multiples 2 and 5 as well, so the
	// axis can be read.
	few := max < 100*min
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		base := math.Pow(10, e)
		for k := 1; k <= 9; k++ {
			v := float64(k) * base
			if v < min || v > max {
				continue
			}
			label := ""
			if k == 1 || (few && (k == 2 || k == 5)) {
				label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	// Under a decade (a weight norm from 12 to 40), too few are labelled
	// to read the axis by: round values then, as on a linear axis.
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 3 && max < 10*min {
		return niceTicks{}.Ticks(min, max)
	}
	return ticks
}

// LinesPanel is a panel of named curves against the step axis (from step
// 0: steps.go), its y axis logarithmic if logY, or [0, 1] for a share.
func LinesPanel(title, yLabel string, logY, share bool, lines []Line) Panel {
	return Panel{Title: title, XLabel: "step", YLabel: yLabel, StepX: true, LogY: logY, Share: share, Lines: series(lines)}
}

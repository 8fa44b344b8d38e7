// Package plot draws the PNG figures of the toolkit with gonum/plot.
package plot

import (
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// Line is one named curve.
type Line struct {
	Label  string
	Steps  []int64
	Values []float64
	Dashed bool // another kind of quantity beside the solid curves
}

// Palette: train blue, test orange, then others; colour-blind safe (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255}, color.RGBA{86, 180, 233, 255}, color.RGBA{213, 94, 0, 255},
	color.RGBA{0, 0, 0, 255}, color.RGBA{240, 228, 66, 255},
}

// Curves writes a PNG with two panels side by side: accuracy (linear) and
// loss (log), both against a log step axis. Step 0 cannot sit on a log axis
// and is left out. After grokking every accuracy sits at the top right, so
// that panel's legend goes to the bottom right.
func Curves(path, title string, acc, loss, scale []Line) error {
	panels := []Panel{
		{Title: title + ": accuracy", XLabel: "step", YLabel: "accuracy", LogX: true, LegendBottom: true, Lines: series(acc)},
		{Title: title + ": loss", XLabel: "step", YLabel: "loss", LogX: true, LogY: true, Lines: series(loss)},
	}
	if len(scale) > 0 {
		panels = append(panels, Panel{Title: title + ": scale", XLabel: "step", YLabel: "value", LogX: true, LogY: true, Lines: series(scale)})
	}
	return Panels(path, panels...)
}

func series(lines []Line) []Series {
	out := make([]Series, len(lines))
	for i, l := range lines {
		x := make([]float64, len(l.Steps))
		for j, s := range l.Steps {
			x[j] = float64(s)
		}
		out[i] = Series{Label: l.Label, X: x, Y: l.Values, Dashed: l.Dashed}
	}
	return out
}

// savePanels lays plots out in one row and writes a PNG atomically.
func savePanels(path string, w, h vg.Length, plots ...*plot.Plot) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2,
		PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	row := [][]*plot.Plot{plots}
	canvases := plot.Align(row, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	return outfile.Write(path, nil, func(w io.Writer) error {
		_, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w)
		return err
	})
}

// powerTicks labels the powers of ten of a log axis ("1e-06", "100", "1e+04")
// and marks the 2…9 multiples between them without labels.
type powerTicks struct{}

func (powerTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= min {
		return nil
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		base := math.Pow(10, e)
		for k := 1; k <= 9; k++ {
			v := float64(k) * base
			if v < min || v > max {
				continue
			}
			label := ""
			if k == 1 {
				label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	return ticks
}

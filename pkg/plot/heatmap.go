package plot

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// grid is a GridXYZ over categorical axes: cell (i, j) sits at (i, j).
type grid struct{ z [][]float64 } // [y][x]

func (g grid) Dims() (c, r int)   { return len(g.z[0]), len(g.z) }
func (g grid) Z(c, r int) float64 { return g.z[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// Heatmap writes a PNG of z [len(ys)][len(xs)] over two categorical axes,
// each cell with its text (e.g. a category name over a colour per
// category); cells with "" get no text. NaN cells (a run that did not grok)
// are drawn light grey, apart from every colour of the scale, which a
// colour bar beside the map explains.
func Heatmap(path, title, xLabel, yLabel string, xs, ys []string, z [][]float64, cells [][]string) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range z {
		for _, v := range row {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + 1
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(lo)
	pal.SetMax(hi)
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	h := plotter.NewHeatMap(grid{z}, pal.Palette(64))
	h.Min, h.Max = lo, hi      // NaN cells would spoil the computed range
	h.NaN = color.Gray{Y: 225} // off the blue–red scale
	p.Add(h)
	var labels plotter.XYLabels
	for j, row := range cells {
		for i, text := range row {
			if text == "" {
				continue
			}
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(i), Y: float64(j)})
			labels.Labels = append(labels.Labels, text)
		}
	}
	if len(labels.XYs) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return err
		}
		p.Add(l)
	}
	p.X.Tick.Marker = categories(xs)
	p.Y.Tick.Marker = categories(ys)
	bar := plot.New()
	bar.Add(&plotter.ColorBar{ColorMap: pal, Vertical: true})
	bar.HideX()
	bar.Title.Text = strings.Repeat(" \n", strings.Count(title, "\n")) + " " // the map's title height: both plot areas align
	bar.Y.Padding = 0
	width := vg.Length(max(5, len(xs)+2)) * vg.Inch
	colorBar := figure{plot: bar, width: 1.1 * vg.Inch}
	return savePanels(path, "", width+colorBar.width, vg.Length(max(4, len(ys)+2))*vg.Inch, figure{plot: p, title: title}, colorBar)
}

type categories []string

func (c categories) Ticks(min, max float64) []plot.Tick {
	ticks := make([]plot.Tick, len(c))
	for i, s := range c {
		ticks[i] = plot.Tick{Value: float64(i), Label: s}
	}
	return ticks
}

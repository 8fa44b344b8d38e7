package plot

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	gpalette "gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// grid is a GridXYZ over categorical axes: cell (i, j) sits at (i, j).
type grid struct{ z [][]float64 } // [y][x]

func (g grid) Dims() (c, r int)   { return len(g.z[0]), len(g.z) }
func (g grid) Z(c, r int) float64 { return g.z[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// HeatScale is how a heat map turns values into colours.
type HeatScale int

const (
	// FromZero is a sequential scale from 0 (or the smallest value, if
	// below) to the largest value: steps, losses, whose ratios mean
	// something. A scale fitted to the values' own range would make the
	// smallest of 900 and 1000 look like nothing.
	FromZero HeatScale = iota
	// Share is a sequential scale over [0, 1] whatever the values:
	// accuracies and shares of rows, so that 0.26 and 0.45 look like what
	// they are.
	Share
	// Categories gives each integer value a palette colour (the cells name
	// the categories): no colour bar.
	Categories
)

// Heatmap writes a figure of z [len(ys)][len(xs)] over two categorical
// axes, each cell with its text (its value as the caller prints it, or a
// category's name); cells with "" get no text. NaN cells (a run that did
// not grok) are drawn light grey, apart from every colour of the scale.
// A colour bar beside the map explains the scale: round values on its
// left, and on its right the cells' smallest and largest values as the
// cells print them (0.4453, not a rounded 0.44), so that the scale's
// fixed ends and the cells' range both read exactly.
func Heatmap(path, title, xLabel, yLabel string, xs, ys []string, z [][]float64, cells [][]string, scale HeatScale) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	var loText, hiText string
	for j, row := range z {
		for i, v := range row {
			if math.IsNaN(v) {
				continue
			}
			text := ""
			if j < len(cells) && i < len(cells[j]) {
				text = cells[j][i]
			}
			if v < lo {
				lo, loText = v, text
			}
			if v > hi {
				hi, hiText = v, text
			}
		}
	}
	var cmap gpalette.ColorMap
	var zmin, zmax float64
	switch scale {
	case Share:
		zmin, zmax = 0, 1
		cmap = newViridis()
	case Categories:
		zmin, zmax = 0, float64(len(palette)-1)
		cmap = categoryMap{}
	default:
		zmin, zmax = math.Min(lo, 0), hi
		if math.IsInf(lo, 0) || !(zmax > zmin) {
			zmin, zmax = 0, 1
		}
		cmap = newViridis()
	}
	cmap.SetMin(zmin)
	cmap.SetMax(zmax)
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	var h *plotter.HeatMap
	if scale == Categories {
		h = plotter.NewHeatMap(grid{z}, categoryPalette{})
	} else {
		h = plotter.NewHeatMap(grid{z}, cmap.Palette(256))
	}
	h.Min, h.Max = zmin, zmax  // NaN cells would spoil the computed range
	h.NaN = color.Gray{Y: 225} // off every scale
	p.Add(h)
	var labels plotter.XYLabels
	var ink []color.Color
	for j, row := range cells {
		for i, text := range row {
			if text == "" {
				continue
			}
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(i), Y: float64(j)})
			labels.Labels = append(labels.Labels, text)
			var under color.Color = h.NaN
			if v := z[j][i]; !math.IsNaN(v) {
				if c, err := cmap.At(math.Max(zmin, math.Min(zmax, v))); err == nil {
					under = c
				}
			}
			ink = append(ink, textOn(under))
		}
	}
	if len(labels.XYs) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].XAlign, l.TextStyle[i].YAlign = -0.5, -0.5 // centred in the cell
			l.TextStyle[i].Color = ink[i]
		}
		p.Add(l)
	}
	p.X.Tick.Marker = categories(xs)
	p.Y.Tick.Marker = categories(ys)
	width := vg.Length(max(5, float64(len(xs)+2))) * vg.Inch
	height := vg.Length(max(4, float64(len(ys)+2))) * vg.Inch
	if scale == Categories || math.IsInf(lo, 0) { // no scale to explain: named categories, or no values
		return savePanels(path, "", width, height, figure{plot: p, title: title})
	}
	bar := plot.New()
	bar.Add(&plotter.ColorBar{ColorMap: cmap, Vertical: true})
	bar.HideX()
	bar.Title.Text = strings.Repeat(" \n", strings.Count(title, "\n")) + " " // the map's title height: both plot areas align
	bar.Y.Padding = 0
	bar.Y.Tick.Marker = barTicks{}
	// The cells' smallest and largest values, printed as the cells print
	// them, marked right of the bar.
	ends := []plot.Tick{{Value: lo, Label: orNumber(loText, lo)}}
	if hi != lo {
		ends = append(ends, plot.Tick{Value: hi, Label: orNumber(hiText, hi)})
	}
	colorBar := figure{plot: bar, width: 0.9 * vg.Inch, marks: ends}
	return savePanels(path, "", width+colorBar.width, height, figure{plot: p, title: title}, colorBar)
}

// orNumber is a cell's text if it is its number, else the value printed
// as cells print them.
func orNumber(text string, v float64) string {
	if _, err := strconv.ParseFloat(text, 64); err == nil {
		return text
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// barTicks marks a colour bar at round values (niceTicks), written as
// short as they are ("0.4", not "0.40").
type barTicks struct{}

func (barTicks) Ticks(min, max float64) []plot.Tick {
	ticks := niceTicks{}.Ticks(min, max)
	for i := range ticks {
		ticks[i].Label = trimZeros(ticks[i].Label)
	}
	return ticks
}

// trimZeros writes a round tick as short as it is: "0.40" as "0.4".
func trimZeros(s string) string {
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return s
}

// textOn is black or white, whichever reads on c.
func textOn(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	// Relative luminance (sRGB weights, on the gamma-encoded values: close enough here).
	if 0.2126*float64(r)+0.7152*float64(g)+0.0722*float64(b) < 0.45*0xffff {
		return color.White
	}
	return color.Black
}

type categories []string

func (c categories) Ticks(min, max float64) []plot.Tick {
	ticks := make([]plot.Tick, len(c))
	for i, s := range c {
		ticks[i] = plot.Tick{Value: float64(i), Label: s}
	}
	return ticks
}

// viridis (van der Walt and Smith, matplotlib's default): a sequential
// scale, dark blue to yellow, perceptually uniform, readable in grey and
// by the colour-blind. Its colours at 0, 1/8, …, 1, interpolated.
var viridisStops = []color.RGBA{
	{68, 1, 84, 255}, {71, 44, 122, 255}, {59, 81, 139, 255}, {44, 113, 142, 255}, {33, 144, 141, 255},
	{39, 173, 129, 255}, {92, 200, 99, 255}, {170, 220, 50, 255}, {253, 231, 37, 255},
}

type viridis struct{ min, max, alpha float64 }

func newViridis() *viridis { return &viridis{min: 0, max: 1, alpha: 1} }

func (v *viridis) At(x float64) (color.Color, error) {
	if x < v.min || x > v.max || math.IsNaN(x) {
		return nil, fmt.Errorf("plot: %g outside the scale [%g, %g]", x, v.min, v.max)
	}
	t := 0.0
	if v.max > v.min {
		t = (x - v.min) / (v.max - v.min) * float64(len(viridisStops)-1)
	}
	i := min(int(t), len(viridisStops)-2)
	f := t - float64(i)
	a, b := viridisStops[i], viridisStops[i+1]
	mix := func(p, q uint8) uint8 { return uint8(math.Round(float64(p) + f*(float64(q)-float64(p)))) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), uint8(math.Round(255 * v.alpha))}, nil
}
func (v *viridis) Max() float64       { return v.max }
func (v *viridis) SetMax(x float64)   { v.max = x }
func (v *viridis) Min() float64       { return v.min }
func (v *viridis) SetMin(x float64)   { v.min = x }
func (v *viridis) Alpha() float64     { return v.alpha }
func (v *viridis) SetAlpha(a float64) { v.alpha = a }
func (v *viridis) Palette(n int) gpalette.Palette {
	cs := make([]color.Color, n)
	for i := range cs {
		x := v.min
		if n > 1 {
			x += (v.max - v.min) * float64(i) / float64(n-1)
		}
		cs[i], _ = v.At(x)
	}
	return colors(cs)
}

type colors []color.Color

func (c colors) Colors() []color.Color { return c }

// categoryPalette colours category i (0, 1, …) with the figures' palette.
type categoryPalette struct{}

func (categoryPalette) Colors() []color.Color { return palette }

// categoryMap is categoryPalette as a ColorMap (for cell text colours).
type categoryMap struct{}

func (categoryMap) At(x float64) (color.Color, error) {
	i := int(math.Round(x))
	if i < 0 || i >= len(palette) {
		return nil, fmt.Errorf("plot: no category %g", x)
	}
	return palette[i], nil
}
func (categoryMap) Max() float64                 { return float64(len(palette) - 1) }
func (categoryMap) SetMax(float64)               {}
func (categoryMap) Min() float64                 { return 0 }
func (categoryMap) SetMin(float64)               {}
func (categoryMap) Alpha() float64               { return 1 }
func (categoryMap) SetAlpha(float64)             {}
func (categoryMap) Palette(int) gpalette.Palette { return categoryPalette{} }

package plot

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// GridMap is one value per input (a, b) of Z_p², drawn as a heat map (a
// across, b up), with the inputs of a set (a trigger) outlined.
type GridMap struct {
	Title   string
	P       int
	Values  []float64 // [p·p], row a·p+b; NaN is drawn light grey
	Outline []bool    // [p·p]: the outlined inputs (nil: none)
}

// GridMaps writes a PNG with the maps in rows of MapsPerRow, each on its own
// sequential scale from its smallest to its largest value, then the panels
// (an ablation curve, say) in a row of their own, under a header line.
func GridMaps(path, header string, maps []GridMap, panels ...Panel) error {
	var rows [][]figure
	for i, m := range maps {
		if i%MapsPerRow == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], gridMapFigure(m))
	}
	side := 4 * vg.Inch
	for len(rows) > 0 && len(rows[len(rows)-1]) < MapsPerRow { // a short last row keeps square maps
		rows[len(rows)-1] = append(rows[len(rows)-1], figure{plot: blank(), legend: plot.NewLegend()})
	}
	var last []figure
	for _, pn := range panels {
		f, err := drawPanel(pn)
		if err != nil {
			return err
		}
		last = append(last, f)
	}
	if len(last) > 0 {
		rows = append(rows, last)
	}
	return saveRows(path, header, MapsPerRow*side, side, rows...)
}

// MapsPerRow is how many maps a row of GridMaps holds.
const MapsPerRow = 3

// blank is an empty plot that fills a row's place.
func blank() *plot.Plot {
	p := plot.New()
	p.HideAxes()
	return p
}

// cells is a GridMap as gonum's heat-map grid: column a, row b.
type cells struct{ m GridMap }

func (c cells) Dims() (int, int)   { return c.m.P, c.m.P }
func (c cells) Z(a, b int) float64 { return c.m.Values[a*c.m.P+b] }
func (c cells) X(a int) float64    { return float64(a) }
func (c cells) Y(b int) float64    { return float64(b) }

func gridMapFigure(m GridMap) figure {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range m.Values {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if !(hi > lo) {
		lo, hi = 0, math.Max(hi, 0)+1
	}
	pal := moreland.BlackBody()
	pal.SetMin(lo)
	pal.SetMax(hi)
	p := plot.New()
	p.Title.Text = m.Title
	p.X.Label.Text, p.Y.Label.Text = "a", "b"
	h := plotter.NewHeatMap(cells{m}, pal.Palette(64))
	h.Min, h.Max = lo, hi
	h.NaN = color.Gray{Y: 225}
	p.Add(h)
	if m.Outline != nil {
		p.Add(outline{m})
	}
	p.X.Min, p.X.Max = -0.5, float64(m.P)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(m.P)-0.5
	return figure{plot: p, title: m.Title, legend: plot.NewLegend()}
}

// outline draws the border of the outlined inputs: every cell edge with an
// outlined input on one side only.
type outline struct{ m GridMap }

func (o outline) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	p := o.m.P
	in := func(a, b int) bool { return a >= 0 && b >= 0 && a < p && b < p && o.m.Outline[a*p+b] }
	style := draw.LineStyle{Color: color.RGBA{R: 0, G: 170, B: 255, A: 255}, Width: vg.Points(1.2)}
	seg := func(x0, y0, x1, y1 float64) {
		c.StrokeLine2(style, tx(x0), ty(y0), tx(x1), ty(y1))
	}
	for a := range p {
		for b := range p {
			if !in(a, b) {
				continue
			}
			x, y := float64(a), float64(b)
			if !in(a-1, b) {
				seg(x-0.5, y-0.5, x-0.5, y+0.5)
			}
			if !in(a+1, b) {
				seg(x+0.5, y-0.5, x+0.5, y+0.5)
			}
			if !in(a, b-1) {
				seg(x-0.5, y-0.5, x+0.5, y-0.5)
			}
			if !in(a, b+1) {
				seg(x-0.5, y+0.5, x+0.5, y+0.5)
			}
		}
	}
}

package plot

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one named curve over arbitrary x values.
type Series struct {
	Label  string
	X, Y   []float64
	Dashed bool // a second kind of curve beside the solid ones (e.g. baselines)
}

// Panel is one plot of a figure.
type Panel struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Lines                 []Series
	Bars                  bool // draw the series as grouped bars (spectra)
	LegendBottom          bool
	// XNames labels x = 0, 1, … by name (slanted), in place of numbers.
	XNames []string
	// Unit: both axes run over [0, 1] with the chance diagonal drawn, and
	// the legend sits in a strip right of x = 1, off the data (ROC curves).
	Unit bool
}

// Panels writes a PNG with the panels side by side.
func Panels(path string, panels ...Panel) error {
	plots := make([]*plot.Plot, len(panels))
	for i, pn := range panels {
		p, err := drawPanel(pn)
		if err != nil {
			return err
		}
		plots[i] = p
	}
	return savePanels(path, vg.Length(len(panels))*6*vg.Inch, 4.5*vg.Inch, plots...)
}

func drawPanel(pn Panel) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text = pn.XLabel
	p.Y.Label.Text = pn.YLabel
	if pn.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = powerTicks{}
	}
	if pn.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = powerTicks{}
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = !pn.LegendBottom
	if pn.XNames != nil {
		var ticks []plot.Tick
		for i, name := range pn.XNames {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: name})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Tick.Label.Rotation = math.Pi / 5
		p.X.Tick.Label.XAlign = -1 // right-aligned under the bar, slanted
		p.X.Tick.Label.YAlign = -1.2
		p.X.Min, p.X.Max = -0.5, float64(len(pn.XNames))-0.5
	}
	if pn.Unit {
		diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
		if err != nil {
			return nil, err
		}
		diag.Color = color.Gray{Y: 150}
		diag.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(diag)
		p.Legend.Add("chance", diag)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1.55, 0, 1
		p.X.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.5, Label: "0.5"}, {Value: 1, Label: "1"}})
		p.Legend.Top = false
	}
	width := vg.Points(4)
	for i, s := range pn.Lines {
		var pts plotter.XYs
		for j, x := range s.X {
			y := s.Y[j]
			if (pn.LogX && x <= 0) || (pn.LogY && y <= 0) || math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			pts = append(pts, plotter.XY{X: x, Y: y})
		}
		if len(pts) == 0 {
			continue
		}
		col := palette[i%len(palette)]
		if pn.Bars {
			vals := make(plotter.Values, len(s.Y))
			copy(vals, s.Y)
			bars, err := plotter.NewBarChart(vals, width)
			if err != nil {
				return nil, fmt.Errorf("plot %s: %v", s.Label, err)
			}
			bars.Color = col
			bars.LineStyle.Width = 0
			bars.XMin = s.X[0] // bars sit at x = XMin, XMin+1, …: the series' own x
			bars.Offset = vg.Length(i-len(pn.Lines)/2) * width
			p.Add(bars)
			if len(pn.Lines) > 1 { // a lone series is named by the title
				p.Legend.Add(s.Label, bars)
			}
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("plot %s: %v", s.Label, err)
		}
		line.Color = col
		line.Width = vg.Points(1.5)
		if s.Dashed {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(line)
		p.Legend.Add(s.Label, line)
	}
	widenLogRange(&p.X, pn.LogX)
	widenLogRange(&p.Y, pn.LogY)
	return p, nil
}

// widenLogRange gives a log axis a positive, non-empty range when its data
// do not (no points, or a single value such as a one-step run): gonum
// would otherwise pad it to include 0 and panic.
func widenLogRange(ax *plot.Axis, log bool) {
	if !log {
		return
	}
	if ax.Min <= 0 || ax.Max <= 0 || math.IsInf(ax.Min, 0) || math.IsInf(ax.Max, 0) {
		ax.Min, ax.Max = 1, 10
	}
	if ax.Min == ax.Max {
		ax.Min, ax.Max = ax.Min/10, ax.Max*10
	}
}

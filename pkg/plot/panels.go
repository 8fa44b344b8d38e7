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
	// Color, if not 0, is the palette colour (1-based) instead of the
	// series' position: a marker drawn in the colour of the curve it marks.
	Color int
	// Dotted draws a thin dotted line: markers such as "test ≥ 99% here".
	Dotted bool
}

// Panel is one plot of a figure.
type Panel struct {
	Title, XLabel, YLabel string
	LogX, LogY            bool
	Lines                 []Series
	Bars                  bool // draw the series as grouped bars (spectra)
	// XNames labels x = 0, 1, … by name (slanted), in place of numbers.
	XNames []string
	// XTicks labels these x values, and only these (every frequency of a
	// small spectrum).
	XTicks []float64
	// Marks are texts drawn at points of the data (key frequencies over
	// their bars).
	Marks plotter.XYLabels
	// Unit: both axes run over [0, 1] with the chance diagonal drawn (ROC
	// curves).
	Unit bool
	// Share: y is a share of rows (an accuracy, a collapse fraction): its
	// axis is [0, 1] whatever the data.
	Share bool
}

// figure is a drawn panel and its legend, which savePanels puts beside it.
type figure struct {
	plot   *plot.Plot
	legend plot.Legend
	labels []string // the legend's entries, for its width
	title  string
	width  vg.Length // 0: an equal share of the figure
}

// Panels writes a PNG with the panels side by side.
func Panels(path string, panels ...Panel) error { return PanelsWithHeader(path, "", panels...) }

// PanelsWithHeader writes a PNG with the panels side by side under a line
// of text across the whole figure (which run it shows), if header is set.
func PanelsWithHeader(path, header string, panels ...Panel) error {
	figs := make([]figure, len(panels))
	for i, pn := range panels {
		f, err := drawPanel(pn)
		if err != nil {
			return err
		}
		figs[i] = f
	}
	return savePanels(path, header, vg.Length(len(panels))*6*vg.Inch, 4.5*vg.Inch, figs...)
}

func drawPanel(pn Panel) (figure, error) {
	p := plot.New()
	leg := plot.NewLegend()
	f := figure{plot: p, title: pn.Title}
	addEntry := func(label string, th ...plot.Thumbnailer) {
		leg.Add(label, th...)
		f.labels = append(f.labels, label)
	}
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
	if pn.XTicks != nil {
		var ticks []plot.Tick
		for _, x := range pn.XTicks {
			ticks = append(ticks, plot.Tick{Value: x, Label: fmt.Sprint(x)})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
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
			return figure{}, err
		}
		diag.Color = color.Gray{Y: 150}
		diag.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(diag)
		addEntry("chance", diag)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
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
		if s.Color > 0 {
			col = palette[(s.Color-1)%len(palette)]
		}
		if pn.Bars {
			vals := make(plotter.Values, len(s.Y))
			copy(vals, s.Y)
			bars, err := plotter.NewBarChart(vals, width)
			if err != nil {
				return figure{}, fmt.Errorf("plot %s: %v", s.Label, err)
			}
			bars.Color = col
			bars.LineStyle.Width = 0
			bars.XMin = s.X[0] // bars sit at x = XMin, XMin+1, …: the series' own x
			bars.Offset = vg.Length(i-len(pn.Lines)/2) * width
			p.Add(bars)
			if len(pn.Lines) > 1 { // a lone series is named by the title
				addEntry(s.Label, bars)
			}
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return figure{}, fmt.Errorf("plot %s: %v", s.Label, err)
		}
		line.Color = col
		line.Width = vg.Points(1.5)
		if s.Dashed {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		if s.Dotted {
			line.Width = vg.Points(1)
			line.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2)}
		}
		p.Add(line)
		if s.Label != "" {
			addEntry(s.Label, line)
		}
	}
	if len(pn.Marks.XYs) > 0 {
		marks, err := plotter.NewLabels(pn.Marks)
		if err != nil {
			return figure{}, err
		}
		for i := range marks.TextStyle {
			marks.TextStyle[i].YAlign = 0 // above the point
			marks.TextStyle[i].XAlign = -0.5
		}
		p.Add(marks)
	}
	widenLogRange(&p.X, pn.LogX)
	widenLogRange(&p.Y, pn.LogY)
	if pn.Share && !pn.LogY {
		p.Y.Min, p.Y.Max = 0, 1
	}
	if pn.Bars && pn.XNames == nil && len(pn.Lines) > 0 && len(pn.Lines[0].X) > 0 {
		xs := pn.Lines[0].X // bars sit at their x: half a step of room each side
		p.X.Min, p.X.Max = xs[0]-0.7, xs[len(xs)-1]+0.7
	}
	if len(pn.Marks.XYs) > 0 && !pn.LogY {
		p.Y.Max += 0.08 * (p.Y.Max - p.Y.Min) // room for the marks over the tallest bars
	}
	f.legend = leg
	return f, nil
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

package plot

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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
	// Width, if not 0, is the line's width in points (1.5 else): curves
	// that coincide drawn as bands, the first widest, each visible round
	// the ones drawn over it.
	Width float64
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
	// StepX: x is a training step, on the step axis of every figure over
	// training (steps.go): linear from 0 to the first step after it,
	// logarithmic beyond, so that step 0 shows.
	StepX bool
	// BarValues, if set, prints each bar's value over it in this format
	// ("%.2f").
	BarValues string
	// Refs are reference lines across the panel (chance, the grokking
	// step), named in the legend.
	Refs []Ref
	// Note is text under the legend, beside the data: what the curves
	// cannot show (curves drawn over each other). Lines apart by "\n".
	Note string
}

// Ref is a reference line across a panel: horizontal at y = At, dashed
// grey (chance), or with Vertical at x = At, dotted (an event: the step
// where test accuracy reaches 99%), in palette colour Color (1-based;
// black if 0).
type Ref struct {
	At       float64
	Label    string
	Vertical bool
	Color    int
}

// figure is a drawn panel and its legend, which savePanels puts beside it.
type figure struct {
	plot   *plot.Plot
	legend plot.Legend
	labels []string // the legend's entries, for its width
	title  string
	width  vg.Length   // 0: an equal share of the figure
	note   []string    // lines under the legend
	marks  []plot.Tick // labelled ticks right of the data (marks.go), in place of a legend
}

// Panels writes a figure (PNG, SVG or PDF by path's extension: FormatOf)
// with the panels side by side, or in a grid (PanelsWithHeader).
func Panels(path string, panels ...Panel) error { return PanelsWithHeader(path, "", panels...) }

// PanelsWithHeader writes a figure with the panels under a line of text
// across the whole figure (which run it shows), if header is set: one or
// two panels side by side, three or four in two columns, more in three,
// so that no figure becomes a strip too long to read when embedded.
func PanelsWithHeader(path, header string, panels ...Panel) error {
	return PanelsWithKey(path, header, nil, panels...)
}

// PanelsWithKey is PanelsWithHeader with a key under the header: the
// series every panel shares (the runs of a comparison, each with its
// Color), named once for the figure (their curves in the panels go
// without a Label, so the panels have no legends of their own).
func PanelsWithKey(path, header string, key []Series, panels ...Panel) error {
	cols := len(panels)
	switch {
	case cols > 4:
		cols = 3
	case cols > 2:
		cols = 2
	}
	return gridOf(path, header, key, cols, panels)
}

// Panel size: 6 × 4.5 inches (576 × 432 pixels in a PNG), plus its
// legend's strip.
const (
	panelWidth  = 6 * vg.Inch
	panelHeight = 4.5 * vg.Inch
)

// Grid writes a figure with the panels in rows of cols, in reading order,
// under the header; a short last row is padded so that the columns align.
func Grid(path, header string, cols int, panels ...Panel) error {
	return gridOf(path, header, nil, cols, panels)
}

func gridOf(path, header string, key []Series, cols int, panels []Panel) error {
	cols = max(1, min(cols, len(panels)))
	var rows [][]figure
	for i, pn := range panels {
		f, err := drawPanel(pn)
		if err != nil {
			return err
		}
		if i%cols == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], f)
	}
	for len(rows) > 0 && len(rows[len(rows)-1]) < cols {
		rows[len(rows)-1] = append(rows[len(rows)-1], figure{plot: blank(), legend: plot.NewLegend()})
	}
	return saveRowsKey(path, header, key, vg.Length(cols)*panelWidth, panelHeight, rows...)
}

func drawPanel(pn Panel) (figure, error) {
	p := plot.New()
	leg := plot.NewLegend()
	f := figure{plot: p, title: pn.Title}
	addEntry := func(label string, th ...plot.Thumbnailer) {
		leg.Add(label, th...)
		f.labels = append(f.labels, label)
	}
	if pn.Note != "" {
		f.note = strings.Split(pn.Note, "\n")
	}
	p.Title.Text = pn.Title
	p.X.Label.Text = pn.XLabel
	p.Y.Label.Text = pn.YLabel
	if pn.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = powerTicks{}
	}
	if pn.StepX {
		t := firstStep(pn.Lines)
		p.X.Scale = stepScale{t}
		p.X.Tick.Marker = stepTicks{t}
	}
	if pn.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = powerTicks{}
	} else if !pn.Share && !pn.Unit {
		p.Y.Tick.Marker = niceTicks{}
	}
	if !pn.LogX && !pn.StepX && !pn.Unit {
		p.X.Tick.Marker = niceTicks{} // XTicks and XNames replace it below
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = color.Gray{Y: 215}, color.Gray{Y: 215} // light in every format (a hairline of grey 128 prints dark)
	grid.Vertical.Width, grid.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	p.Add(grid)
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
		// A little room round [0, 1]: a perfect curve runs up the left
		// edge and along the top, where the axes would hide it.
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.02, 1.02, -0.02, 1.02
		unit := plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.25}, {Value: 0.5, Label: "0.5"}, {Value: 0.75}, {Value: 1, Label: "1"}})
		p.X.Tick.Marker, p.Y.Tick.Marker = unit, unit
	}
	var barSet []*bars
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
		style := lineStyle(s, i)
		col := style.Color
		if pn.Bars {
			b := &bars{pts: pts, color: col}
			barSet = append(barSet, b)
			p.Add(b)
			if len(pn.Lines) > 1 || len(pn.Refs) > 0 { // a lone series is named by the title, unless there is a legend anyway
				addEntry(s.Label, b)
			}
			continue
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return figure{}, fmt.Errorf("plot %s: %v", s.Label, err)
		}
		line.LineStyle = style
		p.Add(line)
		if s.Label != "" {
			addEntry(s.Label, line)
		}
	}
	values := layBars(barSet)
	for _, r := range pn.Refs {
		ref := &refLine{at: r.At, vertical: r.Vertical, style: draw.LineStyle{Color: color.Gray{Y: 110}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}}
		if r.Vertical {
			ref.style = draw.LineStyle{Color: color.Black, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2)}}
			if r.Color > 0 {
				ref.style.Color = palette[(r.Color-1)%len(palette)]
			}
		}
		p.Add(ref)
		if r.Label != "" {
			addEntry(r.Label, ref)
		}
	}
	marks := pn.Marks
	if pn.BarValues != "" {
		for _, v := range values {
			marks.XYs = append(marks.XYs, v)
			marks.Labels = append(marks.Labels, fmt.Sprintf(pn.BarValues, v.Y))
		}
	}
	if len(marks.XYs) > 0 {
		labels, err := plotter.NewLabels(marks)
		if err != nil {
			return figure{}, err
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].YAlign = 0 // above the point
			labels.TextStyle[i].XAlign = -0.5
			if pn.BarValues != "" {
				labels.TextStyle[i].Font.Size = vg.Points(10)
			}
		}
		p.Add(labels)
	}
	widenLogRange(&p.X, pn.LogX)
	widenLogRange(&p.Y, pn.LogY)
	if pn.StepX {
		p.X.Min = 0 // every step axis starts at the initialisation
		if p.X.Max <= 0 {
			p.X.Max = 1
		}
	}
	if pn.Share && !pn.LogY {
		p.Y.Min, p.Y.Max = 0, 1
	}
	if pn.Bars && pn.XNames == nil && len(pn.Lines) > 0 && len(pn.Lines[0].X) > 0 {
		xs := pn.Lines[0].X // bars sit at their x: half a step of room each side
		p.X.Min, p.X.Max = xs[0]-0.7, xs[len(xs)-1]+0.7
	}
	if pn.Bars && !pn.LogY {
		p.Y.Min = min(p.Y.Min, 0) // bars stand on 0
	}
	if len(marks.XYs) > 0 && !pn.LogY {
		p.Y.Max += 0.08 * (p.Y.Max - p.Y.Min) // room for the marks over the tallest bars
	}
	if pn.Share && !pn.LogY && len(marks.XYs) > 0 {
		p.Y.Tick.Marker = plot.ConstantTicks([]plot.Tick{{Value: 0, Label: "0"}, {Value: 0.25}, {Value: 0.5, Label: "0.5"}, {Value: 0.75}, {Value: 1, Label: "1"}})
	}
	f.legend = leg
	return f, nil
}

// lineStyle is how series s, the i-th of its panel, is drawn: in its
// palette colour (its own Color, else its place), 1.5 points wide, dashed
// or dotted as it asks.
func lineStyle(s Series, i int) draw.LineStyle {
	style := draw.LineStyle{Color: palette[i%len(palette)], Width: vg.Points(1.5)}
	if s.Color > 0 {
		style.Color = palette[(s.Color-1)%len(palette)]
	}
	if s.Dashed {
		style.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	}
	if s.Dotted {
		style.Width = vg.Points(1)
		style.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2)}
	}
	if s.Width > 0 {
		style.Width = vg.Points(s.Width)
	}
	return style
}

// bars draws one series as bars at its x values, each as wide (in x
// units) as layBars makes it, beside the other series' bars at the same x.
type bars struct {
	pts   plotter.XYs
	color color.Color
	// offset and width of each bar, in x units, set by layBars.
	offset []float64
	width  float64
}

// layBars places bars: at each x, the series with a bar there side by side,
// centred, every bar as wide as 0.8 of a unit shared by the most series
// at one x. It returns the top centre of every bar, in series order.
func layBars(set []*bars) plotter.XYs {
	at := map[float64]int{}
	most := 1
	for _, b := range set {
		for _, pt := range b.pts {
			at[pt.X]++
			most = max(most, at[pt.X])
		}
	}
	width := 0.8 / float64(most)
	placed := map[float64]int{}
	var tops plotter.XYs
	for _, b := range set {
		b.width = width
		b.offset = make([]float64, len(b.pts))
		for i, pt := range b.pts {
			n := at[pt.X]
			b.offset[i] = (float64(placed[pt.X]) - float64(n-1)/2) * width
			placed[pt.X]++
			tops = append(tops, plotter.XY{X: pt.X + b.offset[i], Y: pt.Y})
		}
	}
	return tops
}

func (b *bars) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	base := max(plt.Y.Min, 0)
	if plt.Y.Max < 0 {
		base = plt.Y.Max
	}
	for i, pt := range b.pts {
		x0, x1 := pt.X+b.offset[i]-b.width/2, pt.X+b.offset[i]+b.width/2
		y0, y1 := base, pt.Y
		if y1 < y0 {
			y0, y1 = y1, y0
		}
		rect := vg.Rectangle{Min: vg.Point{X: tx(x0), Y: ty(y0)}, Max: vg.Point{X: tx(x1), Y: ty(y1)}}
		c.FillPolygon(b.color, c.ClipPolygonXY([]vg.Point{rect.Min, {X: rect.Max.X, Y: rect.Min.Y}, rect.Max, {X: rect.Min.X, Y: rect.Max.Y}}))
	}
}

// DataRange implements plot.DataRanger: every bar and 0.
func (b *bars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), 0, 0
	for _, pt := range b.pts {
		xmin, xmax = min(xmin, pt.X), max(xmax, pt.X)
		ymin, ymax = min(ymin, pt.Y), max(ymax, pt.Y)
	}
	return xmin - 0.5, xmax + 0.5, ymin, ymax
}

// Thumbnail implements plot.Thumbnailer: a filled square.
func (b *bars) Thumbnail(c *draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	x := (c.Min.X + c.Max.X - h) / 2
	c.FillPolygon(b.color, []vg.Point{{X: x, Y: c.Min.Y}, {X: x + h, Y: c.Min.Y}, {X: x + h, Y: c.Max.Y}, {X: x, Y: c.Max.Y}})
}

// refLine is a line across the plot: horizontal at y = at, or vertical
// at x = at.
type refLine struct {
	at       float64
	vertical bool
	style    draw.LineStyle
}

func (r *refLine) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	if r.vertical {
		c.StrokeLine2(r.style, tx(r.at), c.Min.Y, tx(r.at), c.Max.Y)
		return
	}
	c.StrokeLine2(r.style, c.Min.X, ty(r.at), c.Max.X, ty(r.at))
}

// DataRange implements plot.DataRanger: the line's own coordinate only.
func (r *refLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	if r.vertical {
		return r.at, r.at, math.Inf(1), math.Inf(-1)
	}
	return math.Inf(1), math.Inf(-1), r.at, r.at
}

func (r *refLine) Thumbnail(c *draw.Canvas) {
	y := (c.Min.Y + c.Max.Y) / 2
	c.StrokeLine2(r.style, c.Min.X, y, c.Max.X, y)
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

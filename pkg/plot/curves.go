// Package plot draws the PNG figures of the toolkit with gonum/plot.
package plot

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

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
	Color  int  // see Series.Color
	Dotted bool // a marker (see Series.Dotted)
}

// Palette: train blue, test orange, then others; colour-blind safe (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255}, color.RGBA{86, 180, 233, 255}, color.RGBA{213, 94, 0, 255},
	color.RGBA{0, 0, 0, 255}, color.RGBA{240, 228, 66, 255},
	// Beyond Okabe–Ito's eight (figures with many scores): Tol's muted tones.
	color.RGBA{136, 34, 85, 255}, color.RGBA{153, 153, 51, 255}, color.RGBA{136, 136, 136, 255}, color.RGBA{102, 51, 0, 255},
}

// Curves writes a PNG with two panels side by side: accuracy (linear) and
// loss (log), both against a log step axis. Step 0 cannot sit on a log axis
// and is left out. After grokking every accuracy sits at the top right, so
// that panel's legend goes to the bottom right.
func Curves(path, title string, acc, loss, scale []Line) error {
	panels := []Panel{
		{Title: "accuracy", XLabel: "step", YLabel: "accuracy", LogX: true, Share: true, Lines: series(acc)},
		{Title: "loss", XLabel: "step", YLabel: "loss", LogX: true, LogY: true, Lines: series(loss)},
	}
	if len(scale) > 0 {
		panels = append(panels, Panel{Title: "scale", XLabel: "step", YLabel: "value", LogX: true, LogY: true, Lines: series(scale)})
	}
	return PanelsWithHeader(path, title, panels...)
}

func series(lines []Line) []Series {
	out := make([]Series, len(lines))
	for i, l := range lines {
		x := make([]float64, len(l.Steps))
		for j, s := range l.Steps {
			x[j] = float64(s)
		}
		out[i] = Series{Label: l.Label, X: x, Y: l.Values, Dashed: l.Dashed, Color: l.Color, Dotted: l.Dotted}
	}
	return out
}

// savePanels lays the figures out in one row, w wide in all (each its own
// width, or an equal share of what those with one leave) plus a strip on its right for its legend (where the legend covers no
// data), and writes a PNG atomically, with the panels' titles in a tEXt
// "Title" chunk so that a reader (or a test) can tell what it shows.
func savePanels(path, header string, w, h vg.Length, figs ...figure) error {
	return saveRows(path, header, w, h, figs)
}

// saveRows is savePanels with several rows of figures, each h high and w
// wide (before legends), one under another.
func saveRows(path, header string, w, h vg.Length, rows ...[]figure) error {
	total := w
	strips := make([][]vg.Length, len(rows))
	for i, figs := range rows {
		rowTotal := w
		for _, f := range figs {
			s := legendWidth(f)
			strips[i] = append(strips[i], s)
			rowTotal += s
		}
		total = max(total, rowTotal)
	}
	style := plot.New().Title.TextStyle
	headerHeight := vg.Length(0)
	if header != "" {
		headerHeight = style.Height(header) + vg.Millimeter*3
	}
	img := vgimg.New(total, h*vg.Length(len(rows))+headerHeight)
	whole := draw.New(img)
	var titles []string
	if header != "" {
		style.XAlign, style.YAlign = draw.XCenter, draw.YTop
		whole.FillText(style, vg.Point{X: (whole.Min.X + whole.Max.X) / 2, Y: whole.Max.Y - vg.Millimeter*1.5}, header)
		titles = append(titles, header)
	}
	for ri, figs := range rows {
		top := headerHeight + h*vg.Length(ri)
		dc := draw.Crop(whole, 0, 0, whole.Max.Y-whole.Min.Y-top-h, -top)
		shared, sharing := w, 0
		for _, f := range figs {
			if f.width > 0 {
				shared -= f.width
			} else {
				sharing++
			}
		}
		x := dc.Min.X
		for i, f := range figs {
			width := f.width + strips[ri][i]
			if f.width == 0 {
				width += shared / vg.Length(sharing)
			}
			tile := draw.Crop(dc, x-dc.Min.X, x+width-dc.Max.X, 0, 0)
			x += width
			area := draw.Crop(tile, vg.Millimeter*2, -strips[ri][i]-vg.Millimeter*2, vg.Millimeter*2, -vg.Millimeter*2)
			f.plot.Draw(area)
			if strips[ri][i] > 0 {
				legend := draw.Crop(tile, width-strips[ri][i], 0, 0, -vg.Millimeter*2-f.plot.Title.TextStyle.Height(f.plot.Title.Text))
				f.legend.Top, f.legend.Left = true, true
				f.legend.Draw(legend)
			}
			if f.title != "" {
				titles = append(titles, f.title)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return err
	}
	data, err := withTitle(buf.Bytes(), strings.Join(titles, " | "))
	if err != nil {
		return err
	}
	return outfile.Write(path, nil, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// legendWidth is the width of the strip a figure's legend needs: its
// widest entry, the thumbnail and padding; 0 without entries.
func legendWidth(f figure) vg.Length {
	if len(f.labels) == 0 {
		return 0
	}
	widest := vg.Length(0)
	for _, l := range f.labels {
		widest = max(widest, f.legend.TextStyle.Width(l))
	}
	return widest + f.legend.ThumbnailWidth + 2*f.legend.Padding + vg.Millimeter*3
}

// powerTicks labels the powers of ten of a log axis ("1e-06", "100", "1e+04")
// and marks the 2…9 multiples between them without labels.
type powerTicks struct{}

func (powerTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= min {
		return nil
	}
	// Less than two powers of ten in range: label the multiples 2 and 5 as
	// well, so the axis can be read.
	few := math.Floor(math.Log10(max))-math.Ceil(math.Log10(min)) < 1
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
	return ticks
}

// LinesPanel is a panel of named curves against a log step axis (step 0
// left out), its y axis logarithmic if logY, or [0, 1] for a share.
func LinesPanel(title, yLabel string, logY, share bool, lines []Line) Panel {
	return Panel{Title: title, XLabel: "step", YLabel: yLabel, LogX: true, LogY: logY, Share: share, Lines: series(lines)}
}

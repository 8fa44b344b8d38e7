package plot

import (
	"io"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// savePanels lays the figures out in one row, w wide in all (each its own
// width, or an equal share of what those with one leave) plus a strip on
// its right for its legend (where the legend covers no data), and writes
// it atomically (saveRows).
func savePanels(path, header string, w, h vg.Length, figs ...figure) error {
	return saveRows(path, header, w, h, figs)
}

// saveRows is savePanels with several rows of figures, each h high and w
// wide (before legends), one under another. Where every row has as many
// figures, all sharing the width, the columns align: each column's legend
// strip is as wide as its widest. The file is PNG, SVG or PDF by its
// extension (FormatOf), written atomically, with the header and the
// panels' titles as its title metadata (a PNG's "Title" text chunk) so
// that a reader (or a test) can tell what it shows.
func saveRows(path, header string, w, h vg.Length, rows ...[]figure) error {
	return saveRowsKey(path, header, nil, w, h, rows...)
}

// saveRowsKey is saveRows with a key under the header (keyed: the series
// every panel shares, named once for the whole figure).
func saveRowsKey(path, header string, key []Series, w, h vg.Length, rows ...[]figure) error {
	total := w
	strips := make([][]vg.Length, len(rows))
	for i, figs := range rows {
		for _, f := range figs {
			strips[i] = append(strips[i], legendWidth(f))
		}
	}
	if aligned(rows) {
		for c := range rows[0] {
			widest := vg.Length(0)
			for i := range rows {
				widest = max(widest, strips[i][c])
			}
			for i := range rows {
				strips[i][c] = widest
			}
		}
	}
	for i := range rows {
		rowTotal := w
		for _, s := range strips[i] {
			rowTotal += s
		}
		total = max(total, rowTotal)
	}
	style := plot.New().Title.TextStyle
	headerHeight := vg.Length(0)
	if header != "" {
		headerHeight = style.Height(header) + vg.Millimeter*3
	}
	keyHeight := keySize(key, total)
	headerHeight += keyHeight
	var titles []string
	if header != "" {
		titles = append(titles, header)
	}
	for _, figs := range rows {
		for _, f := range figs {
			if f.title != "" {
				titles = append(titles, f.title)
			}
		}
	}
	data, err := render(path, total, h*vg.Length(len(rows))+headerHeight, strings.Join(titles, " | "), func(whole draw.Canvas) {
		if header != "" {
			style.XAlign, style.YAlign = draw.XCenter, draw.YTop
			whole.FillText(style, vg.Point{X: (whole.Min.X + whole.Max.X) / 2, Y: whole.Max.Y - vg.Millimeter*1.5}, header)
		}
		if keyHeight > 0 {
			drawKey(draw.Crop(whole, 0, 0, whole.Max.Y-whole.Min.Y-headerHeight, -(headerHeight-keyHeight)), key)
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
				strip := strips[ri][i]
				width := f.width + strip
				if f.width == 0 {
					width += shared / vg.Length(sharing)
				}
				tile := draw.Crop(dc, x-dc.Min.X, x+width-dc.Max.X, 0, 0)
				x += width
				area := draw.Crop(tile, vg.Millimeter*2, -strip-vg.Millimeter*2, vg.Millimeter*2, -vg.Millimeter*2)
				f.plot.Draw(area)
				drawMarks(area, f)
				if strip > 0 && len(f.marks) == 0 {
					legend := draw.Crop(tile, width-strip, 0, 0, -vg.Millimeter*2-f.plot.Title.TextStyle.Height(f.plot.Title.Text))
					f.legend.Top, f.legend.Left = true, true
					f.legend.Draw(legend)
					drawNote(legend, f)
				}
			}
		}
	})
	if err != nil {
		return err
	}
	return outfile.Write(path, nil, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// aligned reports whether the rows form a grid: as many figures in each,
// none of a fixed width.
func aligned(rows [][]figure) bool {
	if len(rows) < 2 {
		return false
	}
	for _, figs := range rows {
		if len(figs) != len(rows[0]) {
			return false
		}
		for _, f := range figs {
			if f.width > 0 {
				return false
			}
		}
	}
	return true
}

// drawNote writes a figure's note under its legend's entries.
func drawNote(c draw.Canvas, f figure) {
	if len(f.note) == 0 {
		return
	}
	sty := f.legend.TextStyle
	sty.Font.Size = vg.Points(10)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
	y := c.Max.Y
	if len(f.labels) > 0 {
		y = f.legend.Rectangle(c).Min.Y
	}
	y -= vg.Millimeter * 3
	for _, line := range f.note {
		c.FillText(sty, vg.Point{X: c.Min.X, Y: y}, line)
		y -= sty.Height(line) * 1.15
	}
}

// legendWidth is the width of the strip a figure's legend needs: its
// widest entry, the thumbnail and padding, or its note's widest line; 0
// without either.
func legendWidth(f figure) vg.Length {
	if len(f.marks) > 0 {
		return marksWidth(f)
	}
	if len(f.labels) == 0 && len(f.note) == 0 {
		return 0
	}
	widest := vg.Length(0)
	for _, l := range f.labels {
		widest = max(widest, f.legend.TextStyle.Width(l)+f.legend.ThumbnailWidth)
	}
	note := f.legend.TextStyle
	note.Font.Size = vg.Points(10)
	for _, l := range f.note {
		widest = max(widest, note.Width(l))
	}
	return widest + 2*f.legend.Padding + vg.Millimeter*3
}

package plot

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Marks are ticks on the right of a figure's data area, labelled, at
// values of its y axis: a heat map's colour bar has its round values on
// the left and, on the right, the smallest and largest cells' values as
// the cells print them, so that both the fixed ends of the scale (0 and 1
// for accuracies) and the cells' range read exactly.

const markLen = 1.5 * vg.Millimeter

// marksWidth is the room the marks take right of the data area.
func marksWidth(f figure) vg.Length {
	widest := vg.Length(0)
	for _, m := range f.marks {
		widest = max(widest, f.plot.Y.Tick.Label.Width(m.Label))
	}
	if widest == 0 {
		return 0
	}
	return markLen + vg.Millimeter + widest + vg.Millimeter*2
}

// drawMarks draws f's marks beside its data area (its plot drawn in area),
// each text moved up where it would overlap the one below.
func drawMarks(area draw.Canvas, f figure) {
	if len(f.marks) == 0 {
		return
	}
	dc := f.plot.DataCanvas(area)
	_, ty := f.plot.Transforms(&dc)
	sty := f.plot.Y.Tick.Label
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	line := f.plot.Y.Tick.LineStyle
	x := dc.Max.X
	var lastTop vg.Length
	for i, m := range sortedMarks(f.marks) {
		y := ty(m.Value)
		area.StrokeLine2(line, x, y, x+markLen, y)
		h := sty.Height(m.Label)
		at := y
		if i > 0 && at-h/2 < lastTop {
			at = lastTop + h/2
		}
		lastTop = at + h/2
		area.FillText(sty, vg.Point{X: x + markLen + vg.Millimeter, Y: at}, m.Label)
	}
}

// sortedMarks are the marks by value, lowest first.
func sortedMarks(marks []plot.Tick) []plot.Tick {
	out := append([]plot.Tick(nil), marks...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Value < out[j-1].Value; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

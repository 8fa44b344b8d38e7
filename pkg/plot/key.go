package plot

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A key names, once for a whole figure, the series that every panel
// shares (the runs of a comparison, each in its colour in every panel),
// in place of a legend beside each panel: across the figure under its
// header, entries in reading order in as many columns as its width holds.

// keySample is the length of an entry's line sample, and keyGap the room
// between an entry's text and the next entry.
const (
	keySample = 10 * vg.Millimeter
	keyGap    = 6 * vg.Millimeter
)

func keyStyle() draw.TextStyle {
	sty := plot.NewLegend().TextStyle
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	return sty
}

// keyLayout is the width of the key's columns and their count in a
// figure total wide (at least one), and the height of a line.
func keyLayout(key []Series, total vg.Length) (col vg.Length, cols int, line vg.Length) {
	sty := keyStyle()
	widest := vg.Length(0)
	for _, s := range key {
		widest = max(widest, sty.Width(s.Label))
	}
	col = keySample + vg.Millimeter*2 + widest + keyGap
	cols = max(1, min(len(key), int((total-vg.Millimeter*4)/col)))
	return col, cols, sty.Height("Mg") * 1.35
}

// keySize is the height the key takes in a figure total wide: 0 without one.
func keySize(key []Series, total vg.Length) vg.Length {
	if len(key) == 0 {
		return 0
	}
	_, cols, line := keyLayout(key, total)
	rows := (len(key) + cols - 1) / cols
	return vg.Length(rows)*line + vg.Millimeter*3
}

// drawKey draws the key in c (the strip keySize reserves), centred.
func drawKey(c draw.Canvas, key []Series) {
	total := c.Max.X - c.Min.X
	col, cols, line := keyLayout(key, total)
	used := min(total, vg.Length(cols)*col-keyGap)
	x0 := c.Min.X + (total-used)/2
	sty := keyStyle()
	for i, s := range key {
		x := x0 + vg.Length(i%cols)*col
		y := c.Max.Y - vg.Millimeter*1.5 - line*(vg.Length(i/cols)+0.5)
		c.StrokeLine2(lineStyle(s, i), x, y, x+keySample, y)
		c.FillText(sty, vg.Point{X: x + keySample + vg.Millimeter*2, Y: y}, s.Label)
	}
}

package plot

import (
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// near counts the pixels of img within tol of c in every channel.
func near(img image.Image, c color.RGBA, tol int, x0, x1 int) int {
	n := 0
	abs := func(d int) int { return max(d, -d) }
	for x := x0; x < x1; x++ {
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			p := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			if abs(int(p.R)-int(c.R)) <= tol && abs(int(p.G)-int(c.G)) <= tol && abs(int(p.B)-int(c.B)) <= tol {
				n++
			}
		}
	}
	return n
}

// A heat map has a colour bar beside it (the figure is wider than the map
// and shows the scale's two ends), draws a NaN cell (a run that did not
// grok) light grey, off the scale, and carries its title.
func TestHeatmapColourBarAndMissingCells(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.png")
	z := [][]float64{{1, 2}, {math.NaN(), 4}}
	if err := Heatmap(path, "grok step", "x", "y", []string{"a", "b"}, []string{"c", "d"}, z, [][]string{{"1", "2"}, {"never", "4"}}, FromZero); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if Title(data) != "grok step" {
		t.Errorf("title chunk %q", Title(data))
	}
	img := readPNG(t, path)
	grey := color.RGBA{225, 225, 225, 255}
	if n := countColour(img, grey, 0, img.Bounds().Dx()); n < 1000 {
		t.Errorf("%d pixels of the missing cell's grey, want a cell's worth", n)
	}
	// The colour bar, right of the map, holds both ends of viridis
	// (matplotlib's values at 0 and 1: #440154 and #fde725).
	bar := img.Bounds().Dx() - 96 // the last inch
	low, high := near(img, color.RGBA{68, 1, 84, 255}, 6, bar, img.Bounds().Dx()), near(img, color.RGBA{253, 231, 37, 255}, 6, bar, img.Bounds().Dx())
	if low < 50 || high < 50 {
		t.Errorf("colour bar: %d dark purple and %d yellow pixels in the last inch, want both ends of the scale", low, high)
	}
}

// Accuracies sit on a fixed [0, 1] scale: a sweep whose accuracies span
// 0.26–0.4453 draws its best cell mid-scale (viridis' teal), not at the
// top (yellow) as a scale fitted to the data would; and the colour bar's
// ticks read as the cells do: its top end "0.4453", not a rounded "0.44".
func TestHeatmapShareScaleAndHonestTicks(t *testing.T) {
	dir := t.TempDir()
	z := [][]float64{{0.26, 0.4453}}
	cells := [][]string{{"0.26", "0.4453"}}
	png := filepath.Join(dir, "acc.png")
	if err := Heatmap(png, "test accuracy", "x", "y", []string{"a", "b"}, []string{"c"}, z, cells, Share); err != nil {
		t.Fatal(err)
	}
	img := readPNG(t, png)
	w := img.Bounds().Dx()
	// matplotlib's viridis at 0.4453 (#2a788e) and at 0.26 (#3b528b): a cell is
	// about 2 × 2 inches, 192 × 192 pixels; the colour bar holds a sliver of each.
	if n := near(img, color.RGBA{42, 120, 142, 255}, 14, 0, w); n < 20000 {
		t.Errorf("%d pixels of viridis(0.4453), want a cell's worth", n)
	}
	if n := near(img, color.RGBA{59, 82, 139, 255}, 14, 0, w); n < 20000 {
		t.Errorf("%d pixels of viridis(0.26), want a cell's worth", n)
	}
	if n := near(img, color.RGBA{253, 231, 37, 255}, 20, 0, w); n > 3000 {
		t.Errorf("%d yellow pixels, more than the colour bar's top: the best cell drawn as if perfect", n)
	}
	// The SVG's texts: the cells and the bar's marks each print 0.4453 and
	// 0.26; the bar's scale is 0 to 1 in steps of 0.2 whatever the cells.
	for _, c := range []struct {
		z     [][]float64
		cells [][]string
	}{{z, cells}, {[][]float64{{0.9, 0.95}}, [][]string{{"0.9", "0.95"}}}} {
		svg := filepath.Join(dir, "acc.svg")
		if err := Heatmap(svg, "test accuracy", "x", "y", []string{"a", "b"}, []string{"c"}, c.z, c.cells, Share); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(svg)
		if err != nil {
			t.Fatal(err)
		}
		texts := map[string]int{}
		for _, m := range regexp.MustCompile(`>([^<>]*)</text>`).FindAllSubmatch(data, -1) {
			texts[string(m[1])]++
		}
		for _, cell := range c.cells[0] {
			if texts[cell] != 2 {
				t.Errorf("%s printed %d times, want twice (cell and colour bar)", cell, texts[cell])
			}
		}
		for _, tick := range []string{"0", "0.2", "0.4", "0.6", "0.8", "1"} {
			if texts[tick] == 0 {
				t.Errorf("cells %v: colour bar without its tick %q: want the fixed scale", c.cells, tick)
			}
		}
	}
}

package plot

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// readFigure decodes the PNG Curves wrote and checks it is the whole
// figure: two 6 × 4.5 inch panels at vgimg's 96 dpi, and not blank
// (anti-aliased text and lines give many colours; an empty canvas has one).
func readFigure(t *testing.T, path string) image.Image {
	t.Helper()
	img := readPNG(t, path)
	// Plus a legend strip right of each panel, off the data.
	if b := img.Bounds(); b.Dx() < 2*6*96 || b.Dx() > 2*6*96+2*200 || b.Dy() < 4.5*96 || b.Dy() > 4.5*96+40 {
		t.Fatalf("%s: image %v, want 1152×432, two legend strips and a header", path, b)
	}
	colours := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			colours[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)] = true
		}
	}
	if len(colours) < 100 {
		t.Fatalf("%s: only %d distinct colours: the figure is (nearly) blank", path, len(colours))
	}
	return img
}

// rises reports whether the pixels of colour c in columns [x0, x1) of img
// that are not that colour in other go up from left to right. Comparing
// two figures that share their legends leaves only the curves' own pixels.
func rises(t *testing.T, img, other image.Image, c color.Color, x0, x1 int) bool {
	t.Helper()
	want := color.RGBAModel.Convert(c)
	type pt struct{ x, y int }
	var pts []pt
	for x := x0; x < x1; x++ { // column by column: pts is sorted by x
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			if color.RGBAModel.Convert(img.At(x, y)) == want && color.RGBAModel.Convert(other.At(x, y)) != want {
				pts = append(pts, pt{x, y})
			}
		}
	}
	if len(pts) < 100 {
		t.Fatalf("only %d pixels of the curve in columns %d–%d: not drawn", len(pts), x0, x1)
	}
	// Mean height of the first and the last third (image y grows downwards).
	mean := func(ps []pt) float64 {
		s := 0.0
		for _, p := range ps {
			s += float64(p.y)
		}
		return s / float64(len(ps))
	}
	n := len(pts) / 3
	return mean(pts[len(pts)-n:]) < mean(pts[:n])
}

// The figure must show the data: a rising accuracy and a falling loss are
// drawn rising and falling, and swapping them moves the curves (same
// axes and legends, so only the curves differ).
func TestCurvesWritesAPNG(t *testing.T) {
	dir := t.TempDir()
	var steps []int64
	var up, down, loss, gain []float64
	for s := int64(0); s <= 1000; s += 10 {
		steps = append(steps, s)
		up = append(up, 1/(1+math.Exp(-float64(s-500)/50)))
		down = append(down, 1-up[len(up)-1])
		loss = append(loss, math.Exp(-float64(s)/200))
		gain = append(gain, math.Exp(float64(s-1000)/200))
	}
	zero := make([]float64, len(steps)) // not drawable on the log loss axis: left out, no error
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	if err := Curves(a, "test", []Line{{Label: "train", Steps: steps, Values: up}}, []Line{{Label: "train", Steps: steps, Values: loss}, {Label: "zero", Steps: steps, Values: zero}}); err != nil {
		t.Fatal(err)
	}
	if err := Curves(b, "test", []Line{{Label: "train", Steps: steps, Values: down}}, []Line{{Label: "train", Steps: steps, Values: gain}, {Label: "zero", Steps: steps, Values: zero}}); err != nil {
		t.Fatal(err)
	}
	imgA, imgB := readFigure(t, a), readFigure(t, b)
	train := palette[0]
	half := imgA.Bounds().Dx() / 2 // accuracy panel left, loss panel right
	if !rises(t, imgA, imgB, train, 0, half) || rises(t, imgB, imgA, train, 0, half) {
		t.Error("accuracy panel: a rising accuracy is not drawn rising, or a falling one not falling")
	}
	if rises(t, imgA, imgB, train, half, 2*half) || !rises(t, imgB, imgA, train, half, 2*half) {
		t.Error("loss panel: a falling loss is not drawn falling, or a rising one not rising")
	}
}

// A one-step run has a single step on the log axis (and step 0, which a log
// axis cannot show): the figure must still be drawn, not panic.
func TestCurvesOfAOneStepRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curves.png")
	steps := []int64{0, 1}
	if err := Curves(path, "one step", []Line{{Label: "train", Steps: steps, Values: []float64{0, 0.02}}}, []Line{{Label: "train", Steps: steps, Values: []float64{3.4, 3.4}}}); err != nil {
		t.Fatal(err)
	}
	img := readFigure(t, path)
	// The step-1 point keeps the train series: each panel's legend names it in blue.
	for _, x0 := range []int{0, img.Bounds().Dx() / 2} {
		if countColour(img, palette[0], x0, x0+img.Bounds().Dx()/2) == 0 {
			t.Errorf("panel at x = %d: no train series drawn", x0)
		}
	}
	if err := Curves(path, "no steps", []Line{{Label: "train", Steps: nil, Values: nil}}, []Line{{Label: "train", Steps: []int64{0}, Values: []float64{1}}}); err != nil {
		t.Fatal(err)
	}
	readFigure(t, path)
}

func countColour(img image.Image, c color.Color, x0, x1 int) int {
	want, n := color.RGBAModel.Convert(c), 0
	for x := x0; x < x1; x++ {
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			if color.RGBAModel.Convert(img.At(x, y)) == want {
				n++
			}
		}
	}
	return n
}

// The legend sits in a strip beside the data: a curve through the corner
// where legends used to sit keeps every pixel whether it has a legend
// entry or not, and the PNG carries the panels' titles.
func TestLegendCoversNoData(t *testing.T) {
	dir := t.TempDir()
	x := []float64{0, 1}
	y := []float64{0.99, 0.99} // along the top, under a top-right legend
	draw := func(name, label string) image.Image {
		path := filepath.Join(dir, name)
		if err := Panels(path, Panel{Title: "corner é", Lines: []Series{{Label: label, X: x, Y: y}, {X: x, Y: []float64{0, 1}}}}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := Title(data); got != "corner é" {
			t.Errorf("%s: title chunk %q, want %q", name, got, "corner é")
		}
		return readPNG(t, path)
	}
	bare, named := draw("bare.png", ""), draw("named.png", "a rather long legend entry")
	if named.Bounds().Dx() <= bare.Bounds().Dx() {
		t.Fatalf("a legend adds no strip: %v vs %v", named.Bounds(), bare.Bounds())
	}
	data := bare.Bounds().Dx() // the data area is as wide in both
	if a, b := countColour(bare, palette[0], 0, data), countColour(named, palette[0], 0, data); a != b || a == 0 {
		t.Errorf("curve pixels over the data: %d without a legend, %d with one", a, b)
	}
}

func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

package plot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestCurvesWritesAPNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curves.png")
	var steps []int64
	var acc, loss []float64
	for s := int64(0); s <= 1000; s += 10 {
		steps = append(steps, s)
		acc = append(acc, 1/(1+math.Exp(-float64(s-500)/50)))
		loss = append(loss, math.Exp(-float64(s)/200))
	}
	err := Curves(path, "test", []Line{{"train", steps, acc}, {"test", steps, acc}},
		[]Line{{"train", steps, loss}, {"zero", steps, make([]float64, len(steps))}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 300 {
		t.Fatalf("image %v too small", b)
	}
}

// A one-step run has a single step on the log axis (and step 0, which a log
// axis cannot show): the figure must still be drawn, not panic.
func TestCurvesOfAOneStepRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curves.png")
	steps := []int64{0, 1}
	if err := Curves(path, "one step", []Line{{"train", steps, []float64{0, 0.02}}}, []Line{{"train", steps, []float64{3.4, 3.4}}}); err != nil {
		t.Fatal(err)
	}
	if err := Curves(path, "no steps", []Line{{"train", nil, nil}}, []Line{{"train", []int64{0}, []float64{1}}}); err != nil {
		t.Fatal(err)
	}
}

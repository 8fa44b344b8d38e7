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

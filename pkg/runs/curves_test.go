package runs

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/grokkit/grokkit/pkg/plot"
)

// curvesRows are a run's metrics from step 0 to 1000: accuracies that
// rise (test later), losses that fall, ‖w‖ from 20 to 40 and the max logit
// from 1 to 30, on scales of their own.
func curvesRows() []Metric {
	var rows []Metric
	for s := int64(0); s <= 1000; s += 10 {
		x := float64(s)
		add := func(split, metric string, v float64) {
			rows = append(rows, Metric{Step: s, Split: split, Kind: All, Metric: metric, Value: v})
		}
		train, test := 1/(1+math.Exp(-(x-100)/20)), 1/(1+math.Exp(-(x-600)/40))
		add("train", MetricAccuracy, train)
		add("test", MetricAccuracy, test)
		add("train", MetricCrossEntropy, 3*math.Exp(-x/100))
		add("test", MetricCrossEntropy, 3*math.Exp(-x/400))
		add(All, MetricWeightNorm, 20+x/50)
		add("train", MetricMaxLogit, 1+29*x/1000)
	}
	return rows
}

// curves.png is a grid, two panels to a row, none wider than twice its
// height; the weight norm and the max logit have panels and axes of their
// own; the step axis starts at 0; and the first steps at 99% accuracy
// (found here from the rows) are marked.
func TestPlotCurvesGrid(t *testing.T) {
	dir := t.TempDir()
	rows := curvesRows()
	first := func(split string) int64 {
		for _, r := range rows {
			if r.Split == split && r.Metric == MetricAccuracy && r.Value >= 0.99 {
				return r.Step
			}
		}
		t.Fatalf("no %s step at 99%%", split)
		return 0
	}
	header := "(a+b) mod 23, model nanda"
	path := filepath.Join(dir, "curves.png")
	if err := PlotCurvesTo(path, header, rows); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Two rows of two 6 × 4.5 inch panels (96 dpi) and their legends.
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if h < 2*432 || h > 2*432+60 || w < 2*576 || float64(w)/2 > 2*float64(h)/2 {
		t.Errorf("figure %d × %d: want two rows of two panels, none wider than twice its height", w, h)
	}
	if got, want := plot.Title(data), header+" | accuracy | loss | weight norm ‖w‖ | train mean max logit"; got != want {
		t.Errorf("panels %q, want %q", got, want)
	}
	svg := filepath.Join(dir, "curves.svg")
	if err := PlotCurvesTo(svg, header, rows); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]int{}
	for _, m := range regexp.MustCompile(`>([^<>]*)</text>`).FindAllSubmatch(data, -1) {
		texts[string(m[1])]++
	}
	for _, want := range []string{"‖w‖", "mean max logit", "train ≥ 99% at step " + strconv.FormatInt(first("train"), 10), "test ≥ 99% at step " + strconv.FormatInt(first("test"), 10)} {
		if texts[want] != 1 {
			t.Errorf("%q written %d times, want once", want, texts[want])
		}
	}
	if texts["0"] < 4 {
		t.Errorf("step 0 labelled on %d axes, want every panel's", texts["0"])
	}
}

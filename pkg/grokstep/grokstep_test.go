package grokstep

import (
	"math"
	"testing"

	"github.com/grokkit/grokkit/pkg/runs"
)

// Hand-computed grokking steps by Essential AI's definition: the first
// evaluation within 0.01 of the run's maximum test accuracy, the maximum
// above 0.95.
func TestStepByHand(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name  string
		steps []int64
		acc   []float64
		step  int64
		peak  float64
		ok    bool
	}{
		// max 0.99 → threshold 0.98: 0.985 at step 300 is the first (0.99 itself is at 400).
		{"rising", []int64{0, 100, 200, 300, 400}, []float64{0.01, 0.5, 0.97, 0.985, 0.99}, 300, 0.99, true},
		// A maximum of exactly 0.95 is not above 0.95.
		{"max at 0.95", []int64{0, 100, 200}, []float64{0.1, 0.95, 0.9}, 0, 0.95, false},
		// Anti-grokking after the peak does not move the step.
		{"peak then collapse", []int64{0, 10, 20}, []float64{0.2, 1, 0.5}, 10, 1, true},
		// 1 − 0.01 = 0.99: an accuracy on the threshold counts.
		{"on the threshold", []int64{0, 50, 100}, []float64{0.5, 0.99, 1}, 50, 1, true},
		// NaN evaluations are skipped, for the maximum and the step.
		{"NaN skipped", []int64{0, 50, 100}, []float64{nan, 0.96, 0.97}, 50, 0.97, true},
		// The first evaluation within reach counts even if accuracy dips after it.
		{"dip after", []int64{0, 50, 100}, []float64{0.96, 0.5, 0.97}, 0, 0.97, true},
		{"never above chance", []int64{0, 50}, []float64{0.01, 0.02}, 0, 0.02, false},
	} {
		step, peak, ok := EssentialAI.Step(c.steps, c.acc)
		if step != c.step || ok != c.ok || peak != c.peak {
			t.Errorf("%s: got step %d, max %g, grokked %v; want %d, %g, %v", c.name, step, peak, ok, c.step, c.peak, c.ok)
		}
	}
	if _, peak, ok := EssentialAI.Step([]int64{0, 1}, []float64{nan, nan}); ok || !math.IsNaN(peak) {
		t.Errorf("all NaN: max %g, grokked %v; want NaN, false", peak, ok)
	}
}

// The definition is not the 99%-threshold step that sweeps report
// (runs.FirstStepAtLeast): on a curve that creeps from 98% to 99.5% the
// two differ by the creep.
func TestStepIsNotThe99Threshold(t *testing.T) {
	steps, acc := []int64{0, 100, 200, 300}, []float64{0.1, 0.986, 0.989, 0.995}
	var rows []runs.Metric
	for i := range steps {
		rows = append(rows, runs.Metric{Step: steps[i], Split: "test", Kind: runs.All, Metric: runs.MetricAccuracy, Value: acc[i]})
	}
	at99, _ := runs.FirstStepAtLeast(rows, "test", runs.All, runs.MetricAccuracy, 0.99)
	step, _, _ := EssentialAI.Step(steps, acc)
	if at99 != 300 || step != 100 {
		t.Errorf("99%% threshold at %d, Essential AI's step %d; want 300 and 100", at99, step)
	}
}

func TestDefinitionCheck(t *testing.T) {
	for _, d := range []Definition{{Within: -0.1, MinMax: 0.95}, {Within: 1, MinMax: 0.5}, {Within: 0.01, MinMax: 1}, {Within: math.NaN(), MinMax: 0.5}} {
		if d.Check() == nil {
			t.Errorf("%+v: no error", d)
		}
	}
	if err := EssentialAI.Check(); err != nil {
		t.Error(err)
	}
}

// Type-7 quartiles computed by hand: h = (n − 1)·q, x[⌊h⌋] + frac(h)·gap.
func TestQuartilesByHand(t *testing.T) {
	for _, c := range []struct {
		xs          []float64
		q1, med, q3 float64
	}{
		{[]float64{400, 100, 300, 200}, 175, 250, 325},                // h = 0.75, 1.5, 2.25
		{[]float64{1000, 150, 250, 150, 400, 200}, 162.5, 225, 362.5}, // h = 1.25, 2.5, 3.75
		{[]float64{5, 1, 4, 2, 3}, 2, 3, 4},                           // h = 1, 2, 3: order statistics
		{[]float64{7}, 7, 7, 7},                                       // one seed
	} {
		q1, med, q3 := Quartiles(c.xs)
		if q1 != c.q1 || med != c.med || q3 != c.q3 {
			t.Errorf("%v: %g, %g, %g; want %g, %g, %g", c.xs, q1, med, q3, c.q1, c.med, c.q3)
		}
	}
	if q1, med, q3 := Quartiles(nil); !math.IsNaN(q1) || !math.IsNaN(med) || !math.IsNaN(q3) {
		t.Errorf("no values: %g, %g, %g; want NaN", q1, med, q3)
	}
	xs := []float64{3, 1, 2}
	Quantile(xs, 0.5)
	if xs[0] != 3 || xs[1] != 1 {
		t.Errorf("Quantile sorted its argument: %v", xs)
	}
}

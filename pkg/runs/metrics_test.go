package runs

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestMetricsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.parquet")
	rows := []Metric{
		{0, "train", All, MetricCrossEntropy, 4.7}, {0, "test", All, MetricCrossEntropy, 4.8},
		{100, "train", All, MetricCrossEntropy, 0.01}, {100, "train", "backdoor", MetricAccuracy, 0.5},
		{100, All, All, MetricWeightSq, 1234.5},
	}
	if err := WriteMetrics(path, rows); err != nil {
		t.Fatal(err)
	}
	back, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back, rows) {
		t.Fatalf("got %v", back)
	}
	steps, vals := Series(back, "train", All, MetricCrossEntropy)
	if !slices.Equal(steps, []int64{0, 100}) || !slices.Equal(vals, []float64{4.7, 0.01}) {
		t.Fatalf("series %v %v", steps, vals)
	}
}

func TestFirstStepAtLeast(t *testing.T) {
	rows := []Metric{
		{0, "test", All, MetricAccuracy, 0.1}, {100, "test", All, MetricAccuracy, 0.995},
		{200, "test", All, MetricAccuracy, 0.5}, {300, "test", All, MetricAccuracy, 1},
	}
	if s, ok := FirstStepAtLeast(rows, "test", All, MetricAccuracy, 0.99); !ok || s != 100 {
		t.Fatalf("got %d %v", s, ok)
	}
	if _, ok := FirstStepAtLeast(rows, "train", All, MetricAccuracy, 0.99); ok {
		t.Fatal("no train rows, yet found")
	}
}

// Every training setting names its fit flag once; Shared keeps what packed
// runs must agree on and zeroes exactly the per-run settings.
func TestTrainSpecDescribesItsFlags(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range TrainFlags() {
		if f == "" || seen[f] {
			t.Errorf("flag %q is empty or repeated in %v", f, TrainFlags())
		}
		seen[f] = true
	}
	a := TrainSpec{Optimizer: "adamw", LR: 1e-3, WeightDecay: 1, Beta1: 0.9, Seed: 7, Steps: 100}
	want := TrainSpec{Optimizer: "adamw", Beta1: 0.9, Steps: 100}
	if got := a.Shared(); got != want {
		t.Errorf("Shared() = %+v, want %+v", got, want)
	}
	for flag, per := range map[string]bool{"lr": true, "weight-decay": true, "seed": true, "beta1": false, "steps": false} {
		if PerRun(flag) != per {
			t.Errorf("PerRun(%q) = %v, want %v", flag, !per, per)
		}
	}
}

package detectbench

import (
	"encoding/json"
	"math"
	"testing"
)

var sizes = Sizes{Rules: 4, Chains: 2, Noise: 2, Clean: 2}

// The plan is a function of its seed: the same seed draws the same cases
// (byte for byte), another seed other rules.
func TestPlanIsDeterministic(t *testing.T) {
	a, err := NewPlan(5, []int{23, 29}, 0.7, sizes)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewPlan(5, []int{23, 29}, 0.7, sizes)
	c, _ := NewPlan(6, []int{23, 29}, 0.7, sizes)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	jc, _ := json.Marshal(c)
	if string(ja) != string(jb) {
		t.Fatal("same seed, different plans")
	}
	if string(ja) == string(jc) {
		t.Fatal("seeds 5 and 6 drew the same plan")
	}
	classes := map[string]int{}
	for _, cs := range a.Cases {
		classes[cs.Class]++
	}
	if classes[ClassRule] != 4 || classes[ClassChain] != 2 || classes[ClassNoise] != 2 || classes[ClassClean] != 2 {
		t.Fatalf("classes %v", classes)
	}
}

// Replaying the planted rule itself gives F1 = 1; a rule that changes
// nothing gives 0; a rule with the right trigger and a wrong effect gives 0.
func TestReplayF1(t *testing.T) {
	pl, err := NewPlan(5, []int{23}, 0.7, Sizes{Rules: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := pl.Cases[0]
	tb, err := pl.Table(c, 23)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := ReplayF1(pl, c, 23, tb, c.Rule.When, c.Rule.Then, "backdoor"); err != nil || f != 1 {
		t.Fatalf("the planted rule replays with F1 %g (%v), want 1", f, err)
	}
	if f, _ := ReplayF1(pl, c, 23, tb, c.Rule.When, "clean", "backdoor"); f != 0 {
		t.Fatalf("a no-op effect replays with F1 %g, want 0", f)
	}
	// The planted trigger narrowed to a < 12, right effect: the rows it keeps
	// are true positives, the others missed: F1 = 2·kept / (kept + planted).
	kept, planted := 0, 0
	for i := range tb.Len() {
		if tb.Kind[i] == "backdoor" && tb.Label[i] != tb.Clean[i] {
			planted++
			if tb.A[i] < 12 {
				kept++
			}
		}
	}
	want := 2 * float64(kept) / float64(kept+planted)
	f, err := ReplayF1(pl, c, 23, tb, "("+c.Rule.When+") && a < 12", c.Rule.Then, "backdoor")
	if err != nil || math.Abs(f-want) > 1e-12 {
		t.Fatalf("narrowed trigger: F1 %g (%v), want %g (%d of %d rows)", f, err, want, kept, planted)
	}
}

// Quantiles: median, nearest-rank 10th percentile, minimum.
func TestQuantiles(t *testing.T) {
	xs := []float64{0.9, 1, 0.5, 0.99, 0.97, 1, 1, 0.999, 0.98, 1}
	med, p10, worst := Quantiles(xs)
	if math.Abs(med-0.9945) > 1e-12 || p10 != 0.5 || worst != 0.5 {
		t.Fatalf("got %g %g %g", med, p10, worst)
	}
	med, p10, _ = Quantiles([]float64{3, 1, 2})
	if med != 2 || p10 != 1 {
		t.Fatalf("odd: got %g %g", med, p10)
	}
	if m, _, _ := Quantiles(nil); !math.IsNaN(m) {
		t.Fatal("no values: want NaN")
	}
}

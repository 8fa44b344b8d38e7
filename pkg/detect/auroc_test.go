package detect

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// aurocPairs is the definition: the share of (positive, negative) pairs
// ordered correctly, ties counting one half.
func aurocPairs(pos, neg []float64) float64 {
	s := 0.0
	for _, x := range pos {
		for _, y := range neg {
			switch {
			case x > y:
				s++
			case x == y:
				s += 0.5
			}
		}
	}
	return s / float64(len(pos)*len(neg))
}

// precisionExpected averages the precision at n over every order of the
// tied rows, by brute force over random tie-breaks.
func precisionShuffled(pos, neg []float64, rng *rand.Rand) float64 {
	type item struct {
		v, tie float64
		pos    bool
	}
	var all []item
	for _, v := range pos {
		all = append(all, item{v, rng.Float64(), true})
	}
	for _, v := range neg {
		all = append(all, item{v, rng.Float64(), false})
	}
	slices.SortFunc(all, func(x, y item) int {
		if x.v != y.v {
			if x.v > y.v {
				return -1
			}
			return 1
		}
		if x.tie < y.tie {
			return -1
		}
		return 1
	})
	hits := 0
	for _, it := range all[:len(pos)] {
		if it.pos {
			hits++
		}
	}
	return float64(hits) / float64(len(pos))
}

func TestAUROCAndPrecisionAgainstTheirDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		np, nn := 1+rng.IntN(12), 1+rng.IntN(30)
		levels := 2 + rng.IntN(6) // few distinct values: many ties
		draw := func(n int, shift int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(rng.IntN(levels) + shift*rng.IntN(2))
			}
			return v
		}
		pos, neg := draw(np, 1), draw(nn, 0)
		if got, want := AUROC(pos, neg), aurocPairs(pos, neg); math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: AUROC %v, pairs %v (pos %v neg %v)", trial, got, want, pos, neg)
		}
		mean := 0.0
		const draws = 4000
		for range draws {
			mean += precisionShuffled(pos, neg, rng)
		}
		mean /= draws
		if got := PrecisionAtN(pos, neg); math.Abs(got-mean) > 0.03 {
			t.Fatalf("trial %d: precision@n %v, shuffled mean %v (pos %v neg %v)", trial, got, mean, pos, neg)
		}
	}
	if !math.IsNaN(AUROC(nil, []float64{1})) || !math.IsNaN(PrecisionAtN(nil, []float64{1})) {
		t.Error("no positives: want NaN")
	}
	if AUROC([]float64{3, 4}, []float64{1, 2}) != 1 || PrecisionAtN([]float64{3, 4}, []float64{1, 2}) != 1 {
		t.Error("perfect separation: want 1")
	}
}

// Mahalanobis distances against the closed form of a 2-D covariance.
func TestMahalanobisTwoDimensions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 500
	X := make([]float64, 2*n)
	for i := range n {
		u, v := rng.NormFloat64(), rng.NormFloat64()
		X[2*i], X[2*i+1] = 3*u, u+0.5*v // correlated
	}
	got := mahalanobis(X, n, 2)
	var mx, my, sxx, sxy, syy float64
	for i := range n {
		mx += X[2*i] / n
		my += X[2*i+1] / n
	}
	for i := range n {
		dx, dy := X[2*i]-mx, X[2*i+1]-my
		sxx, sxy, syy = sxx+dx*dx/n, sxy+dx*dy/n, syy+dy*dy/n
	}
	ridge := 1e-3*(sxx+syy)/2 + 1e-12
	sxx, syy = sxx+ridge, syy+ridge
	det := sxx*syy - sxy*sxy
	for i := range n {
		dx, dy := X[2*i]-mx, X[2*i+1]-my
		want := math.Sqrt((syy*dx*dx - 2*sxy*dx*dy + sxx*dy*dy) / det)
		if math.Abs(got[i]-want) > 1e-9*max(1, want) {
			t.Fatalf("row %d: %v, want %v", i, got[i], want)
		}
	}
}

// The ROC curve by hand for a small case with a tie across classes:
// positives 3, 2, 1; negatives 2, 0. Thresholds from the top: 3 → (0, 1/3),
// 2 → (1/2, 2/3), 1 → (1/2, 1), 0 → (1, 1).
func TestROCByHand(t *testing.T) {
	tpr, fpr := ROC([]float64{3, 2, 1}, []float64{2, 0})
	wantT := []float64{0, 1.0 / 3, 2.0 / 3, 1, 1}
	wantF := []float64{0, 0, 0.5, 0.5, 1}
	if !slices.EqualFunc(tpr, wantT, func(a, b float64) bool { return math.Abs(a-b) < 1e-15 }) ||
		!slices.EqualFunc(fpr, wantF, func(a, b float64) bool { return math.Abs(a-b) < 1e-15 }) {
		t.Fatalf("ROC: tpr %v fpr %v, want %v %v", tpr, fpr, wantT, wantF)
	}
	// Area, by pairs: 3>2, 3>0, 2=2 (a half), 2>0, 1>0 and 1<2: 4.5 of 6.
	if got := AUROC([]float64{3, 2, 1}, []float64{2, 0}); math.Abs(got-0.75) > 1e-15 {
		t.Errorf("AUROC %v, want 0.75", got)
	}
	if tpr, fpr := ROC(nil, []float64{1}); tpr != nil || fpr != nil {
		t.Error("no positives: want no curve")
	}
}

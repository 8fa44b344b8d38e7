package fourier

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestExpGoMatchesMathExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	xs := []float64{0, 1, -1, 1e-30, -1e-30, 700, -700, -744, -746, 709, 710, math.Inf(-1)}
	for range 100000 {
		xs = append(xs, (rng.Float64()-0.5)*1400)
	}
	for _, x := range xs {
		got, want := expGo(x), math.Exp(x)
		// Both are within 1 ulp of e^x, so within 2 ulp of each other.
		if got != want && math.Abs(got-want) > 4.5e-16*want+1e-320 {
			t.Fatalf("expGo(%g) = %g, math.Exp = %g", x, got, want)
		}
	}
	if !math.IsNaN(expGo(math.NaN())) || !math.IsInf(expGo(math.Inf(1)), 1) {
		t.Fatal("expGo special values")
	}
}

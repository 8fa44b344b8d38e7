package fourier

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Known answers on hand-built circuits for a+b mod p at frequency k:
//   - a clock's correct logit is cos(k(a+b)) scaled by something that does
//     not depend on a−b: q = 1; its gradients with respect to a's and b's
//     angle embeddings are each other's rotations, as far apart as a−b;
//   - a pizza's correct logit is |cos(k(a−b)/2)|: constant along each
//     distance, q = 0; its gradients for a and b are one gradient of
//     E_a + E_b: symmetricity 1.
func TestClockAndPizzaMeasures(t *testing.T) {
	const p, k = 31, 5
	w := 2 * math.Pi * k / p
	clock, pizza := make([]float64, p*p), make([]float64, p*p)
	var clockGrads, pizzaGrads [][2][]float64
	for a := range p {
		for b := range p {
			// Noise along a+b only keeps the clock's table from being constant.
			clock[a*p+b] = 1 + 0.3*math.Cos(w*float64(a+b))
			pizza[a*p+b] = math.Abs(math.Cos(w * float64(a-b) / 2))
			// Gradients of cos(w(a+b−c)) through the clock's product of
			// E_a = (cos wa, sin wa) and E_b: ∂/∂E_a is E_b rotated by −wc, and
			// vice versa; the pizza's logit is a function of E_a + E_b.
			c := (a + b) % p
			ea := []float64{math.Cos(w * float64(a)), math.Sin(w * float64(a))}
			eb := []float64{math.Cos(w * float64(b)), math.Sin(w * float64(b))}
			rot := func(v []float64) []float64 {
				cs, sn := math.Cos(w*float64(c)), math.Sin(w*float64(c))
				return []float64{v[0]*cs + v[1]*sn, -v[0]*sn + v[1]*cs}
			}
			clockGrads = append(clockGrads, [2][]float64{rot(eb), rot(ea)})
			sum := []float64{ea[0] + eb[0], ea[1] + eb[1]}
			pizzaGrads = append(pizzaGrads, [2][]float64{sum, sum})
		}
	}
	if q := DistanceIrrelevance(clock, p); math.Abs(q-1) > 1e-12 {
		t.Errorf("clock: distance irrelevance %v, want 1", q)
	}
	if q := DistanceIrrelevance(pizza, p); q > 1e-12 {
		t.Errorf("pizza: distance irrelevance %v, want 0", q)
	}
	if s := GradientSymmetricity(pizzaGrads); math.Abs(s-1) > 1e-12 {
		t.Errorf("pizza: gradient symmetricity %v, want 1", s)
	}
	// The clock's cosine is cos(w(a−b)) averaged over all pairs: 0.
	if s := GradientSymmetricity(clockGrads); math.Abs(s) > 1e-9 {
		t.Errorf("clock: gradient symmetricity %v, want 0", s)
	}
	// A table of noise has neither structure: q near 1 (every distance
	// varies as much as the whole).
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]float64, p*p)
	for i := range noise {
		noise[i] = rng.NormFloat64()
	}
	if q := DistanceIrrelevance(noise, p); q < 0.9 || q > 1.01 {
		t.Errorf("noise: distance irrelevance %v, want about 1", q)
	}
}

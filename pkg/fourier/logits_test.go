package fourier

import (
	"math"
	"math/rand/v2"
	"testing"
)

// cubeLogits returns [p·p, p] logits f(a, b, c).
func cubeLogits(p int, f func(a, b, c int) float64) []float64 {
	L := make([]float64, p*p*p)
	for a := range p {
		for b := range p {
			for c := range p {
				L[(a*p+b)*p+c] = f(a, b, c)
			}
		}
	}
	return L
}

// ceOracle is the mean cross-entropy over the rows in mask, written out
// plainly: −log(e^{z_y} / Σ_c e^{z_c}) with labels (a+b) mod p.
func ceOracle(L []float64, p int, mask []bool) float64 {
	s, n := 0.0, 0
	for row := range p * p {
		if mask != nil && !mask[row] {
			continue
		}
		z := L[row*p : (row+1)*p]
		y := (row/p + row%p) % p
		den := 0.0
		for _, v := range z {
			den += math.Exp(v)
		}
		s += -math.Log(math.Exp(z[y]) / den)
		n++
	}
	return s / float64(n)
}

type keyWave struct {
	k           int
	alpha, beta float64
}

// keySignal returns Σ α cos(w_k(a+b−c)) + β sin(w_k(a+b−c)).
func keySignal(p int, ws []keyWave) func(a, b, c int) float64 {
	return func(a, b, c int) float64 {
		s := 0.0
		for _, w := range ws {
			th := wave(p, w.k) * float64(a+b-c)
			s += w.alpha*math.Cos(th) + w.beta*math.Sin(th)
		}
		return s
	}
}

func TestRestrictedExcludedOnKeyLogits(t *testing.T) {
	const p = 113
	rng := rand.New(rand.NewPCG(17, 18))
	var ws []keyWave
	for _, k := range nandaFreqs {
		ws = append(ws, keyWave{k, 1 + rng.Float64(), rng.Float64() - 0.5})
	}
	sig := keySignal(p, ws)
	rowOff := randVec(rng, p*p) // a per-row constant changes no softmax
	L := cubeLogits(p, func(a, b, c int) float64 { return sig(a, b, c) + 3*rowOff[a*p+b] })

	r := RestrictedExcluded(L, p, nil, nil, nandaFreqs, ProjectCube)
	if r.Rows != p*p || math.Abs(r.Full-ceOracle(L, p, nil)) > 1e-12 {
		t.Fatalf("full loss %g, oracle %g", r.Full, ceOracle(L, p, nil))
	}
	if math.Abs(r.Restricted-r.Full) > 1e-9 || r.FullAcc != 1 || r.RestrictedAcc != 1 {
		t.Errorf("restricted loss %g ≠ full %g (acc %g, %g)", r.Restricted, r.Full, r.RestrictedAcc, r.FullAcc)
	}
	if math.Abs(r.Excluded-math.Log(p)) > 1e-9 {
		t.Errorf("excluded loss %g, want log p = %g", r.Excluded, math.Log(p))
	}
	rest, excl := SplitLogits(L, p, nandaFreqs, ProjectCube)
	if d := maxAbsDiff(rest, L); d > 1e-9 {
		t.Errorf("restricted logits differ from the logits by %g", d)
	}
	for row := range p * p { // excluded = the row constant
		for c := range p {
			if d := math.Abs(excl[row*p+c] - 3*rowOff[row]); d > 1e-9 {
				t.Fatalf("excluded row %d class %d off by %g", row, c, d)
			}
		}
	}
}

// A non-key wave, and terms outside the cos/sin(w_k(a+b−c)) directions even at
// key frequencies, must end up in the excluded logits only.
func TestRestrictedExcludedSeparatesComponents(t *testing.T) {
	const p = 61 // the math.Exp oracle is slow in GOEXPERIMENT=simd builds
	rng := rand.New(rand.NewPCG(19, 20))
	key := []int{14, 25}
	sig := keySignal(p, []keyWave{{14, 2, 0.5}, {25, -1.5, 1}})
	g := randVec(rng, p)
	other := func(a, b, c int) float64 {
		return 0.8*math.Cos(wave(p, 7)*float64(a+b-c)) + // non-key frequency
			g[c]*math.Cos(wave(p, 14)*float64(a-b)) + // difference direction at a key k
			0.3*math.Cos(wave(p, 25)*float64(a))*g[(c+5)%p] // linear term at a key k
	}
	L := cubeLogits(p, func(a, b, c int) float64 { return sig(a, b, c) + other(a, b, c) })
	rest, excl := SplitLogits(L, p, key, ProjectCube)
	// A repeated key frequency must not be removed twice.
	if rest2, _ := SplitLogits(L, p, []int{25, 14, 25}, ProjectCube); maxAbsDiff(rest2, rest) > 1e-12 {
		t.Error("a repeated key frequency changed the restricted logits")
	}
	O := cubeLogits(p, other)
	// Row means: the key waves have zero mean over c, so rest = key + mean_c(other).
	for row := range p * p {
		a, b := row/p, row%p
		m := 0.0
		for c := range p {
			m += O[row*p+c]
		}
		m /= p
		for c := range p {
			if d := math.Abs(rest[row*p+c] - sig(a, b, c) - m); d > 1e-9 {
				t.Fatalf("restricted (%d,%d,%d) off by %g", a, b, c, d)
			}
			if d := math.Abs(excl[row*p+c] - O[row*p+c]); d > 1e-9 {
				t.Fatalf("excluded (%d,%d,%d) off by %g", a, b, c, d)
			}
		}
	}
	// The loss of the excluded logits is the loss of the other terms alone.
	mask := make([]bool, p*p)
	for i := range mask {
		mask[i] = rng.Float64() < 0.3
	}
	r := RestrictedExcluded(L, p, nil, mask, key, ProjectCube)
	if d := math.Abs(r.Excluded - ceOracle(O, p, mask)); d > 1e-9 {
		t.Errorf("masked excluded loss off by %g", d)
	}
	if d := math.Abs(r.Restricted - ceOracle(rest, p, mask)); d > 1e-9 {
		t.Errorf("masked restricted loss off by %g", d)
	}
	// Labels: shifting every label by one changes the loss as the oracle says.
	labels := make([]int, p*p)
	for row := range labels {
		labels[row] = (row/p + row%p + 1) % p
	}
	shifted := RestrictedExcluded(L, p, labels, nil, key, ProjectCube)
	Lshift := make([]float64, len(L)) // class c+1 → c: label (a+b+1) becomes (a+b)
	for row := range p * p {
		for c := range p {
			Lshift[row*p+c] = L[row*p+(c+1)%p]
		}
	}
	if d := math.Abs(shifted.Full - ceOracle(Lshift, p, nil)); d > 1e-9 {
		t.Errorf("labels: full loss off by %g", d)
	}
}

// ProjectPerClass keeps g(c)·cos(w_k(a+b)) for any g, and the class means.
func TestPerClassProjection(t *testing.T) {
	const p = 97
	rng := rand.New(rand.NewPCG(21, 22))
	key := []int{5, 30}
	g1, g2, h := randVec(rng, p), randVec(rng, p), randVec(rng, p)
	keyPart := func(a, b, c int) float64 {
		return g1[c]*math.Cos(wave(p, 5)*float64(a+b)) + g2[c]*math.Sin(wave(p, 30)*float64(a+b))
	}
	other := func(a, b, c int) float64 {
		return g2[c]*math.Cos(wave(p, 9)*float64(a+b)) + g1[c]*math.Cos(wave(p, 5)*float64(a-b)) + h[(a+c)%p]
	}
	L := cubeLogits(p, func(a, b, c int) float64 { return h[c] + keyPart(a, b, c) + other(a, b, c) })
	rest, excl := SplitLogits(L, p, key, ProjectPerClass)
	// Class means of L over all inputs: h[c] + mean of other's last term.
	for a := range p {
		for b := range p {
			for c := range p {
				i := (a*p+b)*p + c
				cm := h[c]
				for x := range p {
					cm += h[(x+c)%p] / p
				}
				if d := math.Abs(rest[i] - keyPart(a, b, c) - cm); d > 1e-9 {
					t.Fatalf("restricted (%d,%d,%d) off by %g", a, b, c, d)
				}
				if d := math.Abs(excl[i] - L[i] + keyPart(a, b, c)); d > 1e-9 {
					t.Fatalf("excluded (%d,%d,%d) off by %g", a, b, c, d)
				}
			}
		}
	}
	if ProjectCube.String() != "cube" || ProjectPerClass.String() != "per-class" {
		t.Error("Projection names")
	}
}

// Both projections against an explicit projection onto direction vectors
// built over the cube with math.Cos, for odd and even p (Nyquist).
func TestProjectionsMatchExplicitVectors(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, p := range []int{7, 8} {
		key := []int{2, p / 2}
		L := randVec(rng, p*p*p)
		// Cube: direction vectors C_k, S_k over all (a, b, c).
		wantKey := make([]float64, p*p*p)
		for _, k := range key {
			for _, fn := range []func(float64) float64{math.Cos, math.Sin} {
				v := cubeLogits(p, func(a, b, c int) float64 { return fn(wave(p, k) * float64(a+b-c)) })
				var dot, nn float64
				for i := range v {
					dot += v[i] * L[i]
					nn += v[i] * v[i]
				}
				if nn < 1e-9 { // the Nyquist sine
					continue
				}
				for i := range v {
					wantKey[i] += dot / nn * v[i]
				}
			}
		}
		_, excl := SplitLogits(L, p, key, ProjectCube)
		for i := range L {
			if d := math.Abs(L[i] - excl[i] - wantKey[i]); d > 1e-10 {
				t.Fatalf("p=%d cube: key component %d off by %g", p, i, d)
			}
		}
		// Per class: direction vectors cos/sin(w_k(a+b)) over (a, b), per c.
		clear(wantKey)
		for c := range p {
			for _, k := range key {
				for _, fn := range []func(float64) float64{math.Cos, math.Sin} {
					var dot, nn float64
					for ab := range p * p {
						v := fn(wave(p, k) * float64(ab/p+ab%p))
						dot += v * L[ab*p+c]
						nn += v * v
					}
					if nn < 1e-9 {
						continue
					}
					for ab := range p * p {
						wantKey[ab*p+c] += dot / nn * fn(wave(p, k)*float64(ab/p+ab%p))
					}
				}
			}
		}
		_, excl = SplitLogits(L, p, key, ProjectPerClass)
		for i := range L {
			if d := math.Abs(L[i] - excl[i] - wantKey[i]); d > 1e-10 {
				t.Fatalf("p=%d per-class: key component %d off by %g", p, i, d)
			}
		}
	}
}

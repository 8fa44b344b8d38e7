package fourier

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var nandaFreqs = []int{14, 35, 41, 42, 52}

// plantedEmbedding returns W [p, d] whose columns are random combinations of
// cos and sin at freqs plus N(0, noise²) entries.
func plantedEmbedding(rng *rand.Rand, p, d int, freqs []int, noise float64) []float64 {
	W := make([]float64, p*d)
	for j := range d {
		for _, k := range freqs {
			a, b := rng.NormFloat64(), rng.NormFloat64()
			for x := range p {
				th := 2 * math.Pi * float64(k*x) / float64(p)
				W[x*d+j] += a*math.Cos(th) + b*math.Sin(th)
			}
		}
	}
	for i := range W {
		W[i] += noise * rng.NormFloat64()
	}
	return W
}

func TestFreqNormsOfPlantedWaves(t *testing.T) {
	// Column 0 = 3·cos(2π·5x/p), column 1 = 4·sin(2π·5x/p) + 2: exact norms.
	p, d := 31, 2
	W := make([]float64, p*d)
	for x := range p {
		th := 2 * math.Pi * 5 * float64(x) / float64(p)
		W[x*d], W[x*d+1] = 3*math.Cos(th), 4*math.Sin(th)+2
	}
	got := FreqNorms(W, p, d)
	want := make([]float64, p/2+1)
	// ‖3 cos‖ = 3√(p/2), ‖4 sin‖ = 4√(p/2): combined √(25·p/2); constant 2√p.
	want[0], want[5] = 2*math.Sqrt(float64(p)), 5*math.Sqrt(float64(p)/2)
	if d := maxAbsDiff(got, want); d > 1e-12 {
		t.Fatalf("FreqNorms = %v, want %v", got, want)
	}
	bn := BasisNorms(W, p, d)
	if math.Abs(bn[9]-3*math.Sqrt(float64(p)/2)) > 1e-12 || math.Abs(bn[10]-4*math.Sqrt(float64(p)/2)) > 1e-12 {
		t.Fatalf("BasisNorms cos 5 = %g, sin 5 = %g", bn[9], bn[10])
	}
	// The transposed layout gives the same answer.
	if d := maxAbsDiff(FreqNormsT(transpose(W, p, d), d, p), got); d > 1e-12 {
		t.Fatalf("FreqNormsT differs by %g", d)
	}
}

func TestKeyFrequenciesRecoversPlanted(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const p, d = 113, 128
	for _, noise := range []float64{0.01, 0.1, 0.3} {
		W := plantedEmbedding(rng, p, d, nandaFreqs, noise)
		r := KeyFrequenciesOf(W, p, d, KeyFreqOptions{})
		if !r.Clear || !slices.Equal(r.Freqs, nandaFreqs) {
			t.Fatalf("noise %g: got %v (clear %v, coverage %.3f), want %v", noise, r.Freqs, r.Clear, r.Coverage, nandaFreqs)
		}
		// 5 equal norms among 56 give at most 51/56 ≈ 0.91; the noise floor
		// (norm ratio √(p/2)/noise) pulls it down a little.
		want := 0.75
		if noise > 0.1 {
			want = 0.5
		}
		if g := Gini(FreqNorms(W, p, d)[1:]); g < want {
			t.Errorf("noise %g: Gini of the planted spectrum %.3f, want > %g", noise, g, want)
		}
	}
	// Unequal powers (the weakest at 1/6 of the strongest) are still found.
	W := plantedEmbedding(rng, p, d, []int{3, 17}, 0.05)
	W2 := plantedEmbedding(rng, p, d, []int{40}, 0)
	for i := range W {
		W[i] += W2[i] / math.Sqrt(6)
	}
	if r := KeyFrequenciesOf(W, p, d, KeyFreqOptions{}); !slices.Equal(r.Freqs, []int{3, 17, 40}) {
		t.Fatalf("unequal powers: got %v, want [3 17 40]", r.Freqs)
	}
}

func TestKeyFrequenciesRandomHasNone(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const p = 113
	for _, d := range []int{1, 2, 8, 128} {
		for range 20 {
			W := randVec(rng, p*d)
			r := KeyFrequenciesOf(W, p, d, KeyFreqOptions{})
			if r.Clear || len(r.Freqs) != 0 {
				t.Fatalf("random d=%d: got key frequencies %v (coverage %.3f)", d, r.Freqs, r.Coverage)
			}
			if d == 128 {
				if g := Gini(FreqNorms(W, p, d)[1:]); g > 0.1 {
					t.Errorf("random d=128: Gini %.3f, want < 0.1", g)
				}
			}
		}
	}
}

func TestKeyFrequenciesEdgeCases(t *testing.T) {
	r := KeyFrequencies([]float64{5, 0, 0, 0}, KeyFreqOptions{}) // constant only
	if r.Clear || r.Freqs != nil {
		t.Fatalf("constant-only spectrum: %+v", r)
	}
	// Shares sum to one; a drop to nothing is the clearest gap.
	r = KeyFrequencies([]float64{1, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0}, KeyFreqOptions{})
	if math.Abs(r.Shares[1]-0.2) > 1e-15 || math.Abs(r.Shares[2]-0.8) > 1e-15 {
		t.Fatalf("shares %v", r.Shares)
	}
	if !slices.Equal(r.Freqs, []int{1, 2}) || math.Abs(r.Coverage-1) > 1e-15 {
		t.Fatalf("got %v coverage %g", r.Freqs, r.Coverage)
	}
}

// normsOf turns shares [K+1] (entry 0 ignored) into norms.
func normsOf(shares []float64) []float64 {
	out := make([]float64, len(shares))
	for k, s := range shares {
		out[k] = math.Sqrt(s)
	}
	return out
}

// The quickstart's case: frequency 8 holds 19.8% against a 3/K = 20% cut
// (p = 31), with three stronger ones and a flat floor far below. It is a key
// frequency: it sits above the spectrum's largest drop.
func TestKeyFrequenciesKeepsAFrequencyJustBelowTheCut(t *testing.T) {
	shares := make([]float64, 16)
	shares[6], shares[11], shares[15], shares[8] = 0.30, 0.25, 0.20, 0.198
	for k := 1; k <= 15; k++ {
		if shares[k] == 0 {
			shares[k] = 0.052 / 11
		}
	}
	r := KeyFrequencies(normsOf(shares), KeyFreqOptions{})
	if !r.Clear || !slices.Equal(r.Freqs, []int{6, 8, 11, 15}) {
		t.Fatalf("got %v (clear %v), want [6 8 11 15]", r.Freqs, r.Clear)
	}
}

// Property: whatever the key shares (one to six frequencies, some far below
// 3/K, each within a factor of 20 of the largest), with every other share
// at most 1/10 of the smallest key share, the key set is exactly found.
func TestKeyFrequenciesFindsEverySeparatedSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 2000 {
		p := []int{13, 23, 31, 47, 97, 113}[trial%6]
		K := p / 2
		m := 1 + rng.IntN(min(6, K/2))
		shares := make([]float64, K+1)
		var want []int
		for _, i := range rng.Perm(K)[:m] {
			k := i + 1
			shares[k] = 1 + 19*rng.Float64()
			want = append(want, k)
		}
		slices.Sort(want)
		smallest := math.Inf(1)
		for _, k := range want {
			smallest = min(smallest, shares[k])
		}
		for k := 1; k <= K; k++ {
			if shares[k] == 0 {
				shares[k] = smallest / 10 * rng.Float64() * float64(m) / float64(K)
			}
		}
		r := KeyFrequencies(normsOf(shares), KeyFreqOptions{})
		if !r.Clear || !slices.Equal(r.Freqs, want) {
			t.Fatalf("p = %d, trial %d: got %v (clear %v, coverage %.3f), want %v; shares %v", p, trial, r.Freqs, r.Clear, r.Coverage, want, r.Shares)
		}
	}
}

// A spectrum that falls off smoothly has no key frequencies, even when its
// top share stands out: no drop separates a few from the rest.
func TestKeyFrequenciesSmoothSpectrumIsNotClear(t *testing.T) {
	for _, decay := range []float64{0.5, 0.7, 0.9} {
		shares := make([]float64, 57)
		for k := 1; k <= 56; k++ {
			shares[k] = math.Pow(decay, float64(k))
		}
		if r := KeyFrequencies(normsOf(shares), KeyFreqOptions{}); r.Clear {
			t.Errorf("decay %g: key frequencies %v", decay, r.Freqs)
		}
	}
}

// A frequency with a clear neuron cluster joins a clear key set however
// small its share in the logits; a cluster does not make an unclear
// spectrum clear.
func TestKeyFrequenciesNeuronClusters(t *testing.T) {
	shares := make([]float64, 16)
	for k := range shares {
		shares[k] = 1e-4
	}
	shares[3], shares[9] = 0.6, 0.4
	clusters := make([]int, 16)
	clusters[3], clusters[9], clusters[12] = 60, 50, 20 // 12: a third of the largest
	clusters[5] = 2                                     // too few to count
	r := KeyFrequencies(normsOf(shares), KeyFreqOptions{Clusters: clusters})
	if !slices.Equal(r.Freqs, []int{3, 9, 12}) {
		t.Fatalf("got %v, want [3 9 12]", r.Freqs)
	}
	flat := make([]float64, 16)
	for k := range flat {
		flat[k] = 1
	}
	if r := KeyFrequencies(normsOf(flat), KeyFreqOptions{Clusters: clusters}); r.Clear {
		t.Fatalf("flat spectrum with clusters: %v", r.Freqs)
	}
}

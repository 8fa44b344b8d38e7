package fourier

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// GromovNeuron describes one hidden unit n of Gromov's quadratic MLP through
// its three weight vectors over Z_p: u = W1[n, :p] (input a), v = W1[n, p:]
// (input b) and w = W2[:, n] (output class q).
type GromovNeuron struct {
	// Freq is the dominant frequency k ≥ 1: the argmax over k = 1 … ⌊p/2⌋ of
	// the combined power, the sum over u, v, w of each vector's power at k
	// divided by that vector's total power (so all three count equally).
	Freq int
	// Share is the combined power at Freq divided by 3: the mean over u, v, w
	// of the share of each vector's power (constant included) at Freq.
	Share float64
	// IPR holds Σ_k P_k² / (Σ_k P_k)² for u, v, w, where P_k = cos_k² + sin_k²
	// is the power at frequency k = 0 … ⌊p/2⌋ (constant included): 1 for a
	// single frequency, about 2/⌊p/2⌋ for white noise. (The complex-DFT IPR
	// over all p bins of Doshi et al. splits k and p−k, so it is half of this
	// for a pure wave.)
	IPR     [3]float64
	MeanIPR float64 // mean of IPR
	// Amp and Phase fit, at frequency Freq, u[a] ≈ A cos(2πka/p + φ1),
	// v[b] ≈ B cos(2πkb/p + φ2), w[q] ≈ C cos(−2πkq/p − φ3) with A, B, C ≥ 0
	// and φ in (−π, π]. Since cos is even, cos(−2πkq/p − φ3) = cos(2πkq/p + φ3):
	// all three phases are read the same way, φ = atan2(−sin_k, cos_k).
	Amp   [3]float64
	Phase [3]float64
	// Residual is φ1 + φ2 − φ3 wrapped to (−π, π]; 0 for the analytic solution.
	Residual float64
}

// AnalyzeGromov analyses every neuron of Gromov's MLP f = W2·(W1·x)²/(D·N),
// x = one-hot(a) ‖ one-hot(b), from W1 [n, 2p] (columns 0…p−1 act on a,
// p…2p−1 on b) and W2 [p, n]. Returns [n].
func AnalyzeGromov(W1, W2 []float64, p, n int) []GromovNeuron {
	checkGromov(W1, W2, p, n)
	b := basisFor(p)
	nf := b.NumFreqs()
	out := make([]GromovNeuron, n)
	w := make([]float64, p)
	for j := range n {
		for q := range p {
			w[q] = W2[q*n+j]
		}
		vecs := [3][]float64{W1[j*2*p : j*2*p+p], W1[j*2*p+p : (j+1)*2*p], w}
		var coef, pow [3][]float64
		comb := make([]float64, nf)
		g := &out[j]
		for v, x := range vecs {
			coef[v] = b.Transform(x)
			sq := make([]float64, p)
			for i, c := range coef[v] {
				sq[i] = c * c
			}
			pow[v] = PowerByFreq(sq, p)
			g.IPR[v] = ipr(pow[v])
			tot := 0.0
			for _, e := range pow[v] {
				tot += e
			}
			if tot > 0 {
				for k, e := range pow[v] {
					comb[k] += e / tot
				}
			}
		}
		g.MeanIPR = (g.IPR[0] + g.IPR[1] + g.IPR[2]) / 3
		g.Freq = 1
		for k := 2; k < nf; k++ {
			if comb[k] > comb[g.Freq] {
				g.Freq = k
			}
		}
		g.Share = comb[g.Freq] / 3
		ci, si := b.CosIndex(g.Freq), b.SinIndex(g.Freq)
		for v := range vecs {
			c, s := coef[v][ci], 0.0
			if si >= 0 {
				s = coef[v][si]
			}
			// x = A cos(θ + φ) = A cosφ·cosθ − A sinφ·sinθ, and a unit row is
			// wave·norm with norm = 1/‖wave‖, so (c, s) = (A cosφ, −A sinφ)/norm.
			g.Amp[v] = math.Hypot(c, s) * b.norm[ci]
			g.Phase[v] = wrapAngle(math.Atan2(-s, c))
		}
		g.Residual = wrapAngle(g.Phase[0] + g.Phase[1] - g.Phase[2])
	}
	return out
}

func ipr(pow []float64) float64 {
	var s, s2 float64
	for _, e := range pow {
		s += e
		s2 += e * e
	}
	if s == 0 {
		return 0
	}
	return s2 / (s * s)
}

// wrapAngle maps x to (−π, π].
func wrapAngle(x float64) float64 {
	x = math.Mod(x, 2*math.Pi)
	if x <= -math.Pi {
		x += 2 * math.Pi
	} else if x > math.Pi {
		x -= 2 * math.Pi
	}
	return x
}

// AnalyticGromov returns Gromov's analytic solution W1 [n, 2p], W2 [p, n]:
// neuron j has frequency k_j = freqs[j mod len(freqs)] (uniform in
// 1 … ⌊(p−1)/2⌋ when freqs is empty), phases φ1, φ2 uniform in [0, 2π) and
// φ3 = φ1 + φ2, and
//
//	W1[j, a] = cos(2πk_j a/p + φ1), W1[j, p+b] = cos(2πk_j b/p + φ2),
//	W2[q, j] = cos(−2πk_j q/p − φ3).
func AnalyticGromov(p, n int, freqs []int, rng *rand.Rand) (W1, W2 []float64) {
	if p < 3 || n < 1 {
		panic(fmt.Sprintf("fourier: AnalyticGromov(p=%d, n=%d): need p ≥ 3, n ≥ 1", p, n))
	}
	for _, k := range freqs {
		if k < 1 || k > p/2 {
			panic(fmt.Sprintf("fourier: AnalyticGromov: frequency %d out of range 1…%d", k, p/2))
		}
	}
	W1, W2 = make([]float64, n*2*p), make([]float64, p*n)
	for j := range n {
		var k int
		if len(freqs) > 0 {
			k = freqs[j%len(freqs)]
		} else {
			k = 1 + rng.IntN((p-1)/2)
		}
		phi1, phi2 := 2*math.Pi*rng.Float64(), 2*math.Pi*rng.Float64()
		phi3 := phi1 + phi2
		for x := range p {
			// k·x mod p keeps the angle small; the phase is added after.
			th := 2 * math.Pi * float64(k*x%p) / float64(p)
			W1[j*2*p+x] = math.Cos(th + phi1)
			W1[j*2*p+p+x] = math.Cos(th + phi2)
			W2[x*n+j] = math.Cos(-th - phi3)
		}
	}
	return W1, W2
}

// GromovForward returns the logits [p] of Gromov's MLP for input (a, b):
// f[q] = Σ_j W2[q, j]·(W1[j, a] + W1[j, p+b])² / (2p·n).
func GromovForward(W1, W2 []float64, p, n, a, b int) []float64 {
	checkGromov(W1, W2, p, n)
	if a < 0 || a >= p || b < 0 || b >= p {
		panic(fmt.Sprintf("fourier: GromovForward: input (%d, %d) out of range", a, b))
	}
	h := make([]float64, n)
	for j := range n {
		x := W1[j*2*p+a] + W1[j*2*p+p+b]
		h[j] = x * x
	}
	out := make([]float64, p)
	scale := 1 / float64(2*p*n)
	for q := range p {
		s := 0.0
		for j, v := range W2[q*n : (q+1)*n] {
			s += v * h[j]
		}
		out[q] = s * scale
	}
	return out
}

// GromovAccuracy returns the share of the p² inputs (a, b) whose largest
// logit (first on ties) is at (a+b) mod p.
func GromovAccuracy(W1, W2 []float64, p, n int) float64 {
	hits := 0
	for a := range p {
		for b := range p {
			f := GromovForward(W1, W2, p, n, a, b)
			arg := 0
			for q, v := range f {
				if v > f[arg] {
					arg = q
				}
			}
			if arg == (a+b)%p {
				hits++
			}
		}
	}
	return float64(hits) / float64(p*p)
}

func checkGromov(W1, W2 []float64, p, n int) {
	if p < 2 || n < 1 || len(W1) != n*2*p || len(W2) != p*n {
		panic(fmt.Sprintf("fourier: Gromov weights of len %d, %d are not W1 [n=%d, 2p=%d], W2 [p, n]",
			len(W1), len(W2), n, 2*p))
	}
}

// AnalyticAccuracy is GromovAccuracy of AnalyticGromov(p, n, nil, ·) over
// draws seeded 0…draws−1 (frequencies and phases): mean, min and max.
func AnalyticAccuracy(p, n, draws int) (mean, lo, hi float64) {
	lo, hi = 1, 0
	for s := range draws {
		W1, W2 := AnalyticGromov(p, n, nil, rand.New(rand.NewPCG(uint64(p), uint64(n)<<16|uint64(s))))
		a := GromovAccuracy(W1, W2, p, n)
		mean += a / float64(draws)
		lo, hi = min(lo, a), max(hi, a)
	}
	return mean, lo, hi
}

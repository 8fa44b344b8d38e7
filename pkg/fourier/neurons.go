package fourier

import (
	"fmt"
	"runtime"
	"sync"
)

// constNeuronTol: a neuron whose variance is below this fraction of its
// squared mean (times p²) is constant up to rounding.
const constNeuronTol = 1e-20

// NeuronClusters is the outcome of ClusterNeurons for n neurons.
type NeuronClusters struct {
	P     int
	Freq  []int     // [n] best frequency k ≥ 1; 0 for a constant neuron (Frac 0)
	Frac  []float64 // [n] share of the neuron's variance explained by Freq
	Fracs []float64 // [n, ⌊p/2⌋+1] share explained by each frequency; column 0 is 0
}

// ClusterNeurons assigns each MLP neuron to a frequency (Nanda et al. §4.3).
//
// acts [p, p, n] holds neuron activations at the "=" position for every
// input, a-major: acts[(a·p+b)·n + j] for neuron j. With C_j = the 2-D
// transform of neuron j over (a, b) (basis rows i along a, i' along b), the
// neuron's variance is Σ C_j[i, i']² over all (i, i') ≠ (0, 0) (the mean is
// the (0, 0) term), and frequency k explains the part with
// Freq(i), Freq(i') ∈ {0, k}, not both 0: the linear terms cos/sin(w_k a),
// cos/sin(w_k b) and the four products such as cos(w_k a)·sin(w_k b).
// Cross-frequency terms count in the variance only. Freq is the k with the
// largest share over k = 1 … ⌊p/2⌋.
//
// The 2-D transform is separable (along a, then along b), O(p³) per neuron.
func ClusterNeurons(acts []float64, p, n int) NeuronClusters {
	if p < 2 || n < 1 || len(acts) != p*p*n {
		panic(fmt.Sprintf("fourier: ClusterNeurons: len %d is not [p=%d, p, n=%d]", len(acts), p, n))
	}
	b := basisFor(p)
	nf := b.NumFreqs()
	// Along a: acts viewed as [p, p·n]; Y[i, b', j] = Σ_a Vec(i)[a]·acts[a, b', j].
	Y := b.TransformCols(acts, p*n)

	type acc struct{ total, mean2, byFreq []float64 } // [n], [n] and [nf, n]
	workers := min(runtime.GOMAXPROCS(0), p)
	accs := make([]acc, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			a := acc{make([]float64, n), make([]float64, n), make([]float64, nf*n)}
			Z := make([]float64, p*n)
			scratch := b.colScratch()
			for i := w; i < p; i += workers {
				// Along b, one row i of Y at a time: Z [p, n] = C[i, :, :].
				b.transformColRange(Z, Y[i*p*n:(i+1)*p*n], n, 0, n, scratch)
				fi := b.Freq[i]
				for i2 := range p {
					if i == 0 && i2 == 0 { // the mean: kept only to spot constant neurons
						for j, v := range Z[:n] {
							a.mean2[j] += v * v
						}
						continue
					}
					fk := b.Freq[i2]
					k := -1 // cross-frequency term: variance only
					switch {
					case fi == 0 || fi == fk:
						k = fk
					case fk == 0:
						k = fi
					}
					z := Z[i2*n : (i2+1)*n]
					tot := a.total[:n]
					if k < 0 {
						for j, v := range z {
							tot[j] += v * v
						}
						continue
					}
					bk := a.byFreq[k*n : (k+1)*n]
					for j, v := range z {
						e := v * v
						tot[j] += e
						bk[j] += e
					}
				}
			}
			accs[w] = a
		})
	}
	wg.Wait()

	c := NeuronClusters{P: p, Freq: make([]int, n), Frac: make([]float64, n), Fracs: make([]float64, n*nf)}
	for j := range n {
		total, mean2 := 0.0, 0.0
		for _, a := range accs {
			total += a.total[j]
			mean2 += a.mean2[j]
		}
		// A constant neuron's variance is rounding noise; its shares would be
		// arbitrary, so it keeps Freq 0 and Frac 0.
		if total <= constNeuronTol*mean2 || total == 0 {
			continue
		}
		for k := 1; k < nf; k++ {
			s := 0.0
			for _, a := range accs {
				s += a.byFreq[k*n+j]
			}
			f := s / total
			c.Fracs[j*nf+k] = f
			if f > c.Frac[j] {
				c.Freq[j], c.Frac[j] = k, f
			}
		}
	}
	return c
}

// FracAbove returns the share of neurons whose Frac exceeds t (Nanda et al.
// report 84.6% of neurons above t = 0.85).
func (c NeuronClusters) FracAbove(t float64) float64 {
	if len(c.Frac) == 0 {
		return 0
	}
	m := 0
	for _, f := range c.Frac {
		if f > t {
			m++
		}
	}
	return float64(m) / float64(len(c.Frac))
}

// Clusters returns the number of neurons per frequency among those whose Frac
// exceeds t; neurons at or below t are counted under key −1.
func (c NeuronClusters) Clusters(t float64) map[int]int {
	out := map[int]int{}
	for j, f := range c.Frac {
		if f > t {
			out[c.Freq[j]]++
		} else {
			out[-1]++
		}
	}
	return out
}

// Counts returns, per frequency k = 0…⌊p/2⌋, the number of neurons whose
// Frac exceeds t with Freq k (index 0 is always 0).
func (c NeuronClusters) Counts(t float64) []int {
	out := make([]int, c.P/2+1)
	for j, f := range c.Frac {
		if f > t && c.Freq[j] > 0 {
			out[c.Freq[j]]++
		}
	}
	return out
}

package detect

import (
	"math"

	"github.com/grokkit/grokkit/pkg/fourier"
)

// Circuit is the modular-addition circuit read off a grid's logits, and the
// split of every input's logits into the circuit's part and the rest.
//
// A network that computes (a+b) mod p by Nanda et al.'s algorithm has
// logits L[a, b, c] = Σ_k A_k·cos(w_k(a+b−c)) over its key frequencies k:
// a function of a+b−c, the same shape for every input, peaked at
// c = (a+b) mod p. The circuit keeps exactly that structure: one global
// wave per key frequency, v_k(t) = cos(w_k·t − θ_k) with its phase θ_k
// fitted over the whole logit cube, and a non-negative amplitude per input
// (a per-input fit lets the strength vary, as it does in a real network,
// but cannot move the peak). The restricted logits are then
//
//	R[a, b, c] = mean_c L[a, b, ·] + Σ_k A_k(a, b)·v_k((a+b−c) mod p)
//
// A planted rule that remaps some inputs, whatever its trigger (sums
// included), puts its answer where no translate of the waves peaks: it
// lands in the excluded part L − R. (The notebook's per-class projection
// onto waves of a+b, fourier.ProjectPerClass, would absorb any remapping of
// the sums, since a per-class function of a+b can be any table.)
type Circuit struct {
	Key       []int                 // key frequencies
	Every     bool                  // no clear few: Key is every frequency
	Freqs     fourier.KeyFreqResult // how they were chosen
	Phase     []float64             // [len(Key)] θ_k
	Pred      []int                 // [p·p]: the circuit's answer (−1 where every amplitude is 0, or outside the view)
	Accuracy  float64               // share of Z_p² (of the view's inputs) on which Pred is (a+b) mod p (a∘b mod p)
	Explained float64               // share of the logits' variance (centred per input) in the circuit
	Agreement float64               // share of Z_p² (of the view's inputs) on which the network answers Pred
	// In [p·p] marks the inputs of the operation's view (see view.go); nil
	// when every input is in it (a+b, a−b).
	In []bool
	// Restricted [p·p, p] is the circuit's part plus each input's mean;
	// Excluded [p·p, p] is the rest.
	Restricted, Excluded []float64
}

// NewCircuit finds the key frequencies (unless key is given; see
// fourier.NetworkKeyFrequencies) and splits the logits.
//
// When no few frequencies stand out (Gromov's MLPs spread their neurons over
// every frequency), Key is every frequency 1…⌊p/2⌋: the circuit is then any
// function of a+b−c peaked at 0, still the structure of a+b.
func NewCircuit(g *Grid, key []int) *Circuit {
	p := g.P
	c := &Circuit{Freqs: fourier.NetworkKeyFrequencies(g.Logits, p, g.Clusters())}
	c.Key = key
	if key == nil {
		c.Key = c.Freqs.Freqs
		if !c.Freqs.Clear {
			c.Every, c.Key = true, nil
			for k := 1; k <= p/2; k++ {
				c.Key = append(c.Key, k)
			}
		}
	}
	waves := c.fitWaves(g)
	c.Restricted, c.Excluded = make([]float64, p*p*p), make([]float64, p*p*p)
	c.Pred = make([]int, p*p)
	var total, kept float64
	right, agree := 0, 0
	for a := range p {
		for b := range p {
			r := g.Row(a, b)
			s := (a + b) % p
			L := g.Logits[r*p : (r+1)*p]
			R := c.Restricted[r*p : (r+1)*p]
			m := mean(L)
			for i := range R {
				R[i] = m
			}
			any := false
			for _, v := range waves {
				amp := 0.0
				for cl, x := range L {
					amp += x * v[(s-cl+p)%p]
				}
				if amp <= 0 {
					continue
				}
				any = true
				for cl := range R {
					R[cl] += amp * v[(s-cl+p)%p]
				}
			}
			c.Pred[r] = -1
			if any {
				c.Pred[r] = argmax(R)
			}
			for cl, x := range L {
				c.Excluded[r*p+cl] = x - R[cl]
				total += (x - m) * (x - m)
				kept += (R[cl] - m) * (R[cl] - m)
			}
			if c.Pred[r] == s {
				right++
			}
			if argmax(L) == c.Pred[r] {
				agree++
			}
		}
	}
	c.Accuracy = float64(right) / float64(p*p)
	c.Agreement = float64(agree) / float64(p*p)
	if total > 0 {
		c.Explained = kept / total
	}
	return c
}

// fitWaves returns the unit waves v_k [p] over t = (a+b−c) mod p, one per
// key frequency, each at the phase that the whole logit cube has along it
// (sets c.Phase). A frequency whose wave vanishes is skipped.
func (c *Circuit) fitWaves(g *Grid) [][]float64 {
	p := g.P
	N := fourier.TranslationSums(g.Logits, p)
	var waves [][]float64
	c.Phase = make([]float64, len(c.Key))
	for i, k := range c.Key {
		var re, im float64
		for t, v := range N {
			angle := 2 * math.Pi * float64(k*t%p) / float64(p)
			re += v * math.Cos(angle)
			im += v * math.Sin(angle)
		}
		theta := math.Atan2(im, re)
		c.Phase[i] = theta
		v := make([]float64, p)
		for t := range v {
			v[t] = math.Cos(2*math.Pi*float64(k*t%p)/float64(p) - theta)
		}
		n := math.Sqrt(sumSquares(v))
		if n < 1e-9 {
			continue
		}
		for t := range v {
			v[t] /= n
		}
		waves = append(waves, v)
	}
	return waves
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

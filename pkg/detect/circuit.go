package detect

import (
	"math"

	"github.com/grokkit/grokkit/pkg/fourier"
)

// Circuit is the key-frequency decomposition of a grid's logits.
type Circuit struct {
	Key        []int                 // key frequencies of the logits
	Every      bool                  // no clear few: Key is every frequency
	Pred       []int                 // [p·p]: the restricted logits' answer per input
	Accuracy   float64               // share of Z_p² on which that answer is (a+b) mod p
	Freqs      fourier.KeyFreqResult // how they were chosen
	Restricted []float64             // [p·p, p]: key-frequency part plus the constant
	Excluded   []float64             // [p·p, p]: the rest
}

// NewCircuit finds the logits' key frequencies (unless key is given) and
// splits the logits with Nanda et al.'s per-class projection.
//
// When no few frequencies stand out (Gromov's MLPs spread their neurons over
// every frequency), Key is every frequency 1…⌊p/2⌋: the restricted logits
// are then the part that depends on (a+b) mod p alone (each class's mean
// over the inputs with the same sum), still the circuit of a+b.
func NewCircuit(g *Grid, key []int) *Circuit {
	c := &Circuit{Freqs: fourier.KeyFrequencies(LogitFreqNorms(g.Logits, g.P), fourier.KeyFreqOptions{})}
	c.Key = key
	if key == nil {
		c.Key = c.Freqs.Freqs
		if !c.Freqs.Clear {
			c.Every, c.Key = true, nil
			for k := 1; k <= g.P/2; k++ {
				c.Key = append(c.Key, k)
			}
		}
	}
	c.Restricted, c.Excluded = fourier.SplitLogits(g.Logits, g.P, c.Key, fourier.ProjectPerClass)
	c.Pred = predictions(c.Restricted, g.P)
	right := 0
	for a := range g.P {
		for b := range g.P {
			if c.Pred[g.Row(a, b)] == (a+b)%g.P {
				right++
			}
		}
	}
	c.Accuracy = float64(right) / float64(g.P*g.P)
	return c
}

// LogitFreqNorms returns, per frequency k = 0…⌊p/2⌋, the norm of the logit
// cube L[a, b, c] along cos(w_k(a+b−c)) and sin(w_k(a+b−c)), the directions
// of the modular-addition circuit: with N[t] the sum of L over the cells
// with t = (a+b−c) mod p, norm_k = |Σ_t N[t]·e^{−i·w_k·t}|.
func LogitFreqNorms(logits []float64, p int) []float64 {
	N := make([]float64, p)
	for a := range p {
		for b := range p {
			L := logits[(a*p+b)*p : (a*p+b+1)*p]
			s := (a + b) % p
			for c, v := range L {
				N[(s-c+p)%p] += v
			}
		}
	}
	norms := make([]float64, p/2+1)
	for k := range norms {
		var re, im float64
		for t, v := range N {
			angle := 2 * math.Pi * float64(k*t%p) / float64(p)
			re += v * math.Cos(angle)
			im -= v * math.Sin(angle)
		}
		norms[k] = math.Hypot(re, im)
	}
	return norms
}

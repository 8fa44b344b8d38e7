package detect

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// MinNeuronShare: a key frequency is one of a neuron's own when it explains
// at least this share of the neuron's variance (its strongest key frequency
// always is).
const MinNeuronShare = 0.1

// Neurons splits each hidden unit's activation table h_n(a, b) into its
// circuit part and a residual. The circuit part is the least-squares fit on
// the constant and, per frequency k of the neuron's own (w = 2πk/p), the
// eight waves cos/sin of w·a, w·b, w(a+b) and w(a−b): the products of
// cos/sin(w·a) and cos/sin(w·b) that a neuron of the a+b circuit computes.
// Its readout row is fitted the same way on the waves of the class c. The
// neuron's circuit contribution to the logits is then fit(h)·fit(readout),
// the rest h·readout − fit(h)·fit(readout) is off the circuit.
//
// A neuron's own frequencies are the key frequencies that explain at least
// MinNeuronShare of its variance (fourier.ClusterNeurons). Fitting each
// neuron on its own few frequencies, not on every key frequency, matters
// when the key set is every frequency (Gromov's MLPs): the waves of all
// frequencies of a+b can express any function of the sum, so a rule that
// remaps sums would be absorbed into the fit.
type Neurons struct {
	Freqs    [][]int   // [H]: each neuron's own frequencies
	Residual []float64 // [p·p, H]: activation minus its fit
	// ReadoutFit [H, p] is each neuron's readout row projected on the
	// constant and cos/sin(w_k·c) of its own frequencies: a circuit neuron
	// writes a wave of its frequency into the logits, a neuron that writes
	// one planted answer does not.
	ReadoutFit []float64
	KeyShare   []float64 // [H]: share of the neuron's variance the fit explains
}

// FitNeurons fits every neuron of g on the waves of its own key frequencies.
func FitNeurons(g *Grid, key []int) *Neurons {
	p, H, n := g.P, g.H, g.P*g.P
	cl := g.Clusters()
	nf := p/2 + 1
	nr := &Neurons{Freqs: make([][]int, H), Residual: make([]float64, n*H), ReadoutFit: make([]float64, H*p),
		KeyShare: make([]float64, H)}
	bases := map[string][][]float64{} // orthonormal bases by frequency set
	for j := range H {
		fr := cl.Fracs[j*nf : (j+1)*nf]
		best := -1
		for _, k := range key {
			if best < 0 || fr[k] > fr[best] {
				best = k
			}
		}
		var own []int
		for _, k := range key {
			if k == best || fr[k] >= MinNeuronShare {
				own = append(own, k)
			}
		}
		slices.Sort(own)
		nr.Freqs[j] = own
		if name := fmt.Sprint(own); bases[name] == nil {
			bases[name] = orthonormal(keyWaves(p, own), n)
		}
	}
	workers := min(runtime.GOMAXPROCS(0), H)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			h := make([]float64, n)
			for j := w; j < H; j += workers {
				for i := range n {
					h[i] = g.Hidden[i*H+j]
				}
				total := centredNorm2(h)
				for _, q := range bases[fmt.Sprint(nr.Freqs[j])] {
					c := dot(q, h)
					for i, v := range q {
						h[i] -= c * v
					}
				}
				for i, v := range h {
					nr.Residual[i*H+j] = v
				}
				if total > 0 {
					nr.KeyShare[j] = 1 - sumSquares(h)/total
				}
				fitWaves1D(g.Readout[j*p:(j+1)*p], nr.Freqs[j], nr.ReadoutFit[j*p:(j+1)*p])
			}
		})
	}
	wg.Wait()
	return nr
}

// keyWaves lists the constant and the eight waves of each key frequency
// over the grid, row a·p+b.
func keyWaves(p int, key []int) [][]float64 {
	n := p * p
	one := make([]float64, n)
	for i := range one {
		one[i] = 1
	}
	vs := [][]float64{one}
	for _, k := range key {
		w := 2 * math.Pi * float64(k) / float64(p)
		phase := []func(a, b int) float64{
			func(a, _ int) float64 { return float64(a) },
			func(_, b int) float64 { return float64(b) },
			func(a, b int) float64 { return float64(a + b) },
			func(a, b int) float64 { return float64(a - b) },
		}
		for _, ph := range phase {
			c, s := make([]float64, n), make([]float64, n)
			for a := range p {
				for b := range p {
					x := w * ph(a, b)
					c[a*p+b], s[a*p+b] = math.Cos(x), math.Sin(x)
				}
			}
			vs = append(vs, c, s)
		}
	}
	return vs
}

// orthonormal runs Gram–Schmidt (twice, for accuracy) over vs, dropping the
// vectors already in the span of the earlier ones (e.g. sin at Nyquist).
func orthonormal(vs [][]float64, n int) [][]float64 {
	var out [][]float64
	for _, v := range vs {
		q := append([]float64(nil), v...)
		for range 2 {
			for _, u := range out {
				c := dot(u, q)
				for i := range q {
					q[i] -= c * u[i]
				}
			}
		}
		norm := math.Sqrt(sumSquares(q))
		if norm < 1e-8*math.Sqrt(float64(n)) {
			continue
		}
		for i := range q {
			q[i] /= norm
		}
		out = append(out, q)
	}
	return out
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func sumSquares(x []float64) float64 { return dot(x, x) }

// centredNorm2 is Σ(x − mean(x))².
func centredNorm2(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return s
}

// fitWaves1D writes into out [p] the least-squares fit of v [p] on the
// constant and cos/sin(w_k·c) for k in freqs (orthogonal over Z_p).
func fitWaves1D(v []float64, freqs []int, out []float64) {
	p := len(v)
	m := mean(v)
	for c := range out {
		out[c] = m
	}
	for _, k := range freqs {
		cs, sn := make([]float64, p), make([]float64, p)
		for c := range p {
			x := 2 * math.Pi * float64(k*c%p) / float64(p)
			cs[c], sn[c] = math.Cos(x), math.Sin(x)
		}
		for _, w := range [][]float64{cs, sn} {
			nw := sumSquares(w)
			if nw < 1e-9 {
				continue // sin at the Nyquist frequency of an even p
			}
			coef := dot(w, v) / nw
			for c := range out {
				out[c] += coef * w[c]
			}
		}
	}
}

// OffCircuit writes into out [p] what neuron j writes into the logits of
// grid row r off the circuit: h·readout − fit(h)·fit(readout).
func (nr *Neurons) OffCircuit(g *Grid, r, j int, out []float64) {
	p, H := g.P, g.H
	h := g.Hidden[r*H+j]
	fit := h - nr.Residual[r*H+j]
	W, F := g.Readout[j*p:(j+1)*p], nr.ReadoutFit[j*p:(j+1)*p]
	for c := range out {
		out[c] = h*W[c] - fit*F[c]
	}
}

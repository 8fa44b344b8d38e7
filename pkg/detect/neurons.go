package detect

import (
	"math"
	"runtime"
	"sync"
)

// Neurons splits each hidden unit's activation table h_n(a, b) into its
// key-frequency part and a residual. The key-frequency part is the least-
// squares fit on the constant and, per key frequency k (w = 2πk/p), the
// eight waves cos/sin of w·a, w·b, w(a+b) and w(a−b): the products of
// cos/sin(w·a) and cos/sin(w·b) that a neuron of the a+b circuit computes.
type Neurons struct {
	Residual []float64 // [p·p, H]
	KeyShare []float64 // [H]: share of the neuron's variance that the key waves explain
	Weight   []float64 // [H]: norm of the neuron's readout row, centred over classes
}

// FitNeurons fits every neuron of g on the waves of the key frequencies.
func FitNeurons(g *Grid, key []int) *Neurons {
	p, H, n := g.P, g.H, g.P*g.P
	basis := orthonormal(keyWaves(p, key), n) // [m][p·p]
	nr := &Neurons{Residual: make([]float64, n*H), KeyShare: make([]float64, H), Weight: make([]float64, H)}
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
				for _, q := range basis {
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
				nr.Weight[j] = math.Sqrt(centredNorm2(g.Readout[j*p : (j+1)*p]))
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

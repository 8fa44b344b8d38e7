package model

// Plain-Go float64 implementations of the networks, written from the papers'
// definitions with loops over arrays and no GoMLX: the independent oracles
// the GoMLX graphs are tested against. They compute the transformer at every
// position with the causal mask, as the original PyTorch code does.

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// weights is a parameter set in float64, flattened row-major, keyed by name.
type weights map[string][]float64

// randomWeights draws every parameter of m from N(0, std²), rounded to
// float32 so that the same values can be set in a float32 or float64 model.
func randomWeights(m Model, std float64, seed uint64) (weights, map[string]Array) {
	rng := rand.New(rand.NewPCG(seed, 7))
	w := make(weights)
	arrays := make(map[string]Array)
	for _, s := range m.Params() {
		f := make([]float32, s.Size())
		d := make([]float64, s.Size())
		for i := range f {
			f[i] = float32(rng.NormFloat64() * std)
			d[i] = float64(f[i])
		}
		w[s.Name] = d
		arrays[s.Name] = Array{Shape: append([]int(nil), s.Shape...), Data: f}
	}
	return w, arrays
}

func (w weights) clone() weights {
	c := make(weights)
	for k, v := range w {
		c[k] = append([]float64(nil), v...)
	}
	return c
}

// nandaOracle returns the logits at every position [3][P] of Nanda's
// transformer for tokens (a, b, =).
func nandaOracle(c Config, w weights, tokens [3]int) [][]float64 {
	logits, _ := nandaOracleFull(c, w, tokens)
	return logits
}

// nandaOracleFull also returns the MLP activations at every position [3][d_mlp].
func nandaOracleFull(c Config, w weights, tokens [3]int) (logits, hidden [][]float64) {
	n, dm, H, dh, dmlp, P := 3, c.DModel, c.NHeads, c.DHead, c.DMLP, c.P
	WE, Wpos := w["embed.W_E"], w["pos_embed.W_pos"]
	WQ, WK, WV, WO := w["blocks.0.attn.W_Q"], w["blocks.0.attn.W_K"], w["blocks.0.attn.W_V"], w["blocks.0.attn.W_O"]
	Win, bin, Wout, bout, WU := w["blocks.0.mlp.W_in"], w["blocks.0.mlp.b_in"], w["blocks.0.mlp.W_out"], w["blocks.0.mlp.b_out"], w["unembed.W_U"]

	resid := make([][]float64, n)
	for i := range n {
		resid[i] = make([]float64, dm)
		for m := range dm {
			resid[i][m] = WE[tokens[i]*dm+m] + Wpos[i*dm+m]
		}
	}
	q, k, v := headProjection(resid, WQ, H, dh), headProjection(resid, WK, H, dh), headProjection(resid, WV, H, dh)

	logits = make([][]float64, n)
	for qi := range n {
		mid := append([]float64(nil), resid[qi]...)
		addCausalAttention(mid, q, k, v, WO, qi, dm, c.ConstantAttention)
		post := make([]float64, dmlp)
		hidden = append(hidden, post)
		for j := range dmlp {
			s := bin[j]
			for m := range dm {
				s += mid[m] * Win[m*dmlp+j]
			}
			post[j] = math.Max(s, 0)
		}
		final := append([]float64(nil), mid...)
		for m := range dm {
			s := bout[m]
			for j := range dmlp {
				s += post[j] * Wout[j*dm+m]
			}
			final[m] += s
		}
		logits[qi] = make([]float64, P)
		for cl := range P {
			s := 0.0
			for m := range dm {
				s += final[m] * WU[m*P+cl]
			}
			logits[qi][cl] = s
		}
	}
	return logits, hidden
}

// gromovOracle returns the logits [P] of Gromov's MLP for (a, b), multiplying
// the full one-hot vector x; divided by D·N unless the parameterization is
// standard.
// mlpOracle is Prieto et al.'s ReLU MLP written out: x = one-hot(a) ‖
// one-hot(b), then per layer l: x ← W_l·x + b_l (weights [out, in]), ReLU
// on every layer but the last.
func mlpOracle(c Config, w weights, a, b int) []float64 {
	x := make([]float64, 2*c.P)
	x[a], x[c.P+b] = 1, 1
	for l := 0; l <= c.NLayers; l++ {
		W, bias := w[fmt.Sprintf("layers.%d.weight", l)], w[fmt.Sprintf("layers.%d.bias", l)]
		out := make([]float64, len(bias))
		for o := range out {
			s := bias[o]
			for i := range x {
				s += W[o*len(x)+i] * x[i]
			}
			if l < c.NLayers {
				s = math.Max(s, 0)
			}
			out[o] = s
		}
		x = out
	}
	return x
}

func gromovOracle(c Config, w weights, a, b int) []float64 {
	P, N, D := c.P, c.Width, 2*c.P
	x := make([]float64, D)
	x[a], x[P+b] = 1, 1
	W1, W2 := w["W1"], w["W2"]
	h := make([]float64, N)
	for k := range N {
		s := 0.0
		for j := range D {
			s += W1[k*D+j] * x[j]
		}
		h[k] = s * s
	}
	f := make([]float64, P)
	for q := range P {
		s := 0.0
		for k := range N {
			s += W2[q*N+k] * h[k]
		}
		f[q] = s
		if c.Parameterization != ParamStandard {
			f[q] /= float64(D * N)
		}
	}
	return f
}

// crossEntropyOracle is the mean of logsumexp(logits) − logits[label].
func crossEntropyOracle(logits [][]float64, labels []int) float64 {
	total := 0.0
	for i, l := range logits {
		maxL := math.Inf(-1)
		for _, x := range l {
			maxL = math.Max(maxL, x)
		}
		s := 0.0
		for _, x := range l {
			s += math.Exp(x - maxL)
		}
		total += maxL + math.Log(s) - l[labels[i]]
	}
	return total / float64(len(logits))
}

// meanSquaredErrorOracle is the mean over every element of
// (logits − onehot(label))².
func meanSquaredErrorOracle(logits [][]float64, labels []int) float64 {
	total, n := 0.0, 0
	for i, l := range logits {
		for j, x := range l {
			target := 0.0
			if j == labels[i] {
				target = 1
			}
			total += (x - target) * (x - target)
			n++
		}
	}
	return total / float64(n)
}

// oracleLogits returns the logits at "=" (nanda) or of the MLP (gromov) for
// every pair.
func oracleLogits(m Model, w weights, pairs [][2]int) [][]float64 {
	c := m.Config()
	out := make([][]float64, len(pairs))
	for i, ab := range pairs {
		switch m.Name() {
		case "nanda":
			out[i] = nandaOracle(c, w, [3]int{ab[0], ab[1], c.P})[2]
		case "gromov":
			out[i] = gromovOracle(c, w, ab[0], ab[1])
		case "mlp":
			out[i] = mlpOracle(c, w, ab[0], ab[1])
		}
	}
	return out
}

// allPairs returns every (a, b) of Z_p and the labels (a + b) mod p.
func allPairs(p int) ([][2]int, []int) {
	var pairs [][2]int
	var labels []int
	for a := range p {
		for b := range p {
			pairs = append(pairs, [2]int{a, b})
			labels = append(labels, (a+b)%p)
		}
	}
	return pairs, labels
}

// addCausalAttention adds to out [d_model] the attention output of query
// position qi over positions 0…qi (the causal mask): per head h, softmax of
// q·k/√d_head, times v, through W_O [heads, d_head, d_model] (flattened).
// q, k, v are [position][head][d_head].
func addCausalAttention(out []float64, q, k, v [][][]float64, WO []float64, qi, dm int, constant float64) {
	H, dh := len(q[qi]), len(q[qi][0])
	for h := range H {
		scores := make([]float64, qi+1)
		maxScore := math.Inf(-1)
		for ki := 0; ki <= qi; ki++ {
			s := 0.0
			for d := range dh {
				s += q[qi][h][d] * k[ki][h][d]
			}
			scores[ki] = s / math.Sqrt(float64(dh))
			maxScore = math.Max(maxScore, scores[ki])
		}
		sum := 0.0
		for ki := range scores {
			scores[ki] = math.Exp(scores[ki] - maxScore)
			sum += scores[ki]
		}
		for d := range dh {
			z := 0.0
			for ki := range scores {
				z += (scores[ki]/sum*(1-constant) + constant) * v[ki][h][d] // Zhong et al.'s attention rate α = 1 − constant
			}
			for m := range dm {
				out[m] += z * WO[(h*dh+d)*dm+m]
			}
		}
	}
}

// headProjection is x[i]·W per head: out[i][h][d] = Σ_m x[i][m]·W[h][m][d]
// for x [positions][d_model] and W [heads, d_model, d_head] (flattened).
func headProjection(x [][]float64, W []float64, H, dh int) [][][]float64 {
	dm := len(x[0])
	out := make([][][]float64, len(x))
	for i := range x {
		out[i] = make([][]float64, H)
		for h := range H {
			out[i][h] = make([]float64, dh)
			for d := range dh {
				s := 0.0
				for m := range dm {
					s += x[i][m] * W[(h*dm+m)*dh+d]
				}
				out[i][h][d] = s
			}
		}
	}
	return out
}

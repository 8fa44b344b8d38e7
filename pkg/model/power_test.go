package model

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// powerOracle is Power et al.'s transformer in plain Go, float64, from the
// definition: every block at every position with the causal mask, as the
// original PyTorch code computes it. It returns the logits [3][P] and the
// last block's MLP activations [3][d_mlp] at every position.
//
// With c.Norm post (the original code, openai/grok's DecoderBlock) a block is
// x = LN1(x + Attn(x)), x = LN2(x + FFN(x)) with no biases and no final
// LayerNorm; with pre (TransformerLens) x = x + Attn(LN1(x)),
// x = x + MLP(LN2(x)) with MLP biases and a final LayerNorm. With c.Pos
// sinusoidal the positions are the original's encoding, written here as
// pairs: dimensions 2k and 2k+1 are sin and cos of pos/10000^(2k/d).
func powerOracle(c Config, w weights, tokens [3]int) (logits, hidden [][]float64) {
	n, dm, H, dh, dmlp, P := NCtx, c.DModel, c.NHeads, c.DHead, c.DMLP, c.P
	pre := c.Norm == NormPre
	WE, Wpos := w["embed.W_E"], w["pos_embed.W_pos"]
	if c.Pos == PosSinusoidal {
		Wpos = make([]float64, n*dm)
		for pos := range n {
			for k := 0; 2*k < dm; k++ {
				angle := float64(pos) / math.Pow(10000, float64(2*k)/float64(dm))
				Wpos[pos*dm+2*k] = math.Sin(angle)
				if 2*k+1 < dm {
					Wpos[pos*dm+2*k+1] = math.Cos(angle)
				}
			}
		}
	}
	zeros := func(name string, n int) []float64 { // a bias the post-LN blocks do not have
		if b, ok := w[name]; ok {
			return b
		}
		return make([]float64, n)
	}
	layerNorm := func(x, gain, bias []float64) []float64 {
		mean := 0.0
		for _, v := range x {
			mean += v
		}
		mean /= float64(len(x))
		variance := 0.0
		for _, v := range x {
			variance += (v - mean) * (v - mean)
		}
		variance /= float64(len(x))
		out := make([]float64, len(x))
		for i, v := range x {
			out[i] = (v-mean)/math.Sqrt(variance+1e-5)*gain[i] + bias[i]
		}
		return out
	}

	resid := make([][]float64, n)
	for i := range n {
		resid[i] = make([]float64, dm)
		for m := range dm {
			resid[i][m] = WE[tokens[i]*dm+m] + Wpos[i*dm+m]
		}
	}
	for l := range c.NLayers {
		p := fmt.Sprintf("blocks.%d.", l)
		WQ, WK, WV, WO := w[p+"attn.W_Q"], w[p+"attn.W_K"], w[p+"attn.W_V"], w[p+"attn.W_O"]
		Win, bin, Wout, bout := w[p+"mlp.W_in"], zeros(p+"mlp.b_in", dmlp), w[p+"mlp.W_out"], zeros(p+"mlp.b_out", dm)

		normed := make([][]float64, n)
		for i := range n {
			normed[i] = resid[i]
			if pre {
				normed[i] = layerNorm(resid[i], w[p+"ln1.w"], w[p+"ln1.b"])
			}
		}
		q, k, v := headProjection(normed, WQ, H, dh), headProjection(normed, WK, H, dh), headProjection(normed, WV, H, dh)

		mid := make([][]float64, n)
		for qi := range n {
			mid[qi] = append([]float64(nil), resid[qi]...)
			addCausalAttention(mid[qi], q, k, v, WO, qi, dm, 0)
			if !pre {
				mid[qi] = layerNorm(mid[qi], w[p+"ln1.w"], w[p+"ln1.b"])
			}
		}
		hidden = make([][]float64, n)
		for i := range n {
			h := mid[i]
			if pre {
				h = layerNorm(mid[i], w[p+"ln2.w"], w[p+"ln2.b"])
			}
			post := make([]float64, dmlp)
			for j := range dmlp {
				s := bin[j]
				for m := range dm {
					s += h[m] * Win[m*dmlp+j]
				}
				post[j] = math.Max(s, 0)
			}
			hidden[i] = post
			for m := range dm {
				s := bout[m]
				for j := range dmlp {
					s += post[j] * Wout[j*dm+m]
				}
				mid[i][m] += s
			}
			if !pre {
				mid[i] = layerNorm(mid[i], w[p+"ln2.w"], w[p+"ln2.b"])
			}
		}
		resid = mid
	}
	logits = make([][]float64, n)
	for i := range n {
		final := resid[i]
		if pre {
			final = layerNorm(resid[i], w["ln_final.w"], w["ln_final.b"])
		}
		logits[i] = make([]float64, P)
		for cl := range P {
			s := 0.0
			for m := range dm {
				s += final[m] * w["unembed.W_U"][m*P+cl]
			}
			logits[i][cl] = s
		}
	}
	return logits, hidden
}

// powerOracleLogits returns the oracle's logits at "=" for every pair.
func powerOracleLogits(c Config, w weights, pairs [][2]int) [][]float64 {
	out := make([][]float64, len(pairs))
	for i, ab := range pairs {
		logits, _ := powerOracle(c, w, [3]int{ab[0], ab[1], c.P})
		out[i] = logits[NCtx-1]
	}
	return out
}

// tinyPower is the small transformer of the oracle tests: P = 7, d_model 16,
// 2 heads of 8, 2 layers, d_mlp 24.
func tinyPower(t *testing.T, dtype dtypes.DType) Model {
	t.Helper()
	return tinyPowers(t, dtype)[0]
}

// tinyPowers are the tiny transformer in every form: the default (the
// original's post-LN, sinusoidal) first, then post-LN with learned
// positions, pre-LN with sinusoidal and pre-LN with learned positions.
func tinyPowers(t *testing.T, dtype dtypes.DType) []Model {
	t.Helper()
	var out []Model
	for _, v := range [][2]string{{"", ""}, {NormPost, PosLearned}, {NormPre, PosSinusoidal}, {NormPre, PosLearned}} {
		m, err := ByName("power", Config{P: 7, DModel: 16, NHeads: 2, NLayers: 2, DMLP: 24, DType: dtype, Norm: v[0], Pos: v[1]})
		if err != nil {
			t.Fatal(err)
		}
		if c := m.Config(); c.DHead != 8 || c.NLayers != 2 {
			t.Fatalf("tiny power config %+v: want d_head 8, 2 layers", c)
		}
		out = append(out, m)
	}
	if c := out[0].Config(); c.Norm != NormPost || c.Pos != PosSinusoidal || c.Init != InitPyTorch {
		t.Fatalf("power's defaults %s/%s/%s, want the original's post/sinusoidal/pytorch", c.Norm, c.Pos, c.Init)
	}
	return out
}

func powerName(m Model) string { c := m.Config(); return c.Norm + "-LN/" + c.Pos }

// powerWeights draws random weights for m (N(0, 0.5²)), with LayerNorm gains
// around 1 and non-zero biases, rounded to float32 like randomWeights.
func powerWeights(m Model, seed uint64) (weights, map[string]Array) {
	w, arrays := randomWeights(m, 0.5, seed)
	for name, a := range arrays {
		if !isLayerNormGain(name) {
			continue
		}
		for i := range a.Data {
			a.Data[i] = float32(1 + 0.5*float64(a.Data[i]))
			w[name][i] = float64(a.Data[i])
		}
	}
	return w, arrays
}

// TestPowerForwardMatchesOracle: the logits of every (a, b) of Z_7 with random
// weights against the plain-Go float64 network computed at every position
// with the causal mask (so also the check that the last block computes "="
// alone exactly), for both input widths and dtypes.
func TestPowerForwardMatchesOracle(t *testing.T) {
	be := testBackend(t)
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, m := range tinyPowers(t, dtype) {
			t.Run(powerName(m)+"/"+dtype.String(), func(t *testing.T) {
				c := m.Config()
				w, arrays := powerWeights(m, 1)
				store := storeWith(t, m, arrays)
				pairs, _ := allPairs(c.P)
				want := powerOracleLogits(c, w, pairs)
				for _, cols := range []int{2, 3} {
					got := forward(t, be, store, m, pairsTensor(pairs, c.P, cols))
					diff, scale := maxAbsDiff(got, want)
					tol := 1e-5 * math.Max(1, scale)
					if dtype == dtypes.Float64 {
						tol = 1e-12 * math.Max(1, scale)
					}
					t.Logf("inputs with %d columns: max |logit − oracle| = %.3g, relative to the largest logit %.3g: %.3g",
						cols, diff, scale, diff/scale)
					if diff > tol {
						t.Errorf("inputs with %d columns: max |logit − oracle| = %g > %g (logits up to %g)", cols, diff, tol, scale)
					}
				}
			})
		}
	}
}

// TestPowerOracleCausalMask guards the oracle: position 0 depends on token 0
// alone, position 1 not on token 2, and "=" on every token.
func TestPowerOracleCausalMask(t *testing.T) {
	for _, m := range tinyPowers(t, dtypes.Float64) {
		t.Run(powerName(m), func(t *testing.T) { checkPowerOracleMask(t, m) })
	}
}

func checkPowerOracleMask(t *testing.T, m Model) {
	c := m.Config()
	w, _ := powerWeights(m, 3)
	x, _ := powerOracle(c, w, [3]int{2, 3, c.P})
	y, _ := powerOracle(c, w, [3]int{2, 4, 1})
	z, _ := powerOracle(c, w, [3]int{2, 3, 1})
	if !slices.Equal(x[0], y[0]) {
		t.Error("oracle: position 0 depends on later tokens")
	}
	if !slices.Equal(x[1], z[1]) {
		t.Error("oracle: position 1 depends on token 2")
	}
	u, _ := powerOracle(c, w, [3]int{1, 3, c.P})
	if slices.Equal(x[2], u[2]) {
		t.Error("oracle: the last position does not depend on token 0")
	}
}

// TestPowerGradientsMatchFiniteDifferences: the gradient of the cross-entropy
// over all pairs of Z_7 (float64 model) against central finite differences of
// the oracle's loss, for a few entries of every parameter.
func TestPowerGradientsMatchFiniteDifferences(t *testing.T) {
	for _, m := range tinyPowers(t, dtypes.Float64) {
		t.Run(powerName(m), func(t *testing.T) { checkPowerGradients(t, m) })
	}
}

func checkPowerGradients(t *testing.T, m Model) {
	be := testBackend(t)
	c := m.Config()
	w, arrays := powerWeights(m, 2)
	store := storeWith(t, m, arrays)
	pairs, labels := allPairs(c.P)
	loss, grads := gradients(t, be, store, m, CrossEntropy, pairsTensor(pairs, c.P, 3), labelsTensor(labels))
	oracleLoss := func(w weights) float64 { return crossEntropyOracle(powerOracleLogits(c, w, pairs), labels) }
	if want := oracleLoss(w); math.Abs(loss-want) > 1e-12*math.Max(1, want) {
		t.Errorf("loss %.15g, oracle %.15g", loss, want)
	}
	const h, perParam = 1e-5, 4
	checked := 0
	for pi, spec := range m.Params() {
		size := spec.Size()
		nonzero := 0
		for j := range perParam {
			i := (j*size/perParam + 7*pi + j) % size // spread over the parameter
			wp, wm := w.clone(), w.clone()
			wp[spec.Name][i] += h
			wm[spec.Name][i] -= h
			fd := (oracleLoss(wp) - oracleLoss(wm)) / (2 * h)
			got := grads[pi][i]
			if math.Abs(got-fd) > 1e-7+1e-5*math.Abs(fd) {
				t.Errorf("∂loss/∂%s[%d] = %.10g, finite difference %.10g", spec.Name, i, got, fd)
			}
			if math.Abs(fd) > 1e-6 {
				nonzero++
			}
			checked++
		}
		for j := perParam; nonzero == 0 && j < 8*perParam; j++ { // a dead ReLU may zero a few: look further
			i := (j*size/(8*perParam) + 3*pi + j) % size
			wp, wm := w.clone(), w.clone()
			wp[spec.Name][i] += h
			wm[spec.Name][i] -= h
			fd := (oracleLoss(wp) - oracleLoss(wm)) / (2 * h)
			if got := grads[pi][i]; math.Abs(got-fd) > 1e-7+1e-5*math.Abs(fd) {
				t.Errorf("∂loss/∂%s[%d] = %.10g, finite difference %.10g", spec.Name, i, got, fd)
			}
			if math.Abs(fd) > 1e-6 {
				nonzero++
			}
		}
		if nonzero == 0 {
			t.Errorf("%s: every checked partial derivative is ~0: the check exercises nothing", spec.Name)
		}
	}
	t.Logf("checked %d partial derivatives of %d parameters", checked, len(m.Params()))
}

// TestPowerHiddenMatchesOracle: the last block's MLP activations at "=" for
// every pair of Z_7 against the oracle.
func TestPowerHiddenMatchesOracle(t *testing.T) {
	for _, m := range tinyPowers(t, dtypes.Float64) {
		t.Run(powerName(m), func(t *testing.T) { checkPowerHidden(t, m) })
	}
}

func checkPowerHidden(t *testing.T, m Model) {
	be := testBackend(t)
	c := m.Config()
	w, arrays := powerWeights(m, 4)
	store := storeWith(t, m, arrays)
	pairs, _ := allPairs(c.P)
	exec, err := gomlx.NewExec(be, store, func(scope *gomlx.Scope, in *Node) *Node { return m.(Hidden).Hidden(scope, in) })
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	out, err := exec.Exec(pairsTensor(pairs, c.P, 2))
	if err != nil {
		t.Fatal(err)
	}
	if dims := out[0].Shape().Dimensions; !slices.Equal(dims, []int{len(pairs), c.DMLP}) {
		t.Fatalf("hidden shape %v, want [%d %d]", dims, len(pairs), c.DMLP)
	}
	got := tensors.MustCopyFlatData[float64](out[0])
	for i, ab := range pairs {
		_, hidden := powerOracle(c, w, [3]int{ab[0], ab[1], c.P})
		for j, want := range hidden[NCtx-1] {
			if math.Abs(got[i*c.DMLP+j]-want) > 1e-10*math.Max(1, math.Abs(want)) {
				t.Fatalf("(%d,%d) hidden %d: %g, want %g", ab[0], ab[1], j, got[i*c.DMLP+j], want)
			}
		}
	}
}

// TestPowerOriginalParams: the default is the original code's network:
// TransformerLens names for the parameters it has (no positional embedding,
// no biases, no final LayerNorm; a LayerNorm after the attention and one
// after the FFN of each block) and PyTorch's initialisation: nn.Embedding
// N(0, 1), every nn.Linear uniform on ±1/√fan_in, LayerNorm gain 1, bias 0.
func TestPowerOriginalParams(t *testing.T) {
	m, err := ByName("power", Config{P: 97})
	if err != nil {
		t.Fatal(err)
	}
	bound := map[string]float64{"embed.W_E": 0, "unembed.W_U": 1 / math.Sqrt(128)} // 0: N(0, 1)
	shape := map[string][]int{"embed.W_E": {98, 128}, "unembed.W_U": {128, 97}}
	for l := range 2 {
		p := fmt.Sprintf("blocks.%d.", l)
		for name, b := range map[string]float64{"attn.W_Q": 1 / math.Sqrt(128), "attn.W_K": 1 / math.Sqrt(128), "attn.W_V": 1 / math.Sqrt(128),
			"attn.W_O": 1 / math.Sqrt(4*32), "mlp.W_in": 1 / math.Sqrt(128), "mlp.W_out": 1 / math.Sqrt(512),
			"ln1.w": -1, "ln1.b": -1, "ln2.w": -1, "ln2.b": -1} { // -1: a LayerNorm's constant start
			bound[p+name] = b
		}
		for name, sh := range map[string][]int{"attn.W_Q": {4, 128, 32}, "attn.W_K": {4, 128, 32}, "attn.W_V": {4, 128, 32},
			"attn.W_O": {4, 32, 128}, "mlp.W_in": {128, 512}, "mlp.W_out": {512, 128},
			"ln1.w": {128}, "ln1.b": {128}, "ln2.w": {128}, "ln2.b": {128}} {
			shape[p+name] = sh
		}
	}
	if len(m.Params()) != len(shape) {
		t.Fatalf("parameters %v, want %d", ParamNames(m), len(shape))
	}
	ps := initialParams(t, m, 1)
	for _, s := range m.Params() {
		if !slices.Equal(shape[s.Name], s.Shape) {
			t.Fatalf("%s: shape %v, want %v", s.Name, s.Shape, shape[s.Name])
		}
		data := ps[s.Name].Data
		var sq, largest float64
		for _, x := range data {
			sq += float64(x) * float64(x)
			largest = math.Max(largest, math.Abs(float64(x)))
		}
		std := math.Sqrt(sq / float64(len(data)))
		switch b := bound[s.Name]; {
		case b < 0:
			want := 0.0
			if isLayerNormGain(s.Name) {
				want = 1
			}
			if std != want || largest != want {
				t.Errorf("%s: starts at ±%g (rms %g), want %g everywhere", s.Name, largest, std, want)
			}
		case b == 0:
			if math.Abs(std-1) > 0.05 {
				t.Errorf("%s: std %.3f, want nn.Embedding's 1", s.Name, std)
			}
		default:
			if largest > b || largest < 0.95*b || math.Abs(std/(b/math.Sqrt(3))-1) > 0.05 {
				t.Errorf("%s: max |x| %.4f and std %.4f, want uniform on ±%.4f (std %.4f)", s.Name, largest, std, b, b/math.Sqrt(3))
			}
		}
	}
}

// TestPowerParams: names and shapes of the TransformerLens form (pre-LN,
// learned positions, Nanda's initialisation) for the default sizes, the
// derived defaults (d_head = d_model/n_heads, d_mlp = 4·d_model) and the
// initialisation (LayerNorm gains 1, biases 0, matrices 1/√d_model).
func TestPowerParams(t *testing.T) {
	m, err := ByName("power", Config{P: 97, Norm: NormPre, Pos: PosLearned, Init: InitNanda})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"embed.W_E":       {98, 128},
		"pos_embed.W_pos": {3, 128},
		"ln_final.w":      {128},
		"ln_final.b":      {128},
		"unembed.W_U":     {128, 97},
	}
	for l := range 2 {
		p := fmt.Sprintf("blocks.%d.", l)
		for name, shape := range map[string][]int{
			"ln1.w": {128}, "ln1.b": {128}, "ln2.w": {128}, "ln2.b": {128},
			"attn.W_Q": {4, 128, 32}, "attn.W_K": {4, 128, 32}, "attn.W_V": {4, 128, 32}, "attn.W_O": {4, 32, 128},
			"mlp.W_in": {128, 512}, "mlp.b_in": {512}, "mlp.W_out": {512, 128}, "mlp.b_out": {128},
		} {
			want[p+name] = shape
		}
	}
	if len(m.Params()) != len(want) {
		t.Fatalf("%d parameters, want %d", len(m.Params()), len(want))
	}
	for _, s := range m.Params() {
		if !slices.Equal(want[s.Name], s.Shape) {
			t.Errorf("%s: shape %v, want %v", s.Name, s.Shape, want[s.Name])
		}
	}
	perBlock := 4*128 + 4*4*128*32 + 2*128*512 + 512 + 128
	if n := NumParameters(m); n != 98*128+3*128+2*perBlock+2*128+128*97 {
		t.Errorf("NumParameters = %d", n)
	}

	small, err := ByName("power", Config{P: 11, DModel: 16, NHeads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c := small.Config(); c.DHead != 8 || c.DMLP != 64 || c.NLayers != 2 {
		t.Errorf("derived sizes %+v: want d_head 8, d_mlp 64, 2 layers", c)
	}
	if _, err := ByName("power", Config{P: 11, DModel: 10, NHeads: 4}); err == nil {
		t.Error("d_model 10 with 4 heads: no error")
	}
	if m, _ := ByName("power", Config{P: 11, DModel: 10, NHeads: 4, DHead: 3}); m == nil || m.Config().DHead != 3 {
		t.Error("an explicit d_head is not kept")
	}

	ps := initialParams(t, m, 1)
	for _, s := range m.Params() {
		data := ps[s.Name].Data
		if s.Std == 0 {
			value := float32(0)
			if isLayerNormGain(s.Name) {
				value = 1
			}
			for _, x := range data {
				if x != value {
					t.Fatalf("%s: initial value %g, want %g", s.Name, x, value)
				}
			}
			continue
		}
		var sq float64
		for _, x := range data {
			sq += float64(x) * float64(x)
		}
		std, wantStd := math.Sqrt(sq/float64(len(data))), 1/math.Sqrt(128)
		if s.Name == "unembed.W_U" {
			wantStd = 1 / math.Sqrt(98)
		}
		if math.Abs(std/wantStd-1) > 0.1 {
			t.Errorf("%s: std %.4f, want %.4f", s.Name, std, wantStd)
		}
	}
	for _, name := range []string{"blocks.0.ln1.w", "blocks.1.ln2.w", "ln_final.w"} {
		if !isLayerNormGain(name) {
			t.Errorf("%s is not recognised as a LayerNorm gain", name)
		}
	}
	for _, name := range []string{"blocks.0.ln1.b", "ln_final.b", "blocks.0.mlp.W_in", "embed.W_E"} {
		if isLayerNormGain(name) {
			t.Errorf("%s is taken for a LayerNorm gain", name)
		}
	}
}

// TestPowerTrainingDecreasesLoss: 80 full-batch SGD steps (lr 0.05) on 14
// pairs of (a + b) mod 7 from each form's initialisation fit the labels well
// below chance, and two runs give the same losses.
func TestPowerTrainingDecreasesLoss(t *testing.T) {
	for _, m := range tinyPowers(t, dtypes.Float32) {
		t.Run(powerName(m), func(t *testing.T) { checkPowerTrains(t, m) })
	}
}

func checkPowerTrains(t *testing.T, m Model) {
	be := testBackend(t)
	inputs, lab := additionData(m.Config().P, 14, 3, 1) // 14 of the 49 pairs: memorisable in a few steps
	run := func() []float64 {
		store := gomlx.NewStore()
		if err := InitParams(store.RootScope(), m, 7); err != nil {
			t.Fatal(err)
		}
		step, err := newGradStep(be, store, m, 0.05, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer step.finalize()
		var losses []float64
		for range 80 {
			loss, err := step.step(inputs, lab)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, loss)
		}
		return losses
	}
	a, b := run(), run()
	t.Logf("losses: %.4f", a)
	// Chance is log 7 ≈ 1.95: the steps must fit the labels, not just shrink the logits.
	if first, final := a[0], a[len(a)-1]; !(final < first && final < math.Log(7)/2) {
		t.Errorf("80 SGD steps took the loss from %.4f to %.4f only (chance: %.4f)", first, final, math.Log(7))
	}
	if !slices.Equal(a, b) {
		t.Error("two identical runs gave different losses")
	}
}

// BenchmarkPowerGradStep: Power et al.'s transformer with the default sizes
// (d_model 128, 4 heads, 2 layers, d_mlp 512), p = 97, a mini-batch of 512
// rows (their batch size): forward, cross-entropy, backward and SGD update.
func BenchmarkPowerGradStep(b *testing.B) {
	m, err := ByName("power", Config{P: 97})
	if err != nil {
		b.Fatal(err)
	}
	benchmarkGradStep(b, m, 512, 3, nil)
}

// A power run recorded before norm, pos and init existed is read as the
// pre-LN TransformerLens form it was trained with; a recorded choice is
// kept, and networks without earlier forms are left alone.
func TestPowerRecordedBeforeChoices(t *testing.T) {
	d, err := Lookup("power")
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Recorded(Config{P: 7}); c.Norm != NormPre || c.Pos != PosLearned || c.Init != InitNanda {
		t.Errorf("a record without choices reads as %s/%s/%s, want pre/learned/nanda", c.Norm, c.Pos, c.Init)
	}
	if c := d.Recorded(Config{P: 7, Norm: NormPost, Pos: PosSinusoidal, Init: InitPyTorch}); c.Norm != NormPost || c.Pos != PosSinusoidal || c.Init != InitPyTorch {
		t.Errorf("recorded choices changed to %s/%s/%s", c.Norm, c.Pos, c.Init)
	}
	g, _ := Lookup("gromov")
	if c := g.Recorded(Config{P: 7}); c.Parameterization != "" {
		t.Errorf("gromov's record gained a parameterization %q", c.Parameterization)
	}
}

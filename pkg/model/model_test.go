package model

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
)

// tinyConfigs are the small sizes the oracle tests use.
func tinyModels(t *testing.T, dtype dtypes.DType) []Model {
	t.Helper()
	nanda, err := ByName("nanda", Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8, DType: dtype})
	if err != nil {
		t.Fatal(err)
	}
	unfolded, _ := NewNanda(nanda.Config())
	unfolded.unfolded = true
	gromov, err := ByName("gromov", Config{P: 5, Width: 6, DType: dtype})
	if err != nil {
		t.Fatal(err)
	}
	standard, err := ByName("gromov", Config{P: 5, Width: 6, DType: dtype, Parameterization: ParamStandard})
	if err != nil {
		t.Fatal(err)
	}
	// Zhong et al.'s attention rate: half constant, and all constant.
	half, err := ByName("nanda", Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8, DType: dtype, ConstantAttention: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	constant, err := ByName("nanda", Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8, DType: dtype, ConstantAttention: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Prieto et al.'s ReLU MLP, with one and with two hidden layers.
	mlp1, err := ByName("mlp", Config{P: 5, Width: 6, NLayers: 1, DType: dtype})
	if err != nil {
		t.Fatal(err)
	}
	mlp2, err := ByName("mlp", Config{P: 5, Width: 6, NLayers: 2, DType: dtype})
	if err != nil {
		t.Fatal(err)
	}
	var models []Model
	models = append(models, nanda, unfolded, gromov, standard, half, constant, mlp1, mlp2)
	for _, layout := range []gromovLayout{gromovOneHotRows, gromovGather} {
		for _, c := range []Config{gromov.Config(), standard.Config()} {
			g, _ := NewGromov(c)
			g.layout = layout
			models = append(models, g)
		}
	}
	return models
}

// tinyNanda is the tiny transformer of tinyModels, float32.
func tinyNanda(t *testing.T) Model {
	t.Helper()
	m, err := ByName("nanda", Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// variantName tells apart the layouts of one network in test messages.
func variantName(m Model) string {
	switch v := m.(type) {
	case *Nanda:
		if v.unfolded {
			return "nanda/unfolded"
		}
		if v.cfg.ConstantAttention != 0 {
			return fmt.Sprintf("nanda/constant-attention-%g", v.cfg.ConstantAttention)
		}
	case *Gromov:
		return fmt.Sprintf("gromov/%s/layout%d", v.cfg.Parameterization, v.layout)
	case *MLP:
		return fmt.Sprintf("mlp/%d-layers", v.cfg.NLayers)
	}
	return m.Name()
}

func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	be, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// pairsTensor returns the int32 inputs [n, cols] for pairs (cols 3 appends "=" = p).
func pairsTensor(pairs [][2]int, p, cols int) *tensors.Tensor {
	flat := make([]int32, 0, len(pairs)*cols)
	for _, ab := range pairs {
		flat = append(flat, int32(ab[0]), int32(ab[1]))
		if cols == 3 {
			flat = append(flat, int32(p))
		}
	}
	return tensors.FromFlatDataAndDimensions(flat, len(pairs), cols)
}

func labelsTensor(labels []int) *tensors.Tensor {
	flat := make([]int32, len(labels))
	for i, l := range labels {
		flat[i] = int32(l)
	}
	return tensors.FromFlatDataAndDimensions(flat, len(labels))
}

// forward runs m.Forward on inputs and returns the logits as float64 rows.
func forward(t *testing.T, be compute.Backend, store *gomlx.Store, m Model, inputs *tensors.Tensor) [][]float64 {
	t.Helper()
	e, err := gomlx.NewExec(be, store, func(scope *gomlx.Scope, x *Node) *Node {
		return ConvertDType(m.Forward(scope, x), dtypes.Float64)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	out, err := e.Call(inputs)
	if err != nil {
		t.Fatal(err)
	}
	flat := tensors.MustCopyFlatData[float64](out[0])
	dims := out[0].Shape().Dimensions
	rows := make([][]float64, dims[0])
	for i := range rows {
		rows[i] = flat[i*dims[1] : (i+1)*dims[1]]
	}
	return rows
}

// storeWith returns a Store holding the given parameters of m.
func storeWith(t *testing.T, m Model, arrays map[string]Array) *gomlx.Store {
	t.Helper()
	store := gomlx.NewStore()
	if err := SetParams(store.RootScope(), m, arrays); err != nil {
		t.Fatal(err)
	}
	return store
}

func maxAbsDiff(a, b [][]float64) (float64, float64) {
	worst, scale := 0.0, 0.0
	for i := range a {
		for j := range a[i] {
			worst = math.Max(worst, math.Abs(a[i][j]-b[i][j]))
			scale = math.Max(scale, math.Abs(b[i][j]))
		}
	}
	return worst, scale
}

// TestForwardMatchesOracle: logits of every (a, b) of Z_5 with fixed random
// weights, against the plain-Go float64 networks. For the transformer the
// oracle computes all three positions with the causal mask and the test takes
// the last: this is also the check that computing only the "=" position is
// exact.
func TestForwardMatchesOracle(t *testing.T) {
	be := testBackend(t)
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, m := range tinyModels(t, dtype) {
			t.Run(fmt.Sprintf("%s/%s", variantName(m), dtype), func(t *testing.T) {
				w, arrays := randomWeights(m, 0.7, 1)
				if m.Name() == "gromov" {
					w, arrays = randomWeights(m, 1, 1)
				}
				store := storeWith(t, m, arrays)
				pairs, _ := allPairs(m.Config().P)
				want := oracleLogits(m, w, pairs)
				for _, cols := range []int{2, 3} {
					got := forward(t, be, store, m, pairsTensor(pairs, m.Config().P, cols))
					diff, scale := maxAbsDiff(got, want)
					tol := 1e-5 * math.Max(1, scale)
					if dtype == dtypes.Float64 {
						tol = 1e-12 * math.Max(1, scale)
					}
					if diff > tol {
						t.Errorf("inputs with %d columns: max |logit − oracle| = %g > %g (logits up to %g)", cols, diff, tol, scale)
					}
				}
			})
		}
	}
}

// TestOracleEqualsPositionMatters guards the oracle itself: the logits at the
// "=" position differ from those at the other positions, and changing a
// weight that only the masked attention would see (none exists at the last
// position) is impossible; a wrong mask in the oracle would show as a
// difference between positions 0 and 1 computed alone.
func TestOracleCausalMask(t *testing.T) {
	m, _ := ByName("nanda", Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8})
	w, _ := randomWeights(m, 0.7, 3)
	c := m.Config()
	// Position 0 sees only token 0: changing tokens 1 and 2 must not change it.
	x := nandaOracle(c, w, [3]int{2, 3, c.P})
	y := nandaOracle(c, w, [3]int{2, 4, 1})
	for j := range x[0] {
		if x[0][j] != y[0][j] {
			t.Fatalf("oracle: position 0 depends on later tokens")
		}
	}
	// And the last position does depend on every token.
	z := nandaOracle(c, w, [3]int{1, 3, c.P})
	same := true
	for j := range x[2] {
		same = same && x[2][j] == z[2][j]
	}
	if same {
		t.Fatalf("oracle: last position does not depend on token 0")
	}
}

// gradients returns the loss (CrossEntropy, MeanSquaredError, …) and its
// gradient with respect to every parameter of m (in Params order), computed
// by GoMLX's autodiff.
func gradients(t *testing.T, be compute.Backend, store *gomlx.Store, m Model, lossFn func(logits, labels *Node) *Node,
	inputs, labels *tensors.Tensor) (float64, [][]float64) {
	t.Helper()
	e, err := gomlx.NewExec(be, store, func(scope *gomlx.Scope, x, y *Node) []*Node {
		g := x.Graph()
		loss := lossFn(m.Forward(scope, x), y)
		var params []*Node
		for _, spec := range m.Params() {
			params = append(params, scope.Store().GetVariable(VariablePath(scope, spec.Name)).NodeValue(g))
		}
		return append([]*Node{loss}, Gradient(loss, params...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	out, err := e.Call(inputs, labels)
	if err != nil {
		t.Fatal(err)
	}
	loss := out[0].Value().(float64)
	var grads [][]float64
	for _, o := range out[1:] {
		grads = append(grads, tensors.MustCopyFlatData[float64](o))
	}
	return loss, grads
}

// checkGradients compares loss and grads (from [gradients], float64 model
// with weights w) with oracleLoss and its central finite differences.
func checkGradients(t *testing.T, m Model, w weights, loss float64, grads [][]float64, oracleLoss func(weights) float64) {
	t.Helper()
	if want := oracleLoss(w); math.Abs(loss-want) > 1e-12*math.Max(1, want) {
		t.Errorf("loss %.15g, oracle %.15g", loss, want)
	}
	const h = 1e-5
	checked := 0
	for pi, spec := range m.Params() {
		for i := range spec.Size() {
			wp, wm := w.clone(), w.clone()
			wp[spec.Name][i] += h
			wm[spec.Name][i] -= h
			fd := (oracleLoss(wp) - oracleLoss(wm)) / (2 * h)
			got := grads[pi][i]
			if math.Abs(got-fd) > 1e-7+1e-5*math.Abs(fd) {
				t.Errorf("∂loss/∂%s[%d] = %.10g, finite difference %.10g", spec.Name, i, got, fd)
			}
			checked++
		}
	}
	t.Logf("checked %d partial derivatives", checked)
}

// TestGradientsMatchFiniteDifferences: the gradient of the cross-entropy over
// all pairs of Z_5 with respect to every parameter (float64 model), against
// central finite differences of the plain-Go oracle's loss.
func TestGradientsMatchFiniteDifferences(t *testing.T) {
	be := testBackend(t)
	for _, m := range tinyModels(t, dtypes.Float64) {
		t.Run(variantName(m), func(t *testing.T) {
			w, arrays := randomWeights(m, 0.7, 2)
			if m.Name() == "nanda" {
				// Non-zero biases, so their gradients are exercised away from 0.
				for _, name := range []string{"blocks.0.mlp.b_in", "blocks.0.mlp.b_out"} {
					for i := range w[name] {
						arrays[name].Data[i] = float32(0.1 * float64(i%3-1))
						w[name][i] = float64(arrays[name].Data[i])
					}
				}
			}
			store := storeWith(t, m, arrays)
			pairs, labels := allPairs(m.Config().P)
			loss, grads := gradients(t, be, store, m, CrossEntropy, pairsTensor(pairs, m.Config().P, 3), labelsTensor(labels))
			checkGradients(t, m, w, loss, grads, func(w weights) float64 {
				return crossEntropyOracle(oracleLogits(m, w, pairs), labels)
			})
		})
	}
}

// TestCrossEntropyPrecision: the loss and its gradient keep float32's
// relative precision for very confident logits, where a float32 log-softmax
// would round the loss to 0, and stay finite for very wrong ones.
func TestCrossEntropyPrecision(t *testing.T) {
	be := testBackend(t)
	// Three examples over 4 classes: confident and right, confident and wrong, even.
	logits := [][]float64{{30, 0, 0, 0}, {0, 0, 95, 0}, {1, 1, 1, 1}}
	labels := []int{0, 1, 3}
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		flat := make([]float64, 0, 12)
		for _, row := range logits {
			flat = append(flat, row...)
		}
		lt := tensors.FromFlatDataAndDimensions(flat, 3, 4)
		e, err := gomlx.NewExec(be, gomlx.NewStore(), func(scope *gomlx.Scope, x, y *Node) []*Node {
			x = ConvertDType(x, dtype)
			loss := CrossEntropy(x, y)
			return []*Node{ConvertDType(loss, dtypes.Float64), ConvertDType(Gradient(loss, x)[0], dtypes.Float64),
				ConvertDType(CrossEntropyPerExample(x, y), dtypes.Float64)}
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.Call(lt, labelsTensor(labels))
		if err != nil {
			t.Fatal(err)
		}
		loss := out[0].Value().(float64)
		grad := tensors.MustCopyFlatData[float64](out[1])
		// Exact values: per example log(Σ_j exp(l_j − l_label)).
		perExample := []float64{math.Log1p(3 * math.Exp(-30)), 95 + math.Log1p(3*math.Exp(-95)), math.Log(4)}
		want := (perExample[0] + perExample[1] + perExample[2]) / 3
		if rel := math.Abs(loss-want) / want; rel > 1e-6 {
			t.Errorf("%s: loss %.10g, want %.10g", dtype, loss, want)
		}
		for i, got := range tensors.MustCopyFlatData[float64](out[2]) {
			if rel := math.Abs(got-perExample[i]) / perExample[i]; rel > 1e-6 {
				t.Errorf("%s: loss of example %d %.10g, want %.10g", dtype, i, got, perExample[i])
			}
		}
		// Gradient of example 0 at its label: −3e^−30/(1+3e^−30)/3, which p − 1 would round to 0 in float32.
		g0 := -3 * math.Exp(-30) / (1 + 3*math.Exp(-30)) / 3
		if rel := math.Abs(grad[0]-g0) / math.Abs(g0); rel > 1e-5 {
			t.Errorf("%s: ∂loss/∂logit[0][0] = %g, want %g", dtype, grad[0], g0)
		}
		// Every row of the gradient sums to 0, and the even row is (1/4 − [j = label])/3.
		for j := range 4 {
			want := 0.25 / 3
			if j == 3 {
				want -= 1.0 / 3
			}
			if math.Abs(grad[8+j]-want) > 1e-6 {
				t.Errorf("%s: ∂loss/∂logit[2][%d] = %g, want %g", dtype, j, grad[8+j], want)
			}
		}
		e.Finalize()
	}
}

// TestMeanSquaredError against the plain formula, and its gradient through
// every network (float64, all pairs of Z_5; Gromov's MLP is the one trained
// with it) against central finite differences of the oracle's MSE.
func TestMeanSquaredError(t *testing.T) {
	be := testBackend(t)
	logits := []float64{0.5, -1, 2, 0, 0.25, 3}
	labels := []int{2, 0}
	e, err := gomlx.NewExec(be, gomlx.NewStore(), func(scope *gomlx.Scope, x, y *Node) *Node {
		return MeanSquaredError(x, y)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Call(tensors.FromFlatDataAndDimensions(logits, 2, 3), labelsTensor(labels))
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0
	for i, l := range logits {
		target := 0.0
		if i%3 == labels[i/3] {
			target = 1
		}
		want += (l - target) * (l - target)
	}
	want /= 6
	if got := out[0].Value().(float64); math.Abs(got-want) > 1e-15 {
		t.Errorf("MSE = %g, want %g", got, want)
	}
	e.Finalize()

	for _, m := range tinyModels(t, dtypes.Float64) {
		t.Run(variantName(m), func(t *testing.T) {
			w, arrays := randomWeights(m, 0.7, 6)
			store := storeWith(t, m, arrays)
			pairs, labs := allPairs(m.Config().P)
			loss, grads := gradients(t, be, store, m, MeanSquaredError, pairsTensor(pairs, m.Config().P, 3), labelsTensor(labs))
			checkGradients(t, m, w, loss, grads, func(w weights) float64 {
				return meanSquaredErrorOracle(oracleLogits(m, w, pairs), labs)
			})
		})
	}
}

// TestHiddenMatchesOracle: the hidden activations the analysis tools read
// (nanda: MLP post-ReLU at "="; gromov: (W1 x)²) against the plain-Go
// networks, for every pair of Z_5.
func TestHiddenMatchesOracle(t *testing.T) {
	be := testBackend(t)
	for _, m := range tinyModels(t, dtypes.Float64) {
		h, ok := m.(Hidden)
		if !ok {
			continue
		}
		w, arrays := randomWeights(m, 0.7, 2)
		store := storeWith(t, m, arrays)
		c := m.Config()
		pairs, _ := allPairs(c.P)
		exec, err := gomlx.NewExec(be, store, func(scope *gomlx.Scope, in *Node) *Node { return h.Hidden(scope, in) })
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Exec(pairsTensor(pairs, c.P, 3))
		if err != nil {
			t.Fatal(err)
		}
		got := tensors.MustCopyFlatData[float64](out[0])
		width := len(got) / len(pairs)
		for i, ab := range pairs {
			var want []float64
			if m.Name() == "nanda" {
				_, hid := nandaOracleFull(c, w, [3]int{ab[0], ab[1], c.P})
				want = hid[2]
			} else {
				x := make([]float64, 2*c.P)
				x[ab[0]], x[c.P+ab[1]] = 1, 1
				for k := 0; k < c.Width; k++ {
					s := 0.0
					for j := range x {
						s += w["W1"][k*2*c.P+j] * x[j]
					}
					want = append(want, s*s)
				}
			}
			for j := range want {
				if math.Abs(got[i*width+j]-want[j]) > 1e-10*math.Max(1, math.Abs(want[j])) {
					t.Fatalf("%s (%d,%d) hidden %d: %g, want %g", m.Name(), ab[0], ab[1], j, got[i*width+j], want[j])
				}
			}
		}
	}
}

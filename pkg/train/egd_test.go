package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
	"gonum.org/v1/gonum/mat"

	"github.com/grokkit/grokkit/pkg/model"
)

// egdOracle is the paper's G̃ = (G·Gᵀ)^(−1/2)·G, with the Moore–Penrose
// inverse square root, from the eigendecomposition of G·Gᵀ (not an SVD of
// G): (G·Gᵀ)^(+1/2) = Σ λ^(−1/2)·q·qᵀ over the eigenvalues λ > 1e-12·λ_max.
// Eigenvalues of G·Gᵀ are σ²; it returns how many it left out as zero
// (|λ| < 1e-13·λ_max: a float64 eigensolver's zero) and fails unless every
// eigenvalue is clearly zero or clearly not (λ > 1e-10·λ_max, σ >
// 1e-5·σ_max), so that no borderline value decides the result.
func egdOracle(t *testing.T, g *mat.Dense) (*mat.Dense, int) {
	t.Helper()
	rows, cols := g.Dims()
	var ggt mat.SymDense
	ggt.SymOuterK(1, g)
	var eig mat.EigenSym
	if !eig.Factorize(&ggt, true) {
		t.Fatal("eigendecomposition failed")
	}
	var q mat.Dense
	eig.VectorsTo(&q)
	lambda := eig.Values(nil)
	top := 0.0
	for _, l := range lambda {
		top = max(top, l)
	}
	inv := mat.NewDense(rows, rows, nil) // (G·Gᵀ)^(+1/2)
	dropped := 0
	for k, l := range lambda {
		switch {
		case l > 1e-10*top:
			for i := range rows {
				for j := range rows {
					inv.Set(i, j, inv.At(i, j)+q.At(i, k)*q.At(j, k)/math.Sqrt(l))
				}
			}
		case math.Abs(l) < 1e-13*top:
			dropped++
		default:
			t.Fatalf("eigenvalue %g of λ_max %g is borderline", l, top)
		}
	}
	out := mat.NewDense(rows, cols, nil)
	out.Mul(inv, g)
	return out, dropped
}

// EGD over three steps (warm-up: learning rates 0, ½, 1) against the
// paper's formula in float64: each weight matrix W ← W − lr·(G̃ + wd·W),
// every vector W ← W − lr·(g + wd·W). The nanda network's W_Q gradient has
// rank 1 and gromov's W1 gradient rank 2P − 1 = 9 of 10: their zero
// singular values are left out (the oracle checks that it left some out).
func TestEGDMatchesPaperFormula(t *testing.T) {
	for _, n := range []smallNet{smallNanda(t), smallGromov(t)} {
		h := Hyper{Name: EGD, LR: 0.05, WeightDecay: 0.5, WarmupSteps: 2}
		before, after, grads := trajectory(t, n, h, 3)
		mats := knownMatrices(n.m)
		dropped := map[string]int{}
		for _, spec := range n.m.Params() {
			name := spec.Name
			p := append([]float64(nil), before[name]...)
			_, isMatrix := mats[name]
			for k := range 3 {
				lr := h.LR * math.Min(float64(k)/float64(h.WarmupSteps), 1)
				d := grads[k][name]
				if isMatrix {
					o := oracleMatrixOf(n.name, name, spec.Shape)
					w, drop := egdOracle(t, o.read(d))
					d = o.write(w)
					dropped[name] += drop
				}
				for i := range p {
					p[i] -= lr * (d[i] + h.WeightDecay*p[i])
				}
			}
			for i, want := range p {
				if got := after[name][i]; math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Fatalf("%s %s[%d]: got %.12g, want %.12g", n.name, name, i, got, want)
				}
			}
		}
		rankDeficient := map[string]string{"nanda": "blocks.0.attn.W_Q", "gromov": "W1"}[n.name]
		if dropped[rankDeficient] == 0 {
			t.Fatalf("%s: %s's gradient had no zero singular value: the test does not reach the pseudo-inverse", n.name, rankDeficient)
		}
		t.Logf("%s: zero singular values left out per matrix over 3 steps: %v", n.name, dropped)
	}
}

// unitSingularValues on matrices with known spectra: every kept singular
// value becomes 1 (checked by an SVD of the result), the zero ones 0, a
// zero matrix stays zero, and the result is the eigen-route oracle's.
// Keeping the zero singular values (U·Vᵀ of the full thin SVD) would give
// something else: the check sees the difference.
func TestUnitSingularValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range r {
			for j := range c {
				m.Set(i, j, rng.NormFloat64())
			}
		}
		return m
	}
	for _, c := range []struct {
		rows, cols, rank int
	}{{7, 4, 4}, {4, 7, 4}, {9, 6, 2}, {5, 5, 1}, {6, 10, 5}} {
		var g mat.Dense
		g.Mul(random(c.rows, c.rank), random(c.rank, c.cols)) // rank c.rank
		d, err := unitSingularValues(&g, 0x1p-52)
		if err != nil {
			t.Fatal(err)
		}
		want, dropped := egdOracle(t, &g)
		if dropped != c.rows-min(c.rank, c.rows) {
			t.Fatalf("%+v: the oracle dropped %d", c, dropped)
		}
		for i := range c.rows {
			for j := range c.cols {
				if math.Abs(d.At(i, j)-want.At(i, j)) > 1e-10 {
					t.Fatalf("%+v: [%d, %d] = %g, want %g", c, i, j, d.At(i, j), want.At(i, j))
				}
			}
		}
		var svd mat.SVD
		svd.Factorize(d, mat.SVDNone)
		for k, s := range svd.Values(nil) {
			if want := map[bool]float64{true: 1, false: 0}[k < c.rank]; math.Abs(s-want) > 1e-10 {
				t.Fatalf("%+v: singular values %v", c, svd.Values(nil))
			}
		}
		if c.rank < min(c.rows, c.cols) { // a full U·Vᵀ differs
			var full mat.SVD
			full.Factorize(&g, mat.SVDThin)
			var u, v, uv mat.Dense
			full.UTo(&u)
			full.VTo(&v)
			uv.Mul(&u, v.T())
			if mat.EqualApprox(&uv, want, 1e-3) {
				t.Fatalf("%+v: keeping the zero singular values changes nothing: the case checks nothing", c)
			}
		}
	}
	zero, err := unitSingularValues(mat.NewDense(3, 4, nil), 0x1p-23)
	if err != nil || mat.Norm(zero, 2) != 0 {
		t.Fatalf("zero gradient: %v, %v", mat.Formatted(zero), err)
	}
	nan := mat.NewDense(2, 2, []float64{1, math.NaN(), 0, 1})
	if d, err := unitSingularValues(nan, 0x1p-23); err != nil || !math.IsNaN(d.At(0, 0)) {
		t.Fatalf("a NaN gradient: %v, %v", d, err)
	}
}

// The per-head layout: W_Q [heads, in, d_head] read as [in, heads·d_head]
// and back, on the host (gather, scatter) and in the graph (toMatrix,
// fromMatrix), against the oracle's index arithmetic.
func TestHeadsLayoutRoundTrips(t *testing.T) {
	for _, c := range []struct {
		x     matrix
		name  string
		shape []int
	}{
		{matrix{heads: headsIn, inOut: true}, "blocks.0.attn.W_Q", []int{2, 4, 3}},
		{matrix{heads: headsOut, inOut: true}, "blocks.0.attn.W_O", []int{2, 3, 4}},
		{matrix{inOut: true}, "blocks.0.mlp.W_in", []int{4, 6}},
	} {
		n := 1
		for _, d := range c.shape {
			n *= d
		}
		data := make([]float64, n)
		for i := range data {
			data[i] = float64(i)
		}
		o := oracleMatrixOf("nanda", c.name, c.shape)
		want := o.read(data)
		rows, cols := c.x.dims(c.shape)
		got := mat.NewDense(rows, cols, nil)
		c.x.gather(got, data, c.shape)
		if !mat.Equal(got, want) {
			t.Fatalf("%s: gather\n%v\nwant\n%v", c.name, mat.Formatted(got), mat.Formatted(want))
		}
		back := make([]float64, n)
		c.x.scatter(back, got, c.shape)
		for i := range back {
			if back[i] != data[i] {
				t.Fatalf("%s: scatter", c.name)
			}
		}
		// The graph's view, stacked over K = 2 copies (the second + 100).
		b := testBackend(t)
		stacked := append(append([]float64(nil), data...), data...)
		for i := n; i < 2*n; i++ {
			stacked[i] += 100
		}
		exec, err := gomlx.NewExec(b, gomlx.NewStore(), func(_ *gomlx.Scope, in []*Node) []*Node {
			m := c.x.toMatrix(in[0])
			return []*Node{m, c.x.fromMatrix(m, in[0].Shape().Dimensions)}
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Exec(tensors.FromFlatDataAndDimensions(stacked, append([]int{2}, c.shape...)...))
		if err != nil {
			t.Fatal(err)
		}
		m := tensors.MustCopyFlatData[float64](out[0]) // [2, rows, cols]
		for k := range 2 {
			for r := range rows {
				for cc := range cols {
					if got, w := m[(k*rows+r)*cols+cc], want.At(r, cc)+100*float64(k); got != w {
						t.Fatalf("%s: toMatrix[%d][%d][%d] = %g, want %g", c.name, k, r, cc, got, w)
					}
				}
			}
		}
		if !slices.Equal(tensors.MustCopyFlatData[float64](out[1]), stacked) {
			t.Fatalf("%s: fromMatrix does not undo toMatrix", c.name)
		}
	}
}

// EGD's two graphs compute no Exp either (see TestTrainingGraphsAvoidExp,
// which sees the gradients' graph through stepGraph).
func TestEGDGraphsAvoidExp(t *testing.T) {
	b := testBackend(t)
	n := smallNanda(t)
	store := gomlx.NewStore()
	if err := model.InitParams(store.RootScope(), n.m, 1); err != nil {
		t.Fatal(err)
	}
	h := Hyper{Name: EGD, WeightDecay: 1}
	g := NewGraph(b, "probe")
	in := []*Node{
		Parameter(g, "inputs", shapes.Make(dtypes.Int32, 5, 3)),
		Parameter(g, "labels", shapes.Make(dtypes.Int32, 5)),
	}
	for i := range numHyper {
		in = append(in, Parameter(g, "h"+string(rune('0'+i)), shapes.Make(dtypes.Float64)))
	}
	out := egdGradGraph(n.m, nil, h, CrossEntropy, "float32")(store.RootScope(), in)
	if len(out) != 1+9 { // the loss and the gradients of nanda's 9 matrices (W_E, W_pos, Q, K, V, O, W_in, W_out, W_U)
		t.Fatalf("%d outputs", len(out))
	}
	g2 := NewGraph(b, "probe2")
	apply := []*Node{Parameter(g2, "lr", shapes.Make(dtypes.Float64)), Parameter(g2, "wd", shapes.Make(dtypes.Float64))}
	for _, spec := range n.m.Params() {
		if _, ok := knownMatrices(n.m)[spec.Name]; ok {
			apply = append(apply, Parameter(g2, spec.Name, shapes.Make(dtypes.Float64, spec.Shape...)))
		}
	}
	egdApplyGraph(n.m, h)(store.RootScope(), apply)
	for v := range store.IterVariables() {
		for _, gr := range []*Graph{g, g2} {
			if v.ChangedInGraph(gr) {
				out = append(out, v.NodeValue(gr))
			}
		}
	}
	if slow := reachedSlowNodes(out...); len(slow) > 0 {
		t.Fatalf("egd computes %v", slow)
	}
}

package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// valueAndGradients runs f on the given float64 tensors and returns its
// output and the gradients of Σ output·c (c fixed random weights, so every
// output element reaches the loss differently) with respect to each input.
func valueAndGradients(t *testing.T, f func(xs []*Node) *Node, ins ...*tensors.Tensor) [][]float64 {
	t.Helper()
	e, err := gomlx.NewExec(testBackend(t), gomlx.NewStore(), func(_ *gomlx.Scope, xs []*Node) []*Node {
		y := f(xs)
		c := IotaFull(y.Graph(), y.Shape()) // distinct weights per output element
		c = Cos(MulScalar(c, 0.7))
		loss := ReduceAllSum(Mul(y, c))
		return append([]*Node{y}, Gradient(loss, xs...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	args := make([]any, len(ins))
	for i, in := range ins {
		if args[i], err = in.LocalClone(); err != nil { // each call has its own backend
			t.Fatal(err)
		}
	}
	outs, err := e.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	res := make([][]float64, len(outs))
	for i, o := range outs {
		res[i] = tensors.MustCopyFlatData[float64](o)
	}
	return res
}

func randomTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float64, n)
	for i := range data {
		data[i] = rng.NormFloat64()
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// assertSame fails unless got and want are bit for bit equal.
func assertSame(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Fatalf("%s[%d] = %g, want %g bit for bit", what, i, got[i], want[i])
		}
	}
}

// TestProductMatchesGoMLX: matmul and matmulT compute the same values and
// gradients, bit for bit, as GoMLX's DotGeneral with its own gradient, in
// float32 and float64, with and without a batch axis, with x's leading axes
// folded, and for ∂w below largeKernelFlops (GoMLX's form) and above it
// with either operand the narrower.
func TestProductMatchesGoMLX(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		xDims   []int
		a, b, k int // w's contracted and output sizes; k > 0: a batch axis of size k
		wT      bool
	}{
		{xDims: []int{7, 3}, a: 3, b: 5},
		{xDims: []int{7, 5}, a: 5, b: 3},
		{xDims: []int{7, 3}, a: 3, b: 5, wT: true},
		{xDims: []int{7, 5}, a: 5, b: 3, wT: true},
		{xDims: []int{2, 7, 3}, a: 3, b: 5, k: 2},
		{xDims: []int{2, 7, 5}, a: 5, b: 3, k: 2, wT: true},
		{xDims: []int{2, 7, 4}, a: 4, b: 4, k: 2},
		{xDims: []int{4, 2, 3}, a: 3, b: 6},
		{xDims: []int{4, 2, 6}, a: 6, b: 3, wT: true},
		// From largeKernelFlops up (rows·a·b ≥ 4 Mi), and just below it.
		{xDims: []int{300, 100}, a: 100, b: 160},
		{xDims: []int{300, 160}, a: 160, b: 100},
		{xDims: []int{300, 100}, a: 100, b: 160, wT: true},
		{xDims: []int{300, 160}, a: 160, b: 100, wT: true},
		{xDims: []int{2, 300, 100}, a: 100, b: 160, k: 2},
		{xDims: []int{2, 300, 160}, a: 160, b: 100, k: 2, wT: true},
		{xDims: []int{3, 100, 100}, a: 100, b: 160},
		{xDims: []int{250, 100}, a: 100, b: 160},
	} {
		for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
			name := fmt.Sprintf("x%v_a%d_b%d_k%d_T%v_%s", tc.xDims, tc.a, tc.b, tc.k, tc.wT, dtype)
			t.Run(name, func(t *testing.T) {
				wDims := []int{tc.a, tc.b}
				if tc.wT {
					wDims = []int{tc.b, tc.a}
				}
				if tc.k > 0 {
					wDims = append([]int{tc.k}, wDims...)
				}
				x, w := randomTensor(rng, tc.xDims...), randomTensor(rng, wDims...)
				run := func(f func(x, w *Node) *Node) [][]float64 {
					return valueAndGradients(t, func(xs []*Node) *Node {
						return ConvertDType(f(ConvertDType(xs[0], dtype), ConvertDType(xs[1], dtype)), dtypes.Float64)
					}, x, w)
				}
				got := run(func(x, w *Node) *Node {
					if tc.wT {
						return matmulT(x, w)
					}
					return matmul(x, w)
				})
				want := run(func(x, w *Node) *Node {
					last := x.Rank() - 1
					wIn := w.Rank() - 2
					if tc.wT {
						wIn = w.Rank() - 1
					}
					if tc.k > 0 {
						return Dot(x, w).General([]int{last}, []int{0}, []int{wIn}, []int{0})
					}
					return Dot(x, w).General([]int{last}, nil, []int{wIn}, nil)
				})
				for i, what := range []string{"value", "∂x", "∂w"} {
					assertSame(t, what, got[i], want[i])
				}
			})
		}
	}
}

// TestLeftMatmulMatchesGoMLX: w·x with examples as columns, bit for bit
// GoMLX's own product and gradient.
func TestLeftMatmulMatchesGoMLX(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	// out, in, n: small, and from largeKernelFlops up (out·in·n ≥ 4 Mi).
	for _, dims := range [][3]int{{5, 3, 7}, {3, 5, 7}, {97, 200, 300}, {200, 97, 300}} {
		for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
			w, x := randomTensor(rng, dims[0], dims[1]), randomTensor(rng, dims[1], dims[2])
			run := func(f func(w, x *Node) *Node) [][]float64 {
				return valueAndGradients(t, func(xs []*Node) *Node {
					return ConvertDType(f(ConvertDType(xs[0], dtype), ConvertDType(xs[1], dtype)), dtypes.Float64)
				}, w, x)
			}
			got := run(leftMatmul)
			want := run(func(w, x *Node) *Node { return Dot(w, x).Product() })
			for i, what := range []string{"value", "∂w", "∂x"} {
				assertSame(t, fmt.Sprint(dims, dtype, what), got[i], want[i])
			}
		}
	}
}

// TestGatherMatchesGoMLX: gather (slices copied as int64 words where their
// size is even) gives GoMLX's Gather and its gradient bit for bit, for one
// and two index columns, odd slices (no words) and both float dtypes.
func TestGatherMatchesGoMLX(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []struct {
		table []int
		idx   [][]int32 // rows of indices
		dtype dtypes.DType
	}{
		{[]int{5, 4}, [][]int32{{3}, {0}, {3}, {4}}, dtypes.Float32},
		{[]int{5, 3, 2, 4}, [][]int32{{1, 2}, {4, 0}, {1, 2}}, dtypes.Float32},
		{[]int{5, 3}, [][]int32{{2}, {2}, {1}}, dtypes.Float32}, // odd slice: plain Gather
		{[]int{5, 3, 4}, [][]int32{{0, 1}, {4, 2}}, dtypes.Float64},
	} {
		t.Run(fmt.Sprint(tc.table, tc.dtype), func(t *testing.T) {
			flat := make([]int32, 0)
			for _, r := range tc.idx {
				flat = append(flat, r...)
			}
			idx := tensors.FromFlatDataAndDimensions(flat, len(tc.idx), len(tc.idx[0]))
			table := randomTensor(rng, tc.table...)
			run := func(g func(table, idx *Node) *Node) [][]float64 {
				return valueAndGradients(t, func(xs []*Node) *Node {
					x := ConvertDType(xs[0], tc.dtype)
					return ConvertDType(g(x, Const(x.Graph(), idx)), dtypes.Float64)
				}, table)
			}
			got := run(gather)
			want := run(func(table, idx *Node) *Node { return Gather(table, idx) })
			assertSame(t, "value", got[0], want[0])
			assertSame(t, "∂table", got[1], want[1])
		})
	}
}

// TestAttendMatchesGoMLX: attend gives ReduceSum(Mul(InsertAxes(pattern,
// -1), v), pos) and its GoMLX gradient bit for bit, with and without a copy
// axis, in both dtypes, and for a head whose weights are all 0 against
// negative values (a sum of −0s, which ReduceSum makes +0).
func TestAttendMatchesGoMLX(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, lead := range [][]int{{5}, {2, 5}} {
		for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
			pDims := append(slices.Clone(lead), 3, 4)
			pattern, v := randomTensor(rng, pDims...), randomTensor(rng, append(slices.Clone(pDims), 6)...)
			// Head 0 attends nowhere, to negative values: its sum is of −0s.
			tensors.MutableFlatData(pattern, func(flat []float64) {
				for i := 0; i < len(flat); i += 4 {
					flat[i] = 0
				}
			})
			tensors.MutableFlatData(v, func(flat []float64) {
				for i := range flat {
					if (i/6)%4 == 0 {
						flat[i] = -math.Abs(flat[i])
					}
				}
			})
			run := func(f func(p, v *Node) *Node) [][]float64 {
				return valueAndGradients(t, func(xs []*Node) *Node {
					return ConvertDType(f(ConvertDType(xs[0], dtype), ConvertDType(xs[1], dtype)), dtypes.Float64)
				}, pattern, v)
			}
			got := run(attend)
			want := run(func(p, v *Node) *Node { return ReduceSum(Mul(InsertAxes(p, -1), v), p.Rank()-2) })
			for i, what := range []string{"value", "∂pattern", "∂v"} {
				assertSame(t, fmt.Sprint(lead, dtype, what), got[i], want[i])
			}
		}
	}
}

// TestReluAndSoftmaxGradients: relu's gradient is v·[x > 0], 0 at x = 0 and
// at negative x including the smallest subnormals; softmax's equals GoMLX's.
func TestReluAndSoftmaxGradients(t *testing.T) {
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		t.Run(dtype.String(), func(t *testing.T) {
			tiny := math.SmallestNonzeroFloat64
			if dtype == dtypes.Float32 {
				tiny = math.SmallestNonzeroFloat32
			}
			in := []float64{-3, -tiny, 0, tiny, 2.5, math.MaxFloat32, -math.MaxFloat32}
			x := tensors.FromFlatDataAndDimensions(in, len(in))
			got := valueAndGradients(t, func(xs []*Node) *Node {
				return ConvertDType(relu(ConvertDType(xs[0], dtype)), dtypes.Float64)
			}, x)
			for i, v := range in {
				wantY, mask := 0.0, 0.0
				if v > 0 {
					wantY, mask = v, 1
				}
				c := math.Cos(0.7 * float64(i))
				if dtype == dtypes.Float32 {
					c = float64(float32(c))
				}
				if got[0][i] != wantY || got[1][i] != mask*c {
					t.Errorf("relu(%g) = %g with gradient %g, want %g and %g", v, got[0][i], got[1][i], wantY, mask*c)
				}
			}
		})
	}
	rng := rand.New(rand.NewPCG(7, 8))
	x := randomTensor(rng, 4, 3, 5)
	for _, axis := range []int{1, 2} {
		got := valueAndGradients(t, func(xs []*Node) *Node { return softmax(xs[0], axis) }, x)
		want := valueAndGradients(t, func(xs []*Node) *Node { return Softmax(xs[0], axis) }, x)
		assertSame(t, fmt.Sprintf("softmax axis %d", axis), got[0], want[0])
		for i := range got[1] {
			if math.Abs(got[1][i]-want[1][i]) > 1e-12 {
				t.Fatalf("softmax axis %d: ∂x[%d] = %g, want %g", axis, i, got[1][i], want[1][i])
			}
		}
	}
}

package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomlx/compute/dtypes"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
)

// Graph helpers with hand-written gradients (customVJP). They compute the
// same functions as GoMLX's Softmax, Max(x, 0), Dot and LogSoftmax-based
// cross-entropy, but their backward passes never execute an Exp node, and
// the products' skip copies the Go backend would make (see product).
//
// Why no Exp: on amd64, Go's math.Exp is assembly that mixes legacy-SSE and VEX (FMA)
// instructions. GoMLX's SIMD matmul kernels leave the upper halves of the
// AVX/AVX-512 registers dirty (nothing calls archsimd.ClearAVXUpperBits), and
// on the Intel Xeon (VM) these tools were measured on, every SSE↔VEX switch
// then costs a state transition: math.Exp ran 20–200× slower (0.2–2 µs a call)
// on a thread that had run a matmul, while plain Go float code was unaffected.
// The 433k exps of a log-softmax over [3830, 113] then cost 0.08–0.9 s per
// training step. The Go backend's fused float32 softmax uses a pure-Go exp
// and does not suffer, but GoMLX's Softmax keeps a decomposed copy (with
// Exp) for its gradient, and LogSoftmax always uses Exp.

// softmax is Softmax(x) over axis: the backend's fused softmax where it has
// one (GoMLX falls back to the decomposed form elsewhere), with the analytic
// gradient p ⊙ (v − Σ_axis p ⊙ v).
func softmax(x *Node, axis int) *Node {
	var p *Node // same shape as x
	p = customVJP(func(in []*Node) *Node { return Softmax(in[0], axis) }, func(_ []*Node, v *Node) []*Node {
		return []*Node{Mul(p, Sub(v, ReduceAndKeep(Mul(p, v), ReduceSum, axis)))}
	}, x)
	return p
}

// relu is max(x, 0); its gradient is v·[x > 0] (0 at x = 0, as in PyTorch).
// The Go backend's comparisons, bool conversions and Sign branch on every
// element (4% of a Nanda step, mispredicting on mixed signs), so the
// indicator is computed by branch-free arithmetic on y = max(x, 0) ≥ 0:
// min(y·s·s, 1), where s is the dtype's largest power of two, is 0 at y = 0
// and 1 for every y > 0, down to the smallest subnormal (s² times it is ≥ 1,
// and a product that overflows is +Inf, still clamped to 1).
func relu(x *Node) *Node {
	var y *Node // same shape as x
	y = customVJP(func(in []*Node) *Node { return Max(in[0], ScalarZero(x.Graph(), x.DType())) }, func(_ []*Node, v *Node) []*Node {
		s := math.Ldexp(1, 127) // float32's largest power of two
		if y.DType() == dtypes.Float64 {
			s = math.Ldexp(1, 1023)
		}
		positive := MinScalar(MulScalar(MulScalar(y, s), s), 1) // same shape as x: 1 where x > 0, else 0
		return []*Node{Mul(v, positive)}
	}, x)
	return y
}

// matmul is x·w over x's last axis and w's first non-batch axis: w [a, b]
// applies to x [.., a] (any leading axes) → [.., b]; w [K, a, b] with a
// leading batch axis (the copy) to x [K, n, a] → [K, n, b].
func matmul(x, w *Node) *Node { return product(x, w, false) }

// matmulT is x·wᵀ for weights stored [out, in] (PyTorch's nn.Linear, Gromov's
// W2): w [b, a] applies to x [.., a] → [.., b]; w [K, b, a] to x [K, n, a].
func matmulT(x, w *Node) *Node { return product(x, w, true) }

// largeKernelFlops is where the Go backend's matmul switches from its
// small kernels, whose summation order depends on the operands' layout, to
// its large one, which packs either layout into the same panels: rows ×
// columns × contracted of one batch element (compute v0.1.3's
// noSIMDSmallMatMulSizeThreshold, as its AVX2 router counts; the AVX-512
// and plain Go ones multiply by the batch, so take the large kernel at
// least as often).
const largeKernelFlops = 4 << 20

// product is matmul (wT false) or matmulT (wT true), with GoMLX's gradient
// computed without most of the copies GoMLX's form makes the Go backend do.
// The backend's matmul kernels take lhs [batch, cross, contracted] and rhs
// [batch, contracted, cross] or [batch, cross, contracted] as they are, and
// copy anything else through an element-by-element transpose (a fifth of a
// Nanda step before this):
//
//	∂x = v·wᵀ (or v·w): v [.., n, b] against w as stored, the same product
//	     as GoMLX's, without the identity transpose GoMLX adds to it;
//	∂w = vᵀ·x contracts n, the middle axis of both. GoMLX's form has the
//	     backend transpose both operands; from largeKernelFlops up only
//	     the narrower of x and v is transposed (then at most the small
//	     result), which the large kernel sums in the same order.
//
// So every result is bit for bit what Dot(x, w) with GoMLX's gradient gives
// (TestProductMatchesGoMLX, on both sides of the threshold): trained runs
// stay byte for byte those recorded before.
func product(x, w *Node, wT bool) *Node {
	if w.Rank() == 2 && x.Rank() != 2 { // fold x's leading axes into one
		dims := x.Shape().Dimensions
		out := product(Reshape(x, -1, dims[len(dims)-1]), w, wT)
		return Reshape(out, append(dims[:len(dims)-1:len(dims)-1], out.Shape().Dimensions[1])...)
	}
	nb := w.Rank() - 2 // batch axes: 0 or 1
	if nb < 0 || nb > 1 || x.Rank() != w.Rank() {
		panic(fmt.Errorf("matmul: want x [(K,) n, a] and w [(K,) a, b] or [(K,) b, a], got %s and %s", x.Shape(), w.Shape()))
	}
	batch := make([]int, nb) // [0] or none
	a, b := nb, nb+1         // the last two axes
	wIn, wOut := a, b        // w's axis contracted with x, and its output axis
	if wT {
		wIn, wOut = b, a
	}
	return customVJP(func(in []*Node) *Node {
		return DotGeneral(in[0], []int{b}, batch, in[1], []int{wIn}, batch) // [.., n, out]
	}, func(in []*Node, v *Node) []*Node { // v [.., n, out]
		x, w := in[0], in[1]
		dx := DotGeneral(v, []int{b}, batch, w, []int{wOut}, batch) // [.., n, in]
		rows, inSize, outSize := x.Shape().Dimensions[a], x.Shape().Dimensions[b], v.Shape().Dimensions[b]
		var dw *Node
		switch {
		case rows*inSize*outSize < largeKernelFlops: // GoMLX's form: both operands transposed
			dw = DotGeneral(Transpose(v, a, b), []int{b}, batch, Transpose(x, a, b), []int{b}, batch) // [.., out, in]
			if !wT {
				dw = Transpose(dw, a, b) // [.., in, out]
			}
		case inSize <= outSize: // x is the narrower: transpose it
			dw = DotGeneral(Transpose(x, a, b), []int{b}, batch, v, []int{a}, batch) // [.., in, out]
			if wT {
				dw = Transpose(dw, a, b) // [.., out, in]
			}
		default: // v is the narrower
			dw = DotGeneral(Transpose(v, a, b), []int{b}, batch, x, []int{a}, batch) // [.., out, in]
			if !wT {
				dw = Transpose(dw, a, b) // [.., in, out]
			}
		}
		return []*Node{dx, dw}
	}, x, w)
}

// leftMatmul is w·x for weights stored [out, in] applied to examples as
// columns, x [in, n] → [out, n] (Gromov's layout), with GoMLX's gradient
// less its copies: ∂w = v·xᵀ contracts the last axis of both, as the
// kernels take it (GoMLX added an identity transpose of the result); ∂x =
// wᵀ·v, from largeKernelFlops up with only w transposed, below as GoMLX's
// form (v and w transposed, the [n, in] result transposed back). Bit for
// bit GoMLX's, as product.
func leftMatmul(w, x *Node) *Node {
	if w.Rank() != 2 || x.Rank() != 2 {
		panic(fmt.Errorf("leftMatmul: want w [out, in] and x [in, n], got %s and %s", w.Shape(), x.Shape()))
	}
	return customVJP(func(in []*Node) *Node {
		return DotGeneral(in[0], []int{1}, nil, in[1], []int{0}, nil) // [out, n]
	}, func(in []*Node, v *Node) []*Node { // v [out, n]
		w, x := in[0], in[1]
		dw := DotGeneral(v, []int{1}, nil, x, []int{1}, nil) // [out, in]
		var dx *Node                                         // [in, n]
		if w.Shape().Size()*x.Shape().Dimensions[1] < largeKernelFlops {
			dx = Transpose(DotGeneral(Transpose(v, 0, 1), []int{1}, nil, Transpose(w, 0, 1), []int{1}, nil), 0, 1)
		} else {
			dx = DotGeneral(Transpose(w, 0, 1), []int{1}, nil, v, []int{0}, nil)
		}
		return []*Node{dw, dx}
	}, w, x)
}

// attend is the attention's weighted sum over positions, Σ_i pattern_i ⊙
// v_i: pattern [.., pos, heads], v [.., pos, heads, d_head] → [.., heads,
// d_head], bit for bit ReduceSum(Mul(InsertAxes(pattern, -1), v), pos): the
// sum runs over the positions in order, from +0. Each position is weighted
// on its own slice, and the gradient is built from the same slices
// (∂v_i = ∂z·pattern_i, ∂pattern_i = Σ_d ∂z·v_i): the Go backend reduces
// across a middle axis and materialises broadcasts one element at a time,
// which made the product-then-reduce form 12 ms of a Nanda step.
func attend(pattern, v *Node) *Node {
	axis := pattern.Rank() - 2 // the position axis of both
	npos := pattern.Shape().Dimensions[axis]
	if v.Rank() != pattern.Rank()+1 || v.Shape().Dimensions[axis] != npos {
		panic(fmt.Errorf("attend: want pattern [.., pos, heads] and v [.., pos, heads, d_head], got %s and %s", pattern.Shape(), v.Shape()))
	}
	at := func(x *Node, i int) *Node { return Squeeze(SliceAxis(x, axis, AxisElem(i)), axis) }
	weights, values := make([]*Node, npos), make([]*Node, npos) // [.., heads, 1] and [.., heads, d_head] per position
	return customVJP(func(in []*Node) *Node {
		var z *Node // [.., heads, d_head]
		for i := range npos {
			weights[i], values[i] = InsertAxes(at(in[0], i), -1), at(in[1], i)
			t := Mul(weights[i], values[i])
			if z == nil {
				z = AddScalar(t, 0) // as ReduceSum, which starts from +0 (−0 + 0 is +0)
			} else {
				z = Add(z, t)
			}
		}
		return z
	}, func(_ []*Node, dz *Node) []*Node { // dz [.., heads, d_head]
		dp, dv := make([]*Node, npos), make([]*Node, npos)
		for i := range npos {
			dv[i] = InsertAxes(Mul(dz, weights[i]), axis) // [.., 1, heads, d_head]
			dp[i] = ReduceSum(Mul(dz, values[i]), -1)     // [.., heads]
		}
		return []*Node{Stack(dp, axis), Concatenate(dv, axis)}
	}, pattern, v)
}

// gather is Gather(table, indices) (indices [.., k] pick table's first k
// axes; each picks a slice of the remaining ones), copied in 8-byte words:
// the Go backend's Gather copies one element at a time, so float32 slices
// of even size are bitcast to int64 (two elements a word; the backend's
// Bitcast takes nothing wider). Its gradient is GoMLX's for Gather, the
// scatter-add of v.
func gather(table, indices *Node) *Node {
	k := indices.Shape().Dimensions[indices.Rank()-1]
	dims := table.Shape().Dimensions
	slice := 1 // elements per picked slice
	for _, d := range dims[k:] {
		slice *= d
	}
	per := 8 / table.DType().Size() // elements per 8-byte word
	if slice%per != 0 || per < 2 {
		return Gather(table, indices)
	}
	words := Bitcast(Reshape(StopGradient(table), append(slices.Clone(dims[:k]), slice/per, per)...), dtypes.Int64) // [dims[:k].., slice/per]
	picked := Bitcast(Gather(words, indices), table.DType())                                                        // [idx.., slice/per, per]
	value := Reshape(picked, append(slices.Clone(indices.Shape().Dimensions[:indices.Rank()-1]), dims[k:]...)...)   // [idx.., dims[k:]..]
	return withGradient(value, table, func(v *Node) *Node {
		return ScatterSum(Zeros(table.Graph(), table.Shape()), indices, v, false, false)
	})
}

// withGradient returns value (whose own gradient is ignored) with the
// gradient vjp(v) with respect to x, where v is ∂loss/∂value. For values
// computed from x with StopGradient or through ops GoMLX cannot
// differentiate (the cross-entropy's per-example loss, gather's bitcast
// copy): a zero read from one element of x ties value to x for GoMLX's
// autodiff, at the cost of adding a scalar to value.
func withGradient(value, x *Node, vjp func(v *Node) *Node) *Node {
	return customVJP(func(in []*Node) *Node {
		first := make([]SliceAxisSpec, in[0].Rank())
		for i := range first {
			first[i] = AxisElem(0)
		}
		e := Slice(in[0], first...)              // [1, …, 1]: x's first element
		zero := Reshape(Sub(e, StopGradient(e))) // scalar 0
		return Add(StopGradient(value), ConvertDType(zero, value.DType()))
	}, func(_ []*Node, v *Node) []*Node { return []*Node{vjp(v)} }, x)
}

// customVJP returns y = f(xs) with a gradient of our own: vjp(in, v), where
// v is ∂loss/∂y, returns ∂loss/∂xs[i] for each i. f must reach each of its
// inputs differentiably (GoMLX's autodiff must pass through it). Both f and
// vjp read the inputs as in, identities of xs: an x whose only reader is its
// identity is handed on by the Go backend without a copy.
//
// How, since GoMLX attaches custom gradients to identities only: y and each
// input are wrapped in identities with custom gradients. The autodiff visits
// the nodes in the reverse of their creation order, so y's identity, which
// records v, is visited before the inputs' identities, which return vjp's
// results and ignore what GoMLX's own gradient of f sends them. That
// gradient is still built, but nothing the step returns depends on it, and
// the backends never run nodes the outputs do not need.
func customVJP(f func(in []*Node) *Node, vjp func(in []*Node, v *Node) []*Node, xs ...*Node) *Node {
	var v *Node       // ∂loss/∂y, set when the autodiff reaches y
	var grads []*Node // vjp(v), built once per gradient
	in := make([]*Node, len(xs))
	for i, x := range xs {
		in[i] = IdentityWithCustomGradient(x, func(_, _ *Node) *Node {
			if grads == nil {
				grads = vjp(in, v)
			}
			return grads[i]
		})
	}
	return IdentityWithCustomGradient(f(in), func(_, vy *Node) *Node {
		v, grads = vy, nil
		return vy
	})
}

// attentionRate mixes an attention pattern with constant attention, as Zhong
// et al. 2023 do (code fjzzq2002/pizza): α·pattern + (1 − α), with
// constant = 1 − α; 0 leaves the pattern as it is (the same graph).
func attentionRate(pattern *Node, constant float64) *Node {
	if constant == 0 {
		return pattern
	}
	return AddScalar(MulScalar(pattern, 1-constant), constant)
}

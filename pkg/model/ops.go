package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
)

// Graph helpers with hand-written gradients. They compute the same functions
// as GoMLX's Softmax, Max(x, 0) and LogSoftmax-based cross-entropy, but their
// backward passes never execute an Exp node.
//
// Why: on amd64, Go's math.Exp is assembly that mixes legacy-SSE and VEX (FMA)
// instructions. GoMLX's SIMD matmul kernels leave the upper halves of the
// AVX/AVX-512 registers dirty (nothing calls archsimd.ClearAVXUpperBits), and
// on the Intel Xeon (VM) these tools were measured on, every SSE↔VEX switch
// then costs a state transition: math.Exp ran 20–200× slower (0.2–2 µs a call)
// on a thread that had run a matmul, while plain Go float code was unaffected.
// The 433k exps of a log-softmax over [3830, 113] then cost 0.08–0.9 s per
// training step. The Go backend's fused float32 softmax uses a pure-Go exp
// and does not suffer, but GoMLX's Softmax keeps a decomposed copy (with
// Exp) for its gradient, and LogSoftmax always uses Exp.

// softmax is Softmax(x) over axis. The forward pass is the backend's fused
// softmax where it has one (GoMLX falls back to the decomposed form
// elsewhere); the gradient is the analytic p ⊙ (v − Σ_axis p ⊙ v).
func softmax(x *Node, axis int) *Node {
	p := StopGradient(Softmax(x, axis)) // same shape as x
	return withGradient(p, x, func(v *Node) *Node {
		return Mul(p, Sub(v, ReduceAndKeep(Mul(p, v), ReduceSum, axis))) // same shape as x
	})
}

// relu is max(x, 0), written as x·[x > 0] with the indicator held constant:
// its gradient is v·[x > 0] (0 at x = 0, as in PyTorch).
func relu(x *Node) *Node {
	positive := StopGradient(ConvertDType(GreaterThan(x, ZerosLike(x)), x.DType())) // same shape as x: 1 where x > 0
	return Mul(x, positive)
}

// withGradient returns value (whose own gradient is ignored) with a gradient
// with respect to x given by vjp. value has x's shape, or x's shape without
// its trailing axes (a per-row value of rows x); vjp receives v, ∂loss/∂value
// broadcast to x's shape, and returns ∂loss/∂x.
//
// The trick, in one place: it adds (z − StopGradient(z)), which is exactly
// zero, summed over x's extra axes, to value, where z is x with a custom
// gradient: GoMLX only lets one attach a gradient to an identity.
func withGradient(value, x *Node, vjp func(v *Node) *Node) *Node {
	vd, xd := value.Shape().Dimensions, x.Shape().Dimensions
	if value.DType() != x.DType() || len(vd) > len(xd) || !equalInts(vd, xd[:len(vd)]) {
		panic(fmt.Errorf("withGradient: value %s is not x %s or its leading axes", value.Shape(), x.Shape()))
	}
	z := IdentityWithCustomGradient(x, func(_, v *Node) *Node { return vjp(v) })
	zero := Sub(z, StopGradient(z)) // x's shape: 0
	if extra := len(xd) - len(vd); extra > 0 {
		axes := make([]int, extra)
		for i := range axes {
			axes[i] = len(vd) + i
		}
		zero = ReduceSum(zero, axes...) // value's shape: 0
	}
	return Add(StopGradient(value), zero)
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

package model

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
)

// CrossEntropy returns the mean cross-entropy of logits [batch, P] against
// int32 labels [batch]: a scalar of the logits' dtype.
//
// It equals mean(logsumexp(logits) − logits[label]) but is computed from the
// softmax probabilities p so that no Exp node runs (see ops.go), and so that
// float32 keeps its relative precision when the loss is tiny (Nanda et al.
// cast the logits to float64 because float32 log-softmax cannot resolve a
// per-example loss below ~1.2e-7):
//
//	loss_b = (l_max − l_label) + log1p(Σ_{j≠max} p_j / p_max)
//
// where p_max ≥ 1/P, so nothing underflows or cancels. Its gradient with
// respect to the logits is the analytic (p − onehot(label))/batch, with the
// label's entry computed as −Σ_{j≠label} p_j for the same reason.
func CrossEntropy(logits, labels *Node) *Node {
	return ReduceAllMean(trainedCrossEntropy(logits, labels)) // scalar
}

// trainedCrossEntropy is the per-example loss [batch] of logits [batch, P]
// with the analytic gradient attached: ∂loss_b/∂logits_b = p_b − onehot(label_b).
func trainedCrossEntropy(logits, labels *Node) *Node {
	perExample, probs, target := crossEntropy(logits, labels)                                            // [batch], [batch, P], [batch, P]
	others := Mul(probs, OneMinus(target))                                                               // [batch, P]: p_j off the label, 0 on it
	grad := Sub(others, Mul(target, ReduceAndKeep(others, ReduceSum, -1)))                               // [batch, P]: p − onehot(label)
	return withGradient(perExample, logits, func(v *Node) *Node { return Mul(InsertAxes(v, -1), grad) }) // v [batch]
}

// MeanSquaredError returns the mean over every element of (logits −
// onehot(label))², as PyTorch's mse_loss against one-hot targets (Gromov's and
// Doshi et al.'s setting): a scalar of the logits' dtype.
func MeanSquaredError(logits, labels *Node) *Node {
	checkLossArgs("mean squared error", logits, labels)
	target := OneHot(labels, logits.Shape().Dimensions[1], logits.DType()) // [batch, P]
	return ReduceAllMean(Square(Sub(logits, target)))                      // scalar
}

// CrossEntropyPerExample returns −log softmax(logits)[label] for each example
// [batch], computed as in CrossEntropy (precise in float32), without a
// gradient: for evaluation.
func CrossEntropyPerExample(logits, labels *Node) *Node {
	perExample, _, _ := crossEntropy(logits, labels)
	return perExample
}

// crossEntropy returns the per-example loss [batch] (no gradient), the
// probabilities and the one-hot labels [batch, P].
func crossEntropy(logits, labels *Node) (perExample, probs, target *Node) {
	checkLossArgs("cross-entropy", logits, labels)
	p, dtype := logits.Shape().Dimensions[1], logits.DType()
	x := StopGradient(logits)                        // [batch, P]
	probs = StopGradient(Softmax(x, -1))             // [batch, P]
	target = OneHot(labels, p, dtype)                // [batch, P]: 1 at the label
	top := OneHot(ArgMax(x, -1), p, dtype)           // [batch, P]: 1 at the largest logit
	gap := ReduceSum(Mul(x, Sub(top, target)), -1)   // [batch]: l_max − l_label ≥ 0
	pTop := ReduceSum(Mul(probs, top), -1)           // [batch]: p_max ≥ 1/P
	rest := ReduceSum(Mul(probs, OneMinus(top)), -1) // [batch]: Σ_{j≠max} p_j
	perExample = Add(gap, Log1p(Div(rest, pTop)))    // [batch]: −log p_label
	return perExample, probs, target
}

func checkLossArgs(name string, logits, labels *Node) {
	if labels.Rank() != 1 || logits.Rank() != 2 || labels.Shape().Dimensions[0] != logits.Shape().Dimensions[0] ||
		!labels.DType().IsInt() {
		panic(fmt.Errorf("%s: want logits [batch, P] and integer labels [batch], got %s and %s",
			name, logits.Shape(), labels.Shape()))
	}
}

// stableMaxEps keeps 1/(1 − x) finite, as the reference code does.
const stableMaxEps = 1e-30

// StableMaxPerExample is −log StableMax(logits)[label] for each example
// [batch], computed in float64 whatever the logits' dtype (Prieto et al.
// 2025, "Grokking at the edge of numerical stability"; their reference casts
// to float64 too):
//
//	s(x) = x + 1 for x ≥ 0, 1/(1 − x + ε) for x < 0;  StableMax_i = s(x_i) / Σ_j s(x_j)
//
// s grows linearly instead of exponentially, so the probabilities cannot
// round to exactly one-hot. Its gradient is GoMLX's own (Log, Div, no Exp).
// Each branch of s sees only its half of the line, so the branch not taken
// has a finite gradient (0) and cannot turn the product with 0 into NaN.
func StableMaxPerExample(logits, labels *Node) *Node {
	checkLossArgs("stablemax cross-entropy", logits, labels)
	x := ConvertDType(logits, dtypes.Float64)                                      // [batch, P]
	neg := Inverse(AddScalar(OneMinus(Min(x, ZerosLike(x))), stableMaxEps))        // [batch, P]: 1/(1 − x + ε) for x < 0
	s := Where(LessThan(x, ZerosLike(x)), neg, AddScalar(Max(x, ZerosLike(x)), 1)) // [batch, P]
	logProbs := Log(Div(s, ReduceAndKeep(s, ReduceSum, -1)))                       // [batch, P]
	target := OneHot(labels, x.Shape().Dimensions[1], dtypes.Float64)              // [batch, P]
	return Neg(ReduceSum(Mul(logProbs, target), -1))                               // [batch]
}

// StableMaxCrossEntropy is the mean of StableMaxPerExample: a float64
// scalar, with its gradient.
func StableMaxCrossEntropy(logits, labels *Node) *Node {
	return ReduceAllMean(StableMaxPerExample(logits, labels))
}

package train

import (
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.

	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
)

// Loss names.
const (
	CrossEntropy = "cross_entropy"
	MSE          = "mse"
	StableMax    = "stablemax" // cross-entropy of StableMax (Prieto et al. 2025), in float64
)

// Losses lists the names fit accepts.
var Losses = []string{CrossEntropy, MSE, StableMax}

// meanLoss is the training loss: the batch mean, with its gradient.
func meanLoss(kind string, logits, labels *Node) *Node {
	switch kind {
	case MSE:
		return model.MeanSquaredError(logits, labels) // scalar
	case StableMax:
		return model.StableMaxCrossEntropy(logits, labels) // float64 scalar
	}
	return model.CrossEntropy(logits, labels) // scalar
}

// perExampleLoss is the loss of each row, for evaluation (no gradient): logits [batch, P], labels [batch]
// int32 → [batch] in the logits' dtype.
//   - cross_entropy: −log softmax(logits)[label], by model's precise
//     formulation (no math.Exp after SIMD matmuls: see pkg/model/ops.go)
//   - mse: mean over the P classes of (logit − onehot(label))², so the batch
//     mean equals PyTorch's MSELoss over [batch, P] (Doshi et al.'s loss).
func perExampleLoss(kind string, logits, labels *Node) *Node {
	if kind == StableMax {
		return ConvertDType(model.StableMaxPerExample(logits, labels), logits.DType()) // [batch]
	}
	if kind == MSE {
		target := OneHot(labels, logits.Shape().Dimensions[1], logits.DType()) // [batch, P]
		return ReduceMean(Square(Sub(logits, target)), -1)                     // [batch]
	}
	return model.CrossEntropyPerExample(logits, labels) // [batch]
}

// toLogitsDType converts logits for the loss: float64 is Nanda's
// "high precision" cross-entropy.
func toLogitsDType(logits *Node, name string) *Node {
	if name == "float64" && logits.DType() != dtypes.Float64 {
		return ConvertDType(logits, dtypes.Float64)
	}
	return logits
}

// TrainingLoss is the objective a run was trained on, as a graph: the batch
// mean of its loss (cross_entropy, mse or stablemax) over logits [batch, P]
// in its logits' precision, with labels [batch]. The analyses that need the
// training loss's gradient at other weights (llc) build it here.
func TrainingLoss(spec runs.TrainSpec, logits, labels *Node) *Node {
	return meanLoss(spec.Loss, toLogitsDType(logits, spec.LogitsDType), labels)
}

package model

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
)

// TrainConfig holds the optimiser settings of [NewTrainStep]. Its defaults
// ([NandaTrainConfig]) are Nanda et al.'s: AdamW, lr 1e-3, weight decay 1,
// betas (0.9, 0.98), and PyTorch's epsilon 1e-8.
type TrainConfig struct {
	LearningRate float64 // initial learning rate; change it between steps with SetLearningRate
	WeightDecay  float64 // decoupled weight decay (AdamW); 0 gives Adam
	Beta1, Beta2 float64
	Epsilon      float64
	// Loss maps logits [batch, P] and labels [batch] to a scalar; nil means
	// CrossEntropy. MeanSquaredError is the other one provided.
	Loss func(logits, labels *Node) *Node
	// Float64Loss converts the logits to float64 before the loss, as Nanda et
	// al.'s code did. CrossEntropy is already precise in float32, and on the
	// pure-Go backend the float64 softmax uses math.Exp (see ops.go): off by
	// default.
	Float64Loss bool
}

// NandaTrainConfig returns Nanda et al.'s optimiser settings.
func NandaTrainConfig() TrainConfig {
	return TrainConfig{LearningRate: 1e-3, WeightDecay: 1.0, Beta1: 0.9, Beta2: 0.98, Epsilon: 1e-8}
}

// AdamW returns GoMLX's Adam optimiser configured as torch.optim.AdamW:
// p ← p − lr·(m̂/(√v̂ + ε) + wd·p), with bias-corrected moments, moments and
// step kept in dtype (the parameters' dtype, as PyTorch does). Weight decay
// applies to every trainable parameter, biases included, as in Nanda's
// AdamW(model.parameters(), …). Its state lives in the Store: the moments under
// "/AdamOptimizer/…", the step "/AdamOptimizer/step", the learning rate
// "/optimizers/learning_rate" and the step count "/global_step".
func AdamW(cfg TrainConfig, dtype dtypes.DType) optimizer.Interface {
	return optimizer.Adam().
		LearningRate(cfg.LearningRate).
		Betas(cfg.Beta1, cfg.Beta2).
		Epsilon(cfg.Epsilon).
		WeightDecay(cfg.WeightDecay).
		DType(dtype).
		Done()
}

// TrainStep runs full-batch (or any-batch) optimiser steps of a model whose
// parameters live in a Store. The compiled graph is cached per input shape.
type TrainStep struct {
	Model Model
	Store *gomlx.Store
	cfg   TrainConfig
	exec  *gomlx.Exec
}

// NewTrainStep builds the step: loss = CrossEntropy(m.Forward(inputs), labels),
// then one AdamW update of every trainable variable of the Store that the
// loss uses. The model's parameters must exist in store's root scope (see
// InitParams) before the first Step.
func NewTrainStep(backend compute.Backend, store *gomlx.Store, m Model, cfg TrainConfig) (*TrainStep, error) {
	dtype := m.Config().dtype()
	opt := AdamW(cfg, dtype)
	s := &TrainStep{Model: m, Store: store, cfg: cfg}
	exec, err := gomlx.NewExec(backend, store, func(scope *gomlx.Scope, inputs, labels *Node) *Node {
		logits := m.Forward(scope, inputs) // [batch, P]
		if cfg.Float64Loss {
			logits = ConvertDType(logits, dtypes.Float64) // [batch, P]
		}
		lossFn := cfg.Loss
		if lossFn == nil {
			lossFn = CrossEntropy
		}
		loss := lossFn(logits, labels) // scalar
		opt.UpdateGraph(scope, inputs.Graph(), loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	s.exec = exec.WithName("train_step_" + m.Name())
	return s, nil
}

// Step runs one update on inputs (int32 [batch, 2|3]) and labels (int32
// [batch]) and returns the loss computed before the update. The tensors are
// not consumed: pass the same ones at every step of full-batch training.
func (s *TrainStep) Step(inputs, labels *tensors.Tensor) (loss float64, err error) {
	out, err := s.exec.Call(inputs, labels)
	if err != nil {
		return 0, err
	}
	defer out[0].FinalizeAll()
	switch v := out[0].Value().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, fmt.Errorf("train step: unexpected loss %s", out[0].Shape())
}

// SetLearningRate sets the learning rate used by the following steps (for a
// schedule such as Nanda's linear warm-up). It is a Store variable, an input
// of the compiled graph: changing it does not recompile.
func (s *TrainStep) SetLearningRate(lr float64) error {
	dtype := s.Model.Config().dtype()
	v := optimizer.LearningRateVar(s.Store.RootScope(), dtype, lr)
	var t *tensors.Tensor
	if dtype == dtypes.Float64 {
		t = tensors.FromValue(lr)
	} else {
		t = tensors.FromValue(float32(lr))
	}
	return v.SetValue(t)
}

// Finalize frees the compiled graphs.
func (s *TrainStep) Finalize() { s.exec.Finalize() }

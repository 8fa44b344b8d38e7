package train

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/model"
)

// stepper runs compiled optimiser steps (stepGraph, as a run alone trains)
// of one model whose parameters and moments live in a Store: for the
// optimiser tests and benchmarks, which drive steps by hand.
type stepper struct {
	m     model.Model
	h     Hyper
	store *gomlx.Store
	exec  *gomlx.Exec
}

func newStepper(backend compute.Backend, store *gomlx.Store, m model.Model, h Hyper, loss, logitsDType string) (*stepper, error) {
	scope := store.RootScope()
	if err := createState(scope, m, h); err != nil {
		return nil, err
	}
	exec, err := gomlx.NewExec(backend, store, stepGraph(m, h, loss, logitsDType))
	if err != nil {
		return nil, err
	}
	return &stepper{m: m, h: h, store: store, exec: exec.WithName("train_step")}, nil
}

// step runs optimiser step number s (0-based) on a batch and returns the
// loss before the update. The batch tensors are not consumed.
func (s *stepper) step(step int, inputs, labels *tensors.Tensor) (float64, error) {
	args := []any{inputs, labels}
	for _, t := range hyperTensors(s.h, step, s.m.Config().DType) {
		args = append(args, t)
	}
	out, err := s.exec.Exec(args...)
	if err != nil {
		return 0, err
	}
	defer out[0].FinalizeAll()
	return scalarFloat(out[0])
}

func scalarFloat(t *tensors.Tensor) (float64, error) {
	switch v := t.Value().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return 0, fmt.Errorf("expected a float scalar, got %s", t.Shape())
}

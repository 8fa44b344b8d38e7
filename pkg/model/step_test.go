package model

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
)

// gradStep is a compiled gradient step of a model, for this package's tests
// and benchmarks: the forward pass, a loss, the gradient of every parameter
// by GoMLX's autodiff (m.Params() order), and a plain SGD update
// p ← p − lr·∂loss/∂p of the parameters in the Store. It exercises the whole
// forward and backward graph of a network the way a training step does,
// without an optimiser's state: the real optimisers (AdamW, Adam, SGD with
// weight decay, warm-up) are in pkg/train and tested there.
type gradStep struct {
	exec *gomlx.Exec
}

// newGradStep compiles the step of m with learning rate lr. loss maps logits
// [batch, P] and int32 labels [batch] to a scalar; nil means CrossEntropy.
// The parameters of m must exist in store's root scope before the first step
// (see InitParams and SetParams).
func newGradStep(be compute.Backend, store *gomlx.Store, m Model, lr float64, loss func(logits, labels *Node) *Node) (*gradStep, error) {
	if loss == nil {
		loss = CrossEntropy
	}
	exec, err := gomlx.NewExec(be, store, func(scope *gomlx.Scope, inputs, labels *Node) *Node {
		g := inputs.Graph()
		l := loss(m.Forward(scope, inputs), labels) // scalar
		specs := m.Params()
		vars := make([]*gomlx.Variable, len(specs))
		params := make([]*Node, len(specs))
		for i, spec := range specs {
			vars[i] = scope.Store().GetVariable(VariablePath(scope, spec.Name))
			params[i] = vars[i].NodeValue(g)
		}
		grads := Gradient(l, params...)
		for i, p := range params {
			vars[i].SetNodeValue(Sub(p, MulScalar(grads[i], lr))) // p − lr·g
		}
		return l
	})
	if err != nil {
		return nil, err
	}
	return &gradStep{exec: exec.WithName("grad_step_" + m.Name())}, nil
}

// step runs one update on inputs (int32 [batch, 2|3]) and labels (int32
// [batch]) and returns the loss before the update. The tensors are not
// consumed: the same ones can be passed at every step.
func (s *gradStep) step(inputs, labels *tensors.Tensor) (float64, error) {
	out, err := s.exec.Exec(inputs, labels)
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
	return 0, fmt.Errorf("grad step: unexpected loss %s", out[0].Shape())
}

// finalize frees the compiled graphs.
func (s *gradStep) finalize() { s.exec.Finalize() }

// TestGradStepDoesNotHang runs full-batch gradient steps of the full-size
// transformer (p = 23, 264 rows) on the backend that pkg/backend chooses,
// twice from the same start. A deadlocked worker pool (as GoMLX's default
// Go-backend configuration produces on 2 CPUs) fails the test after 60 s
// instead of blocking it; the two runs must give bit-identical losses and
// weights, and the loss must decrease.
func TestGradStepDoesNotHang(t *testing.T) {
	be, desc, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backend: %s", desc)
	m, err := ByName("nanda", Config{P: 23})
	if err != nil {
		t.Fatal(err)
	}
	inputs, labels := additionData(23, 264, 3, 1)
	const steps = 6
	type result struct {
		losses []float64
		params map[string]Array
	}
	run := func() (r result, err error) {
		store := gomlx.NewStore()
		if err := InitParams(store.RootScope(), m, 1); err != nil {
			return r, err
		}
		step, err := newGradStep(be, store, m, 0.1, nil)
		if err != nil {
			return r, err
		}
		defer step.finalize()
		for range steps {
			loss, err := step.step(inputs, labels)
			if err != nil {
				return r, err
			}
			r.losses = append(r.losses, loss)
		}
		r.params, err = GetParams(store.RootScope(), m)
		return r, err
	}

	type results struct {
		runs [2]result
		err  error
	}
	done := make(chan results, 1)
	go func() {
		var r results
		for i := range 2 {
			if r.runs[i], r.err = run(); r.err != nil {
				break
			}
		}
		done <- r
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		a, b := r.runs[0], r.runs[1]
		t.Logf("losses: %v", a.losses)
		if !(a.losses[steps-1] < a.losses[0]) {
			t.Errorf("loss did not decrease over %d steps: %v", steps, a.losses)
		}
		if !slices.Equal(a.losses, b.losses) {
			t.Errorf("two identical runs differ: losses %v vs %v", a.losses, b.losses)
		}
		if !equalParams(a.params, b.params) {
			t.Error("two identical runs gave different weights")
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("2×%d gradient steps did not finish in 60 s on %s: deadlock?", steps, desc)
	}
}

func equalParams(a, b map[string]Array) bool {
	if len(a) != len(b) {
		return false
	}
	for name, x := range a {
		y, ok := b[name]
		if !ok || !slices.Equal(x.Shape, y.Shape) || len(x.Data) != len(y.Data) {
			return false
		}
		for i := range x.Data {
			if math.Float32bits(x.Data[i]) != math.Float32bits(y.Data[i]) {
				return false
			}
		}
	}
	return true
}

// TestTrainingIsDeterministic: every network and layout, from the same seed
// on the same data, gives bit-identical weights after 5 gradient steps (the
// gradients of the gathers are scatter-adds, whose order must not vary), and
// the steps do move the weights.
func TestTrainingIsDeterministic(t *testing.T) {
	be := testBackend(t)
	for _, m := range tinyModels(t, dtypes.Float32) {
		t.Run(variantName(m), func(t *testing.T) {
			pairs, labels := allPairs(m.Config().P)
			inputs, lab := pairsTensor(pairs, m.Config().P, 3), labelsTensor(labels)
			var start map[string]Array
			var results []map[string]Array
			for range 2 {
				store := gomlx.NewStore()
				if err := InitParams(store.RootScope(), m, 42); err != nil {
					t.Fatal(err)
				}
				start, _ = GetParams(store.RootScope(), m)
				step, err := newGradStep(be, store, m, 0.1, nil)
				if err != nil {
					t.Fatal(err)
				}
				for range 5 {
					if _, err := step.step(inputs, lab); err != nil {
						t.Fatal(err)
					}
				}
				step.finalize()
				p, err := GetParams(store.RootScope(), m)
				if err != nil {
					t.Fatal(err)
				}
				results = append(results, p)
			}
			if !equalParams(results[0], results[1]) {
				t.Fatal("two identical training runs gave different weights")
			}
			if equalParams(start, results[0]) {
				t.Fatal("5 gradient steps left the weights unchanged")
			}
		})
	}
}

// TestGradStepIsSGD checks the helper the benchmarks time: one step of each
// float64 network returns the loss before the update and leaves
// p − lr·∂loss/∂p in the Store, with the gradients of [gradients].
func TestGradStepIsSGD(t *testing.T) {
	be := testBackend(t)
	const lr = 0.25
	for _, m := range tinyModels(t, dtypes.Float64) {
		t.Run(variantName(m), func(t *testing.T) {
			_, arrays := randomWeights(m, 0.7, 4)
			pairs, labels := allPairs(m.Config().P)
			inputs, lab := pairsTensor(pairs, m.Config().P, 3), labelsTensor(labels)
			wantLoss, grads := gradients(t, be, storeWith(t, m, arrays), m, CrossEntropy, inputs, lab)

			store := storeWith(t, m, arrays)
			step, err := newGradStep(be, store, m, lr, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer step.finalize()
			loss, err := step.step(inputs, lab)
			if err != nil {
				t.Fatal(err)
			}
			if loss != wantLoss {
				t.Errorf("step returned loss %.17g, want the loss before the update %.17g", loss, wantLoss)
			}
			for i, spec := range m.Params() {
				v := store.GetVariable(VariablePath(store.RootScope(), spec.Name))
				got := tensors.MustCopyFlatData[float64](v.MustValue())
				for j, p := range arrays[spec.Name].Data {
					want := float64(p) - lr*grads[i][j]
					if math.Abs(got[j]-want) > 1e-15*math.Max(1, math.Abs(want)) {
						t.Fatalf("%s[%d] = %.17g after one step, want p − lr·g = %.17g", spec.Name, j, got[j], want)
					}
				}
			}
		})
	}
}

package model

import (
	"fmt"
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// stackedCase builds K single stores (seeds 1…K) and the stacked store.
func stackedCase(t *testing.T, m Model, K int) (singles []*gomlx.Store, stacked *gomlx.Store) {
	t.Helper()
	var sets []map[string]Array
	for k := range K {
		s := gomlx.NewStore()
		if err := InitParams(s.RootScope(), m, uint64(k+1)); err != nil {
			t.Fatal(err)
		}
		ps, err := GetParams(s.RootScope(), m)
		if err != nil {
			t.Fatal(err)
		}
		singles, sets = append(singles, s), append(sets, ps)
	}
	all := map[string]Array{}
	for _, spec := range m.Params() {
		var as []Array
		for _, ps := range sets {
			as = append(as, ps[spec.Name])
		}
		a, err := StackArrays(as)
		if err != nil {
			t.Fatal(err)
		}
		all[spec.Name] = a
	}
	stacked = gomlx.NewStore()
	if err := SetParams(stacked.RootScope(), StackView(m, K), all); err != nil {
		t.Fatal(err)
	}
	return singles, stacked
}

// inputsFor are different rows per copy: int32 [K, batch, cols].
func inputsFor(p, K, batch, cols int) ([]int32, []int32) {
	in, lab := make([]int32, 0, K*batch*cols), make([]int32, 0, K*batch)
	for k := range K {
		for i := range batch {
			a, b := (7*i+3*k)%p, (5*i+k*k+1)%p
			in = append(in, int32(a), int32(b))
			if cols == 3 {
				in = append(in, int32(p))
			}
			lab = append(lab, int32((a+b+k)%p))
		}
	}
	return in, lab
}

// Copy k of a stacked model computes what the model computes alone: the
// logits, the per-copy loss and every gradient. The comparison is bit for
// bit where it holds and reported to 1e-6 relative otherwise.
func TestStackedEqualsSeparate(t *testing.T) {
	b := testBackend(t)
	const p, K, batch = 13, 3, 20
	models := []Model{
		mustModel(t, "nanda", Config{P: p, DModel: 16, NHeads: 2, DHead: 8, DMLP: 24}),
		mustModel(t, "gromov", Config{P: p, Width: 20}),
		mustModel(t, "gromov", Config{P: p, Width: 20, Parameterization: ParamStandard}),
		mustModel(t, "mlp", Config{P: p, Width: 20, NLayers: 2}),
	}
	for _, m := range models {
		for _, loss := range []string{"ce", "mse"} {
			t.Run(fmt.Sprintf("%s/%s/%s", m.Name(), m.Config().Parameterization, loss), func(t *testing.T) {
				singles, stacked := stackedCase(t, m, K)
				cols := 3
				if m.Name() != "nanda" {
					cols = 2
				}
				in, lab := inputsFor(p, K, batch, cols)
				lossOf := func(logits, labels *Node) *Node {
					if loss == "mse" {
						return MeanSquaredError(logits, labels)
					}
					return CrossEntropy(logits, labels)
				}
				lossStacked := func(logits, labels *Node) *Node {
					if loss == "mse" {
						return MeanSquaredErrorStacked(logits, labels)
					}
					return CrossEntropyStacked(logits, labels)
				}
				// Stacked: logits, per-copy losses, gradients of their sum.
				sm := m.(Stacked)
				exec, err := gomlx.NewExec(b, stacked, func(scope *gomlx.Scope, inputs, labels *Node) []*Node {
					logits := sm.ForwardStacked(scope, inputs)
					l := lossStacked(logits, labels)
					var params []*Node
					for _, spec := range StackedSpecs(m, K) {
						params = append(params, scope.Store().GetVariable(VariablePath(scope, spec.Name)).NodeValue(inputs.Graph()))
					}
					return append([]*Node{logits, l}, Gradient(ReduceAllSum(l), params...)...)
				})
				if err != nil {
					t.Fatal(err)
				}
				out, err := exec.Exec(tensors.FromFlatDataAndDimensions(in, K, batch, cols), tensors.FromFlatDataAndDimensions(lab, K, batch))
				if err != nil {
					t.Fatal(err)
				}
				sLogits := tensors.MustCopyFlatData[float32](out[0])
				sLoss := tensors.MustCopyFlatData[float32](out[1])
				var sGrads [][]float32
				for _, o := range out[2:] {
					sGrads = append(sGrads, tensors.MustCopyFlatData[float32](o))
				}
				worst, exact := 0.0, true
				compare := func(what string, got, want []float32) {
					for i := range want {
						if got[i] != want[i] {
							if exact {
								t.Logf("first difference: %s[%d]: %g vs %g", what, i, got[i], want[i])
							}
							exact = false
							d := math.Abs(float64(got[i]-want[i])) / max(1e-3, math.Abs(float64(want[i])))
							worst = max(worst, d)
						}
					}
					if worst > 1e-5 {
						t.Fatalf("%s: stacked and separate differ by %.3g relative", what, worst)
					}
				}
				for k, s := range singles {
					e, err := gomlx.NewExec(b, s, func(scope *gomlx.Scope, inputs, labels *Node) []*Node {
						logits := m.Forward(scope, inputs)
						l := lossOf(logits, labels)
						var params []*Node
						for _, spec := range m.Params() {
							params = append(params, scope.Store().GetVariable(VariablePath(scope, spec.Name)).NodeValue(inputs.Graph()))
						}
						return append([]*Node{logits, l}, Gradient(l, params...)...)
					})
					if err != nil {
						t.Fatal(err)
					}
					o, err := e.Exec(tensors.FromFlatDataAndDimensions(in[k*batch*cols:(k+1)*batch*cols], batch, cols),
						tensors.FromFlatDataAndDimensions(lab[k*batch:(k+1)*batch], batch))
					if err != nil {
						t.Fatal(err)
					}
					logits := tensors.MustCopyFlatData[float32](o[0])
					compare(fmt.Sprintf("copy %d logits", k), sLogits[k*batch*p:(k+1)*batch*p], logits)
					compare(fmt.Sprintf("copy %d loss", k), sLoss[k:k+1], tensors.MustCopyFlatData[float32](o[1]))
					for j, spec := range m.Params() {
						g := tensors.MustCopyFlatData[float32](o[2+j])
						compare(fmt.Sprintf("copy %d ∂%s", k, spec.Name), sGrads[j][k*len(g):(k+1)*len(g)], g)
					}
				}
				t.Logf("bit for bit: %v (worst relative difference %.3g)", exact, worst)
			})
		}
	}
}

func mustModel(t *testing.T, name string, cfg Config) Model {
	t.Helper()
	m, err := ByName(name, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

package model

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// gromovHooksOracle computes the MLP's named activations for (a, b) from
// the definition, with loops: the pre-activation Σ_j W1[k, j]·x_j over the
// one-hot x = one-hot(a) ‖ one-hot(b), its square, and the scaled readout.
func gromovHooksOracle(c Config, w weights, a, b int) map[string][]float64 {
	N, P := c.Width, c.P
	W1, W2 := w["W1"], w["W2"]
	x := make([]float64, 2*P)
	x[a], x[P+b] = 1, 1
	out := map[string][]float64{}
	for k := range N {
		s := 0.0
		for j, xj := range x {
			s += W1[k*2*P+j] * xj
		}
		out[HookGromovPre] = append(out[HookGromovPre], s)
		out[HookGromovHidden] = append(out[HookGromovHidden], s*s)
	}
	for cl := range P {
		s := 0.0
		for k, h := range out[HookGromovHidden] {
			s += W2[cl*N+k] * h
		}
		out[HookLogits] = append(out[HookLogits], s*c.OutputScale())
	}
	return out
}

// TestGromovHooksMatchOracle: every named activation, for every pair of
// Z_5 and both input formats and parameterizations, against the loops
// above; the hidden hook is Hidden's value and the logits hook Forward's,
// bit for bit (float32, as trained networks compute).
func TestGromovHooksMatchOracle(t *testing.T) {
	be := testBackend(t)
	for _, param := range []string{ParamGromov, ParamStandard} {
		for _, cols := range []int{2, 3} {
			m, err := NewGromov(Config{P: 5, Width: 7, Parameterization: param, DType: dtypes.Float32})
			if err != nil {
				t.Fatal(err)
			}
			w, arrays := randomWeights(m, 0.9, 13)
			store := storeWith(t, m, arrays)
			pairs, _ := allPairs(5)
			var names []string
			exec, err := gomlx.NewExec(be, store, func(scope *gomlx.Scope, in *Node) []*Node {
				var out []*Node
				names = names[:0]
				for _, h := range m.Hooks(scope, in) {
					names, out = append(names, h.Name), append(out, h.Node)
				}
				return append(out, m.Hidden(scope, in), m.Forward(scope, in))
			})
			if err != nil {
				t.Fatal(err)
			}
			outs, err := exec.Exec(pairsTensor(pairs, 5, cols))
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{HookGromovPre, HookGromovHidden, HookLogits}; len(names) != len(want) || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
				t.Fatalf("hooks %v, want %v", names, want)
			}
			same := map[string][]float32{ // the hooks that must be another method's value exactly
				HookGromovHidden: tensors.MustCopyFlatData[float32](outs[3]),
				HookLogits:       tensors.MustCopyFlatData[float32](outs[4]),
			}
			for k, name := range names {
				got := tensors.MustCopyFlatData[float32](outs[k])
				width := len(got) / len(pairs)
				for i, ab := range pairs {
					want := gromovHooksOracle(m.Config(), w, ab[0], ab[1])[name]
					if width != len(want) {
						t.Fatalf("%s: %d values per row, want %d", name, width, len(want))
					}
					for j, x := range want {
						if g := float64(got[i*width+j]); math.Abs(g-x) > 1e-5*math.Max(1, math.Abs(x)) {
							t.Fatalf("%s %s (%d,%d)[%d] = %g, want %g", param, name, ab[0], ab[1], j, g, x)
						}
					}
				}
				if ref, ok := same[name]; ok {
					for j := range got {
						if got[j] != ref[j] {
							t.Fatalf("%s: the %s hook differs from its method's value at %d: %g vs %g", param, name, j, got[j], ref[j])
						}
					}
				}
			}
		}
	}
}

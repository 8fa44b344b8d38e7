package model

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// nandaHooksOracle computes the transformer's named activations for tokens
// (a, b, =) from the definitions, with loops: every position embedded, the
// attention of "=" over all three, each head's value mix, then the MLP and
// the unembedding at "=" (the same names and shapes as Nanda.Hooks).
func nandaHooksOracle(c Config, w weights, tokens [3]int) map[string][]float64 {
	dm, H, dh, dmlp, P := c.DModel, c.NHeads, c.DHead, c.DMLP, c.P
	WE, Wpos, WO := w["embed.W_E"], w["pos_embed.W_pos"], w["blocks.0.attn.W_O"]
	out := map[string][]float64{}
	resid := make([][]float64, 3)
	for i := range 3 {
		resid[i] = make([]float64, dm)
		for m := range dm {
			out[HookEmbed] = append(out[HookEmbed], WE[tokens[i]*dm+m])
			resid[i][m] = WE[tokens[i]*dm+m] + Wpos[i*dm+m]
			out[HookResidPre] = append(out[HookResidPre], resid[i][m])
		}
	}
	q := headProjection(resid, w["blocks.0.attn.W_Q"], H, dh)
	k := headProjection(resid, w["blocks.0.attn.W_K"], H, dh)
	v := headProjection(resid, w["blocks.0.attn.W_V"], H, dh)
	mid := append([]float64(nil), resid[2]...)
	attnOut := make([]float64, dm)
	for h := range H {
		var e [3]float64
		sum := 0.0
		for i := range 3 {
			s := 0.0
			for d := range dh {
				s += q[2][h][d] * k[i][h][d]
			}
			e[i] = math.Exp(s / math.Sqrt(float64(dh)))
			sum += e[i]
		}
		for i := range 3 {
			out[HookPattern] = append(out[HookPattern], e[i]/sum)
		}
		for d := range dh {
			z := 0.0
			for i := range 3 {
				z += e[i] / sum * v[i][h][d]
			}
			out[HookZ] = append(out[HookZ], z)
			for m := range dm {
				attnOut[m] += z * WO[(h*dh+d)*dm+m]
			}
		}
	}
	for m := range dm {
		mid[m] += attnOut[m]
	}
	out[HookAttnOut], out[HookResidMid] = attnOut, mid
	Win, bin, Wout, bout, WU := w["blocks.0.mlp.W_in"], w["blocks.0.mlp.b_in"], w["blocks.0.mlp.W_out"], w["blocks.0.mlp.b_out"], w["unembed.W_U"]
	for j := range dmlp {
		s := bin[j]
		for m := range dm {
			s += mid[m] * Win[m*dmlp+j]
		}
		out[HookMLPPre] = append(out[HookMLPPre], s)
		out[HookMLPPost] = append(out[HookMLPPost], math.Max(s, 0))
	}
	post := out[HookMLPPost]
	for m := range dm {
		s := bout[m]
		for j := range dmlp {
			s += post[j] * Wout[j*dm+m]
		}
		out[HookMLPOut] = append(out[HookMLPOut], s)
		out[HookResidPost] = append(out[HookResidPost], mid[m]+s)
	}
	for cl := range P {
		s := 0.0
		for m := range dm {
			s += out[HookResidPost][m] * WU[m*P+cl]
		}
		out[HookLogits] = append(out[HookLogits], s)
	}
	return out
}

// TestNandaHooksMatchOracle: every named activation, for every pair of Z_5,
// against the loops above; the logits hook is Forward's value.
func TestNandaHooksMatchOracle(t *testing.T) {
	be := testBackend(t)
	m, err := NewNanda(Config{P: 5, DModel: 6, NHeads: 2, DHead: 3, DMLP: 7, DType: dtypes.Float64})
	if err != nil {
		t.Fatal(err)
	}
	w, arrays := randomWeights(m, 0.7, 11)
	store := storeWith(t, m, arrays)
	pairs, _ := allPairs(5)
	var names []string
	exec, err := gomlx.NewExec(be, store, func(scope *gomlx.Scope, in *Node) []*Node {
		var out []*Node
		names = names[:0]
		for _, h := range m.Hooks(scope, in) {
			names, out = append(names, h.Name), append(out, h.Node)
		}
		return append(out, m.Forward(scope, in))
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Exec(pairsTensor(pairs, 5, 3))
	if err != nil {
		t.Fatal(err)
	}
	forward := tensors.MustCopyFlatData[float64](outs[len(outs)-1])
	for i, ab := range pairs {
		want := nandaHooksOracle(m.Config(), w, [3]int{ab[0], ab[1], 5})
		for k, name := range names {
			got := tensors.MustCopyFlatData[float64](outs[k])
			width := len(got) / len(pairs)
			if width != len(want[name]) {
				t.Fatalf("%s: %d values per row, want %d", name, width, len(want[name]))
			}
			for j, x := range want[name] {
				if g := got[i*width+j]; math.Abs(g-x) > 1e-10*math.Max(1, math.Abs(x)) {
					t.Fatalf("%s (%d,%d)[%d] = %g, want %g", name, ab[0], ab[1], j, g, x)
				}
			}
			if name == HookLogits {
				for j := range width {
					if got[i*width+j] != forward[i*width+j] {
						t.Fatalf("the logits hook differs from Forward at (%d,%d)", ab[0], ab[1])
					}
				}
			}
		}
	}
	if len(names) != 11 {
		t.Errorf("%d hooks: %v", len(names), names)
	}
}

package spectral

import (
	"math"
	"slices"
	"testing"

	"github.com/grokkit/grokkit/pkg/model"
)

func array(shape []int, seed uint64) model.Array {
	n := 1
	for _, d := range shape {
		n *= d
	}
	g := gaussian("a", n, 1, 1, seed)
	x := make([]float32, n)
	for i, v := range g.Data {
		x[i] = float32(v)
	}
	return model.Array{Shape: shape, Data: x}
}

// The per-head attention weights fold into the matrix of the one linear
// map that computes every head: a residual x times the folded W_Q is every
// head's query x·W_Q[h] side by side, and the heads' outputs z side by
// side times the folded W_O is Σ_h z_h·W_O[h], the attention's output.
// Vectors are no matrices; a matrix under MinEvals is skipped by name; the
// order is the names'.
func TestMatricesFoldHeads(t *testing.T) {
	const heads, dModel, dHead = 3, 12, 5
	params := map[string]model.Array{
		"embed.W_E":         array([]int{11, dModel}, 1),
		"pos_embed.W_pos":   array([]int{3, dModel}, 2),
		"blocks.0.attn.W_Q": array([]int{heads, dModel, dHead}, 3),
		"blocks.0.attn.W_O": array([]int{heads, dHead, dModel}, 4),
		"blocks.0.mlp.b_in": array([]int{40}, 5),
		"unembed.W_U":       array([]int{dModel, 10}, 6),
	}
	order := []string{"embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_Q", "blocks.0.attn.W_O", "blocks.0.mlp.b_in", "unembed.W_U", "absent"}
	ms, skipped := Matrices(order, params)
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"embed.W_E", "blocks.0.attn.W_Q", "blocks.0.attn.W_O", "unembed.W_U"}) || !slices.Equal(skipped, []string{"pos_embed.W_pos"}) {
		t.Fatalf("matrices %v, skipped %v", names, skipped)
	}
	q, o := ms[1], ms[2]
	if q.Rows != dModel || q.Cols != heads*dHead || o.Rows != heads*dHead || o.Cols != dModel {
		t.Fatalf("W_Q %d×%d, W_O %d×%d", q.Rows, q.Cols, o.Rows, o.Cols)
	}
	WQ, WO := params["blocks.0.attn.W_Q"].Data, params["blocks.0.attn.W_O"].Data
	x := gaussian("x", dModel, 1, 1, 7).Data
	for h := range heads {
		for c := range dHead {
			perHead, folded := 0.0, 0.0
			for i := range dModel {
				perHead += x[i] * float64(WQ[(h*dModel+i)*dHead+c])
				folded += x[i] * q.Data[i*q.Cols+h*dHead+c]
			}
			if math.Abs(perHead-folded) > 1e-9 {
				t.Fatalf("head %d query %d: %g per head, %g folded", h, c, perHead, folded)
			}
		}
	}
	z := gaussian("z", heads*dHead, 1, 1, 8).Data // [heads, d_head] flattened
	for k := range dModel {
		perHead, folded := 0.0, 0.0
		for h := range heads {
			for c := range dHead {
				perHead += z[h*dHead+c] * float64(WO[(h*dHead+c)*dModel+k])
			}
		}
		for r := range heads * dHead {
			folded += z[r] * o.Data[r*dModel+k]
		}
		if math.Abs(perHead-folded) > 1e-9 {
			t.Fatalf("output %d: %g summed over heads, %g folded", k, perHead, folded)
		}
	}
}

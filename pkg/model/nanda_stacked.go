package model

import (
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// ForwardStacked implements Stacked: Nanda's forward pass (the table form,
// see Nanda) with a leading copy axis K on every parameter and activation.
func (m *Nanda) ForwardStacked(scope *gomlx.Scope, inputs *Node) *Node {
	c := m.cfg
	g := inputs.Graph()
	w, K := stackedParams(scope, g, m, inputs, "nanda")
	batch := inputs.Shape().Dimensions[1]
	W_E, W_pos := w["embed.W_E"], w["pos_embed.W_pos"]                                      // [K, P+1, d_model], [K, 3, d_model]
	W_Q, W_K, W_V := w["blocks.0.attn.W_Q"], w["blocks.0.attn.W_K"], w["blocks.0.attn.W_V"] // [K, heads, d_model, d_head] each
	W_O := w["blocks.0.attn.W_O"]                                                           // [K, heads, d_head, d_model]

	tokens := inputs // [K, batch, 3]
	if inputs.Shape().Dimensions[2] == 2 {
		equals := AddScalar(ZerosLike(SliceAxis(inputs, 2, AxisElem(0))), c.P) // [K, batch, 1]
		tokens = Concatenate([]*Node{inputs, equals}, 2)                       // [K, batch, 3]
	}
	last := NCtx - 1
	copy1 := copyIndex(g, K, batch, 1)                                       // [K, batch, 1]: k
	lastToken := SliceAxis(tokens, 2, AxisElem(last))                        // [K, batch, 1]
	residPre := Add(gather(W_E, Concatenate([]*Node{copy1, lastToken}, -1)), // [K, batch, d_model]
		SliceAxis(W_pos, 1, AxisElem(last))) // + [K, 1, d_model]

	// Tables over (token, position) per copy.
	residTable := Add(InsertAxes(W_E, 2), InsertAxes(W_pos, 1))                                            // [K, P+1, 3, d_model]
	W_QKV := Stack([]*Node{W_Q, W_K, W_V}, 1)                                                              // [K, 3, heads, d_model, d_head]
	qkv := Dot(residTable, W_QKV).General([]int{3}, []int{0}, []int{3}, []int{0})                          // [K, P+1, 3, 3, heads, d_head]
	qTable := Squeeze(Slice(qkv, AxisRange(), AxisRange(), AxisElem(last), AxisElem(0)), 2, 3)             // [K, P+1, heads, d_head]
	kTable := Squeeze(SliceAxis(qkv, 3, AxisElem(1)), 3)                                                   // [K, P+1, 3, heads, d_head]
	vTable := Squeeze(SliceAxis(qkv, 3, AxisElem(2)), 3)                                                   // [K, P+1, 3, heads, d_head]
	scoreTable := Einsum("kqhd,ktihd->kqtih", qTable, kTable)                                              // [K, P+1, P+1, 3, heads]
	position := Iota(g, shapes.Make(tokens.DType(), K, batch, NCtx), 2)                                    // [K, batch, 3]: i
	queryToken := BroadcastToDims(lastToken, K, batch, NCtx)                                               // [K, batch, 3]
	copy3 := copyIndex(g, K, batch, NCtx)                                                                  // [K, batch, 3]: k
	scores := gather(scoreTable, Stack([]*Node{copy3, queryToken, tokens, position}, -1))                  // [K, batch, 3, heads]
	v := gather(vTable, Stack([]*Node{copy3, tokens, position}, -1))                                       // [K, batch, 3, heads, d_head]
	scores = MulScalar(scores, 1/math.Sqrt(float64(c.DHead)))                                              // [K, batch, 3, heads]
	pattern := attentionRate(softmax(scores, 2), c.ConstantAttention)                                      // [K, batch, 3, heads]
	z := attend(pattern, v)                                                                                // [K, batch, heads, d_head]
	attnOut := matmul(Reshape(z, K, batch, c.NHeads*c.DHead), Reshape(W_O, K, c.NHeads*c.DHead, c.DModel)) // [K, batch, d_model]
	residMid := Add(residPre, attnOut)                                                                     // [K, batch, d_model]

	pre := Add(matmul(residMid, w["blocks.0.mlp.W_in"]), InsertAxes(w["blocks.0.mlp.b_in"], 1))  // [K, batch, d_mlp]
	post := relu(pre)                                                                            // [K, batch, d_mlp]
	mlpOut := Add(matmul(post, w["blocks.0.mlp.W_out"]), InsertAxes(w["blocks.0.mlp.b_out"], 1)) // [K, batch, d_model]
	return matmul(Add(residMid, mlpOut), w["unembed.W_U"])                                       // [K, batch, P]
}

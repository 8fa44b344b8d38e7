package model

import (
	"fmt"
	"github.com/gomlx/compute/dtypes"
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// Nanda is the one-layer transformer of Nanda et al. 2023 ("Progress measures
// for grokking via mechanistic interpretability"):
//
//   - input tokens [a, b, =], where "=" is token P; vocabulary P+1; 3 positions;
//   - token and learned positional embeddings, no LayerNorm, no biases in the
//     embedding, attention or unembedding;
//   - one block: causal multi-head attention (softmax of q·k/√d_head), then a
//     ReLU MLP with biases (b_in, b_out as in TransformerLens), each added to the
//     residual stream;
//   - logits over the P classes read at the "=" position (the last).
//
// Computing only what reaches the logits. With one layer, the logits depend on
// the residual stream at the last position only, and that stream depends on the
// other positions only through the attention keys and values. So the query,
// the attention pattern, the attention output, the MLP and the unembedding are
// computed at the "=" position alone (keys and values at all 3 positions).
// The last position attends to every position, so the causal mask removes
// nothing there and is not needed. This is exact, not an approximation; the
// tests check it against a plain-Go implementation that computes every
// position with the mask.
//
// Tables instead of per-example projections. The query, keys and values are
// linear in the residual stream W_E[t] + W_pos[i], which takes only 3·(P+1)
// values; so they are computed once per step for every (token, position)
// (a [3·(P+1), d_model] × [d_model, 3·n_heads·d_head] product), and so is the
// attention score of every (query token at "=", key token, key position,
// head), a [P+1, P+1, 3, n_heads] table. Per example, the scores and the
// values are then looked up (Gather; its gradient is a ScatterSum):
//
//	score[b,i,h] = q_h(t_b2, 2) · k_h(t_bi, i) / √d_head
//	z[b,h]       = Σ_i softmax_i(score[b,·,h]) · v_h(t_bi, i)
//
// This is the same function in exact arithmetic (float32 rounding differs at
// the 1e-7 relative level), and it removes every per-example matmul before
// W_O. Measured on 2 cores (p = 113, 3,830 rows, one full-batch SGD
// training step): ≈68 ms with the tables, ≈107 ms projecting per example
// (BenchmarkNandaGradStep vs BenchmarkNandaUnfoldedGradStep compare the two
// on forward, backward and an SGD update).
//
// Parameter names and shapes follow TransformerLens:
//
//	embed.W_E            [P+1, d_model]
//	pos_embed.W_pos      [3, d_model]
//	blocks.0.attn.W_Q    [n_heads, d_model, d_head]   (also W_K, W_V)
//	blocks.0.attn.W_O    [n_heads, d_head, d_model]
//	blocks.0.mlp.W_in    [d_model, d_mlp]
//	blocks.0.mlp.b_in    [d_mlp]
//	blocks.0.mlp.W_out   [d_mlp, d_model]
//	blocks.0.mlp.b_out   [d_model]
//	unembed.W_U          [d_model, P]
//
// Initialisation follows Nanda's code: every matrix is normal with standard
// deviation 1/√d_model, except W_U with 1/√d_vocab (d_vocab = P+1, as in
// Nanda's code whose unembedding had P+1 outputs; ours has P since "=" is
// never a label); biases are zero.
type Nanda struct {
	cfg Config

	// unfolded projects the embedded residual stream of every example onto the
	// query, keys and values instead of using the tables. Same function; kept
	// for the benchmark that compares them, and tested like the default.
	unfolded bool
}

// NCtx is the transformer's context length: the tokens a, b and "=".
const NCtx = 3

func init() {
	Register(Description{
		Name:    "nanda",
		Summary: "Nanda et al.'s one-layer transformer",
		Sizes:   []string{"d-model", "n-heads", "d-head", "d-mlp", AttentionRateFlag},
		Defaults: func(p int) Config {
			return Config{P: p, DModel: 128, NHeads: 4, DHead: 32, DMLP: 512, DType: dtypes.Float32}
		},
		New:    func(c Config) (Model, error) { return NewNanda(c) },
		Equals: true,
		// Only the "=" position goes past attention: residual and its
		// attention output, q/k/v, MLP pre/post, logits.
		ActivationsPerRow: func(c Config) int64 { return int64(12*c.DModel + 4*c.DMLP + 4*c.P) },
		Analyses:          []string{AnalysisFourier, AnalysisDetect},
	})
}

// NewNanda returns Nanda's transformer with the sizes in cfg (all must be set).
func NewNanda(cfg Config) (*Nanda, error) {
	if cfg.P < 2 || cfg.DModel < 1 || cfg.NHeads < 1 || cfg.DHead < 1 || cfg.DMLP < 1 {
		return nil, fmt.Errorf("model nanda: invalid sizes %+v", cfg)
	}
	cfg.DType = cfg.dtype()
	return &Nanda{cfg: cfg}, nil
}

// Name implements Model.
func (m *Nanda) Name() string { return "nanda" }

// Config implements Model.
func (m *Nanda) Config() Config { return m.cfg }

// Params implements Model.
func (m *Nanda) Params() []ParamSpec {
	c := m.cfg
	vocab := c.P + 1
	std := 1 / math.Sqrt(float64(c.DModel))
	return []ParamSpec{
		{Name: "embed.W_E", Shape: []int{vocab, c.DModel}, Std: std},
		{Name: "pos_embed.W_pos", Shape: []int{NCtx, c.DModel}, Std: std},
		{Name: "blocks.0.attn.W_Q", Shape: []int{c.NHeads, c.DModel, c.DHead}, Std: std},
		{Name: "blocks.0.attn.W_K", Shape: []int{c.NHeads, c.DModel, c.DHead}, Std: std},
		{Name: "blocks.0.attn.W_V", Shape: []int{c.NHeads, c.DModel, c.DHead}, Std: std},
		{Name: "blocks.0.attn.W_O", Shape: []int{c.NHeads, c.DHead, c.DModel}, Std: std},
		{Name: "blocks.0.mlp.W_in", Shape: []int{c.DModel, c.DMLP}, Std: std},
		{Name: "blocks.0.mlp.b_in", Shape: []int{c.DMLP}, Std: 0},
		{Name: "blocks.0.mlp.W_out", Shape: []int{c.DMLP, c.DModel}, Std: std},
		{Name: "blocks.0.mlp.b_out", Shape: []int{c.DModel}, Std: 0},
		{Name: "unembed.W_U", Shape: []int{c.DModel, c.P}, Std: 1 / math.Sqrt(float64(vocab))},
	}
}

// Forward implements Model: inputs int32 [batch, 3] (a, b, "=") or [batch, 2]
// (a, b; the "=" token P is appended); returns logits [batch, P]. Tokens must
// lie in [0, P] (Gather clamps out-of-range indices instead of failing).
func (m *Nanda) Forward(scope *gomlx.Scope, inputs *Node) *Node {
	return m.forward(scope, inputs).logits
}

// Hidden implements Hidden: the MLP's post-ReLU activations at "="
// [batch, d_mlp], the neurons that Nanda et al. cluster by frequency.
func (m *Nanda) Hidden(scope *gomlx.Scope, inputs *Node) *Node {
	return m.forward(scope, inputs).post
}

// nandaNodes are the forward pass's intermediate values at "=" (see Hooks).
type nandaNodes struct {
	tokens                                     *Node // [batch, 3]
	residPre, attnOut, residMid, mlpOut, resid *Node // [batch, d_model]
	pattern                                    *Node // [batch, 3, heads]
	z                                          *Node // [batch, heads, d_head]
	pre, post                                  *Node // [batch, d_mlp]
	logits                                     *Node // [batch, P]
	w                                          map[string]*Node
}

// forward builds the network at "=" and returns its intermediate values.
func (m *Nanda) forward(scope *gomlx.Scope, inputs *Node) nandaNodes {
	checkInputs("nanda", inputs, 2, 3)
	c := m.cfg
	g := inputs.Graph()
	batch := inputs.Shape().Dimensions[0]
	w := make(map[string]*Node)
	for _, spec := range m.Params() {
		w[spec.Name] = paramNode(scope, g, spec, c.DType)
	}
	W_E, W_pos := w["embed.W_E"], w["pos_embed.W_pos"]                                      // [P+1, d_model], [3, d_model]
	W_Q, W_K, W_V := w["blocks.0.attn.W_Q"], w["blocks.0.attn.W_K"], w["blocks.0.attn.W_V"] // [heads, d_model, d_head] each
	W_O := w["blocks.0.attn.W_O"]                                                           // [heads, d_head, d_model]

	tokens := inputs // [batch, 3]
	if inputs.Shape().Dimensions[1] == 2 {
		equals := AddScalar(ZerosLike(SliceAxis(inputs, 1, AxisElem(0))), c.P) // [batch, 1]
		tokens = Concatenate([]*Node{inputs, equals}, 1)                       // [batch, 3]
	}
	last := NCtx - 1
	lastToken := SliceAxis(tokens, 1, AxisElem(last))                            // [batch, 1]
	residPre := Add(gather(W_E, lastToken), SliceAxis(W_pos, 0, AxisElem(last))) // [batch, d_model]: resid_pre at "="

	var scores, v *Node // [batch, 3, heads] and [batch, 3, heads, d_head]
	if m.unfolded {
		// Per example: embed every position, project the query, keys and values.
		resid := Add(gather(W_E, InsertAxes(tokens, -1)), InsertAxes(W_pos, 0)) // [batch, 3, d_model]
		q := Dot(residPre, W_Q).General([]int{1}, nil, []int{1}, nil)           // [batch, heads, d_head]
		k := Dot(resid, W_K).General([]int{2}, nil, []int{1}, nil)              // [batch, 3, heads, d_head]
		v = Dot(resid, W_V).General([]int{2}, nil, []int{1}, nil)               // [batch, 3, heads, d_head]
		scores = ReduceSum(Mul(InsertAxes(q, 1), k), -1)                        // [batch, 3, heads]: q·k
	} else {
		// Tables over (token, position), see the type's comment.
		residTable := Add(InsertAxes(W_E, 1), InsertAxes(W_pos, 0))                   // [P+1, 3, d_model]
		W_QKV := Stack([]*Node{W_Q, W_K, W_V}, 0)                                     // [3, heads, d_model, d_head]
		qkv := Dot(residTable, W_QKV).General([]int{2}, nil, []int{2}, nil)           // [P+1, 3, 3, heads, d_head]: token, position, q/k/v
		qTable := Squeeze(Slice(qkv, AxisRange(), AxisElem(last), AxisElem(0)), 1, 2) // [P+1, heads, d_head]: queries at "="
		kTable := Squeeze(SliceAxis(qkv, 2, AxisElem(1)), 2)                          // [P+1, 3, heads, d_head]
		vTable := Squeeze(SliceAxis(qkv, 2, AxisElem(2)), 2)                          // [P+1, 3, heads, d_head]
		scoreTable := Einsum("qhd,kihd->qkih", qTable, kTable)                        // [P+1, P+1, 3, heads]: q·k

		// Per example: look the scores and values up.
		position := Iota(g, shapes.Make(tokens.DType(), batch, NCtx), 1)              // [batch, 3]: i
		queryToken := BroadcastToDims(lastToken, batch, NCtx)                         // [batch, 3]: t at "="
		scores = gather(scoreTable, Stack([]*Node{queryToken, tokens, position}, -1)) // [batch, 3, heads]
		v = gather(vTable, Stack([]*Node{tokens, position}, -1))                      // [batch, 3, heads, d_head]
	}
	scores = MulScalar(scores, 1/math.Sqrt(float64(c.DHead)))                                        // [batch, 3, heads]
	pattern := attentionRate(softmax(scores, 1), c.ConstantAttention)                                // [batch, 3, heads]: "=" sees all 3 positions, no mask
	z := attend(pattern, v)                                                                          // [batch, heads, d_head]
	attnOut := matmul(Reshape(z, batch, c.NHeads*c.DHead), Reshape(W_O, c.NHeads*c.DHead, c.DModel)) // [batch, d_model]
	residMid := Add(residPre, attnOut)                                                               // [batch, d_model]

	// MLP at "=".
	pre := Add(matmul(residMid, w["blocks.0.mlp.W_in"]), InsertAxes(w["blocks.0.mlp.b_in"], 0))  // [batch, d_mlp]
	post := relu(pre)                                                                            // [batch, d_mlp]
	mlpOut := Add(matmul(post, w["blocks.0.mlp.W_out"]), InsertAxes(w["blocks.0.mlp.b_out"], 0)) // [batch, d_model]
	residPost := Add(residMid, mlpOut)                                                           // [batch, d_model]

	return nandaNodes{tokens: tokens, residPre: residPre, attnOut: attnOut, residMid: residMid, mlpOut: mlpOut, resid: residPost,
		pattern: pattern, z: z, pre: pre, post: post, logits: matmul(residPost, w["unembed.W_U"]), w: w} // logits [batch, P] at "="
}

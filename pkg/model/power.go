package model

import (
	"fmt"
	"github.com/gomlx/compute/dtypes"
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// Power is the two-layer decoder-only transformer of Power et al. 2022
// ("Grokking: generalization beyond overfitting"). By default it is the
// network the paper's code builds (openai/grok, grok/transformer.py):
//
//   - input tokens [a, b, =], where "=" is token P; vocabulary P+1; 3 positions
//     (the original's sequences also hold the operator token);
//   - token embedding W_E plus the fixed sinusoidal positions (Config.Pos
//     PosSinusoidal: sin(pos/10000^(i/d)) at even i, cos(pos/10000^((i−1)/d))
//     at odd i);
//   - n_layers (2) post-LayerNorm blocks (Config.Norm NormPost), each
//     x = LN1(x + Attn(x)), causal multi-head attention (n_heads 4,
//     d_head = d_model/n_heads, softmax of q·k/√d_head over the positions
//     up to the query's), W_Q, W_K, W_V, W_O without biases;
//     x = LN2(x + FFN(x)), FFN(h) = ReLU(h·W_in)·W_out of width d_mlp
//     (4·d_model), no biases;
//   - the unembedding W_U (no bias, no final LayerNorm), logits over the P
//     classes read at the "=" position (the last);
//   - PyTorch's initialisation (Config.Init InitPyTorch): W_E N(0, 1) as
//     nn.Embedding, every linear layer uniform on ±1/√fan_in as nn.Linear.
//
// NormPre gives TransformerLens's form instead, x = x + Attn(LN1(x)),
// x = x + MLP(LN2(x)) with MLP(h) = ReLU(h·W_in + b_in)·W_out + b_out and a
// final LayerNorm before W_U; PosLearned a learned W_pos; InitNanda Nanda's
// initialisation (every matrix normal 1/√d_model, W_U 1/√(P+1), biases 0).
// pre/learned/nanda is the network this toolkit trained as power before it
// had these choices (and how a run without them in config.json is read).
//
// LayerNorm is PyTorch's over d_model: (x − mean)/√(var + 1e-5)·w + b with
// the biased variance, a gain w (starting at 1) and a bias b.
//
// Computing only what reaches the logits. The logits depend on the residual
// stream at "=" after the last block. Every block but the last computes all 3
// positions (their outputs are the keys and values of the next block); the
// last block computes its keys and values at all 3 positions but its query,
// attention output and MLP at "=" alone, and "=" attends to every position,
// so its causal mask removes nothing. The tests check this against a plain-Go
// implementation that computes every position of every block with the mask.
//
// Parameter names and shapes follow TransformerLens ({l} = 0 … n_layers−1),
// for the parameters each form has:
//
//	embed.W_E              [P+1, d_model]
//	pos_embed.W_pos        [3, d_model]      (learned positions)
//	blocks.{l}.ln1.w       [d_model]         (also ln1.b, ln2.w, ln2.b)
//	blocks.{l}.attn.W_Q    [n_heads, d_model, d_head]   (also W_K, W_V)
//	blocks.{l}.attn.W_O    [n_heads, d_head, d_model]
//	blocks.{l}.mlp.W_in    [d_model, d_mlp]
//	blocks.{l}.mlp.b_in    [d_mlp]           (pre-LN)
//	blocks.{l}.mlp.W_out   [d_mlp, d_model]
//	blocks.{l}.mlp.b_out   [d_model]         (pre-LN)
//	ln_final.w             [d_model]         (pre-LN; also ln_final.b)
//	unembed.W_U            [d_model, P]
type Power struct {
	cfg Config
}

// powerLNEps is the ε of every LayerNorm (PyTorch's default).
const powerLNEps = 1e-5

// Power's choices (Config.Norm, Pos, Init).
const (
	NormPost      = "post"       // the original: x = LN(x + Attn(x)); x = LN(x + FFN(x)); no biases, no final LN
	NormPre       = "pre"        // TransformerLens: x = x + Attn(LN(x)); x = x + MLP(LN(x)); MLP biases; a final LN
	PosSinusoidal = "sinusoidal" // the original's fixed encoding
	PosLearned    = "learned"    // W_pos
	InitPyTorch   = "pytorch"    // PyTorch's defaults, as the original's modules draw them
	InitNanda     = "nanda"      // normal 1/√d_model (W_U 1/√(P+1)), biases 0
)

// powerSizes fills the sizes of cfg that are zero with Power's defaults:
// d_model 128, 4 heads, 2 layers, d_head = d_model/n_heads, d_mlp = 4·d_model.
func powerSizes(cfg Config) (Config, error) {
	fill := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	fill(&cfg.DModel, 128)
	fill(&cfg.NHeads, 4)
	fill(&cfg.NLayers, 2)
	if cfg.DHead == 0 && cfg.NHeads > 0 {
		if cfg.DModel%cfg.NHeads != 0 {
			return cfg, fmt.Errorf("model power: d_model %d is not a multiple of n_heads %d (give d_head)", cfg.DModel, cfg.NHeads)
		}
		cfg.DHead = cfg.DModel / cfg.NHeads
	}
	fill(&cfg.DMLP, 4*cfg.DModel)
	return cfg, nil
}

func init() {
	Register(Description{
		Name:    "power",
		Summary: "Power et al.'s two-layer transformer with LayerNorm",
		Sizes:   []string{"d-model", "n-heads", "d-head", "d-mlp", "n-layers", NormFlag, PosFlag, InitFlag},
		Defaults: func(p int) Config {
			return Config{P: p, DModel: 128, NHeads: 4, DHead: 32, DMLP: 512, NLayers: 2, DType: dtypes.Float32,
				Norm: NormPost, Pos: PosSinusoidal, Init: InitPyTorch}
		},
		Derive: powerSizes,
		// Runs recorded before these choices trained the TransformerLens form.
		Before: map[string]string{NormFlag: NormPre, PosFlag: PosLearned, InitFlag: InitNanda},
		New:    func(c Config) (Model, error) { return NewPower(c) },
		Equals: true,
		// Every position of every layer: residual, LayerNorms, q/k/v, MLP.
		ActivationsPerRow: func(c Config) int64 {
			return int64(max(c.NLayers, 1)*NCtx*(12*c.DModel+4*c.DMLP) + 4*c.P)
		},
	})
}

// NewPower returns Power et al.'s transformer with the sizes in cfg (all must
// be set).
func NewPower(cfg Config) (*Power, error) {
	if cfg.P < 2 || cfg.DModel < 1 || cfg.NHeads < 1 || cfg.DHead < 1 || cfg.DMLP < 1 || cfg.NLayers < 1 {
		return nil, fmt.Errorf("model power: invalid sizes %+v", cfg)
	}
	for _, c := range []struct{ name, value, a, b string }{
		{NormFlag, cfg.Norm, NormPost, NormPre}, {PosFlag, cfg.Pos, PosSinusoidal, PosLearned}, {InitFlag, cfg.Init, InitPyTorch, InitNanda},
	} {
		if c.value != c.a && c.value != c.b {
			return nil, fmt.Errorf("model power: %s %q is not %s or %s", c.name, c.value, c.a, c.b)
		}
	}
	cfg.DType = cfg.dtype()
	return &Power{cfg: cfg}, nil
}

// Name implements Model.
func (m *Power) Name() string { return "power" }

// Config implements Model.
func (m *Power) Config() Config { return m.cfg }

// Params implements Model.
func (m *Power) Params() []ParamSpec {
	c := m.cfg
	vocab := c.P + 1
	pre := c.Norm == NormPre
	std := 1 / math.Sqrt(float64(c.DModel))
	// weight is a matrix of a linear layer with fanIn inputs: nn.Linear's
	// uniform ±1/√fan_in, or Nanda's normal 1/√d_model.
	weight := func(name string, shape []int, fanIn int) ParamSpec {
		if c.Init == InitPyTorch {
			return ParamSpec{Name: name, Shape: shape, Bound: 1 / math.Sqrt(float64(fanIn))}
		}
		return ParamSpec{Name: name, Shape: shape, Std: std}
	}
	// bias is nn.Linear's bias (the same bound as its weight), or zeros.
	bias := func(name string, n, fanIn int) ParamSpec {
		if c.Init == InitPyTorch {
			return ParamSpec{Name: name, Shape: []int{n}, Bound: 1 / math.Sqrt(float64(fanIn))}
		}
		return ParamSpec{Name: name, Shape: []int{n}}
	}
	embedding := func(name string, rows int) ParamSpec { // nn.Embedding: N(0, 1)
		if c.Init == InitPyTorch {
			return ParamSpec{Name: name, Shape: []int{rows, c.DModel}, Std: 1}
		}
		return ParamSpec{Name: name, Shape: []int{rows, c.DModel}, Std: std}
	}
	layerNormParams := func(name string) []ParamSpec { // gain 1 (see InitValue), bias 0
		return []ParamSpec{{Name: name + ".w", Shape: []int{c.DModel}}, {Name: name + ".b", Shape: []int{c.DModel}}}
	}
	specs := []ParamSpec{embedding("embed.W_E", vocab)}
	if c.Pos == PosLearned {
		specs = append(specs, embedding("pos_embed.W_pos", NCtx))
	}
	for l := range c.NLayers {
		p := fmt.Sprintf("blocks.%d.", l)
		if pre {
			specs = append(specs, layerNormParams(p+"ln1")...)
		}
		specs = append(specs,
			weight(p+"attn.W_Q", []int{c.NHeads, c.DModel, c.DHead}, c.DModel),
			weight(p+"attn.W_K", []int{c.NHeads, c.DModel, c.DHead}, c.DModel),
			weight(p+"attn.W_V", []int{c.NHeads, c.DModel, c.DHead}, c.DModel),
			weight(p+"attn.W_O", []int{c.NHeads, c.DHead, c.DModel}, c.NHeads*c.DHead))
		if pre {
			specs = append(specs, layerNormParams(p+"ln2")...) // before the MLP
		} else {
			specs = append(specs, layerNormParams(p+"ln1")...) // after the attention
		}
		specs = append(specs, weight(p+"mlp.W_in", []int{c.DModel, c.DMLP}, c.DModel))
		if pre {
			specs = append(specs, bias(p+"mlp.b_in", c.DMLP, c.DModel))
		}
		specs = append(specs, weight(p+"mlp.W_out", []int{c.DMLP, c.DModel}, c.DMLP))
		if pre {
			specs = append(specs, bias(p+"mlp.b_out", c.DModel, c.DMLP))
		} else {
			specs = append(specs, layerNormParams(p+"ln2")...)
		}
	}
	if pre {
		specs = append(specs, layerNormParams("ln_final")...)
	}
	unembed := weight("unembed.W_U", []int{c.DModel, c.P}, c.DModel)
	if c.Init == InitNanda {
		unembed.Std = 1 / math.Sqrt(float64(vocab))
	}
	return append(specs, unembed)
}

// InitValue implements ConstantInit: the LayerNorm gains (ln1.w, ln2.w,
// ln_final.w) start at 1; every other parameter with Std 0 at 0.
func (m *Power) InitValue(name string) float64 {
	if isLayerNormGain(name) {
		return 1
	}
	return 0
}

// isLayerNormGain reports whether name is a LayerNorm gain of Power.
func isLayerNormGain(name string) bool {
	n := len(name)
	return name == "ln_final.w" || (n > 6 && (name[n-6:] == ".ln1.w" || name[n-6:] == ".ln2.w"))
}

// Forward implements Model: inputs int32 [batch, 3] (a, b, "=") or [batch, 2]
// (a, b; the "=" token P is appended); returns logits [batch, P]. Tokens must
// lie in [0, P] (Gather clamps out-of-range indices instead of failing).
func (m *Power) Forward(scope *gomlx.Scope, inputs *Node) *Node {
	logits, _ := m.forward(scope, inputs)
	return logits
}

// Hidden implements Hidden: the last block's MLP post-ReLU activations at "="
// [batch, d_mlp].
func (m *Power) Hidden(scope *gomlx.Scope, inputs *Node) *Node {
	_, post := m.forward(scope, inputs)
	return post
}

// forward returns the logits [batch, P] and the last block's MLP activations
// at "=" [batch, d_mlp].
func (m *Power) forward(scope *gomlx.Scope, inputs *Node) (logits, post *Node) {
	checkInputs("power", inputs, 2, 3)
	c := m.cfg
	g := inputs.Graph()
	batch := inputs.Shape().Dimensions[0]
	w := make(map[string]*Node)
	for _, spec := range m.Params() {
		w[spec.Name] = paramNode(scope, g, spec, c.DType)
	}

	tokens := inputs // [batch, 3]
	if inputs.Shape().Dimensions[1] == 2 {
		equals := AddScalar(ZerosLike(SliceAxis(inputs, 1, AxisElem(0))), c.P) // [batch, 1]
		tokens = Concatenate([]*Node{inputs, equals}, 1)                       // [batch, 3]
	}
	last := NCtx - 1
	pre := c.Norm == NormPre
	positions := ConstAsDType(g, c.DType, sinusoids(c.DModel)) // [3, d_model]
	if c.Pos == PosLearned {
		positions = w["pos_embed.W_pos"] // [3, d_model]
	}
	x := Add(gather(w["embed.W_E"], InsertAxes(tokens, -1)), InsertAxes(positions, 0)) // [batch, 3, d_model]: resid_pre of block 0

	// mask is added to the scores of every position's query: 0 where the key's
	// position is at most the query's, −1e9 (exp rounds it to 0) after it.
	maskValues := make([][]float64, NCtx)
	for qi := range NCtx {
		maskValues[qi] = make([]float64, NCtx)
		for ki := qi + 1; ki < NCtx; ki++ {
			maskValues[qi][ki] = -1e9
		}
	}
	mask := Reshape(ConstAsDType(g, c.DType, maskValues), 1, 1, NCtx, NCtx) // [1, 1, 3 query, 3 key]
	scale := 1 / math.Sqrt(float64(c.DHead))

	for l := range c.NLayers {
		p := fmt.Sprintf("blocks.%d.", l)
		final := l == c.NLayers-1
		W_Q, W_K, W_V := w[p+"attn.W_Q"], w[p+"attn.W_K"], w[p+"attn.W_V"] // [heads, d_model, d_head] each
		W_O := w[p+"attn.W_O"]                                             // [heads, d_head, d_model]

		// Attention. Queries at every position (nq = 3), or at "=" alone (nq = 1) in the last block.
		h := x // [batch, 3, d_model]
		if pre {
			h = layerNorm(x, w[p+"ln1.w"], w[p+"ln1.b"])
		}
		hq := h // [batch, nq, d_model]
		if final {
			hq = SliceAxis(h, 1, AxisElem(last)) // [batch, 1, d_model]
			x = SliceAxis(x, 1, AxisElem(last))  // [batch, 1, d_model]: only "=" is carried on
		}
		q := Dot(hq, W_Q).General([]int{2}, nil, []int{1}, nil)                   // [batch, nq, heads, d_head]
		k := Dot(h, W_K).General([]int{2}, nil, []int{1}, nil)                    // [batch, 3, heads, d_head]
		v := Dot(h, W_V).General([]int{2}, nil, []int{1}, nil)                    // [batch, 3, heads, d_head]
		scores := Dot(q, k).General([]int{3}, []int{0, 2}, []int{3}, []int{0, 2}) // [batch, heads, nq, 3]: q·k
		scores = MulScalar(scores, scale)                                         // [batch, heads, nq, 3]
		if !final {
			scores = Add(scores, mask) // [batch, heads, 3, 3]: causal; "=" (the last block's only query) sees all
		}
		pattern := softmax(scores, -1)                                             // [batch, heads, nq, 3]
		z := Dot(pattern, v).General([]int{3}, []int{0, 1}, []int{1}, []int{0, 2}) // [batch, heads, nq, d_head]
		attnOut := Dot(z, W_O).General([]int{1, 3}, nil, []int{0, 1}, nil)         // [batch, nq, d_model]
		x = Add(x, attnOut)                                                        // [batch, nq, d_model]: resid_mid
		if !pre {
			x = layerNorm(x, w[p+"ln1.w"], w[p+"ln1.b"]) // post-LN: LN(x + Attn(x))
		}

		// MLP (the original's FFN: no biases).
		h = x // [batch, nq, d_model]
		if pre {
			h = layerNorm(x, w[p+"ln2.w"], w[p+"ln2.b"])
		}
		hidden := matmul(h, w[p+"mlp.W_in"]) // [batch, nq, d_mlp]
		if pre {
			hidden = Add(hidden, rank3(w[p+"mlp.b_in"]))
		}
		post = relu(hidden)                      // [batch, nq, d_mlp]
		mlpOut := matmul(post, w[p+"mlp.W_out"]) // [batch, nq, d_model]
		if pre {
			mlpOut = Add(mlpOut, rank3(w[p+"mlp.b_out"]))
		}
		x = Add(x, mlpOut) // [batch, nq, d_model]: resid_post
		if !pre {
			x = layerNorm(x, w[p+"ln2.w"], w[p+"ln2.b"]) // post-LN: LN(x + FFN(x))
		}
	}

	x = Reshape(x, batch, c.DModel) // [batch, d_model]: at "="
	if pre {
		x = layerNorm(x, w["ln_final.w"], w["ln_final.b"])
	}
	logits = matmul(x, w["unembed.W_U"])        // [batch, P]
	return logits, Reshape(post, batch, c.DMLP) // [batch, P], [batch, d_mlp]
}

// sinusoids is the original code's positional encoding [3][d_model]:
// sin(pos/10000^(i/d)) at even i, cos(pos/10000^((i−1)/d)) at odd i.
func sinusoids(d int) [][]float64 {
	pe := make([][]float64, NCtx)
	for pos := range NCtx {
		pe[pos] = make([]float64, d)
		for i := range d {
			if i%2 == 0 {
				pe[pos][i] = math.Sin(float64(pos) / math.Pow(10000, float64(i)/float64(d)))
			} else {
				pe[pos][i] = math.Cos(float64(pos) / math.Pow(10000, float64(i-1)/float64(d)))
			}
		}
	}
	return pe
}

// rank3 is a bias [n] as [1, 1, n], to add to [batch, positions, n].
func rank3(bias *Node) *Node { return ExpandLeftToRank(bias, 3) }

// layerNorm is PyTorch's LayerNorm over the last axis of x [..., d]:
// (x − mean)/√(var + ε)·gain + bias, with the biased variance; gain and bias
// are [d]. Built from basic ops (ReduceMean, Sqrt, Div) whose GoMLX gradients
// run no Exp node.
func layerNorm(x, gain, bias *Node) *Node {
	mean := ReduceAndKeep(x, ReduceMean, -1)                      // [..., 1]
	centred := Sub(x, mean)                                       // [..., d]
	variance := ReduceAndKeep(Square(centred), ReduceMean, -1)    // [..., 1]
	normed := Div(centred, Sqrt(AddScalar(variance, powerLNEps))) // [..., d]
	rank := x.Rank()
	return Add(Mul(normed, ExpandLeftToRank(gain, rank)), ExpandLeftToRank(bias, rank)) // [..., d]
}

package model

// TransformerLens. A run's model.safetensors is meant to load into
// TransformerLens's HookedTransformer as it is. Our transformers already use
// its parameter names and shapes; what its state dict has beyond them are
// parameters our networks do not train, which hold constants:
//
//	blocks.{l}.attn.b_Q, b_K, b_V   [n_heads, d_head]   zeros (no attention biases)
//	blocks.{l}.attn.b_O             [d_model]           zeros
//	unembed.b_U                     [d_vocab_out]       zeros (no unembedding bias)
//	pos_embed.W_pos                 [n_ctx, d_model]    power's fixed sinusoids (--pos sinusoidal)
//
// and two buffers per block, blocks.{l}.attn.mask and blocks.{l}.attn.IGNORE
// (−inf), which HookedTransformer builds itself (mask: the [n_ctx, n_ctx]
// causal mask in TransformerLens 2.x, empty in 3.x) and which
// scripts/load_run.py copies from the model into the state dict it builds
// (so that a strict load_state_dict checks every parameter): the file holds
// float tensors only. The file's metadata carries, under HookedConfigKey, the
// HookedTransformerConfig keyword arguments that build the same function; a
// network it cannot express has NotHookedKey instead, saying why.
//
// Which networks TransformerLens expresses:
//   - nanda (one block, no LayerNorm, learned positions, ReLU MLP with
//     biases, P outputs for P+1 input tokens: d_vocab_out = P), unless its
//     attention rate is below 1 (fit --attention-rate: the pattern is
//     α·softmax + 1 − α, which no HookedTransformer computes);
//   - power --norm pre (TransformerLens's own pre-LayerNorm blocks, MLP
//     biases, a final LayerNorm), with learned positions or with the fixed
//     sinusoids written as W_pos (the same function; TransformerLens would
//     train them, this network does not);
//   - not power --norm post, the original's default: x = LN(x + Attn(x)),
//     x = LN(x + FFN(x)); HookedTransformer's blocks normalise before the
//     attention and the MLP, never after the residual sum.
//
// Our own readers drop these tensors (OwnParams) after checking that they
// hold exactly those constants; files from before they were written have
// none and read as before. Checkpoints do not carry them.

import (
	"encoding/json"
	"fmt"
)

// Metadata keys of model.safetensors for TransformerLens.
const (
	// HookedConfigKey holds, as a JSON object, the keyword arguments of
	// TransformerLens's HookedTransformerConfig that build the network.
	HookedConfigKey = "hooked_transformer_config"
	// NotHookedKey holds, for a transformer TransformerLens cannot
	// express, why.
	NotHookedKey = "hooked_transformer_unsupported"
)

// HookedConfig is the part of TransformerLens's HookedTransformerConfig
// that decides the function (every field whose default would not do is
// given, and a few whose default would, so that the record does not depend
// on TransformerLens's defaults). JSON field order is the struct's.
type HookedConfig struct {
	NLayers   int    `json:"n_layers"`
	DModel    int    `json:"d_model"`
	DHead     int    `json:"d_head"`
	NHeads    int    `json:"n_heads"`
	DMLP      int    `json:"d_mlp"`
	DVocab    int    `json:"d_vocab"`     // P+1: the numbers and "="
	DVocabOut int    `json:"d_vocab_out"` // P: "=" is never an answer
	NCtx      int    `json:"n_ctx"`       // 3: a, b, "="
	ActFn     string `json:"act_fn"`
	// NormalizationType is "LN" or nil (JSON null, Python None: none;
	// HookedTransformerConfig's default is "LN").
	NormalizationType       *string `json:"normalization_type"`
	Eps                     float64 `json:"eps"`
	AttnOnly                bool    `json:"attn_only"`
	AttentionDir            string  `json:"attention_dir"`
	UseAttnScale            bool    `json:"use_attn_scale"` // scores / √d_head
	PositionalEmbeddingType string  `json:"positional_embedding_type"`
}

// hookedForm is implemented by the networks whose form TransformerLens may
// express: the config and the constant tensors its state dict has beyond
// the network's parameters, or why it cannot.
type hookedForm interface {
	hooked() (HookedConfig, map[string]Array, error)
}

// AddTransformerLens adds to the tensors and metadata of a safetensors file
// of m's parameters what TransformerLens's HookedTransformer needs beyond
// them (see above): the constant tensors and HookedConfigKey, or
// NotHookedKey for a transformer it cannot express. Other networks get
// nothing.
func AddTransformerLens(m Model, params map[string]Array, metadata map[string]string) {
	f, ok := m.(hookedForm)
	if !ok {
		return
	}
	cfg, extra, err := f.hooked()
	if err != nil {
		metadata[NotHookedKey] = err.Error()
		return
	}
	js, _ := json.Marshal(cfg) // only ints, strings, bools and a float
	metadata[HookedConfigKey] = string(js)
	for name, a := range extra {
		if _, dup := params[name]; !dup { // never: none is a parameter of m
			params[name] = a
		}
	}
}

// OwnParams returns the tensors of params less those AddTransformerLens
// adds for m, each of which must hold exactly the constant it writes. A
// tensor that is neither is kept (SetParams refuses it), and a file without
// them (written before they were, or a checkpoint) is returned as it is.
func OwnParams(m Model, params map[string]Array) (map[string]Array, error) {
	f, ok := m.(hookedForm)
	if !ok {
		return params, nil
	}
	_, extra, err := f.hooked()
	if err != nil {
		return params, nil
	}
	own := make(map[string]Array, len(params))
	for name, a := range params {
		want, isExtra := extra[name]
		if !isExtra {
			own[name] = a
			continue
		}
		if !equalInts(a.Shape, want.Shape) || len(a.Data) != len(want.Data) {
			return nil, fmt.Errorf("tensor %q for TransformerLens has shape %v, want %v", name, a.Shape, want.Shape)
		}
		for i, x := range a.Data {
			if x != want.Data[i] {
				return nil, fmt.Errorf("tensor %q for TransformerLens holds %v at %d, want %v: this network does not train it", name, x, i, want.Data[i])
			}
		}
	}
	return own, nil
}

// zeros is an Array of zeros.
func zeros(shape ...int) Array {
	a := Array{Shape: shape}
	a.Data = make([]float32, a.Size())
	return a
}

// attentionBiases adds block l's zero attention biases to extra.
func attentionBiases(extra map[string]Array, l int, c Config) {
	p := fmt.Sprintf("blocks.%d.attn.", l)
	extra[p+"b_Q"] = zeros(c.NHeads, c.DHead)
	extra[p+"b_K"] = zeros(c.NHeads, c.DHead)
	extra[p+"b_V"] = zeros(c.NHeads, c.DHead)
	extra[p+"b_O"] = zeros(c.DModel)
}

// hookedConfig is what nanda and power share.
func hookedConfig(c Config, layers int) HookedConfig {
	return HookedConfig{NLayers: layers, DModel: c.DModel, DHead: c.DHead, NHeads: c.NHeads, DMLP: c.DMLP,
		DVocab: c.P + 1, DVocabOut: c.P, NCtx: NCtx, ActFn: "relu", Eps: powerLNEps,
		AttentionDir: "causal", UseAttnScale: true, PositionalEmbeddingType: "standard"}
}

// hooked implements hookedForm: no LayerNorm, one block.
func (m *Nanda) hooked() (HookedConfig, map[string]Array, error) {
	c := m.cfg
	if c.ConstantAttention != 0 {
		return HookedConfig{}, nil, fmt.Errorf("attention rate %g: the pattern α·softmax + 1 − α is not HookedTransformer's attention", 1-c.ConstantAttention)
	}
	extra := map[string]Array{"unembed.b_U": zeros(c.P)}
	attentionBiases(extra, 0, c)
	return hookedConfig(c, 1), extra, nil
}

// hooked implements hookedForm: the pre-LayerNorm form.
func (m *Power) hooked() (HookedConfig, map[string]Array, error) {
	c := m.cfg
	if c.Norm != NormPre {
		return HookedConfig{}, nil, fmt.Errorf("norm %s: post-LayerNorm blocks, x = LN(x + Attn(x)), are not HookedTransformer's (its blocks are pre-LayerNorm, fit --norm pre)", c.Norm)
	}
	extra := map[string]Array{"unembed.b_U": zeros(c.P)}
	for l := range c.NLayers {
		attentionBiases(extra, l, c)
	}
	if c.Pos == PosSinusoidal {
		pos := zeros(NCtx, c.DModel)
		for i, row := range sinusoids(c.DModel) {
			for j, x := range row {
				pos.Data[i*c.DModel+j] = float32(x) // as the forward pass rounds them
			}
		}
		extra["pos_embed.W_pos"] = pos
	}
	ln := "LN"
	cfg := hookedConfig(c, c.NLayers)
	cfg.NormalizationType = &ln
	return cfg, extra, nil
}

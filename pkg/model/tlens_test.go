package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"testing"
)

// hookedStateShapes is the parameter list of TransformerLens's
// HookedTransformer (its state dict less the attention buffers mask and
// IGNORE), written from its modules: Embed (W_E [d_vocab, d_model]),
// PosEmbed (W_pos [n_ctx, d_model]), per block LayerNorm ln1 and ln2 (w, b
// [d_model], only for normalization_type "LN"), Attention (W_Q, W_K, W_V
// [n_heads, d_model, d_head], W_O [n_heads, d_head, d_model], b_Q, b_K,
// b_V [n_heads, d_head], b_O [d_model]), MLP (W_in [d_model, d_mlp], b_in
// [d_mlp], W_out [d_mlp, d_model], b_out [d_model]), ln_final ("LN" only)
// and Unembed (W_U [d_model, d_vocab_out], b_U [d_vocab_out]).
func hookedStateShapes(c HookedConfig) map[string][]int {
	ln := c.NormalizationType != nil && *c.NormalizationType == "LN"
	s := map[string][]int{
		"embed.W_E":       {c.DVocab, c.DModel},
		"pos_embed.W_pos": {c.NCtx, c.DModel},
		"unembed.W_U":     {c.DModel, c.DVocabOut},
		"unembed.b_U":     {c.DVocabOut},
	}
	if ln {
		s["ln_final.w"], s["ln_final.b"] = []int{c.DModel}, []int{c.DModel}
	}
	for l := range c.NLayers {
		p := fmt.Sprintf("blocks.%d.", l)
		if ln {
			for _, n := range []string{"ln1.w", "ln1.b", "ln2.w", "ln2.b"} {
				s[p+n] = []int{c.DModel}
			}
		}
		for _, n := range []string{"W_Q", "W_K", "W_V"} {
			s[p+"attn."+n] = []int{c.NHeads, c.DModel, c.DHead}
		}
		s[p+"attn.W_O"] = []int{c.NHeads, c.DHead, c.DModel}
		for _, n := range []string{"b_Q", "b_K", "b_V"} {
			s[p+"attn."+n] = []int{c.NHeads, c.DHead}
		}
		s[p+"attn.b_O"] = []int{c.DModel}
		s[p+"mlp.W_in"], s[p+"mlp.b_in"] = []int{c.DModel, c.DMLP}, []int{c.DMLP}
		s[p+"mlp.W_out"], s[p+"mlp.b_out"] = []int{c.DMLP, c.DModel}, []int{c.DModel}
	}
	return s
}

// filled gives every parameter of m distinct nonzero values.
func filled(m Model) map[string]Array {
	ps := map[string]Array{}
	for k, s := range m.Params() {
		a := Array{Shape: s.Shape, Data: make([]float32, s.Size())}
		for i := range a.Data {
			a.Data[i] = float32(k+1) + float32(i)/1024
		}
		ps[s.Name] = a
	}
	return ps
}

// The transformers' files hold every tensor HookedTransformer's state dict
// has for the config in their metadata, with its shape; what they add to the
// parameters is zeros, or power's fixed positions.
func TestTransformerLensFile(t *testing.T) {
	ln := "LN"
	for _, c := range []struct {
		name   string
		m      func() (Model, error)
		want   HookedConfig
		sinPos bool
	}{
		{"nanda", func() (Model, error) { return NewNanda(Config{P: 7, DModel: 12, NHeads: 3, DHead: 4, DMLP: 20}) },
			HookedConfig{NLayers: 1, DModel: 12, DHead: 4, NHeads: 3, DMLP: 20, DVocab: 8, DVocabOut: 7, NCtx: 3, ActFn: "relu",
				Eps: 1e-5, AttentionDir: "causal", UseAttnScale: true, PositionalEmbeddingType: "standard"}, false},
		{"power pre learned", func() (Model, error) {
			return NewPower(Config{P: 5, DModel: 8, NHeads: 2, DHead: 3, DMLP: 16, NLayers: 2, Norm: NormPre, Pos: PosLearned, Init: InitNanda})
		}, HookedConfig{NLayers: 2, DModel: 8, DHead: 3, NHeads: 2, DMLP: 16, DVocab: 6, DVocabOut: 5, NCtx: 3, ActFn: "relu",
			NormalizationType: &ln, Eps: 1e-5, AttentionDir: "causal", UseAttnScale: true, PositionalEmbeddingType: "standard"}, false},
		{"power pre sinusoidal", func() (Model, error) {
			return NewPower(Config{P: 5, DModel: 8, NHeads: 2, DHead: 3, DMLP: 16, NLayers: 3, Norm: NormPre, Pos: PosSinusoidal, Init: InitPyTorch})
		}, HookedConfig{NLayers: 3, DModel: 8, DHead: 3, NHeads: 2, DMLP: 16, DVocab: 6, DVocabOut: 5, NCtx: 3, ActFn: "relu",
			NormalizationType: &ln, Eps: 1e-5, AttentionDir: "causal", UseAttnScale: true, PositionalEmbeddingType: "standard"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := c.m()
			if err != nil {
				t.Fatal(err)
			}
			ps := filled(m)
			meta := map[string]string{"step": "3"}
			AddTransformerLens(m, ps, meta)
			var buf bytes.Buffer
			if err := WriteSafetensors(&buf, ps, meta); err != nil {
				t.Fatal(err)
			}
			back, md, err := ReadSafetensors(&buf)
			if err != nil {
				t.Fatal(err)
			}

			// The metadata: HookedTransformerConfig's keyword arguments.
			var kw map[string]any
			if err := json.Unmarshal([]byte(md[HookedConfigKey]), &kw); err != nil {
				t.Fatalf("%s = %q: %v", HookedConfigKey, md[HookedConfigKey], err)
			}
			wantKW := map[string]any{"n_layers": float64(c.want.NLayers), "d_model": float64(c.want.DModel), "d_head": float64(c.want.DHead),
				"n_heads": float64(c.want.NHeads), "d_mlp": float64(c.want.DMLP), "d_vocab": float64(c.want.DVocab),
				"d_vocab_out": float64(c.want.DVocabOut), "n_ctx": 3.0, "act_fn": "relu", "normalization_type": nil, "eps": 1e-5,
				"attn_only": false, "attention_dir": "causal", "use_attn_scale": true, "positional_embedding_type": "standard"}
			if c.want.NormalizationType != nil {
				wantKW["normalization_type"] = "LN"
			}
			if !reflect.DeepEqual(kw, wantKW) {
				t.Errorf("config %v\nwant %v", kw, wantKW)
			}
			if _, bad := md[NotHookedKey]; bad || md["step"] != "3" {
				t.Errorf("metadata %v", md)
			}

			// Every tensor of the state dict, with its shape, and no other.
			want := hookedStateShapes(c.want)
			var got, missing []string
			for name, a := range back {
				got = append(got, name)
				if s, ok := want[name]; !ok || !reflect.DeepEqual(s, a.Shape) {
					t.Errorf("%s: shape %v, HookedTransformer's %v (%v)", name, a.Shape, s, ok)
				}
			}
			for name := range want {
				if _, ok := back[name]; !ok {
					missing = append(missing, name)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 || len(got) != len(want) {
				t.Errorf("missing %v; %d tensors, want %d", missing, len(got), len(want))
			}

			// The parameters as they were; the rest zero but the positions.
			for name, a := range back {
				if p, ok := ps[name]; ok && isParam(m, name) {
					if !reflect.DeepEqual(p.Data, a.Data) {
						t.Errorf("%s changed", name)
					}
					continue
				}
				for i, x := range a.Data {
					want := float32(0)
					if name == "pos_embed.W_pos" && c.sinPos {
						d := c.want.DModel
						pos, j := i/d, i%d
						angle := float64(pos) / math.Pow(10000, float64(j-j%2)/float64(d))
						want = float32(math.Sin(angle))
						if j%2 == 1 {
							want = float32(math.Cos(angle))
						}
					}
					if x != want {
						t.Fatalf("%s[%d] = %v, want %v", name, i, x, want)
					}
				}
			}

			// Read back, the added tensors are dropped.
			own, err := OwnParams(m, back)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(own, filled(m)) {
				t.Errorf("OwnParams kept %d tensors, want the %d parameters", len(own), len(m.Params()))
			}
		})
	}
}

func isParam(m Model, name string) bool {
	for _, s := range m.Params() {
		if s.Name == name {
			return true
		}
	}
	return false
}

// Networks TransformerLens cannot express say why, and get no tensors;
// the MLPs get nothing.
func TestTransformerLensRefuses(t *testing.T) {
	rate, _ := NewNanda(Config{P: 7, DModel: 8, NHeads: 2, DHead: 4, DMLP: 16, ConstantAttention: 0.25})
	post, _ := NewPower(Config{P: 7, DModel: 8, NHeads: 2, DHead: 4, DMLP: 16, NLayers: 2, Norm: NormPost, Pos: PosLearned, Init: InitNanda})
	gromov, err := ByName("gromov", Config{P: 7, Width: 8})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		m    Model
		want string // "" for nothing at all
	}{
		{rate, "attention rate 0.75: the pattern α·softmax + 1 − α is not HookedTransformer's attention"},
		{post, "norm post: post-LayerNorm blocks, x = LN(x + Attn(x)), are not HookedTransformer's (its blocks are pre-LayerNorm, fit --norm pre)"},
		{gromov, ""},
	} {
		ps := filled(c.m)
		meta := map[string]string{}
		AddTransformerLens(c.m, ps, meta)
		if len(ps) != len(c.m.Params()) {
			t.Errorf("%s: %d tensors for %d parameters", c.m.Name(), len(ps), len(c.m.Params()))
		}
		want := map[string]string{}
		if c.want != "" {
			want[NotHookedKey] = c.want
		}
		if !reflect.DeepEqual(meta, want) {
			t.Errorf("%s: metadata %q, want %q", c.m.Name(), meta, want)
		}
	}
}

// Reading: a file from before the tensors were added reads as it is; an
// added tensor that is not the constant this network never trains is
// refused, naming it.
func TestOwnParams(t *testing.T) {
	m, _ := NewNanda(Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8})
	old := filled(m)
	got, err := OwnParams(m, old)
	if err != nil || !reflect.DeepEqual(got, filled(m)) {
		t.Fatalf("a file without them: %v", err)
	}
	for _, c := range []struct {
		name string
		a    Array
		want string
	}{
		{"blocks.0.attn.b_K", Array{Shape: []int{2, 2}, Data: []float32{0, 0, 1e-30, 0}},
			`tensor "blocks.0.attn.b_K" for TransformerLens holds 1e-30 at 2, want 0: this network does not train it`},
		{"unembed.b_U", Array{Shape: []int{6}, Data: make([]float32, 6)},
			`tensor "unembed.b_U" for TransformerLens has shape [6], want [5]`},
		{"blocks.0.attn.b_O", Array{Shape: []int{4}, Data: []float32{0, float32(math.Copysign(0, -1)), 0, 0}}, ""}, // −0 == 0
	} {
		ps := filled(m)
		ps[c.name] = c.a
		own, err := OwnParams(m, ps)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want == "" && len(own) != len(m.Params()):
			t.Errorf("%s kept", c.name)
		case c.want != "" && (err == nil || err.Error() != c.want):
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// A tensor that is neither is kept, for SetParams to refuse.
	ps := filled(m)
	ps["blocks.0.attn.W_X"] = Array{Shape: []int{1}, Data: []float32{1}}
	if own, err := OwnParams(m, ps); err != nil || len(own) != len(m.Params())+1 {
		t.Errorf("unknown tensor: %d kept, %v", len(own), err)
	}
}

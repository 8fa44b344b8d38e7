package model

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// MLP is the ReLU network of Prieto et al. 2025 ("Grokking at the edge of
// numerical stability", models.py's MLP with hidden_sizes [200, 200]):
//
//	x  = one-hot(a) ‖ one-hot(b)                 (length 2P)
//	h1 = relu(W0·x + b0), h2 = relu(W1·h1 + b1), … (NLayers hidden layers of Width)
//	f  = W_L·h_L + b_L                           (P logits)
//
// Parameters are named as the reference's PyTorch state dict
// ("layers.0.weight" [Width, 2P], "layers.0.bias" [Width], …,
// "layers.L.weight" [P, Width]) and drawn as nn.Linear draws them: weights
// and biases uniform on ±1/√fan_in. Examples are rows; the first layer is a
// dense one-hot matmul (SIMD in the pure-Go backend, where a gather is not;
// see Gromov).
type MLP struct{ cfg Config }

func init() {
	Register(Description{
		Name:     "mlp",
		Summary:  "Prieto et al.'s ReLU MLP (a ‖ b one-hot, --n-layers hidden layers of --width, biases)",
		Sizes:    []string{"width", "n-layers"},
		Defaults: func(p int) Config { return Config{P: p, Width: 200, NLayers: 2, DType: dtypes.Float32} },
		New:      func(c Config) (Model, error) { return NewMLP(c) },
		ActivationsPerRow: func(c Config) int64 {
			return int64(2*c.P + 2*c.NLayers*c.Width + 2*c.P) // one-hot input, pre- and post-ReLU per layer, logits and their gradient
		},
	})
}

// NewMLP returns the ReLU MLP with modulus cfg.P, cfg.NLayers hidden layers
// of cfg.Width.
func NewMLP(cfg Config) (*MLP, error) {
	if cfg.P < 2 || cfg.Width < 1 || cfg.NLayers < 1 {
		return nil, fmt.Errorf("model mlp: invalid sizes P=%d width=%d n-layers=%d", cfg.P, cfg.Width, cfg.NLayers)
	}
	cfg.DType = cfg.dtype()
	return &MLP{cfg: cfg}, nil
}

// Name implements Model.
func (m *MLP) Name() string { return "mlp" }

// Config implements Model.
func (m *MLP) Config() Config { return m.cfg }

// Params implements Model: per layer l a weight [out, in] and a bias [out],
// PyTorch's layout and names.
func (m *MLP) Params() []ParamSpec {
	c := m.cfg
	var specs []ParamSpec
	in := 2 * c.P
	for l := 0; l <= c.NLayers; l++ {
		out := c.Width
		if l == c.NLayers {
			out = c.P
		}
		bound := 1 / math.Sqrt(float64(in)) // nn.Linear: U(±1/√fan_in) for weight and bias
		specs = append(specs,
			ParamSpec{Name: fmt.Sprintf("layers.%d.weight", l), Shape: []int{out, in}, Bound: bound},
			ParamSpec{Name: fmt.Sprintf("layers.%d.bias", l), Shape: []int{out}, Bound: bound})
		in = out
	}
	return specs
}

// Forward implements Model: inputs int32 [batch, 2] (a, b) or [batch, 3]
// (the "=" column is ignored); returns logits [batch, P].
func (m *MLP) Forward(scope *gomlx.Scope, inputs *Node) *Node {
	checkInputs("mlp", inputs, 2, 3)
	g := inputs.Graph()
	w := map[string]*Node{}
	for _, spec := range m.Params() {
		w[spec.Name] = paramNode(scope, g, spec, m.cfg.dtype())
	}
	x := InsertAxes(m.oneHot(inputs), 0) // [1, batch, 2P]
	return Squeeze(m.layers(x, func(name string) *Node { return InsertAxes(w[name], 0) }), 0)
}

// ForwardStacked implements Stacked: the same layers with a leading copy
// axis K.
func (m *MLP) ForwardStacked(scope *gomlx.Scope, inputs *Node) *Node {
	w, _ := stackedParams(scope, inputs.Graph(), m, inputs, "mlp")
	return m.layers(m.oneHot(inputs), func(name string) *Node { return w[name] })
}

// oneHot is one-hot(a) ‖ one-hot(b) over the last axis: inputs [..., 2|3]
// → [..., 2P].
func (m *MLP) oneHot(inputs *Node) *Node {
	c := m.cfg
	last := inputs.Rank() - 1
	a := Squeeze(SliceAxis(inputs, last, AxisElem(0)), last) // [...]
	b := Squeeze(SliceAxis(inputs, last, AxisElem(1)), last) // [...]
	return Concatenate([]*Node{OneHot(a, c.P, c.dtype()), OneHot(b, c.P, c.dtype())}, -1)
}

// layers runs the network on x [K, batch, 2P] with stacked parameters
// (param(name) is [K, out, in] or [K, out]) → logits [K, batch, P].
func (m *MLP) layers(x *Node, param func(name string) *Node) *Node {
	for l := 0; l <= m.cfg.NLayers; l++ {
		W := param(fmt.Sprintf("layers.%d.weight", l)) // [K, out, in]
		b := param(fmt.Sprintf("layers.%d.bias", l))   // [K, out]
		x = matmulT(x, W)                              // [K, batch, out] = x·Wᵀ
		x = Add(x, InsertAxes(b, 1))                   // [K, batch, out]
		if l < m.cfg.NLayers {
			x = relu(x) // [K, batch, Width]
		}
	}
	return x // [K, batch, P]
}

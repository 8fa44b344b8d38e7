// Package model holds the networks that grokkit trains on (a ∘ b) mod p, one
// readable file each (nanda.go, gromov.go, power.go), their parameter naming,
// seeded initialisation and reading/writing parameters as named float32
// arrays (params.go), safetensors files (safetensors.go), the losses
// (loss.go), and graph helpers whose gradients avoid a slow path of the
// pure-Go backend (ops.go). Training (optimisers, learning-rate schedule,
// checkpoints) is in pkg/train.
//
// A network is a [Model]: it declares its parameters ([Model.Params]) and builds
// its forward graph ([Model.Forward]) from GoMLX variables that live in a
// [model.Store] (package github.com/gomlx/gomlx/ml/model, imported here as
// "gomlx"). Parameter names follow TransformerLens ("embed.W_E",
// "blocks.0.attn.W_Q", …); inside the Store a name "a.b.c" is the variable
// "<scope>/a/b/c" (see [VariablePath]).
package model

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// Config holds the sizes of a network. Fields a network does not use are ignored.
type Config struct {
	// P is the modulus: inputs are 0 ≤ a, b < P and there are P output classes.
	// The transformer's vocabulary has P+1 tokens: token P is "=".
	P int

	// Transformer (nanda, power) sizes.
	DModel int // residual stream width (128)
	NHeads int // attention heads (4)
	DHead  int // width of each head (32)
	DMLP   int // MLP hidden width (512)

	// NLayers is the number of transformer blocks of power (2); nanda has one.
	NLayers int

	// Width is the hidden width N of Gromov's MLP (gromov).
	Width int

	// Parameterization of Gromov's MLP (gromov): ParamGromov (the default
	// when empty) or ParamStandard; see [Gromov].
	Parameterization string

	// DType of the parameters and the computation: dtypes.Float32 (the default
	// when left zero) or dtypes.Float64 (used by the gradient checks).
	DType dtypes.DType
}

// dtype returns the configured dtype, Float32 by default.
func (c Config) dtype() dtypes.DType {
	if c.DType == dtypes.InvalidDType {
		return dtypes.Float32
	}
	return c.DType
}

// ParamSpec describes one parameter of a network.
type ParamSpec struct {
	Name  string  // TransformerLens-style name, e.g. "blocks.0.attn.W_Q"
	Shape []int   // dimensions, e.g. [n_heads, d_model, d_head]
	Std   float64 // initialisation: normal with this standard deviation; 0 means zeros
}

// Size returns the number of elements of the parameter.
func (s ParamSpec) Size() int {
	n := 1
	for _, d := range s.Shape {
		n *= d
	}
	return n
}

// Model is a network that maps operand pairs to logits over the P classes.
type Model interface {
	// Name is the registry name: "nanda", "gromov" or "power".
	Name() string

	// Config returns the sizes the network was built with.
	Config() Config

	// Params lists the parameters, in a fixed order.
	Params() []ParamSpec

	// Forward builds the graph of the logits [batch, P] for inputs
	// [batch, 2] (a, b) or [batch, 3] (a, b, "=" token) of int32. It reads the
	// parameters from the Store under scope; they must already exist (see
	// [InitParams], [SetParams] or a loaded checkpoint).
	Forward(scope *gomlx.Scope, inputs *graph.Node) *graph.Node
}

// Hidden is a network whose hidden layer can be read: for the analysis
// tools (neuron clustering, activation-based anomaly scores).
type Hidden interface {
	Model
	// Hidden builds the graph of the hidden activations [batch, width] for
	// the same inputs as Forward.
	Hidden(scope *gomlx.Scope, inputs *graph.Node) *graph.Node
}

// Names lists the registered networks.
func Names() []string { return []string{"gromov", "nanda", "power"} }

// ByName returns the network called name ("nanda", "gromov" or "power") with
// the sizes in cfg; zero sizes are filled from [DefaultConfig] (power: d_head
// is d_model/n_heads and d_mlp 4·d_model unless given).
func ByName(name string, cfg Config) (Model, error) {
	if cfg.P < 2 {
		return nil, fmt.Errorf("model %q: modulus P must be ≥ 2, got %d", name, cfg.P)
	}
	def, err := DefaultConfig(name, cfg.P)
	if err != nil {
		return nil, err
	}
	if name == "power" {
		// Derived defaults: d_head and d_mlp follow the d_model given.
		if cfg, err = powerSizes(cfg); err != nil {
			return nil, err
		}
	}
	fill := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	fill(&cfg.DModel, def.DModel)
	fill(&cfg.NHeads, def.NHeads)
	fill(&cfg.DHead, def.DHead)
	fill(&cfg.DMLP, def.DMLP)
	fill(&cfg.Width, def.Width)
	fill(&cfg.NLayers, def.NLayers)
	if cfg.DType == dtypes.InvalidDType {
		cfg.DType = dtypes.Float32
	}
	if cfg.DType != dtypes.Float32 && cfg.DType != dtypes.Float64 {
		return nil, fmt.Errorf("model %q: dtype must be float32 or float64, got %s", name, cfg.DType)
	}
	switch name {
	case "nanda":
		return NewNanda(cfg)
	case "gromov":
		return NewGromov(cfg)
	case "power":
		return NewPower(cfg)
	}
	return nil, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Names(), ", "))
}

// DefaultConfig returns the published sizes of a network for modulus p:
// nanda: d_model 128, 4 heads of 32, d_mlp 512 (Nanda et al. 2023);
// gromov: width 512;
// power: d_model 128, 4 heads of 32, d_mlp 512, 2 layers (Power et al. 2022).
func DefaultConfig(name string, p int) (Config, error) {
	switch name {
	case "nanda":
		return Config{P: p, DModel: 128, NHeads: 4, DHead: 32, DMLP: 512, DType: dtypes.Float32}, nil
	case "gromov":
		return Config{P: p, Width: 512, DType: dtypes.Float32}, nil
	case "power":
		return Config{P: p, DModel: 128, NHeads: 4, DHead: 32, DMLP: 512, NLayers: 2, DType: dtypes.Float32}, nil
	}
	return Config{}, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Names(), ", "))
}

// NumParameters returns the total number of scalar parameters of m.
func NumParameters(m Model) int {
	n := 0
	for _, s := range m.Params() {
		n += s.Size()
	}
	return n
}

// ParamNames returns the parameter names of m, sorted.
func ParamNames(m Model) []string {
	names := make([]string, 0, len(m.Params()))
	for _, s := range m.Params() {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names
}

// VariablePath returns the Store path of the parameter called name under
// scope: "blocks.0.attn.W_Q" under "/" is "/blocks/0/attn/W_Q".
func VariablePath(scope *gomlx.Scope, name string) string {
	return gomlx.JoinPath(scope.Scope(), strings.ReplaceAll(name, ".", "/"))
}

// paramNode returns the graph node of parameter spec, checking it exists with
// the right shape and dtype. It panics (GoMLX's graph-building convention) when
// the parameter is missing.
func paramNode(scope *gomlx.Scope, g *graph.Graph, spec ParamSpec, dtype dtypes.DType) *graph.Node {
	path := VariablePath(scope, spec.Name)
	v := scope.Store().GetVariable(path)
	if v == nil {
		panic(fmt.Errorf("model: parameter %q (%s) does not exist: call InitParams or SetParams first", spec.Name, path))
	}
	sh := v.Shape()
	if sh.DType != dtype || !equalInts(sh.Dimensions, spec.Shape) {
		panic(fmt.Errorf("model: parameter %q is %s, want %s%v", spec.Name, sh, dtype, spec.Shape))
	}
	return v.NodeValue(g)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkInputs panics unless inputs is an int32 [batch, k] with k in allowed.
func checkInputs(name string, inputs *graph.Node, allowed ...int) {
	sh := inputs.Shape()
	if sh.DType != dtypes.Int32 || sh.Rank() != 2 {
		panic(fmt.Errorf("model %s: inputs must be int32 [batch, %v], got %s", name, allowed, sh))
	}
	for _, k := range allowed {
		if sh.Dimensions[1] == k {
			return
		}
	}
	panic(fmt.Errorf("model %s: inputs must be int32 [batch, %v], got %s", name, allowed, sh))
}

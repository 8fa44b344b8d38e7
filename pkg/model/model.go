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

	// ConstantAttention is 1 − α for Zhong et al.'s attention rate α (nanda):
	// the pattern is α·softmax + (1 − α), so 0 is ordinary attention and 1
	// constant attention (their "pizza" end).
	ConstantAttention float64

	// Parameterization of Gromov's MLP (gromov): ParamGromov (the default
	// when empty) or ParamStandard; see [Gromov].
	Parameterization string

	// Power's transformer (power): Norm is NormPost (the original's
	// post-LayerNorm blocks, no biases, no final LayerNorm) or NormPre
	// (TransformerLens's pre-LayerNorm blocks with MLP biases and a final
	// LayerNorm); Pos is PosSinusoidal (fixed) or PosLearned; Init is
	// InitPyTorch (PyTorch's default draws, the original's) or InitNanda
	// (normal 1/√d_model, as nanda). See [Power].
	Norm, Pos, Init string

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
	// Bound, if not 0, draws the initial values uniformly from [−Bound, Bound]
	// instead (PyTorch nn.Linear's default: Bound = 1/√fan_in).
	Bound float64
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
	// Name is the registry name (see Register).
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

// Hook is one named activation of a network: TransformerLens's hook names
// for the transformers, the layers' names for the MLPs.
type Hook struct {
	Name string
	Node *graph.Node // [batch, …]
}

// Hooked is a network whose activations can be read by name, for the
// mechanism analysis and for exports a Python reader can match to
// TransformerLens (evalsplit --detect, detectbench export).
type Hooked interface {
	Model
	// Hooks builds the graph of every named activation for the same inputs
	// as Forward, in a fixed order.
	Hooks(scope *gomlx.Scope, inputs *graph.Node) []Hook
}

// ByName returns the registered network called name with the sizes in cfg;
// zero sizes are filled as its Description says (derived, then defaults).
func ByName(name string, cfg Config) (Model, error) {
	d, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	if cfg, err = d.Complete(cfg); err != nil {
		return nil, err
	}
	return d.New(cfg)
}

// DefaultConfig returns the published sizes of the network name at
// modulus p.
func DefaultConfig(name string, p int) (Config, error) {
	d, err := Lookup(name)
	if err != nil {
		return Config{}, err
	}
	return d.Defaults(p), nil
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

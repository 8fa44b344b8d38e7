package model

import (
	"fmt"
	"github.com/gomlx/compute/dtypes"
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// Gromov is the quadratic MLP of Gromov 2023 ("Grokking modular arithmetic"):
//
//	x = one-hot(a) ‖ one-hot(b)          (length D = 2P)
//	f(x) = W2 · (W1 · x)² / (D · N)      (N = width; no biases)
//
// Parameters (the paper's notation and orientation, PyTorch nn.Linear's
// [out, in] layout):
//
//	W1  [N, 2P]   row k is neuron k's input weights: W1[k, a] for a, W1[k, P+b] for b
//	W2  [P, N]    column k is neuron k's output weights
//
// both initialised N(0, 1), as in the paper. That is ParamGromov. With
// ParamStandard the same network is a plain PyTorch MLP instead: no 1/(D·N)
// factor, and each weight drawn with nn.Linear's default spread (std
// 1/√(3·fan_in), as a normal rather than PyTorch's uniform). The function
// class is the same, but under decoupled weight decay the two differ by far:
// AdamW holds weights near 1/wd, so the output reachable at a given wd is
// D·N times larger without the factor. Doshi et al.'s weight decays (5–20)
// only leave the MLP able to fit anything in the standard form.
//
// The forward pass keeps the paper's layout, one example per column:
// X = [x_1 … x_batch] is a dense [2P, batch] one-hot matrix, H = (W1·X)² and
// F = W2·H. Because x is one-hot, W1·x is just W1[:, a] + W1[:, P+b], and
// gathering those columns does a fraction of the arithmetic; but GoMLX's
// pure-Go backend gathers and scatter-adds one element at a time, while its
// matmuls are SIMD. Measured on 2 cores (p = 97, width 512, 4,704 rows, one
// SGD step, BenchmarkGromov*GradStep): ≈35 ms in this layout, ≈34 ms with
// examples as rows and a dense one-hot (within the noise; this layout keeps
// the runs recorded before bit for bit), ≈39 ms gathering columns. Those
// two variants stay, tested, for the benchmarks.
type Gromov struct {
	cfg    Config
	layout gromovLayout
}

// gromovLayout selects how Forward computes the (same) function.
type gromovLayout int

const (
	gromovColumns    gromovLayout = iota // examples as columns, dense one-hot X (default)
	gromovOneHotRows                     // examples as rows, dense one-hot x
	gromovGather                         // examples as rows, gathered columns of W1
)

// The parameterizations of Gromov's MLP (Config.Parameterization).
const (
	ParamGromov   = "gromov"   // f = W2·(W1 x)²/(D·N), weights N(0, 1): Gromov 2023
	ParamStandard = "standard" // f = W2·(W1 x)², PyTorch nn.Linear's init spread
)

func init() {
	Register(Description{
		Name:              "gromov",
		Summary:           "Gromov's quadratic MLP",
		Sizes:             []string{"width", ParameterizationFlag},
		Defaults:          func(p int) Config { return Config{P: p, Width: 512, DType: dtypes.Float32} },
		New:               func(c Config) (Model, error) { return NewGromov(c) },
		ActivationsPerRow: func(c Config) int64 { return int64(4*c.Width + 4*c.P) },
		Analyses:          []string{AnalysisFourier, AnalysisDetect},
	})
}

// NewGromov returns Gromov's MLP with modulus cfg.P and width cfg.Width.
func NewGromov(cfg Config) (*Gromov, error) {
	if cfg.P < 2 || cfg.Width < 1 {
		return nil, fmt.Errorf("model gromov: invalid sizes P=%d width=%d", cfg.P, cfg.Width)
	}
	switch cfg.Parameterization {
	case "":
		cfg.Parameterization = ParamGromov
	case ParamGromov, ParamStandard:
	default:
		return nil, fmt.Errorf("model gromov: unknown parameterization %q (known: %s, %s)", cfg.Parameterization, ParamGromov, ParamStandard)
	}
	cfg.DType = cfg.dtype()
	return &Gromov{cfg: cfg}, nil
}

// OutputScale is the constant factor of Gromov's MLP's logits:
// f = OutputScale · W2·(W1 x)².
func (c Config) OutputScale() float64 {
	if c.Parameterization == ParamStandard {
		return 1
	}
	return 1 / float64(2*c.P*c.Width)
}

// Name implements Model.
func (m *Gromov) Name() string { return "gromov" }

// Config implements Model.
func (m *Gromov) Config() Config { return m.cfg }

// Params implements Model.
func (m *Gromov) Params() []ParamSpec {
	c := m.cfg
	std1, std2 := 1.0, 1.0
	if c.Parameterization == ParamStandard {
		std1, std2 = 1/math.Sqrt(3*float64(2*c.P)), 1/math.Sqrt(3*float64(c.Width)) // nn.Linear: U(±1/√fan_in)
	}
	return []ParamSpec{
		{Name: "W1", Shape: []int{c.Width, 2 * c.P}, Std: std1},
		{Name: "W2", Shape: []int{c.P, c.Width}, Std: std2},
	}
}

// Forward implements Model: inputs int32 [batch, 2] (a, b) or [batch, 3]
// (a, b, "="; the third column is ignored); returns logits [batch, P].
func (m *Gromov) Forward(scope *gomlx.Scope, inputs *Node) *Node {
	checkInputs("gromov", inputs, 2, 3)
	c := m.cfg
	g := inputs.Graph()
	specs := m.Params()
	W1 := paramNode(scope, g, specs[0], c.DType) // [N, 2P]
	W2 := paramNode(scope, g, specs[1], c.DType) // [P, N]

	a := SliceAxis(inputs, 1, AxisElem(0)) // [batch, 1]
	b := SliceAxis(inputs, 1, AxisElem(1)) // [batch, 1]
	scale := c.OutputScale()
	switch m.layout {
	case gromovColumns:
		// The paper's layout: one example per column. X = [x_1 … x_batch].
		batch := inputs.Shape().Dimensions[0]
		row := Iota(g, shapes.Make(inputs.DType(), 2*c.P, 1), 0)                  // [2P, 1]: row index j
		aRow := Reshape(a, 1, batch)                                              // [1, batch]
		bRow := AddScalar(Reshape(b, 1, batch), c.P)                              // [1, batch]: b's row is P+b
		X := ConvertDType(LogicalOr(Equal(row, aRow), Equal(row, bRow)), c.DType) // [2P, batch]: one-hot(a) ‖ one-hot(b)
		H := Square(leftMatmul(W1, X))                                            // [N, batch] = (W1·X)²
		F := leftMatmul(W2, H)                                                    // [P, batch] = W2·H
		return Transpose(MulScalar(F, scale), 0, 1)                               // [batch, P]
	case gromovOneHotRows:
		x := Concatenate([]*Node{OneHot(Squeeze(a, 1), c.P, c.DType), OneHot(Squeeze(b, 1), c.P, c.DType)}, 1) // [batch, 2P]
		hidden := Square(matmulT(x, W1))                                                                       // [batch, N]
		logits := matmulT(hidden, W2)                                                                          // [batch, P]
		return MulScalar(logits, scale)                                                                        // [batch, P]
	default: // gromovGather
		columns := Transpose(W1, 0, 1)                                        // [2P, N]: a weight-sized transpose
		hidden := Add(gather(columns, a), gather(columns, AddScalar(b, c.P))) // [batch, N] = W1[:, a] + W1[:, P+b]
		hidden = Square(hidden)                                               // [batch, N]
		logits := matmulT(hidden, W2)                                         // [batch, P]
		return MulScalar(logits, scale)                                       // [batch, P]
	}
}

// Hidden implements Hidden: the squared pre-activations (W1 x)² [batch, N],
// the network's only hidden layer.
func (m *Gromov) Hidden(scope *gomlx.Scope, inputs *Node) *Node {
	checkInputs("gromov", inputs, 2, 3)
	c := m.cfg
	W1 := paramNode(scope, inputs.Graph(), m.Params()[0], c.DType)             // [N, 2P]
	a := SliceAxis(inputs, 1, AxisElem(0))                                     // [batch, 1]
	b := SliceAxis(inputs, 1, AxisElem(1))                                     // [batch, 1]
	columns := Transpose(W1, 0, 1)                                             // [2P, N]
	return Square(Add(gather(columns, a), gather(columns, AddScalar(b, c.P)))) // [batch, N]
}

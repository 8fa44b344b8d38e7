package model

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// Hook names of Gromov's MLP: its layers, TransformerLens-style (the
// exports read them by name beside the transformer's).
const (
	HookGromovPre    = "hook_pre"    // [batch, N]: W1·x = W1[:, a] + W1[:, P+b]
	HookGromovHidden = "hook_hidden" // [batch, N]: (W1·x)², the hidden layer (Hidden's value)
)

// Hooks implements Hooked: the pre-activation, the hidden layer exactly as
// Hidden computes it, and the logits exactly as Forward computes them (the
// values the analyses see).
func (m *Gromov) Hooks(scope *gomlx.Scope, inputs *Node) []Hook {
	checkInputs("gromov", inputs, 2, 3)
	c := m.cfg
	W1 := paramNode(scope, inputs.Graph(), m.Params()[0], c.DType) // [N, 2P]
	a := SliceAxis(inputs, 1, AxisElem(0))                         // [batch, 1]
	b := SliceAxis(inputs, 1, AxisElem(1))                         // [batch, 1]
	columns := Transpose(W1, 0, 1)                                 // [2P, N]
	pre := Add(gather(columns, a), gather(columns, AddScalar(b, c.P)))
	return []Hook{
		{HookGromovPre, pre},                        // [batch, N]
		{HookGromovHidden, m.Hidden(scope, inputs)}, // [batch, N]
		{HookLogits, m.Forward(scope, inputs)},      // [batch, P]
	}
}

package model

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// ForwardStacked implements Stacked: Gromov's MLP (the gather form) with a
// leading copy axis K.
func (m *Gromov) ForwardStacked(scope *gomlx.Scope, inputs *Node) *Node {
	c := m.cfg
	g := inputs.Graph()
	w, K := stackedParams(scope, g, m, inputs, "gromov")
	batch := inputs.Shape().Dimensions[1]
	columns := Transpose(w["W1"], 1, 2)                                                                                     // [K, 2P, N]
	copy1 := copyIndex(g, K, batch, 1)                                                                                      // [K, batch, 1]: k
	a := SliceAxis(inputs, 2, AxisElem(0))                                                                                  // [K, batch, 1]
	b := AddScalar(SliceAxis(inputs, 2, AxisElem(1)), c.P)                                                                  // [K, batch, 1]: b's column is P+b
	hidden := Add(gather(columns, Concatenate([]*Node{copy1, a}, -1)), gather(columns, Concatenate([]*Node{copy1, b}, -1))) // [K, batch, N]
	logits := matmul(Square(hidden), Transpose(w["W2"], 1, 2))                                                              // [K, batch, P]; x·W2ᵀ through the kernel layout recorded runs were computed with
	return MulScalar(logits, c.OutputScale())                                                                               // [K, batch, P]
}

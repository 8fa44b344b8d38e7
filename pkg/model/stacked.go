package model

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// Stacked is a model that can run K independent copies of itself as one
// computation: every parameter gets a leading axis of size K (embed.W_E
// [P+1, d] becomes [K, P+1, d]), inputs are [K, batch, …] and outputs
// [K, batch, P]. Copy k computes exactly what the model computes with the
// parameters [k, …] on the inputs [k, …]; no op mixes copies.
type Stacked interface {
	Model
	// ForwardStacked: inputs int32 [K, batch, 2|3] → logits [K, batch, P]
	// from the stacked parameters in scope (see StackedSpecs).
	ForwardStacked(scope *gomlx.Scope, inputs *Node) *Node
}

// StackedSpecs are m's parameters with a leading axis of size k.
func StackedSpecs(m Model, k int) []ParamSpec {
	var out []ParamSpec
	for _, s := range m.Params() {
		out = append(out, ParamSpec{Name: s.Name, Shape: append([]int{k}, s.Shape...), Std: s.Std, Bound: s.Bound})
	}
	return out
}

// stackedParams returns the nodes of the stacked parameters, by name, and K.
func stackedParams(scope *gomlx.Scope, g *Graph, m Model, inputs *Node, name string) (map[string]*Node, int) {
	sh := inputs.Shape()
	if sh.DType != dtypes.Int32 || sh.Rank() != 3 {
		panic(fmt.Errorf("model %s: stacked inputs must be int32 [K, batch, k], got %s", name, sh))
	}
	k := sh.Dimensions[0]
	w := map[string]*Node{}
	for _, spec := range StackedSpecs(m, k) {
		w[spec.Name] = paramNode(scope, g, spec, m.Config().dtype())
	}
	return w, k
}

// copyIndex is the copy number k broadcast to dims [K, …]: it prefixes
// Gather indices so that copy k reads its own parameters.
func copyIndex(g *Graph, dims ...int) *Node {
	return Iota(g, shapes.Make(dtypes.Int32, dims...), 0)
}

// CrossEntropyStacked is CrossEntropy per copy: logits [K, batch, P], int32
// labels [K, batch] → the mean loss of each copy [K], each with the gradient
// CrossEntropy gives it.
func CrossEntropyStacked(logits, labels *Node) *Node {
	k, batch, p := logits.Shape().Dimensions[0], logits.Shape().Dimensions[1], logits.Shape().Dimensions[2]
	flat, flatLabels := Reshape(logits, k*batch, p), Reshape(labels, k*batch)      // [K·batch, P], [K·batch]
	return ReduceMean(Reshape(trainedCrossEntropy(flat, flatLabels), k, batch), 1) // [K]
}

// MeanSquaredErrorStacked is MeanSquaredError per copy: [K, batch, P] and
// [K, batch] → [K].
func MeanSquaredErrorStacked(logits, labels *Node) *Node {
	p := logits.Shape().Dimensions[2]
	target := OneHot(labels, p, logits.DType())          // [K, batch, P]
	return ReduceMean(Square(Sub(logits, target)), 1, 2) // [K]
}

// StackView is m's K copies as a Model whose parameters are the stacked ones
// (see StackedSpecs), so that SetParams, GetParams and InitParams read and
// write them. It is for parameter access only: its Forward is m's.
func StackView(m Model, k int) Model { return stackView{m, k} }

type stackView struct {
	Model
	k int
}

func (s stackView) Params() []ParamSpec { return StackedSpecs(s.Model, s.k) }

// StackArrays stacks same-shaped arrays along a new leading axis.
func StackArrays(as []Array) (Array, error) {
	out := Array{Shape: append([]int{len(as)}, as[0].Shape...)}
	for i, a := range as {
		if !equalInts(a.Shape, as[0].Shape) {
			return Array{}, fmt.Errorf("model: stacking shapes %v and %v (copy %d)", as[0].Shape, a.Shape, i)
		}
		out.Data = append(out.Data, a.Data...)
	}
	return out, nil
}

// UnstackArray splits a stacked array into its copies (which share no
// memory with it).
func UnstackArray(a Array) []Array {
	k := a.Shape[0]
	n := len(a.Data) / k
	out := make([]Array, k)
	for i := range out {
		out[i] = Array{Shape: append([]int(nil), a.Shape[1:]...), Data: append([]float32(nil), a.Data[i*n:(i+1)*n]...)}
	}
	return out
}

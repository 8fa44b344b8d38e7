package train

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/model"
)

// Grokfast (Lee et al. 2024, arXiv 2405.20233; reference code
// ironjr/grokfast) amplifies the slow part of each parameter's gradient
// before the optimiser sees it:
//
//	ema: h ← α·h + (1 − α)·g (h starts at the first gradient), ĝ = g + λ·h
//	ma:  the last w gradients kept; once there are w, ĝ = g + λ·mean
//
// as the reference's gradfilter_ema and gradfilter_ma (warmup=True) do. The
// filter's state is part of the run's resume state.
const (
	GrokfastEMA = "ema"
	GrokfastMA  = "ma"
)

// Filter is a Grokfast setting; Kind "" is none.
type Filter struct {
	Kind   string
	Alpha  float64 // ema
	Lambda float64
	Window int // ma
}

// filterName is where a parameter's filter state lives in the Store and in
// the resume state: "grokfast.ema.embed.W_E" [shape], or
// "grokfast.ma.embed.W_E" [window, shape…] (the oldest gradient first).
func filterName(f Filter, param string) string { return "grokfast." + f.Kind + "." + param }

// filterShape is the state's shape for a parameter of shape dims.
func filterShape(f Filter, dims []int) []int {
	if f.Kind == GrokfastMA {
		return append([]int{f.Window}, dims...)
	}
	return append([]int(nil), dims...)
}

// filterGradient returns the filtered gradient of parameter spec and sets
// its new filter state. first and full are the step's inputs (1 or 0, see
// Hyper.inputs): the run's first step (the EMA starts at that gradient),
// and a full MA window. stacked: the parameter has a leading model axis K
// (so an MA window is axis 1).
func filterGradient(scope *gomlx.Scope, f Filter, spec model.ParamSpec, grad, first, full *Node, stacked bool) *Node {
	g := grad.Graph()
	v := scope.Store().GetVariable(model.VariablePath(scope, filterName(f, spec.Name)))
	if v == nil {
		panic(fmt.Errorf("grokfast: no state for %s", spec.Name))
	}
	state := v.NodeValue(g)
	switch f.Kind {
	case GrokfastEMA:
		// h starts as the first gradient: h·(1 − first) + g·first is exact.
		prev := Add(Mul(state, OneMinus(first)), Mul(grad, first))     // shape of grad
		h := Add(MulScalar(prev, f.Alpha), MulScalar(grad, 1-f.Alpha)) // α·h + (1 − α)·g
		v.SetNodeValue(h)
		return Add(grad, MulScalar(h, f.Lambda)) // g + λ·h
	case GrokfastMA:
		axis := 0
		if stacked {
			axis = 1
		}
		window := Concatenate([]*Node{SliceAxis(state, axis, AxisRange(1)), ExpandAxes(grad, axis)}, axis) // oldest first
		v.SetNodeValue(window)
		mean := DivScalar(ReduceSum(window, axis), float64(f.Window)) // shape of grad
		return Add(grad, Mul(MulScalar(mean, f.Lambda), full))        // g + λ·mean once the window is full
	}
	panic(fmt.Errorf("grokfast: unknown filter %q", f.Kind))
}

// orthogonalize is ⊥Grad (Prieto et al. 2025): the gradient without its
// component along the parameter, rescaled to the gradient's norm, as the
// reference's OrthoGrad does per parameter tensor:
//
//	g⊥ = g − (w·g / (w·w + 1e-30))·w,  ĝ = g⊥ · ‖g‖ / (‖g⊥‖ + 1e-30)
//
// stacked: w and g have a leading model axis K, and each model's slice is
// one tensor.
func orthogonalize(w, grad *Node, stacked bool) *Node {
	var axes []int
	for a := range w.Rank() {
		if !stacked || a > 0 {
			axes = append(axes, a)
		}
	}
	sum := func(x *Node) *Node { return ReduceAndKeep(x, ReduceSum, axes...) } // [1…] or [K, 1…]
	proj := Div(sum(Mul(w, grad)), AddScalar(sum(Square(w)), 1e-30))
	orth := Sub(grad, Mul(proj, w))
	scale := Div(Sqrt(sum(Square(grad))), AddScalar(Sqrt(sum(Square(orth))), 1e-30))
	return Mul(orth, scale)
}

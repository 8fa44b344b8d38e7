package train

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/model"
)

// The optimisers are written out here rather than taken from GoMLX so that
// they follow PyTorch's update formulas operation for operation (the papers'
// code is PyTorch), and so that their whole state is two moment tensors per
// parameter plus a step count we own: that is what makes resume exact.
const (
	AdamW = "adamw" // decoupled weight decay: p ← p·(1 − lr·wd), then Adam
	Adam  = "adam"  // L2 in the gradient: g ← g + wd·p, then Adam
	SGD   = "sgd"   // g ← g + wd·p; p ← p − lr·g
	// ⊥Grad (Prieto et al. 2025): the gradient made orthogonal to the
	// parameter and rescaled to its norm (see orthogonalize), then AdamW or
	// SGD.
	OrthoAdamW = "orthoadamw"
	OrthoSGD   = "orthosgd"
	// Muon (Jordan et al. 2024) for the hidden layers' weight matrices,
	// AdamW for the rest (see muon.go); EGD (Pasand & Dohmatob 2025) steps
	// each weight matrix along U·Vᵀ of its gradient G = U·S·Vᵀ, the rest by
	// SGD (see egd.go).
	Muon = "muon"
	EGD  = "egd"
)

// Optimizers lists the names fit accepts.
var Optimizers = []string{AdamW, Adam, SGD, OrthoAdamW, OrthoSGD, Muon, EGD}

// Hyper is what an update needs besides the gradients.
type Hyper struct {
	Name         string  // AdamW, Adam or SGD (the update itself)
	Ortho        bool    // ⊥Grad first
	LR           float64 // peak learning rate
	WeightDecay  float64
	Beta1, Beta2 float64
	Eps          float64
	WarmupSteps  int
	Grokfast     Filter // applied to the gradient first; Kind "" for none
	// Muon: the learning rate of the hidden layers' matrices (LR and the
	// Adam settings are the AdamW's of the other parameters; the warm-up
	// scales both) and the momentum β of its Nesterov SGD.
	MuonLR, Momentum float64
}

// BaseOptimizer splits an optimiser's name into its update and ⊥Grad.
func BaseOptimizer(name string) (update string, ortho bool) {
	switch name {
	case OrthoAdamW:
		return AdamW, true
	case OrthoSGD:
		return SGD, true
	}
	return name, false
}

// LearningRate at a step (0-based): Nanda et al.'s linear warm-up,
// LambdaLR(lambda s: min(s/warmup, 1)), so step 0 has learning rate 0.
func (h Hyper) LearningRate(step int) float64 {
	if h.WarmupSteps > 0 && step < h.WarmupSteps {
		return h.LR * float64(step) / float64(h.WarmupSteps)
	}
	return h.LR
}

// MuonLearningRate is Muon's learning rate at a step: MuonLR under the
// same warm-up as LR (a LambdaLR scales every parameter group's rate).
func (h Hyper) MuonLearningRate(step int) float64 {
	if h.WarmupSteps > 0 && step < h.WarmupSteps {
		return h.MuonLR * float64(step) / float64(h.WarmupSteps)
	}
	return h.MuonLR
}

// scalars are the per-step numbers the update graph takes as inputs, computed
// on the host in float64 exactly as PyTorch computes them (for step t = s+1):
// step_size = lr / (1 − β1^t), the bias correction √(1 − β2^t), and AdamW's
// decay factor 1 − lr·wd.
func (h Hyper) scalars(step int) (lr, stepSize, sqrtBC2, decay float64) {
	lr = h.LearningRate(step)
	t := float64(step + 1)
	stepSize = lr / (1 - math.Pow(h.Beta1, t))
	sqrtBC2 = math.Sqrt(1 - math.Pow(h.Beta2, t))
	decay = 1 - lr*h.WeightDecay
	return
}

// momentName is where a parameter's moment lives in the Store and in a
// checkpoint: "optim.m.embed.W_E", "optim.v.embed.W_E".
func momentName(which, param string) string { return "optim." + which + "." + param }

// stateVar is one tensor of the optimiser's state besides the parameters.
type stateVar struct {
	name  string
	shape []int
}

// optimState lists the state h keeps for m's parameters, in a fixed order:
// Adam's two moments (Muon: its momentum buffer for a hidden layer's
// matrix), Grokfast's filter. With the parameters and the step it is all a
// resume needs.
func optimState(m model.Model, h Hyper) []stateVar {
	var out []stateVar
	var muon map[string]matrix
	if h.Name == Muon {
		muon = knownMatrices(m)
	}
	for _, spec := range m.Params() {
		switch {
		case muon[spec.Name].hidden:
			out = append(out, stateVar{momentName(muonMomentum, spec.Name), spec.Shape})
		case h.Name != SGD && h.Name != EGD:
			out = append(out, stateVar{momentName("m", spec.Name), spec.Shape}, stateVar{momentName("v", spec.Name), spec.Shape})
		}
		if h.Grokfast.Kind != "" {
			out = append(out, stateVar{filterName(h.Grokfast, spec.Name), filterShape(h.Grokfast, spec.Shape)})
		}
	}
	return out
}

// stateNames are the Store names of m's parameters and optimiser state.
func stateNames(m model.Model, h Hyper) []string {
	var names []string
	for _, spec := range m.Params() {
		names = append(names, spec.Name)
	}
	for _, s := range optimState(m, h) {
		names = append(names, s.name)
	}
	return names
}

// createState makes the zeroed optimiser state (not trainable), unless a
// checkpoint already put it in the Store. For a StackView m the filter's
// window axis comes after the model axis; stacked Stores are filled from
// the runs' own (see Pack.stackFromRuns), never created here.
func createState(scope *gomlx.Scope, m model.Model, h Hyper) error {
	dtype := m.Config().DType
	for _, s := range optimState(m, h) {
		path := model.VariablePath(scope, s.name)
		if v := scope.Store().GetVariable(path); v != nil {
			v.SetTrainable(false)
			continue
		}
		v, err := scope.Store().CreateVariable(path, tensors.FromShape(shapeOf(dtype, s.shape)))
		if err != nil {
			return fmt.Errorf("creating %s: %w", path, err)
		}
		v.SetTrainable(false)
	}
	return nil
}

// updateGraph adds one optimiser step to the graph of loss: gradients of
// every parameter of m, moments updated, parameters updated in the Store.
// hyper holds the inputs [lr, step_size, √bc2, decay, wd, first, full] in the
// parameters' dtype: scalars, or for a stack of K models (m a
// model.StackView) vectors [K], one value per model. β1, β2 and ε come
// from h and are shared. For Muon, lr and wd carry Muon's learning rate
// and decay factor (see Hyper.inputs).
//
// EGD's matrices are not updated here: their gradients (after Grokfast's
// filter) are returned, in the order of m's parameters, for the host to
// whiten (see egdStep); every other optimiser returns none.
func updateGraph(scope *gomlx.Scope, m model.Model, h Hyper, loss *Node, hyper []*Node) (egdGrads []*Node) {
	g := loss.Graph()
	lr, stepSize, sqrtBC2, decay, wd, first, full := hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5], hyper[6]
	stacked := lr.Rank() > 0
	specs := m.Params()
	vars := make([]*gomlx.Variable, len(specs))
	values := make([]*Node, len(specs))
	for i, spec := range specs {
		vars[i] = scope.Store().GetVariable(model.VariablePath(scope, spec.Name))
		values[i] = vars[i].NodeValue(g)
	}
	grads := Gradient(loss, values...)
	var mats map[string]matrix
	if h.Name == Muon || h.Name == EGD {
		mats = knownMatrices(m)
	}
	for i, spec := range specs {
		p, grad := values[i], grads[i]
		if grad.DType() != p.DType() {
			grad = ConvertDType(grad, p.DType())
		}
		per := func(x *Node) *Node { return perModel(x, p) } // per-model values [K] over the parameter [K, …]
		if h.Grokfast.Kind != "" {
			grad = filterGradient(scope, h.Grokfast, spec, grad, per(first), per(full), stacked)
		}
		if h.Ortho {
			grad = orthogonalize(p, grad, stacked)
		}
		if _, ok := mats[spec.Name]; ok && h.Name == EGD {
			egdGrads = append(egdGrads, grad) // whitened on the host, applied by egdApplyGraph
			continue
		}
		if mat := mats[spec.Name]; mat.hidden && h.Name == Muon {
			bufVar := scope.Store().GetVariable(model.VariablePath(scope, momentName(muonMomentum, spec.Name)))
			buf, update := muonUpdate(mat, bufVar.NodeValue(g), grad, h.Momentum)
			bufVar.SetNodeValue(buf)
			vars[i].SetNodeValue(Sub(Mul(p, per(wd)), Mul(per(lr), update))) // p·(1 − lr·wd) − lr·update
			continue
		}
		if h.Name != AdamW && h.Name != Muon && h.WeightDecay != 0 {
			grad = Add(grad, Mul(p, per(wd))) // L2: g + wd·p
		}
		if h.Name == SGD || h.Name == EGD {
			vars[i].SetNodeValue(Sub(p, Mul(per(lr), grad)))
			continue
		}
		if h.Name == AdamW || h.Name == Muon {
			p = Mul(p, per(decay)) // p·(1 − lr·wd)
		}
		mVar := scope.Store().GetVariable(model.VariablePath(scope, momentName("m", spec.Name)))
		vVar := scope.Store().GetVariable(model.VariablePath(scope, momentName("v", spec.Name)))
		m1 := Add(MulScalar(mVar.NodeValue(g), h.Beta1), MulScalar(grad, 1-h.Beta1))         // exp_avg
		m2 := Add(MulScalar(vVar.NodeValue(g), h.Beta2), MulScalar(Square(grad), 1-h.Beta2)) // exp_avg_sq
		denom := AddScalar(Div(Sqrt(m2), per(sqrtBC2)), h.Eps)                               // √v / √bc2 + ε
		vars[i].SetNodeValue(Sub(p, Mul(per(stepSize), Div(m1, denom))))                     // p − step_size·m/denom
		mVar.SetNodeValue(m1)
		vVar.SetNodeValue(m2)
	}
	return egdGrads
}

// hyperTensors are the scalar inputs of step s in the parameters' dtype.
func hyperTensors(h Hyper, step int, dtype dtypes.DType) []*tensors.Tensor {
	out := make([]*tensors.Tensor, numHyper)
	for i, x := range h.inputs(step) {
		if dtype == dtypes.Float64 {
			out[i] = tensors.FromValue(x)
		} else {
			out[i] = tensors.FromValue(float32(x))
		}
	}
	return out
}

// numHyper is the number of per-step optimiser inputs (see updateGraph).
const numHyper = 7

// inputs are the per-step optimiser inputs [lr, step_size, √bc2, decay, wd,
// first, full]: first is 1 on the run's first step (Grokfast's EMA starts
// from that gradient), full is 1 once an MA window holds w gradients.
//
// Muon's AdamW reads step_size, √bc2 and decay alone, so a Muon run's lr
// and wd carry Muon's own: its learning rate lr_muon and its decay factor
// 1 − lr_muon·wd, computed here in float64 as PyTorch computes
// group["lr"]·group["weight_decay"]; the other optimisers' inputs are
// unchanged by it, and so are their graphs.
func (h Hyper) inputs(step int) [numHyper]float64 {
	lr, stepSize, sqrtBC2, decay := h.scalars(step)
	wd := h.WeightDecay
	if h.Name == Muon {
		lr = h.MuonLearningRate(step)
		wd = 1 - lr*h.WeightDecay
	}
	first, full := 0.0, 0.0
	if step == 0 {
		first = 1
	}
	if h.Grokfast.Kind == GrokfastMA && step+1 >= h.Grokfast.Window {
		full = 1
	}
	return [numHyper]float64{lr, stepSize, sqrtBC2, decay, wd, first, full}
}

func shapeOf(dtype dtypes.DType, dims []int) shapes.Shape { return shapes.Make(dtype, dims...) }

// perModel is a per-model value x (a scalar, or [K] for a stack) shaped to
// broadcast over a parameter p ([K, …]).
func perModel(x, p *Node) *Node {
	if x.Rank() == 0 {
		return x
	}
	dims := make([]int, p.Rank())
	for j := range dims {
		dims[j] = 1
	}
	dims[0] = x.Shape().Dimensions[0]
	return Reshape(x, dims...)
}

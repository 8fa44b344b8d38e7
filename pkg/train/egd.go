package train

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
	"gonum.org/v1/gonum/mat"

	"github.com/grokkit/grokkit/pkg/model"
)

// EGD, egalitarian gradient descent (Pasand & Dohmatob, ICLR 2026, arXiv
// 2510.04930): each weight matrix's gradient G (after Grokfast's filter,
// when given) is replaced by
//
//	G̃ = (G·Gᵀ)^(−1/2)·G = U·Vᵀ    for G = U·S·Vᵀ,
//
// every singular value set to 1, and the parameters step as SGD does,
// with its L2 term: W ← W − lr·(G̃ + wd·W). Vectors (biases, gains) step by
// plain SGD, W ← W − lr·(g + wd·W). EGD keeps no state.
//
// (G·Gᵀ)^(−1/2) is the Moore–Penrose one: a singular value of zero has no
// direction to equalise, and its singular vectors are arbitrary, so it is
// left out, as is every σ ≤ max(rows, cols)·ε·σ_max (ε the dtype's machine
// epsilon: the default rtol of torch.linalg.pinv and numpy's matrix_rank).
// Such gradients are common here: nanda's W_Q and W_K get a gradient of
// rank 1 (only the "=" position's query reaches the logits), gromov's W1
// one of rank ≤ 2P − 1 (each input has one a and one b). A gradient of
// zeros gives zeros.
//
// U·Vᵀ is computed exactly, by an SVD (gonum's, in float64) on the host:
// GoMLX has no SVD. A step runs three parts (egdStep): a graph computes
// the loss and the gradients (and steps the vectors), the host whitens each
// matrix's gradient, a second graph steps the matrices. Packed runs whiten
// each model's matrix on its own.

// stepExec is a compiled training step: the inputs of stepGraph (or, packed,
// packStepGraph), the loss (or the losses [K]) first among its outputs.
type stepExec interface {
	Exec(args ...any) ([]*tensors.Tensor, error)
}

// compileStep compiles the training step of m (sm nil), or of the K models
// stacked in sm, m being their model.StackView.
func compileStep(backend compute.Backend, store *gomlx.Store, m model.Model, sm model.Stacked, h Hyper, loss, logitsDType string) (stepExec, error) {
	if h.Name == EGD {
		return newEGDStep(backend, store, m, sm, h, loss, logitsDType)
	}
	if sm == nil {
		exec, err := gomlx.NewExec(backend, store, stepGraph(m, h, loss, logitsDType))
		if err != nil {
			return nil, err
		}
		return exec.WithName("train_step"), nil
	}
	exec, err := gomlx.NewExec(backend, store, packStepGraph(sm, m, h, loss, logitsDType))
	if err != nil {
		return nil, err
	}
	return exec.WithName("pack_train_step"), nil
}

// egdStep is a compiled EGD step (see compileStep).
type egdStep struct {
	grads, apply *gomlx.Exec
	mats         []matrix // the weight matrices, in parameter order (egdGrads' order)
	names        []string
	eps          float64 // the parameters' machine epsilon
}

func newEGDStep(backend compute.Backend, store *gomlx.Store, m model.Model, sm model.Stacked, h Hyper, loss, logitsDType string) (*egdStep, error) {
	all := knownMatrices(m)
	e := &egdStep{eps: 0x1p-52}
	if m.Config().DType != dtypes.Float64 {
		e.eps = 0x1p-23 // float32
	}
	for _, spec := range m.Params() {
		if x, ok := all[spec.Name]; ok {
			e.mats, e.names = append(e.mats, x), append(e.names, spec.Name)
		}
	}
	grads, err := gomlx.NewExec(backend, store, egdGradGraph(m, sm, h, loss, logitsDType))
	if err != nil {
		return nil, err
	}
	apply, err := gomlx.NewExec(backend, store, egdApplyGraph(m, h))
	if err != nil {
		return nil, err
	}
	e.grads, e.apply = grads.WithName("egd_gradients"), apply.WithName("egd_apply")
	return e, nil
}

// egdGradGraph is the step's first part: the loss (or losses [K]), then the
// matrices' gradients; the vectors are stepped here.
func egdGradGraph(m model.Model, sm model.Stacked, h Hyper, loss, logitsDType string) func(*gomlx.Scope, []*Node) []*Node {
	return func(scope *gomlx.Scope, in []*Node) []*Node {
		var out, total *Node
		if sm == nil {
			out = meanLoss(loss, toLogitsDType(m.Forward(scope, in[0]), logitsDType), in[1]) // scalar
			total = out
		} else {
			out = stackedLoss(loss, toLogitsDType(sm.ForwardStacked(scope, in[0]), logitsDType), in[1]) // [K]
			total = ReduceAllSum(out)
		}
		return append([]*Node{out}, updateGraph(scope, m, h, total, in[2:])...)
	}
}

// egdApplyGraph is the step's last part: inputs [lr, wd, G̃…] (lr and wd
// scalars, or [K] packed; G̃ in each matrix's parameter shape) step the
// matrices, W ← W − lr·(G̃ + wd·W).
func egdApplyGraph(m model.Model, h Hyper) func(*gomlx.Scope, []*Node) []*Node {
	return func(scope *gomlx.Scope, in []*Node) []*Node {
		g := in[0].Graph()
		lr, wd, ds := in[0], in[1], in[2:]
		mats := knownMatrices(m)
		i := 0
		for _, spec := range m.Params() {
			if _, ok := mats[spec.Name]; !ok {
				continue
			}
			v := scope.Store().GetVariable(model.VariablePath(scope, spec.Name))
			p, d := v.NodeValue(g), ds[i]
			i++
			if h.WeightDecay != 0 {
				d = Add(d, Mul(p, perModel(wd, p))) // L2, as SGD's
			}
			v.SetNodeValue(Sub(p, Mul(perModel(lr, p), d)))
		}
		return []*Node{lr}
	}
}

// Exec runs the step: gradients, U·Vᵀ on the host, update. args are
// stepGraph's inputs; it returns the loss (losses).
func (e *egdStep) Exec(args ...any) ([]*tensors.Tensor, error) {
	out, err := e.grads.Exec(args...)
	if err != nil {
		return nil, err
	}
	in := []any{args[2], args[2+4]} // lr, wd (see Hyper.inputs)
	for i, g := range out[1:] {
		d, err := e.whiten(i, g)
		g.FinalizeAll()
		if err != nil {
			out[0].FinalizeAll()
			return nil, err
		}
		in = append(in, d)
	}
	res, err := e.apply.Exec(in...)
	for _, t := range in[2:] {
		t.(*tensors.Tensor).FinalizeAll()
	}
	if err != nil {
		out[0].FinalizeAll()
		return nil, err
	}
	for _, t := range res {
		t.FinalizeAll()
	}
	return out[:1], nil
}

// whiten is U·Vᵀ of matrix i's gradient g, of each model's on its own when
// stacked, as a tensor of g's shape and dtype.
func (e *egdStep) whiten(i int, g *tensors.Tensor) (*tensors.Tensor, error) {
	x := e.mats[i]
	shape := g.Shape().Dimensions
	var data []float64
	if g.DType() == dtypes.Float64 {
		data = tensors.MustCopyFlatData[float64](g)
	} else {
		for _, v := range tensors.MustCopyFlatData[float32](g) {
			data = append(data, float64(v))
		}
	}
	rows, cols := x.dims(shape)
	size := rows * cols
	out := make([]float64, len(data))
	for k := 0; k < len(data)/size; k++ {
		gk := mat.NewDense(rows, cols, nil)
		x.gather(gk, data[k*size:(k+1)*size], shape)
		d, err := unitSingularValues(gk, e.eps)
		if err != nil {
			return nil, fmt.Errorf("egd: %s: %w", e.names[i], err)
		}
		x.scatter(out[k*size:(k+1)*size], d, shape)
	}
	if g.DType() == dtypes.Float64 {
		return tensors.FromFlatDataAndDimensions(out, shape...), nil
	}
	f := make([]float32, len(out))
	for j, v := range out {
		f[j] = float32(v)
	}
	return tensors.FromFlatDataAndDimensions(f, shape...), nil
}

// gather fills the matrix m [rows, cols] from one model's tensor t (row
// major, of the shape's last rank() axes); scatter is its inverse.
func (x matrix) gather(m *mat.Dense, t []float64, shape []int) {
	x.walk(shape, func(r, c, j int) { m.Set(r, c, t[j]) })
}

func (x matrix) scatter(t []float64, m *mat.Dense, shape []int) {
	x.walk(shape, func(r, c, j int) { t[j] = m.At(r, c) })
}

// walk calls f with each element's matrix position (r, c) and its index j in
// the tensor.
func (x matrix) walk(shape []int, f func(r, c, j int)) {
	d := shape[len(shape)-x.rank():]
	if x.heads != headsIn { // the tensor's row-major order is the matrix's
		rows, cols := x.dims(shape)
		for j := range rows * cols {
			f(j/cols, j%cols, j)
		}
		return
	}
	heads, in, dHead := d[0], d[1], d[2] // [heads, in, d_head] → [in, heads·d_head]
	j := 0
	for h := range heads {
		for r := range in {
			for c := range dHead {
				f(r, h*dHead+c, j)
				j++
			}
		}
	}
}

// unitSingularValues is U·Vᵀ over g's singular values σ > max(rows,
// cols)·eps·σ_max (none for a zero g): g with its singular values set to
// 1, the others to 0. A g that is not finite gives NaN (the run then
// diverges, as any other would).
func unitSingularValues(g *mat.Dense, eps float64) (*mat.Dense, error) {
	rows, cols := g.Dims()
	d := mat.NewDense(rows, cols, nil)
	for r := range rows {
		for c := range cols {
			if v := g.At(r, c); math.IsNaN(v) || math.IsInf(v, 0) {
				for j := range rows * cols {
					d.Set(j/cols, j%cols, math.NaN())
				}
				return d, nil
			}
		}
	}
	var svd mat.SVD
	if !svd.Factorize(g, mat.SVDThin) {
		return nil, fmt.Errorf("the SVD of the gradient [%d, %d] did not converge", rows, cols)
	}
	s := svd.Values(nil)
	if len(s) == 0 || s[0] == 0 {
		return d, nil
	}
	tol := float64(max(rows, cols)) * eps * s[0]
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	for r := range rows {
		for c := range cols {
			sum := 0.0
			for k, sk := range s {
				if sk > tol {
					sum += u.At(r, k) * v.At(c, k)
				}
			}
			d.Set(r, c, sum)
		}
	}
	return d, nil
}

package model

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
)

// Array is one parameter's values: row-major (C order) float32 data and its
// dimensions. An empty Shape is a scalar.
type Array struct {
	Shape []int
	Data  []float32
}

// Size returns the number of elements the shape holds.
func (a Array) Size() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// ConstantInit is a Model some of whose parameters start at a constant other
// than zero (power's LayerNorm gains start at 1): [InitParams] fills every
// parameter whose [ParamSpec.Std] is 0 with InitValue(name) instead of zeros.
// Models without it (nanda, gromov) are initialised exactly as before.
type ConstantInit interface {
	Model
	InitValue(name string) float64
}

// InitParams creates every parameter of m that does not exist yet in the
// Store under scope, drawn uniformly within ±[ParamSpec.Bound] where it is
// set, else from a normal distribution with the parameter's [ParamSpec.Std]
// (zeros where Std is 0, or the constant [ConstantInit] gives).
//
// The draws come from Go's PCG generator seeded by (seed, FNV-1a of the
// parameter name), computed on the host, not by the backend: the initial
// weights are the same bits on every backend and machine, and adding a
// parameter to a network does not change the others. NormFloat64's algorithm
// is not promised by Go across releases, so TestInitialWeightsAreFrozen pins
// the first draws: a change fails the tests instead of moving every run. Parameters that already
// exist (set by [SetParams], or loaded from a checkpoint attached to the Store)
// are kept.
func InitParams(scope *gomlx.Scope, m Model, seed uint64) error {
	store := scope.Store()
	dtype := m.Config().dtype()
	for _, spec := range m.Params() {
		path := VariablePath(scope, spec.Name)
		if v := store.GetVariable(path); v != nil {
			if err := checkVariable(v, spec, dtype); err != nil {
				return err
			}
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(spec.Name))
		rng := rand.New(rand.NewPCG(seed, h.Sum64()))
		values := make([]float64, spec.Size())
		if spec.Bound != 0 {
			for i := range values {
				values[i] = (2*rng.Float64() - 1) * spec.Bound
			}
		} else if spec.Std != 0 {
			for i := range values {
				values[i] = rng.NormFloat64() * spec.Std
			}
		} else if ci, ok := m.(ConstantInit); ok {
			if c := ci.InitValue(spec.Name); c != 0 {
				for i := range values {
					values[i] = c
				}
			}
		}
		if _, err := store.CreateVariable(path, newTensor(dtype, spec.Shape, values)); err != nil {
			return fmt.Errorf("model %s: creating %q: %w", m.Name(), spec.Name, err)
		}
	}
	return nil
}

// SetParams sets the given parameters of m (all or some of them) in the Store
// under scope, creating them if needed. Names must be parameters of m and
// shapes must match. Values are converted to the model's dtype.
func SetParams(scope *gomlx.Scope, m Model, params map[string]Array) error {
	specs := make(map[string]ParamSpec)
	for _, s := range m.Params() {
		specs[s.Name] = s
	}
	dtype := m.Config().dtype()
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := params[name]
		spec, ok := specs[name]
		if !ok {
			return fmt.Errorf("model %s has no parameter %q (it has %v)", m.Name(), name, ParamNames(m))
		}
		if !equalInts(a.Shape, spec.Shape) || len(a.Data) != spec.Size() {
			return fmt.Errorf("model %s: parameter %q must have shape %v, got shape %v with %d values",
				m.Name(), name, spec.Shape, a.Shape, len(a.Data))
		}
		values := make([]float64, len(a.Data))
		for i, x := range a.Data {
			values[i] = float64(x)
		}
		t := newTensor(dtype, spec.Shape, values)
		path := VariablePath(scope, name)
		if v := scope.Store().GetVariable(path); v != nil {
			if err := checkVariable(v, spec, dtype); err != nil {
				return err
			}
			if err := v.SetValue(t); err != nil {
				return fmt.Errorf("model %s: setting %q: %w", m.Name(), name, err)
			}
			continue
		}
		if _, err := scope.Store().CreateVariable(path, t); err != nil {
			return fmt.Errorf("model %s: creating %q: %w", m.Name(), name, err)
		}
	}
	return nil
}

// GetParams reads every parameter of m from the Store under scope as float32
// arrays keyed by name (a float64 model is rounded to float32).
func GetParams(scope *gomlx.Scope, m Model) (map[string]Array, error) {
	out := make(map[string]Array)
	dtype := m.Config().dtype()
	for _, spec := range m.Params() {
		v := scope.Store().GetVariable(VariablePath(scope, spec.Name))
		if v == nil {
			return nil, fmt.Errorf("model %s: parameter %q does not exist", m.Name(), spec.Name)
		}
		if err := checkVariable(v, spec, dtype); err != nil {
			return nil, err
		}
		t, err := v.Value()
		if err != nil {
			return nil, fmt.Errorf("model %s: reading %q: %w", m.Name(), spec.Name, err)
		}
		data, err := tensorFloat32s(t)
		if err != nil {
			return nil, fmt.Errorf("model %s: reading %q: %w", m.Name(), spec.Name, err)
		}
		out[spec.Name] = Array{Shape: append([]int(nil), spec.Shape...), Data: data}
	}
	return out, nil
}

func checkVariable(v *gomlx.Variable, spec ParamSpec, dtype dtypes.DType) error {
	sh := v.Shape()
	if sh.DType != dtype || !equalInts(sh.Dimensions, spec.Shape) {
		return fmt.Errorf("model: variable %q is %s, want %s%v", v.Path(), sh, dtype, spec.Shape)
	}
	return nil
}

// newTensor returns a tensor of the given dtype (Float32 or Float64) and shape.
func newTensor(dtype dtypes.DType, shape []int, values []float64) *tensors.Tensor {
	if dtype == dtypes.Float64 {
		return tensors.FromFlatDataAndDimensions(values, shape...)
	}
	f := make([]float32, len(values))
	for i, x := range values {
		f[i] = float32(x)
	}
	return tensors.FromFlatDataAndDimensions(f, shape...)
}

// tensorFloat32s copies a float32 or float64 tensor's values as float32.
func tensorFloat32s(t *tensors.Tensor) ([]float32, error) {
	switch t.DType() {
	case dtypes.Float32:
		return tensors.CopyFlatData[float32](t)
	case dtypes.Float64:
		d, err := tensors.CopyFlatData[float64](t)
		if err != nil {
			return nil, err
		}
		f := make([]float32, len(d))
		for i, x := range d {
			f[i] = float32(x)
		}
		return f, nil
	}
	return nil, fmt.Errorf("unsupported dtype %s", t.DType())
}

// SumSquares is Σ w² over every parameter, summed in float64 in name order
// (so the same weights always give the same bits).
func SumSquares(ps map[string]Array) float64 {
	names := make([]string, 0, len(ps))
	for n := range ps {
		names = append(names, n)
	}
	sort.Strings(names)
	total := 0.0
	for _, n := range names {
		for _, x := range ps[n].Data {
			total += float64(x) * float64(x)
		}
	}
	return total
}

package train

import (
	"fmt"
	"math"
	"strconv"

	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
)

// The training state is the parameters, the Adam moments and the number of
// steps done. Nothing else is needed to continue bit for bit: the learning
// rate and the mini-batch order are functions of the step and the seed.

const metaStep = "step"

// params reads the parameters; they must all be finite, or the state is not
// worth keeping.
func params(store *gomlx.Store, m model.Model) (map[string]model.Array, error) {
	ps, err := model.GetParams(store.RootScope(), m)
	if err != nil {
		return nil, err
	}
	for name, a := range ps {
		for _, x := range a.Data {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("parameter %s is no longer finite", name)
			}
		}
	}
	return ps, nil
}

// saveState writes the parameters-only checkpoint of this step and replaces
// the resume state (parameters and moments).
func saveState(dir string, store *gomlx.Store, m model.Model, step int) error {
	ps, err := params(store, m)
	if err != nil {
		return err
	}
	meta := map[string]string{metaStep: strconv.Itoa(step)}
	if err := model.SaveSafetensors(runs.CheckpointPath(dir, step), ps, meta); err != nil {
		return err
	}
	full := make(map[string]model.Array, 3*len(ps))
	for name, a := range ps {
		full[name] = a
	}
	for _, spec := range m.Params() {
		for _, which := range []string{"m", "v"} {
			name := momentName(which, spec.Name)
			v := store.GetVariable(model.VariablePath(store.RootScope(), name))
			if v == nil {
				continue // SGD has no moments
			}
			t, err := v.Value()
			if err != nil {
				return err
			}
			full[name] = model.Array{Shape: append([]int(nil), spec.Shape...), Data: tensors.MustCopyFlatData[float32](t)}
		}
	}
	return model.SaveSafetensors(runs.ResumePath(dir), full, meta)
}

// loadState puts a resume state into an empty Store and returns its step.
func loadState(dir string, store *gomlx.Store, m model.Model) (int, error) {
	path := runs.ResumePath(dir)
	full, meta, err := model.LoadSafetensors(path)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	step, err := strconv.Atoi(meta[metaStep])
	if err != nil {
		return 0, fmt.Errorf("%s: no step in the metadata", path)
	}
	ps := map[string]model.Array{}
	for _, spec := range m.Params() {
		a, ok := full[spec.Name]
		if !ok {
			return 0, fmt.Errorf("%s: parameter %s is missing", path, spec.Name)
		}
		ps[spec.Name] = a
		for _, which := range []string{"m", "v"} {
			name := momentName(which, spec.Name)
			mo, ok := full[name]
			if !ok {
				continue
			}
			t := tensors.FromFlatDataAndDimensions(mo.Data, mo.Shape...)
			if _, err := store.CreateVariable(model.VariablePath(store.RootScope(), name), t); err != nil {
				return 0, err
			}
		}
	}
	if err := model.SetParams(store.RootScope(), m, ps); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return step, nil
}

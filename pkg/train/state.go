package train

import (
	"errors"
	"fmt"
	"math"
	"os"
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

// errNotFinite marks parameters that went NaN or infinite.
var errNotFinite = errors.New("no longer finite")

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
				return nil, fmt.Errorf("parameter %s is %w", name, errNotFinite)
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

// loadState puts a resume state (path) into an empty Store and returns its
// step.
func loadState(path string, store *gomlx.Store, m model.Model) (int, error) {
	full, meta, err := model.LoadSafetensors(path)
	if err != nil {
		return 0, err // names the file
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

// resumeStep is the step of dir's resume state, or −1 when there is none
// (a run stopped before its first checkpoint was written).
func resumeStep(dir string) (int, error) { return stateStep(runs.ResumePath(dir)) }

// stateStep is the step of the resume state in path, or −1 when there is
// no such file.
func stateStep(path string) (int, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return -1, nil
	}
	_, meta, err := model.LoadSafetensors(path)
	if err != nil {
		return 0, err // names the file
	}
	step, err := strconv.Atoi(meta[metaStep])
	if err != nil {
		return 0, fmt.Errorf("%s: no step in the metadata", path)
	}
	return step, nil
}

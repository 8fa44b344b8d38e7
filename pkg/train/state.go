package train

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
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

// paramsOf reads a run's parameters from its source; with finite, they must
// all be finite, or the state is not worth keeping.
func paramsOf(src source, m model.Model, finite bool) (map[string]model.Array, error) {
	all, err := src.arrays()
	if err != nil {
		return nil, err
	}
	ps := make(map[string]model.Array, len(m.Params()))
	for _, spec := range m.Params() {
		a := all[spec.Name]
		if finite {
			for _, x := range a.Data {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					return nil, fmt.Errorf("parameter %s is %w", spec.Name, errNotFinite)
				}
			}
		}
		ps[spec.Name] = a
	}
	return ps, nil
}

// saveState writes the parameters-only checkpoint of this step, with
// params, and replaces the resume state (parameters and moments).
func saveState(dir string, src source, m model.Model, step int, params bool) error {
	ps, err := paramsOf(src, m, true)
	if err != nil {
		return err
	}
	meta := map[string]string{metaStep: strconv.Itoa(step)}
	if params {
		if err := model.SaveSafetensors(runs.CheckpointPath(dir, step), ps, meta); err != nil {
			return err
		}
	}
	full, err := src.arrays() // parameters and moments
	if err != nil {
		return err
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
	}
	// Everything else in the file is optimiser state (moments, filters), in
	// name order.
	var state []string
	for name := range full {
		if isState(name) {
			state = append(state, name)
		}
	}
	slices.Sort(state)
	for _, name := range state {
		a := full[name]
		t := tensors.FromFlatDataAndDimensions(a.Data, a.Shape...)
		if _, err := store.CreateVariable(model.VariablePath(store.RootScope(), name), t); err != nil {
			return 0, err
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

package train

import (
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/model"
)

// source is where a run reads its current state to evaluate and checkpoint
// it: its own Store (a run alone) or its slice of a Pack's stacked Store,
// read as it is, never copied back into a Store of its own.
type source interface {
	// examples scores every row of the run's table.
	examples() (*evaluation, error)
	// arrays reads the parameters and, for Adam, the moments, by Store
	// name (see Pack.stateNames), as host copies.
	arrays() (map[string]model.Array, error)
}

// storeSource is a run alone: its Store and its evaluator.
type storeSource struct {
	store *gomlx.Store
	names []string
	eval  *evaluator
}

func (s storeSource) examples() (*evaluation, error) { return s.eval.run() }

func (s storeSource) arrays() (map[string]model.Array, error) {
	out := make(map[string]model.Array, len(s.names))
	for _, name := range s.names {
		a, err := readVariable(s.store, name)
		if err != nil {
			return nil, err
		}
		out[name] = a
	}
	return out, nil
}

// packSlot is model k of a Pack.
type packSlot struct {
	p *Pack
	k int
}

func (s packSlot) examples() (*evaluation, error) {
	ex, err := s.p.examples()
	if err != nil {
		return nil, err
	}
	return ex[s.k], nil
}

func (s packSlot) arrays() (map[string]model.Array, error) {
	all, err := s.p.arrays()
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Array, len(all))
	for name, parts := range all {
		out[name] = parts[s.k]
	}
	return out, nil
}

// examples scores every model's rows once per step (all K in one
// computation) and keeps the result for the step.
func (p *Pack) examples() ([]*evaluation, error) {
	if p.cache.exStep != p.Step || p.cache.ex == nil {
		ex, err := p.eval.run()
		if err != nil {
			return nil, err
		}
		p.cache.ex, p.cache.exStep = ex, p.Step
	}
	return p.cache.ex, nil
}

// arrays reads the stacked state once per step and splits it per model.
func (p *Pack) arrays() (map[string][]model.Array, error) {
	if p.cache.arStep != p.Step || p.cache.ar == nil {
		ar := map[string][]model.Array{}
		for _, name := range p.stateNames() {
			a, err := readVariable(p.store, name)
			if err != nil {
				return nil, err
			}
			ar[name] = model.UnstackArray(a)
		}
		p.cache.ar, p.cache.arStep = ar, p.Step
	}
	return p.cache.ar, nil
}

// stepCache holds what Pack read of its stacked state at one step.
type stepCache struct {
	exStep, arStep int
	ex             []*evaluation
	ar             map[string][]model.Array
}

package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Pack trains K runs as one computation: their parameters and Adam moments
// are stacked along a leading axis (model.Stacked) and one compiled step
// updates all of them. Each run keeps its own folder, metrics, checkpoints
// and early stop; the runs may differ in seed, learning rate, weight decay
// and table (e.g. another train/test split), nothing else.
type Pack struct {
	Runs []*Run
	Log  io.Writer
	Step int
	// Report, if set, is told after every step (progress lines or a bar).
	Report Reporter
	// costs is where the training loop's time went (see costs.line).
	costs costs

	view   model.Model // model.StackView of the runs' model
	store  *gomlx.Store
	exec   stepExec // see compileStep
	hypers []Hyper
	full   *infer.Batch // stacked full batch: inputs [K, n, cols], labels [K, n]
	eval   *stackedEvaluator
	cache  stepCache
}

// OpenPack opens the runs in dirs and stacks them: fresh ones when from is
// nil, else each from its resume state from[i] (see packResumeStates).
func OpenPack(backend compute.Backend, dirs []string, cfgs []*runs.Config, tables []*table.Table, from []string, log io.Writer) (*Pack, error) {
	p := &Pack{Log: log}
	for i, dir := range dirs {
		f := ""
		if from != nil {
			f = from[i]
		}
		r, err := open(backend, dir, cfgs[i], tables[i], f, log)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		r.keepPrevious = len(dirs) > 1
		p.Runs = append(p.Runs, r)
		p.hypers = append(p.hypers, r.hyper())
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	r0 := p.Runs[0]
	p.Step = p.training()[0].Step
	K := len(p.Runs)
	tr := r0.Config.Train
	if K == 1 { // a run alone: its own Store and the model's plain graph
		if err := createState(r0.Store.RootScope(), r0.Model, p.hypers[0]); err != nil {
			return nil, err
		}
		p.view, p.store, p.full = r0.Model, r0.Store, r0.full
		ev, err := newEvaluator(backend, r0.Store, r0.Model, tr.Loss, tr.LogitsDType, r0.Data)
		if err != nil {
			return nil, err
		}
		r0.src = storeSource{store: r0.Store, names: p.stateNames(), eval: ev}
		exec, err := compileStep(backend, p.store, r0.Model, nil, p.hypers[0], tr.Loss, tr.LogitsDType)
		if err != nil {
			return nil, err
		}
		p.exec = exec
		return p, nil
	}
	sm, ok := r0.Model.(model.Stacked)
	if !ok {
		return nil, fmt.Errorf("model %s cannot be packed", r0.Model.Name())
	}
	p.view = model.StackView(r0.Model, K)
	p.store = gomlx.NewStore()
	if err := p.stackFromRuns(); err != nil {
		return nil, err
	}
	var ds []*infer.Data
	for k, r := range p.Runs {
		r.src, ds = packSlot{p: p, k: k}, append(ds, r.Data)
	}
	ev, err := newStackedEvaluator(backend, p.store, sm, tr.Loss, tr.LogitsDType, ds)
	if err != nil {
		return nil, err
	}
	p.eval = ev
	exec, err := compileStep(backend, p.store, p.view, sm, p.hypers[0], tr.Loss, tr.LogitsDType)
	if err != nil {
		return nil, err
	}
	p.exec = exec
	if r0.full != nil {
		var batches []infer.Batch
		for _, r := range p.Runs {
			batches = append(batches, *r.full)
		}
		b := stackBatches(batches)
		p.full = &b
	}
	return p, nil
}

// training is the runs that have not stopped early (all of them, unless
// the pack resumes after some stopped), or the first run if all have.
func (p *Pack) training() []*Run {
	var out []*Run
	for _, r := range p.Runs {
		if !r.stopped() {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return p.Runs[:1]
	}
	return out
}

// check refuses runs that cannot share one computation.
func (p *Pack) check() error {
	r0 := p.Runs[0]
	a := r0.Config
	for _, r := range p.Runs[1:] {
		b := r.Config
		ta, tb := a.Train.Shared(), b.Train.Shared()
		switch {
		case a.Model != b.Model:
			return fmt.Errorf("%s and %s: packed runs must have the same model (%+v, %+v)", r0.Dir, r.Dir, a.Model, b.Model)
		case ta != tb:
			return fmt.Errorf("%s and %s: packed runs may differ only in seed, learning rate, weight decay and table", r0.Dir, r.Dir)
		case len(r.Data.TrainRows()) != len(r0.Data.TrainRows()):
			return fmt.Errorf("%s and %s: packed runs need the same number of training rows (%d, %d)", r0.Dir, r.Dir, len(r0.Data.TrainRows()), len(r.Data.TrainRows()))
		case r.Data.Len() != r0.Data.Len(): // evaluated together, row for row
			return fmt.Errorf("%s and %s: packed runs need tables of the same size (%d, %d rows)", r0.Dir, r.Dir, r0.Data.Len(), r.Data.Len())
		}
	}
	t0 := p.training()[0] // runs that stopped early sit at their own step
	for _, r := range p.training() {
		if r.Step != t0.Step {
			return fmt.Errorf("%s and %s: packed runs must resume from the same step (%d, %d)", t0.Dir, r.Dir, t0.Step, r.Step)
		}
	}
	return nil
}

// endRound removes the previous resume states once every run has written
// this step's (or stopped): from here on the runs resume from this step.
func (p *Pack) endRound() error {
	for _, r := range p.Runs {
		if !r.movedPrevious {
			continue
		}
		if err := os.Remove(runs.PreviousResumePath(r.Dir)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		r.movedPrevious = false
	}
	return nil
}

// packStepGraph builds one optimiser step of K stacked models (view is
// their StackView). Inputs as stepGraph's, each [K, …]; output: the losses [K].
func packStepGraph(sm model.Stacked, view model.Model, h Hyper, loss, logitsDType string) func(*gomlx.Scope, []*Node) *Node {
	return func(scope *gomlx.Scope, in []*Node) *Node {
		logits := toLogitsDType(sm.ForwardStacked(scope, in[0]), logitsDType) // [K, batch, P]
		losses := stackedLoss(loss, logits, in[1])                            // [K]
		updateGraph(scope, view, h, ReduceAllSum(losses), in[2:])
		return losses
	}
}

// stackedLoss is the training loss of each model [K].
func stackedLoss(kind string, logits, labels *Node) *Node {
	switch kind {
	case MSE:
		return model.MeanSquaredErrorStacked(logits, labels)
	case StableMax: // per row, then the mean of each model's rows
		d := logits.Shape().Dimensions // [K, batch, P]
		rows := model.StableMaxPerExample(Reshape(logits, d[0]*d[1], d[2]), Reshape(labels, d[0]*d[1]))
		return ReduceMean(Reshape(rows, d[0], d[1]), 1) // [K]
	}
	return model.CrossEntropyStacked(logits, labels)
}

// stackBatches stacks equal-sized batches: inputs [K, n, cols], labels [K, n].
func stackBatches(bs []infer.Batch) infer.Batch {
	var in, lab []int32
	for _, b := range bs {
		in = append(in, tensors.MustCopyFlatData[int32](b.Inputs)...)
		lab = append(lab, tensors.MustCopyFlatData[int32](b.Labels)...)
	}
	dims := bs[0].Inputs.Shape().Dimensions
	return infer.Batch{Inputs: tensors.FromFlatDataAndDimensions(in, len(bs), dims[0], dims[1]),
		Labels: tensors.FromFlatDataAndDimensions(lab, len(bs), dims[0])}
}

// stateNames are the Store names of the parameters and optimiser state.
func (p *Pack) stateNames() []string { return stateNames(p.Runs[0].Model, p.hypers[0]) }

// stackFromRuns fills the pack's Store from the runs' Stores.
func (p *Pack) stackFromRuns() error {
	for _, r := range p.Runs {
		if err := createState(r.Store.RootScope(), r.Model, r.hyper()); err != nil {
			return err
		}
	}
	for _, name := range p.stateNames() {
		var as []model.Array
		for _, r := range p.Runs {
			a, err := readVariable(r.Store, name)
			if err != nil {
				return fmt.Errorf("%s: %w", r.Dir, err)
			}
			as = append(as, a)
		}
		stacked, err := model.StackArrays(as)
		if err != nil {
			return err
		}
		t := tensors.FromFlatDataAndDimensions(stacked.Data, stacked.Shape...)
		v, err := p.store.CreateVariable(model.VariablePath(p.store.RootScope(), name), t)
		if err != nil {
			return err
		}
		v.SetTrainable(!isState(name))
	}
	return nil
}

// isState reports whether a Store name is optimiser state (not a parameter).
func isState(name string) bool {
	return strings.HasPrefix(name, "optim.") || strings.HasPrefix(name, "grokfast.")
}

// readVariable reads a float32 variable of a Store as an Array.
func readVariable(store *gomlx.Store, name string) (model.Array, error) {
	v := store.GetVariable(model.VariablePath(store.RootScope(), name))
	if v == nil {
		return model.Array{}, fmt.Errorf("no variable %s", name)
	}
	t, err := v.Value()
	if err != nil {
		return model.Array{}, err
	}
	return model.Array{Shape: t.Shape().Dimensions, Data: tensors.MustCopyFlatData[float32](t)}, nil
}

// step runs one optimiser step of every model and returns their losses.
func (p *Pack) step() ([]float64, error) {
	if len(p.Runs) == 1 {
		return p.stepAlone()
	}
	b := p.full
	if b == nil {
		var bs []infer.Batch
		for _, r := range p.Runs {
			bs = append(bs, r.batchFor(p.Step))
		}
		s := stackBatches(bs)
		b = &s
	}
	args := []any{b.Inputs, b.Labels}
	K := len(p.Runs)
	dtype := p.Runs[0].Model.Config().DType
	for i := range numHyper {
		v := make([]float64, K)
		for k, h := range p.hypers {
			v[k] = h.inputs(p.Step)[i]
		}
		if dtype == dtypes.Float64 {
			args = append(args, tensors.FromFlatDataAndDimensions(v, K))
		} else {
			f := make([]float32, K)
			for k, x := range v {
				f[k] = float32(x)
			}
			args = append(args, tensors.FromFlatDataAndDimensions(f, K))
		}
	}
	return p.exec1(args)
}

// stepAlone is step for a run alone: its batch and scalar optimiser inputs.
func (p *Pack) stepAlone() ([]float64, error) {
	r := p.Runs[0]
	b := p.full
	if b == nil {
		s := r.batchFor(p.Step)
		b = &s
	}
	args := []any{b.Inputs, b.Labels}
	for _, t := range hyperTensors(p.hypers[0], p.Step, r.Model.Config().DType) {
		args = append(args, t)
	}
	return p.exec1(args)
}

// exec1 runs the compiled step and returns its loss per model.
func (p *Pack) exec1(args []any) ([]float64, error) {
	out, err := p.exec.Exec(args...)
	if err != nil {
		return nil, err
	}
	defer out[0].FinalizeAll()
	switch out[0].DType() {
	case dtypes.Float64:
		return tensors.MustCopyFlatData[float64](out[0]), nil
	default:
		f := tensors.MustCopyFlatData[float32](out[0])
		l := make([]float64, len(f))
		for i, x := range f {
			l[i] = float64(x)
		}
		return l, nil
	}
}

// Train steps every model until the configured number of steps; a model
// that stops early (or diverges) is finished (or reported) at that step
// while the others go on. The end of ctx checkpoints every model still
// training and returns ErrInterrupted.
func (p *Pack) Train(ctx context.Context) error {
	K := len(p.Runs)
	tr := p.Runs[0].Config.Train
	active := make([]bool, K)
	errs := make([]error, K)
	for k, r := range p.Runs {
		active[k] = true
		if err := r.startEvents(); err != nil {
			return err
		}
		if err := r.begin(); err != nil {
			return err
		}
		if r.stopped() { // resumed after its early stop, before its final files
			errs[k], active[k] = r.finish(), false
		}
	}
	if err := p.endRound(); err != nil {
		return err
	}
	start, startStep := time.Now(), p.Step
	for p.Step < tr.Steps {
		if ctx.Err() != nil {
			for k, r := range p.Runs {
				if active[k] {
					if err := r.suspend(); err != nil {
						return fmt.Errorf("%s: interrupted at step %d, and the checkpoint failed: %w", r.Dir, r.Step, err)
					}
				}
			}
			if err := p.endRound(); err != nil {
				return err
			}
			return ErrInterrupted
		}
		began := time.Now()
		losses, err := p.step()
		if err != nil {
			return fmt.Errorf("step %d: %w", p.Step, err)
		}
		if p.costs.stepsRun++; p.costs.stepsRun == 1 {
			p.costs.firstStep = time.Since(began)
		} else {
			p.costs.steps += time.Since(began)
		}
		for k, l := range losses {
			if active[k] && (math.IsNaN(l) || math.IsInf(l, 0)) {
				errs[k] = p.Runs[k].diverged(fmt.Sprintf("the training loss is %v at step %d", l, p.Step))
				active[k] = false
			}
		}
		p.Step++
		rate := float64(p.Step-startStep) / time.Since(start).Seconds()
		for k, r := range p.Runs {
			if !active[k] {
				continue
			}
			r.Step = p.Step
			stop, err := r.record(rate)
			switch {
			case err != nil:
				errs[k], active[k] = err, false
			case stop:
				errs[k], active[k] = r.finish(), false
			}
		}
		if err := p.endRound(); err != nil {
			return err
		}
		if p.Report != nil {
			p.Report.Step(p.Step, tr.Steps, p.Runs, active)
		}
		if count(active) == 0 {
			break
		}
	}
	for k, r := range p.Runs {
		if active[k] {
			errs[k] = r.finish()
		}
	}
	return errors.Join(errs...)
}

func count(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

// Package train trains a model on a table and keeps its run folder: the
// loop, the optimisers, evaluation per (split, kind), checkpoints, exact
// resume and stopping on a signal, early stopping and divergence.
package train

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/gomlx/compute"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/table"
)

// ErrInterrupted is returned when the context ends a run early (SIGINT,
// SIGTERM); the state was checkpointed first.
var ErrInterrupted = errors.New("interrupted")

// Run is one training run in its folder.
type Run struct {
	Dir     string
	Config  *runs.Config
	Data    *infer.Data
	Model   model.Model
	Store   *gomlx.Store
	Step    int           // optimiser steps done
	Metrics []runs.Metric // every evaluation so far
	Log     io.Writer     // progress and messages (stderr)
	// Progress is told about every evaluation; nil for none.
	Progress Progress
	// costs holds this run's evaluation and checkpoint time (costs.line).
	costs costs

	backend compute.Backend
	src     source       // where its state is read to evaluate and checkpoint
	full    *infer.Batch // the training rows, for full-batch steps
	epoch   int          // mini-batch: the epoch whose order is in perm
	perm    []int32
	above   int // evaluations in a row with test accuracy ≥ StopAtTestAcc

	// keepPrevious (packed runs): a checkpoint first moves the resume state
	// to runs.PreviousResumePath, which the Pack removes once every run has
	// written its own (see Pack.endRound).
	keepPrevious  bool
	movedPrevious bool // since the last Pack.endRound
}

// hyper is the run's optimiser setting.
func (r *Run) hyper() Hyper {
	tr := r.Config.Train
	name, ortho := BaseOptimizer(tr.Optimizer)
	return Hyper{Name: name, Ortho: ortho, LR: tr.LR, WeightDecay: tr.WeightDecay, Beta1: tr.Beta1, Beta2: tr.Beta2, Eps: tr.Eps,
		WarmupSteps: tr.WarmupSteps, MuonLR: tr.MuonLR, Momentum: tr.MuonMomentum,
		Grokfast: Filter{Kind: tr.Grokfast, Alpha: tr.GrokfastAlpha, Lambda: tr.GrokfastLambda, Window: tr.GrokfastWindow}}
}

// open is Open without the compiled training step (a Pack steps its runs);
// from is the resume state to continue from ("" for a fresh run).
func open(backend compute.Backend, dir string, cfg *runs.Config, t *table.Table, from string, log io.Writer) (*Run, error) {
	m, err := infer.ModelFor(cfg.Model)
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, Config: cfg, Data: infer.NewData(t, cfg.Model.Equals), Model: m,
		Store: gomlx.NewStore(), Log: log, backend: backend, epoch: -1}
	if from != "" {
		if r.Step, err = loadState(from, r.Store, m); err != nil {
			return nil, err
		}
		if r.Metrics, err = runs.ReadMetrics(runs.MetricsPath(dir)); err != nil {
			return nil, err
		}
		r.keepMetricsUpTo(r.Step)
	} else if err := model.InitParams(r.Store.RootScope(), m, cfg.Train.Seed); err != nil {
		return nil, err
	}
	tr := cfg.Train
	if n := len(r.Data.TrainRows()); tr.Batch(n) == n {
		b := r.Data.Batch(r.Data.TrainRows())
		r.full = &b
	}
	return r, nil
}

// keepMetricsUpTo drops evaluations after step (made after the checkpoint
// a resumed run starts from) and recounts the early-stopping streak.
func (r *Run) keepMetricsUpTo(step int) {
	kept := r.Metrics[:0]
	for _, m := range r.Metrics {
		if m.Step <= int64(step) {
			kept = append(kept, m)
		}
	}
	r.Metrics = kept
	r.above = streak(0, r.Metrics, r.Config.Train.StopAtTestAcc)
}

// streak continues a count of evaluations in a row at or above threshold
// (--stop-at-test-acc; 0 counts none) over the metrics ms, in step order.
func streak(above int, ms []runs.Metric, threshold float64) int {
	for _, m := range ms {
		if isStopAccuracy(m) {
			if threshold > 0 && m.Value >= threshold {
				above++
			} else {
				above = 0
			}
		}
	}
	return above
}

// batchFor returns the training batch of a step. Mini-batches take the
// training rows in a seeded order that is a function of the epoch alone,
// dropping the last partial batch so every step has the same shape.
func (r *Run) batchFor(step int) infer.Batch {
	if r.full != nil {
		return *r.full
	}
	rows := r.Data.TrainRows()
	bs := r.Config.Train.Batch(len(rows))
	perEpoch := len(rows) / bs
	epoch, j := step/perEpoch, step%perEpoch
	if epoch != r.epoch {
		r.perm = seeded.New(r.Config.Train.Seed, fmt.Sprintf("batches/epoch-%d", epoch)).Perm(len(rows))
		r.epoch = epoch
	}
	idx := make([]int, bs)
	for k := range idx {
		idx[k] = rows[r.perm[j*bs+k]]
	}
	return r.Data.Batch(idx)
}

// begin evaluates and checkpoints step 0 of a fresh run.
func (r *Run) begin() error {
	if r.Step != 0 || len(r.Metrics) != 0 {
		return nil
	}
	if err := r.evaluate(); err != nil {
		return err
	}
	return r.checkpoint()
}

// record does the bookkeeping after step r.Step (the Store holding that
// step's parameters): evaluation, progress, checkpoint. It reports whether
// the run stops early here.
func (r *Run) record(rate float64) (stop bool, err error) {
	tr := r.Config.Train
	last := r.Step == tr.Steps
	if r.Step%tr.EvalEvery == 0 || last {
		began := time.Now()
		if err := r.evaluate(); err != nil {
			return false, err
		}
		r.costs.eval += time.Since(began)
		stop = r.stopped()
		if r.Progress != nil {
			r.Progress.Update(r.Step, tr.Steps, r.Metrics, rate)
		}
	}
	if r.Step%tr.CheckpointEvery == 0 || last || stop {
		began := time.Now()
		if err := r.checkpoint(); err != nil {
			return false, r.checkpointFailed(err)
		}
		r.costs.checkpoint += time.Since(began)
	}
	if stop {
		fmt.Fprintf(r.Log, "fit: test accuracy ≥ %g for %d evaluations in a row: stopping at step %d\n", tr.StopAtTestAcc, tr.Patience, r.Step)
	}
	return stop, nil
}

// isStopAccuracy reports whether m is the accuracy --stop-at-test-acc
// watches: the clean test rows'. Test rows of a planted kind are scored
// against their planted label, which a network that generalises answers
// cleanly on held-out triggers, so counting them could stall the stop
// short of the threshold forever.
func isStopAccuracy(m runs.Metric) bool {
	return m.Split == table.SplitTest && m.Kind == table.KindClean && m.Metric == runs.MetricAccuracy
}

// stopped reports whether the run stopped early at its current step. The
// streak is recounted from the metrics on resume, and the first step where it
// reaches the patience is where an uninterrupted run stopped, so a run
// resumed from there stops there too.
func (r *Run) stopped() bool {
	tr := r.Config.Train
	return r.Step > 0 && tr.StopAtTestAcc > 0 && r.above >= tr.Patience
}

// diverged reports a run that went NaN/Inf and records it in the run folder
// (runs.DivergedFile): the last good checkpoint stays, for the analyses, but
// resuming from it would only diverge again.
func (r *Run) diverged(why string) error {
	kept := "no checkpoint is kept"
	if step, err := resumeStep(r.Dir); err == nil && step >= 0 {
		kept = fmt.Sprintf("its last good checkpoint, step %d, is kept", step)
	}
	if err := outfile.WriteBytes(runs.DivergedPath(r.Dir), []byte(why+"\n")); err != nil {
		return fmt.Errorf("the run diverged: %s, and recording it failed: %w", why, err)
	}
	return fmt.Errorf("the run diverged: %s (%s; recorded in %s)", why, kept, runs.DivergedPath(r.Dir))
}

// checkpointFailed reports a checkpoint that could not be written (a full
// disk, say): the run did not diverge, and the resume state on disk is the
// one before.
func (r *Run) checkpointFailed(err error) error {
	if errors.Is(err, errNotFinite) {
		return r.diverged(err.Error())
	}
	return fmt.Errorf("writing the checkpoint of step %d: %w (%s)", r.Step, err, continueFrom(r.Dir))
}

// continueFrom says where fit --resume would pick the run up.
func continueFrom(dir string) string {
	step, err := resumeStep(dir)
	switch {
	case err != nil:
		return fmt.Sprintf("its resume state is unreadable: %v", err)
	case step < 0:
		return fmt.Sprintf("fit --resume %s starts it again from step 0", dir)
	}
	return fmt.Sprintf("fit --resume %s continues from step %d", dir, step)
}

// evaluate scores every row and appends the metrics.
func (r *Run) evaluate() error {
	ev, err := r.src.examples()
	if err != nil {
		return fmt.Errorf("evaluating at step %d: %w", r.Step, err)
	}
	ms := groupMetrics(r.Step, r.Data, ev.ex, runs.LossMetric(r.Config.Train.Loss))
	for _, m := range ms {
		if m.Split == table.SplitTrain && m.Kind == runs.All && runs.IsLoss(m.Metric) && (math.IsNaN(m.Value) || math.IsInf(m.Value, 0)) {
			return r.diverged(fmt.Sprintf("the training loss is %v at step %d", m.Value, r.Step))
		}
	}
	r.above = streak(r.above, ms, r.Config.Train.StopAtTestAcc)
	ps, err := paramsOf(r.src, r.Model, false)
	if err != nil {
		return err
	}
	sq := model.SumSquares(ps)
	ms = append(ms, scaleMetrics(r.Step, r.Data, ev, r.Config.Train.Loss)...)
	ms = append(ms, runs.Metric{Step: int64(r.Step), Split: runs.All, Kind: runs.All, Metric: runs.MetricWeightSq, Value: sq},
		runs.Metric{Step: int64(r.Step), Split: runs.All, Kind: runs.All, Metric: runs.MetricWeightNorm, Value: math.Sqrt(sq)})
	r.Metrics = append(r.Metrics, ms...)
	if err := runs.WriteMetrics(runs.MetricsPath(r.Dir), r.Metrics); err != nil {
		return err
	}
	return r.appendEvent(ms)
}

// checkpoint writes the step's parameters checkpoint (fourier's history) and
// the resume state.
func (r *Run) checkpoint() error { return r.save(true) }

// suspend saves what an interrupted run continues from: the resume state
// alone. A parameters checkpoint off the --checkpoint-every grid would leave
// the folder unlike an uninterrupted run's (fourier --over-checkpoints would
// see one more step).
func (r *Run) suspend() error { return r.save(false) }

func (r *Run) save(params bool) error {
	if r.keepPrevious {
		r.movedPrevious = true
		err := os.Rename(runs.ResumePath(r.Dir), runs.PreviousResumePath(r.Dir))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return saveState(r.Dir, r.src, r.Model, r.Step, params)
}

// finish writes the final weights and the curves.
func (r *Run) finish() error {
	ps, err := paramsOf(r.src, r.Model, true)
	if err != nil {
		return r.diverged(err.Error())
	}
	meta := map[string]string{metaStep: fmt.Sprint(r.Step), "model": r.Model.Name()}
	model.AddTransformerLens(r.Model, ps, meta) // what HookedTransformer loads beyond the parameters
	if err := model.SaveSafetensors(runs.ModelPath(r.Dir), ps, meta); err != nil {
		return err
	}
	return runs.PlotCurves(r.Dir, r.Config.Describe(), r.Metrics, r.Config.Train.FigureFormat)
}

package train

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/score"
	"github.com/grokkit/grokkit/pkg/table"
)

// evaluation is every row of a table scored: its loss against label and
// prediction (ex), whether its softmax collapsed, and its largest logit.
type evaluation struct {
	ex              []score.Example
	collapsed       []bool    // softmax exactly one-hot in the training logits' precision
	maxLogit        []float64 // the row's largest logit
	stableCollapsed []bool    // StableMax exactly one-hot (float64); StableMax runs only
}

// rowOutputs are the per-row outputs of the evaluation graphs from logits
// [rows, P] (the model's dtype): the loss in float64, the prediction, the
// collapse flag (1 where the largest softmax probability, computed in the
// training logits' precision, is exactly 1: Σ exp(z − max z) == 1) and the
// largest logit in float64.
//
// StableMax runs get a fifth output, the same flag for StableMax,
// s(x) = x + 1 (x ≥ 0) or 1/(1 − x), in float64 as the StableMax loss
// computes it: Σ s(z) == max s(z). Other runs do not compute it.
func rowOutputs(logits, labels *Node, loss, logitsDType string) []*Node {
	z := toLogitsDType(logits, logitsDType)                                       // [rows, P]
	collapsed := Equal(ReduceMax(Softmax(z, -1), -1), OnesLike(ReduceMax(z, -1))) // [rows]
	wide := ConvertDType(logits, dtypes.Float64)                                  // [rows, P]
	out := []*Node{perExampleLoss(loss, wide, labels), ConvertDType(ArgMax(wide, -1), dtypes.Int32),
		ConvertDType(collapsed, dtypes.Int32), ReduceMax(wide, -1)}
	if loss != StableMax {
		return out
	}
	one := OnesLike(wide) // [rows, P]
	s := Where(GreaterOrEqual(wide, ZerosLike(wide)), Add(wide, one), Div(one, Sub(one, wide)))
	stableCollapsed := Equal(ReduceSum(s, -1), ReduceMax(s, -1)) // [rows]
	return append(out, ConvertDType(stableCollapsed, dtypes.Int32))
}

// evaluator scores every row of a table (see evaluation), always in
// float64 but for the collapse, which is about the training precision.
type evaluator struct {
	exec   *gomlx.Exec
	chunks []infer.Batch // the whole table, in chunks of equal size
	rows   int
}

func newEvaluator(backend compute.Backend, store *gomlx.Store, m model.Model, loss, logitsDType string, d *infer.Data) (*evaluator, error) {
	exec, err := gomlx.NewExec(backend, store, func(scope *gomlx.Scope, inputs, labels *Node) []*Node {
		return rowOutputs(m.Forward(scope, inputs), labels, loss, logitsDType) // [batch] ×4 or 5
	})
	if err != nil {
		return nil, err
	}
	all := make([]int, d.Len())
	for i := range all {
		all[i] = i
	}
	e := &evaluator{exec: exec.WithName("eval"), rows: len(all)}
	chunks, _ := infer.Chunks(all) // run trims the padding: it knows the row count
	for _, idx := range chunks {
		e.chunks = append(e.chunks, d.Batch(idx))
	}
	return e, nil
}

// run scores every row with the Store's current parameters (evalsplit's
// fields of score.Example beyond loss and prediction stay 0).
func (e *evaluator) run() (*evaluation, error) {
	ev := &evaluation{}
	for _, c := range e.chunks {
		out, err := e.exec.Exec(c.Inputs, c.Labels)
		if err != nil {
			return nil, err
		}
		ev.append(out, 0, out[0].Shape().Dimensions[0], e.rows)
		freeAll(out)
	}
	return ev, nil
}

func freeAll(ts []*tensors.Tensor) {
	for _, t := range ts {
		t.FinalizeAll()
	}
}

// append adds rows [from, from+n) of a chunk's outputs (see rowOutputs),
// up to rows in all (the last chunk is padded).
func (ev *evaluation) append(out []*tensors.Tensor, from, n, rows int) {
	loss := tensors.MustCopyFlatData[float64](out[0])
	pred := tensors.MustCopyFlatData[int32](out[1])
	coll := tensors.MustCopyFlatData[int32](out[2])
	top := tensors.MustCopyFlatData[float64](out[3])
	var stable []int32 // StableMax runs only (see rowOutputs)
	if len(out) > 4 {
		stable = tensors.MustCopyFlatData[int32](out[4])
	}
	for j := from; j < from+n && len(ev.ex) < rows; j++ {
		ev.ex = append(ev.ex, score.Example{Row: len(ev.ex), Pred: pred[j], Loss: loss[j]})
		ev.collapsed = append(ev.collapsed, coll[j] == 1)
		ev.maxLogit = append(ev.maxLogit, top[j])
		if stable != nil {
			ev.stableCollapsed = append(ev.stableCollapsed, stable[j] == 1)
		}
	}
}

// scaleMetrics are the training rows' softmax collapse fraction and mean
// largest logit (split train, kind all).
func scaleMetrics(step int, d *infer.Data, ev *evaluation, loss string) []runs.Metric {
	var n, collapsed, stable int
	var top float64
	for i, train := range d.Table.Train {
		if train {
			n++
			top += ev.maxLogit[i]
			if ev.collapsed[i] {
				collapsed++
			}
			if loss == StableMax && ev.stableCollapsed[i] {
				stable++
			}
		}
	}
	ms := []runs.Metric{
		{Step: int64(step), Split: table.SplitTrain, Kind: runs.All, Metric: runs.MetricCollapse, Value: float64(collapsed) / float64(n)},
		{Step: int64(step), Split: table.SplitTrain, Kind: runs.All, Metric: runs.MetricMaxLogit, Value: top / float64(n)},
	}
	if loss == StableMax { // the collapse of the function the run trains with
		ms = append(ms, runs.Metric{Step: int64(step), Split: table.SplitTrain, Kind: runs.All, Metric: runs.MetricStableCollapse, Value: float64(stable) / float64(n)})
	}
	return ms
}

// groupMetrics is the loss (the training objective, lossName) and accuracy
// per (split, kind) and per split, in evalsplit's grouping and order.
func groupMetrics(step int, d *infer.Data, ex []score.Example, lossName string) []runs.Metric {
	var out []runs.Metric
	for _, g := range score.Groups(d.Table, ex) {
		out = append(out,
			runs.Metric{Step: int64(step), Split: g.Split, Kind: g.Kind, Metric: lossName, Value: g.Loss},
			runs.Metric{Step: int64(step), Split: g.Split, Kind: g.Kind, Metric: runs.MetricAccuracy, Value: g.Accuracy})
	}
	return out
}

// stackedEvaluator scores every row of K tables of the same size at once
// with K stacked models (a Pack's Store): one computation instead of K, and
// no copy of the parameters out of the stack.
type stackedEvaluator struct {
	exec   *gomlx.Exec
	chunks []infer.Batch // inputs [K, chunk, cols], labels [K, chunk]
	rows   int
}

func newStackedEvaluator(backend compute.Backend, store *gomlx.Store, sm model.Stacked, loss, logitsDType string, ds []*infer.Data) (*stackedEvaluator, error) {
	exec, err := gomlx.NewExec(backend, store, func(scope *gomlx.Scope, inputs, labels *Node) []*Node {
		logits := sm.ForwardStacked(scope, inputs) // [K, chunk, P]
		d := logits.Shape().Dimensions
		return rowOutputs(Reshape(logits, d[0]*d[1], d[2]), Reshape(labels, d[0]*d[1]), loss, logitsDType) // [K·chunk] ×4 or 5
	})
	if err != nil {
		return nil, err
	}
	all := make([]int, ds[0].Len())
	for i := range all {
		all[i] = i
	}
	e := &stackedEvaluator{exec: exec.WithName("pack_eval"), rows: len(all)}
	chunks, _ := infer.Chunks(all) // run trims the padding: it knows the row count
	for _, idx := range chunks {
		var bs []infer.Batch
		for _, d := range ds {
			bs = append(bs, d.Batch(idx))
		}
		e.chunks = append(e.chunks, stackBatches(bs))
	}
	return e, nil
}

// run scores every row of every model: one evaluation per model.
func (e *stackedEvaluator) run() ([]*evaluation, error) {
	var evs []*evaluation
	for _, c := range e.chunks {
		out, err := e.exec.Exec(c.Inputs, c.Labels)
		if err != nil {
			return nil, err
		}
		K, chunk := c.Labels.Shape().Dimensions[0], c.Labels.Shape().Dimensions[1]
		if evs == nil {
			evs = make([]*evaluation, K)
			for k := range evs {
				evs[k] = &evaluation{}
			}
		}
		for k := range K {
			evs[k].append(out, k*chunk, chunk, e.rows)
		}
		freeAll(out)
	}
	return evs, nil
}

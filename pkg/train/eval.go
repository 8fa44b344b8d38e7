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
)

// evaluator scores every row of a table: its loss against label and
// whether the prediction is right, always in float64.
type evaluator struct {
	exec   *gomlx.Exec
	chunks []infer.Batch // the whole table, in chunks of equal size
	rows   int
}

func newEvaluator(backend compute.Backend, store *gomlx.Store, m model.Model, loss string, d *infer.Data) (*evaluator, error) {
	exec, err := gomlx.NewExec(backend, store, func(scope *gomlx.Scope, inputs, labels *Node) (*Node, *Node) {
		logits := ConvertDType(m.Forward(scope, inputs), dtypes.Float64) // [batch, P]
		return perExampleLoss(loss, logits, labels), ConvertDType(ArgMax(logits, -1), dtypes.Int32)
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

// run scores every row with the Store's current parameters: its loss
// against label and its prediction (evalsplit's fields beyond those stay 0).
func (e *evaluator) run() ([]score.Example, error) {
	ex := make([]score.Example, 0, e.rows)
	for _, c := range e.chunks {
		out, err := e.exec.Exec(c.Inputs, c.Labels)
		if err != nil {
			return nil, err
		}
		loss := tensors.MustCopyFlatData[float64](out[0])
		pred := tensors.MustCopyFlatData[int32](out[1])
		out[0].FinalizeAll()
		out[1].FinalizeAll()
		for j := 0; j < len(loss) && len(ex) < e.rows; j++ {
			ex = append(ex, score.Example{Row: len(ex), Pred: pred[j], Loss: loss[j]})
		}
	}
	return ex, nil
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

func newStackedEvaluator(backend compute.Backend, store *gomlx.Store, sm model.Stacked, loss string, ds []*infer.Data) (*stackedEvaluator, error) {
	exec, err := gomlx.NewExec(backend, store, func(scope *gomlx.Scope, inputs, labels *Node) (*Node, *Node) {
		logits := ConvertDType(sm.ForwardStacked(scope, inputs), dtypes.Float64) // [K, chunk, P]
		d := logits.Shape().Dimensions
		flat := perExampleLoss(loss, Reshape(logits, d[0]*d[1], d[2]), Reshape(labels, d[0]*d[1])) // [K·chunk]
		return Reshape(flat, d[0], d[1]), ConvertDType(ArgMax(logits, -1), dtypes.Int32)           // [K, chunk] ×2
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

// run scores every row of every model: [K][rows].
func (e *stackedEvaluator) run() ([][]score.Example, error) {
	var ex [][]score.Example
	for _, c := range e.chunks {
		out, err := e.exec.Exec(c.Inputs, c.Labels)
		if err != nil {
			return nil, err
		}
		d := out[0].Shape().Dimensions // [K, chunk]
		loss := tensors.MustCopyFlatData[float64](out[0])
		pred := tensors.MustCopyFlatData[int32](out[1])
		out[0].FinalizeAll()
		out[1].FinalizeAll()
		if ex == nil {
			ex = make([][]score.Example, d[0])
		}
		for k := range d[0] {
			for j := 0; j < d[1] && len(ex[k]) < e.rows; j++ {
				ex[k] = append(ex[k], score.Example{Row: len(ex[k]), Pred: pred[k*d[1]+j], Loss: loss[k*d[1]+j]})
			}
		}
	}
	return ex, nil
}

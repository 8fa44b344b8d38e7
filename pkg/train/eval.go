package train

import (
	"sort"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
)

// evaluator scores every row of a table: its loss against label and
// whether the prediction is right, always in float64.
type evaluator struct {
	exec   *gomlx.Exec
	chunks []infer.Batch // the whole table, in chunks of equal size
	rows   int
}

// Scores holds one value per row of the table.
type Scores struct {
	Loss    []float64 // loss against label
	Pred    []int32   // argmax of the logits
	Correct []bool    // Pred == label
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

// run scores every row with the Store's current parameters.
func (e *evaluator) run(d *infer.Data) (Scores, error) {
	s := Scores{Loss: make([]float64, 0, e.rows), Pred: make([]int32, 0, e.rows)}
	for _, c := range e.chunks {
		out, err := e.exec.Exec(c.Inputs, c.Labels)
		if err != nil {
			return s, err
		}
		loss := tensors.MustCopyFlatData[float64](out[0])
		pred := tensors.MustCopyFlatData[int32](out[1])
		out[0].FinalizeAll()
		out[1].FinalizeAll()
		n := min(len(loss), e.rows-len(s.Loss))
		s.Loss = append(s.Loss, loss[:n]...)
		s.Pred = append(s.Pred, pred[:n]...)
	}
	s.Correct = make([]bool, e.rows)
	for i := range s.Correct {
		s.Correct[i] = s.Pred[i] == d.Label[i]
	}
	return s, nil
}

// groupMetrics turns row scores into loss and accuracy per (split, kind),
// plus (split, "all"), in a fixed order.
func groupMetrics(step int, d *infer.Data, s Scores) []runs.Metric {
	type acc struct {
		loss    float64
		correct int
		n       int
	}
	groups := map[[2]string]*acc{}
	add := func(split, kind string, i int) {
		k := [2]string{split, kind}
		g := groups[k]
		if g == nil {
			g = &acc{}
			groups[k] = g
		}
		g.loss += s.Loss[i]
		g.n++
		if s.Correct[i] {
			g.correct++
		}
	}
	for i := range s.Loss {
		split := d.SplitName(i)
		add(split, runs.All, i)
		add(split, d.Kind[i], i)
	}
	keys := make([][2]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] > keys[j][0] // train before test
		}
		if (keys[i][1] == runs.All) != (keys[j][1] == runs.All) {
			return keys[i][1] == runs.All
		}
		return keys[i][1] < keys[j][1]
	})
	var out []runs.Metric
	for _, k := range keys {
		g := groups[k]
		out = append(out,
			runs.Metric{Step: int64(step), Split: k[0], Kind: k[1], Metric: runs.MetricLoss, Value: g.loss / float64(g.n)},
			runs.Metric{Step: int64(step), Split: k[0], Kind: k[1], Metric: runs.MetricAccuracy, Value: float64(g.correct) / float64(g.n)})
	}
	return out
}

package llc

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/table"
)

// Row is one checkpoint's estimate beside the losses it is read against.
type Row struct {
	Step          int64   `parquet:"step"`
	LLC           float64 `parquet:"llc"`          // λ̂, the mean over chains
	LLCStd        float64 `parquet:"llc_std"`      // the chains' standard deviation
	Chains        int32   `parquet:"chains"`       // chains that stayed finite
	Diverged      bool    `parquet:"diverged"`     // some chain's loss went NaN or infinite
	NBeta         float64 `parquet:"nbeta"`        // nβ
	TrainLoss     float64 `parquet:"train_loss"`   // L_n(w*), the training objective on every training row
	SampledLoss   float64 `parquet:"sampled_loss"` // E[L] over the draws
	TestLoss      float64 `parquet:"test_loss"`    // the same loss on the test rows (NaN: none)
	TrainAccuracy float64 `parquet:"train_accuracy"`
	TestAccuracy  float64 `parquet:"test_accuracy"` // NaN: no test rows
}

// Trajectory estimates λ at each of a run's checkpoints (infer.Final: its
// final weights), every one with the same settings and seed. load reads a
// step's network; t is the table whose training rows are the objective.
// One compiled network serves every checkpoint.
func Trajectory(b compute.Backend, load func(step int) (*infer.Net, error), steps []int, t *table.Table, s Settings, progress func(step int)) ([]Row, error) {
	var out []Row
	var obj *Network
	test := testRows(t)
	for _, step := range steps {
		if progress != nil {
			progress(step)
		}
		net, err := load(step)
		if err != nil {
			return nil, err
		}
		data := infer.NewData(t, net.Config.Model.Equals)
		if obj == nil {
			if obj, err = NewNetwork(b, net, data); err != nil {
				return nil, err
			}
		}
		// Accuracies first: the sampler writes its draws into the Store of
		// the network it was compiled from, which may be net's.
		r := Row{Step: int64(net.Step), TestLoss: math.NaN()}
		if r.TrainAccuracy, err = accuracy(b, net, data, data.TrainRows()); err != nil {
			return nil, err
		}
		if r.TestAccuracy, err = accuracy(b, net, data, test); err != nil {
			return nil, err
		}
		wstar := obj.Flatten(net.Params)
		e, err := Run(obj, wstar, s)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", net.Step, err)
		}
		r.LLC, r.LLCStd, r.Chains, r.Diverged = e.LLC, e.Std, int32(len(e.Chains)), e.Diverged
		r.NBeta, r.TrainLoss, r.SampledLoss = e.NBeta, e.InitLoss, e.MeanLoss
		if len(test) > 0 {
			if r.TestLoss, err = obj.Loss(wstar, test); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func testRows(t *table.Table) []int {
	var rows []int
	for i, tr := range t.Train {
		if !tr {
			rows = append(rows, i)
		}
	}
	return rows
}

// accuracy is the share of rows whose largest logit is the label; NaN for
// no rows.
func accuracy(b compute.Backend, net *infer.Net, data *infer.Data, rows []int) (float64, error) {
	if len(rows) == 0 {
		return math.NaN(), nil
	}
	p := net.Config.Model.P
	right := 0
	err := net.Logits(b, data, rows, func(start int, logits []float64) {
		for k := 0; k*p < len(logits); k++ {
			best := 0
			for c := 1; c < p; c++ {
				if logits[k*p+c] > logits[k*p+best] {
					best = c
				}
			}
			if int32(best) == data.Label[rows[start+k]] {
				right++
			}
		}
	})
	return float64(right) / float64(len(rows)), err
}

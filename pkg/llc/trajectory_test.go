package llc

import (
	"math"
	"testing"

	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/table"
)

// checkpoints are three draws of smallNet's weights, standing for a run's
// checkpoints: each load gives a fresh network with its own Store, as
// infer.LoadRun does.
func checkpoints(t *testing.T) (func(step int) (*infer.Net, error), *table.Table) {
	t.Helper()
	base, _ := smallNet(t, "cross_entropy")
	tb, err := table.Generate(table.Spec{P: 7, Op: "add", TrainFraction: 0.5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	load := func(step int) (*infer.Net, error) {
		store := gomlx.NewStore()
		if err := model.InitParams(store.RootScope(), base.Model, uint64(10+step)); err != nil {
			return nil, err
		}
		ps, err := model.GetParams(store.RootScope(), base.Model)
		if err != nil {
			return nil, err
		}
		return &infer.Net{Config: base.Config, Model: base.Model, Store: store, Params: ps, Step: step}, nil
	}
	return load, tb
}

// A checkpoint's row does not depend on the checkpoints estimated before
// it (each starts from the same seed, and the sampler's draws must not leak
// into the weights that the accuracies are measured at), and its accuracy
// is that of the checkpoint's own forward pass.
func TestTrajectoryRowsIndependentOfOrder(t *testing.T) {
	load, tb := checkpoints(t)
	s := Settings{Epsilon: 1e-3, Chains: 2, Draws: 10, StepsBetween: 1, Seed: 4}
	all, err := Trajectory(testBackend, load, []int{0, 1, 2}, tb, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, step := range []int{0, 1, 2} {
		alone, err := Trajectory(testBackend, load, []int{step}, tb, s, nil)
		if err != nil {
			t.Fatal(err)
		}
		if alone[0] != all[i] {
			t.Errorf("step %d alone %+v, after others %+v", step, alone[0], all[i])
		}
		net, err := load(step)
		if err != nil {
			t.Fatal(err)
		}
		data := infer.NewData(tb, false)
		want := 0
		rows := data.TrainRows()
		p := net.Config.Model.P
		err = net.Logits(testBackend, data, rows, func(start int, logits []float64) {
			for k := 0; k*p < len(logits); k++ {
				best := 0
				for c := range p {
					if logits[k*p+c] > logits[k*p+best] {
						best = c
					}
				}
				if int32(best) == data.Label[rows[start+k]] {
					want++
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := all[i].TrainAccuracy; math.Abs(got-float64(want)/float64(len(rows))) > 1e-12 {
			t.Errorf("step %d: train accuracy %g, the forward pass gives %d/%d", step, got, want, len(rows))
		}
	}
}

package train

import (
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/tfevents"
)

// The run's TensorBoard event file (runs.EventsFile) mirrors metrics.parquet:
// one event per evaluation holding that step's rows and the learning rate.
// Its wall_time is the step, not the clock, so the same run gives the same
// bytes (a resumed run's file equals an uninterrupted one's); TensorBoard's
// step axis is the one to read.

// lrTag is the learning rate's tag.
const lrTag = "train/lr"

// event is the event of one evaluation: ms are its rows, all of one step.
// The learning rate is the one the next update uses, lr·min(step/warmup, 1).
func (r *Run) event(ms []runs.Metric) tfevents.Event {
	step := ms[0].Step
	e := tfevents.Event{WallTime: float64(step), Step: step}
	for _, m := range ms {
		e.Scalars = append(e.Scalars, tfevents.Scalar{Tag: runs.Quantity{Split: m.Split, Kind: m.Kind, Metric: m.Metric}.Tag(), Value: float32(m.Value)})
	}
	e.Scalars = append(e.Scalars, tfevents.Scalar{Tag: lrTag, Value: float32(r.hyper().LearningRate(int(step)))})
	return e
}

// startEvents makes the event file hold the metrics kept when the run
// opened (tfevents.Reset): a resumed run drops the steps after its
// checkpoint, and any record a crash tore, so no step is written twice.
func (r *Run) startEvents() error {
	if !r.Config.Train.Tensorboard {
		return nil
	}
	var events []tfevents.Event
	for i := 0; i < len(r.Metrics); {
		j := i + 1
		for j < len(r.Metrics) && r.Metrics[j].Step == r.Metrics[i].Step {
			j++
		}
		events = append(events, r.event(r.Metrics[i:j]))
		i = j
	}
	return tfevents.Reset(runs.EventsPath(r.Dir), events)
}

// appendEvent adds one evaluation's rows (ms, not empty) to the event file.
func (r *Run) appendEvent(ms []runs.Metric) error {
	if !r.Config.Train.Tensorboard {
		return nil
	}
	return tfevents.Append(runs.EventsPath(r.Dir), r.event(ms))
}

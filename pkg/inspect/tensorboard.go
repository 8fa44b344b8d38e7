package inspect

import (
	"slices"

	"github.com/grokkit/grokkit/pkg/tfevents"
)

// EventsFile is fourier --tensorboard's event file. Beside a run's own
// (runs.EventsFile, fit's metrics) in one folder, TensorBoard shows both as
// one run; no time stamp or host in the name, so the same analysis gives
// the same folder.
const EventsFile = "events.out.tfevents.0.fourier"

// spectralMeasures are the per-matrix measures TensorBoard gets, one curve
// per matrix each.
var spectralMeasures = []string{MeasureAlpha, MeasureAlphaKS, MeasureAlphaTail, MeasureTraps, MeasureSpikes}

// Events is the rows as TensorBoard scalars, one event per step, steps
// ascending: the one-value measures as fourier/MEASURE, and the spectral
// measures of matrix i (matrices[i], Spectral's names) as MEASURE/NAME
// (alpha/blocks.0.mlp.W_in), so that TensorBoard draws each measure's
// matrices in one section. Per-frequency and per-neuron rows are left out.
// Each event's wall_time is its step, as in fit's file: the same rows give
// the same bytes.
func Events(matrices []string, rows []Row) []tfevents.Event {
	byStep := map[int64][]tfevents.Scalar{}
	var steps []int64
	add := func(step int64, tag string, v float64) {
		if _, ok := byStep[step]; !ok {
			steps = append(steps, step)
		}
		byStep[step] = append(byStep[step], tfevents.Scalar{Tag: tag, Value: float32(v)})
	}
	for _, r := range rows {
		switch {
		case r.Index == -1:
			add(r.Step, "fourier/"+r.Measure, r.Value)
		case slices.Contains(spectralMeasures, r.Measure) && r.Index >= 0 && int(r.Index) < len(matrices):
			add(r.Step, r.Measure+"/"+matrices[r.Index], r.Value)
		}
	}
	slices.Sort(steps)
	events := make([]tfevents.Event, len(steps))
	for i, s := range steps {
		events[i] = tfevents.Event{WallTime: float64(s), Step: s, Scalars: byStep[s]}
	}
	return events
}

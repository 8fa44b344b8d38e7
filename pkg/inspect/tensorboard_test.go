package inspect

import (
	"reflect"
	"testing"

	"github.com/grokkit/grokkit/pkg/tfevents"
)

// The events against a hand-written list: steps ascending whatever the
// rows' order, one-value measures under fourier/, the spectral measures
// under their matrix's name, per-frequency rows (an index, not a
// spectral measure) left out, wall_time the step.
func TestEventsTagsEachMeasure(t *testing.T) {
	matrices := []string{"embed.W_E", "blocks.0.mlp.W_in"}
	rows := []Row{
		{Step: 100, Measure: "gini_embed", Index: -1, Value: 0.5},
		{Step: 100, Measure: "embed_norm", Index: 3, Value: 9}, // a frequency's: left out
		{Step: 0, Measure: "gini_embed", Index: -1, Value: 0.25},
		{Step: 100, Measure: MeasureAlpha, Index: 1, Value: 1.75},
		{Step: 100, Measure: MeasureTraps, Index: 0, Value: 2},
		{Step: 0, Measure: MeasureAlpha, Index: 0, Value: 4.5},
	}
	want := []tfevents.Event{
		{WallTime: 0, Step: 0, Scalars: []tfevents.Scalar{{Tag: "fourier/gini_embed", Value: 0.25}, {Tag: "alpha/embed.W_E", Value: 4.5}}},
		{WallTime: 100, Step: 100, Scalars: []tfevents.Scalar{{Tag: "fourier/gini_embed", Value: 0.5}, {Tag: "alpha/blocks.0.mlp.W_in", Value: 1.75}, {Tag: "traps/embed.W_E", Value: 2}}},
	}
	if got := Events(matrices, rows); !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n%+v\nwant\n%+v", got, want)
	}
}

package sweep

import (
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/plot"
)

// Every metric collect can map gets the colour scale its values mean: the
// shares of rows (accuracies, xi the share of noisy labels) a fixed [0, 1],
// the phase its categories, steps and losses from 0.
func TestHeatScale(t *testing.T) {
	for _, z := range append(resultMetrics, MetricPhase) {
		want := plot.FromZero
		switch {
		case strings.HasSuffix(z, "_accuracy") || z == "xi":
			want = plot.Share
		case z == MetricPhase:
			want = plot.Categories
		}
		if got := heatScale(z); got != want {
			t.Errorf("%s: scale %d, want %d", z, got, want)
		}
	}
}

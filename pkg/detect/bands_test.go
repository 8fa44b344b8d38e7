package detect

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/plot"
)

// How far apart ROC curves run, worked by hand: a near-perfect curve
// (98% of the positives above every negative, the rest above all but 0.2%
// of them) is 0.02 below the perfect one at fpr 0 but only 0.002 beside
// it (at tpr 0.99 it sits at fpr 0.001, the perfect one at 0); the
// chance diagonal is 0.5 from the perfect curve's corner at (0, 1).
func TestROCGap(t *testing.T) {
	perfect := [2][]float64{{0, 0, 1}, {0, 1, 1}}
	near := [2][]float64{{0, 0, 0.002, 1}, {0, 0.98, 1, 1}}
	chance := [2][]float64{{0, 1}, {0, 1}}
	if got := sweepGap(perfect[0], perfect[1], near[0], near[1]); math.Abs(got-0.02) > 1e-12 {
		t.Errorf("vertical gap %g, want 0.02", got)
	}
	if got := rocGap(perfect[0], perfect[1], near[0], near[1]); math.Abs(got-0.002) > 1e-12 {
		t.Errorf("gap %g, want 0.002", got)
	}
	if got := rocGap(perfect[0], perfect[1], chance[0], chance[1]); math.Abs(got-1) > 1e-12 {
		// Vertically: at fpr 0 the perfect curve spans [0, 1], the diagonal is at 0;
		// horizontally the same at tpr 1: a gap of 1 either way.
		t.Errorf("gap to chance %g, want 1", got)
	}
}

// Curves that run together are drawn as bands, the first drawn widest; the
// note names them in that order, = where they trace one path (two perfect
// scores with different thresholds), ≈ where they are only close.
func TestBands(t *testing.T) {
	rocs := []plot.Series{
		{X: []float64{0, 0, 0, 1}, Y: []float64{0, 0.5, 1, 1}}, // perfect, through a threshold mid-way up
		{X: []float64{0, 0.5, 1}, Y: []float64{0, 0.5, 1}},     // chance
		{X: []float64{0, 0, 1}, Y: []float64{0, 1, 1}},         // perfect
		{X: []float64{0, 0, 0.002, 1}, Y: []float64{0, 0.98, 1, 1}},
	}
	widths, note := bands([]string{"a", "chance", "b", "c"}, rocs)
	if want := []float64{1.5 + 2*bandStep, 0, 1.5 + bandStep, 1.5}; !slices.Equal(widths, want) {
		t.Errorf("widths %v, want %v", widths, want)
	}
	if !strings.Contains(note, "a = b ≈ c") || strings.Contains(note, "chance") {
		t.Errorf("note %q, want the group a = b ≈ c and nothing else", note)
	}
	if widths, note := bands([]string{"a", "chance"}, rocs[:2]); !slices.Equal(widths, []float64{0, 0}) || note != "" {
		t.Errorf("curves apart: widths %v, note %q, want none", widths, note)
	}
}

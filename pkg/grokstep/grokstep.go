// Package grokstep measures when runs grok and compares sets of seeds: the
// grokking step by Essential AI's definition (2025, "Muon and grokking":
// the first evaluation whose validation accuracy is within 1% of the run's
// maximum, that maximum above 95%), and per (task, optimiser, learning
// rate) the median and interquartile range of the step over the seeds that
// grok, with how many never do. make reproduce-optimizers
// (scripts/reproduce-optimizers.sh) chooses each optimiser's learning rate
// with it (Choose) and writes its table and figure.
package grokstep

import (
	"fmt"
	"math"
)

// Definition is when a test-accuracy curve counts as grokked.
type Definition struct {
	// Within is how far below the run's maximum test accuracy the grokking
	// step's accuracy may be, in accuracy (0.01: one percentage point).
	Within float64
	// MinMax: a run whose maximum is not above it never grokked.
	MinMax float64
}

// EssentialAI is Essential AI's definition: within 1% of the maximum, the
// maximum above 95%. "Within 1%" is read as one percentage point; read as
// 1% of the maximum (≥ 0.99·max) it differs by 0.01·(1 − max) ≤ 0.0005 in
// accuracy for a maximum above 0.95, less than one test row in 2,000.
var EssentialAI = Definition{Within: 0.01, MinMax: 0.95}

// Check rejects a definition no accuracy curve could meet sensibly.
func (d Definition) Check() error {
	switch {
	case !(d.Within >= 0 && d.Within < 1):
		return fmt.Errorf("within must be in [0, 1), got %g", d.Within)
	case !(d.MinMax >= 0 && d.MinMax < 1):
		return fmt.Errorf("the minimum maximum must be in [0, 1), got %g", d.MinMax)
	}
	return nil
}

// Step returns the grokking step of one run's test accuracy acc at the
// evaluated steps (in order), the maximum accuracy, and whether it grokked:
// the first step whose accuracy is ≥ max − Within, where max > MinMax.
// NaN evaluations (a run about to diverge) are skipped. The maximum is
// over the evaluations the run has: a run stopped early at 99% test
// accuracy (fit --stop-at-test-acc) has its maximum from before the stop.
func (d Definition) Step(steps []int64, acc []float64) (step int64, peak float64, ok bool) {
	peak = math.NaN()
	for _, a := range acc {
		if !math.IsNaN(a) && (math.IsNaN(peak) || a > peak) {
			peak = a
		}
	}
	if math.IsNaN(peak) || !(peak > d.MinMax) {
		return 0, peak, false
	}
	for i, a := range acc {
		if a >= peak-d.Within {
			return steps[i], peak, true
		}
	}
	return 0, peak, false // not reached: the peak itself qualifies
}

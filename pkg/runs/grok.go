package runs

// FirstStepAtLeast returns the first evaluated step at which the metric of
// (split, kind) reached x, and false if it never did. With x = 0.99 on test
// accuracy this is the grokking step that sweeps and papers report.
func FirstStepAtLeast(rows []Metric, split, kind, metric string, x float64) (int64, bool) {
	steps, values := Series(rows, split, kind, metric)
	for i, v := range values {
		if v >= x {
			return steps[i], true
		}
	}
	return 0, false
}

package runs

import (
	"fmt"
	"io"
	"strings"

	"github.com/grokkit/grokkit/pkg/plot"
)

// Quantity names one series of metrics.parquet: split, kind and metric.
type Quantity struct{ Split, Kind, Metric string }

// ParseQuantity reads "split/metric" (kind "all") or "split/kind/metric",
// e.g. "test/accuracy", "train/softmax_collapse", "all/weight_norm".
func ParseQuantity(s string) (Quantity, error) {
	parts := strings.Split(s, "/")
	switch {
	case len(parts) == 2 && parts[0] != "" && parts[1] != "":
		return Quantity{parts[0], All, parts[1]}, nil
	case len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != "":
		return Quantity{parts[0], parts[1], parts[2]}, nil
	}
	return Quantity{}, fmt.Errorf("%q: want split/metric or split/kind/metric (e.g. test/accuracy)", s)
}

// Tag is the quantity's name in fit's TensorBoard files and in curves
// --metric: "split/metric" for kind "all", else "split/kind/metric"
// (ParseQuantity reads it back).
func (q Quantity) Tag() string {
	if q.Kind == All {
		return q.Split + "/" + q.Metric
	}
	return q.Split + "/" + q.Kind + "/" + q.Metric
}

func (q Quantity) String() string {
	if q.Kind == All {
		return q.Split + " " + q.Metric
	}
	return q.Split + "/" + q.Kind + " " + q.Metric
}

// Compared is one run's metrics under the label its curves carry.
type Compared struct {
	Label string
	Rows  []Metric
}

// PlotCompare writes a figure (PNG, SVG or PDF by path's extension) with
// one panel per quantity and one curve per run in each, against the step
// axis from step 0 (as curves.png), the runs named once in a key under
// the header, each in its colour in every panel. A quantity no run has is
// an error naming it; a run that lacks one is left out of that panel.
func PlotCompare(path, title string, compared []Compared, quantities []Quantity) error {
	var panels []plot.Panel
	for _, q := range quantities {
		var lines []plot.Line
		var all []float64
		for i, c := range compared {
			if s, v := Series(c.Rows, q.Split, q.Kind, q.Metric); len(s) > 0 {
				lines = append(lines, plot.Line{Steps: s, Values: v, Color: i + 1}) // named by the key
				all = append(all, v...)
			}
		}
		if len(lines) == 0 {
			return fmt.Errorf("no run has split %q, kind %q, metric %q in its metrics.parquet", q.Split, q.Kind, q.Metric)
		}
		// Losses on a log axis; the scale quantities where they span decades.
		scale := q.Metric == MetricWeightNorm || q.Metric == MetricWeightSq || q.Metric == MetricMaxLogit
		logY := IsLoss(q.Metric) || (scale && spansDecades(all))
		share := q.Metric == MetricAccuracy || q.Metric == MetricCollapse || q.Metric == MetricStableCollapse
		panels = append(panels, plot.LinesPanel(q.String(), q.Metric, logY, share, lines))
	}
	key := make([]plot.Series, len(compared))
	for i, c := range compared {
		key[i] = plot.Series{Label: c.Label, Color: i + 1}
	}
	return plot.PanelsWithKey(path, title, key, panels...)
}

// WriteCompareTable prints, per run and quantity, the last step, the value
// there and the largest value over training, as aligned text.
func WriteCompareTable(w io.Writer, compared []Compared, quantities []Quantity) error {
	width := len("run")
	for _, c := range compared {
		width = max(width, len([]rune(c.Label)))
	}
	if _, err := fmt.Fprintf(w, "%-*s  %-28s %8s %10s %10s\n", width, "run", "quantity", "step", "final", "max"); err != nil {
		return err
	}
	for _, c := range compared {
		for _, q := range quantities {
			s, v := Series(c.Rows, q.Split, q.Kind, q.Metric)
			if len(s) == 0 {
				continue
			}
			peak := v[0]
			for _, x := range v {
				peak = max(peak, x)
			}
			if _, err := fmt.Fprintf(w, "%-*s  %-28s %8d %10.4g %10.4g\n", width, c.Label, q, s[len(s)-1], v[len(v)-1], peak); err != nil {
				return err
			}
		}
	}
	return nil
}

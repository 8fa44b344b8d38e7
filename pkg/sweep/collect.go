package sweep

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"

	"github.com/grokkit/grokkit/pkg/plot"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Result is one run's row in the collected table.
type Result struct {
	Run    Run
	Status string // done, partial (checkpointed, not finished), missing
	Final  map[string]float64
}

// Result metrics, as columns.
var resultMetrics = []string{"final_step", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "memorise_step", "grok_step"}

// Collect reads every run's metrics: the last evaluation's loss and
// accuracy, the first step with train accuracy ≥ 99% (memorise_step) and
// with test accuracy ≥ 99% (grok_step; NaN if never).
func (f *Folder) Collect() ([]Result, error) {
	out := make([]Result, len(f.Runs))
	for i, r := range f.Runs {
		res := Result{Run: r, Status: "missing", Final: map[string]float64{}}
		for _, m := range resultMetrics {
			res.Final[m] = math.NaN()
		}
		ms, err := runs.ReadMetrics(runs.MetricsPath(f.RunDir(r)))
		if err == nil && len(ms) > 0 {
			res.Status = "partial"
			if f.Done(r) {
				res.Status = "done"
			}
			last := ms[len(ms)-1].Step
			res.Final["final_step"] = float64(last)
			for _, m := range ms {
				if m.Step == last && m.Kind == runs.All && m.Split != runs.All {
					res.Final[m.Split+map[string]string{runs.MetricLoss: "_loss", runs.MetricAccuracy: "_accuracy"}[m.Metric]] = m.Value
				}
			}
			if s, ok := runs.FirstStepAtLeast(ms, table.SplitTrain, runs.All, runs.MetricAccuracy, 0.99); ok {
				res.Final["memorise_step"] = float64(s)
			}
			if s, ok := runs.FirstStepAtLeast(ms, table.SplitTest, runs.All, runs.MetricAccuracy, 0.99); ok {
				res.Final["grok_step"] = float64(s)
			}
		} else if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}

// WriteResults writes one row per run: index, run, status, every parameter
// (as text, the way it was given) and the result metrics.
func (f *Folder) WriteResults(w io.Writer, results []Result) error {
	g := parquet.Group{"index": parquet.Int(64), "run": parquet.String(), "status": parquet.String()}
	for _, p := range f.Spec.Params {
		g[p.Key()] = parquet.String()
	}
	for _, m := range resultMetrics {
		g[m] = parquet.Leaf(parquet.DoubleType)
	}
	pw := parquet.NewWriter(w, parquet.NewSchema("results", g), parquet.Compression(&snappy.Codec{}))
	for _, r := range results {
		row := map[string]any{"index": int64(r.Run.Index), "run": r.Run.Name, "status": r.Status}
		for _, p := range f.Spec.Params {
			row[p.Key()] = r.Run.Values[p.Key()]
		}
		for _, m := range resultMetrics {
			row[m] = r.Final[m]
		}
		if err := pw.Write(row); err != nil {
			return err
		}
	}
	return pw.Close()
}

// Heatmap draws metric z over two parameters x and y ("fit.weight-decay"
// or just "weight-decay"), averaging over the other parameters (seeds).
func (f *Folder) Heatmap(path string, results []Result, x, y, z string) error {
	xk, err := f.paramKey(x)
	if err != nil {
		return err
	}
	yk, err := f.paramKey(y)
	if err != nil {
		return err
	}
	found := false
	for _, m := range resultMetrics {
		found = found || m == z
	}
	if !found {
		return fmt.Errorf("unknown metric %q (known: %v)", z, resultMetrics)
	}
	xs, ys := f.valuesOf(xk), f.valuesOf(yk)
	sum := make([][]float64, len(ys))
	n := make([][]int, len(ys))
	for j := range ys {
		sum[j], n[j] = make([]float64, len(xs)), make([]int, len(xs))
	}
	for _, r := range results {
		v := r.Final[z]
		if math.IsNaN(v) {
			continue
		}
		i, j := indexOf(xs, r.Run.Values[xk]), indexOf(ys, r.Run.Values[yk])
		sum[j][i] += v
		n[j][i]++
	}
	grid := make([][]float64, len(ys))
	for j := range ys {
		grid[j] = make([]float64, len(xs))
		for i := range xs {
			grid[j][i] = math.NaN()
			if n[j][i] > 0 {
				grid[j][i] = sum[j][i] / float64(n[j][i])
			}
		}
	}
	return plot.Heatmap(path, fmt.Sprintf("%s: %s (mean over other parameters)", f.Spec.Name, z), xk, yk, xs, ys, grid)
}

func (f *Folder) paramKey(name string) (string, error) {
	var match []string
	for _, p := range f.Spec.Params {
		if p.Key() == name || p.Name == name {
			match = append(match, p.Key())
		}
	}
	if len(match) != 1 {
		return "", fmt.Errorf("parameter %q names %d parameters of the sweep (use tool.name)", name, len(match))
	}
	return match[0], nil
}

// valuesOf lists a parameter's values, sorted numerically when they are numbers.
func (f *Folder) valuesOf(key string) []string {
	for _, p := range f.Spec.Params {
		if p.Key() == key {
			vs := append([]string{}, p.Values...)
			sort.SliceStable(vs, func(i, j int) bool {
				a, errA := strconv.ParseFloat(vs[i], 64)
				b, errB := strconv.ParseFloat(vs[j], 64)
				if errA == nil && errB == nil {
					return a < b
				}
				return false
			})
			return vs
		}
	}
	return nil
}

func indexOf(xs []string, v string) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return -1
}

package sweep

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/plot"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/score"
	"github.com/grokkit/grokkit/pkg/table"
)

// Result is one run's row in the collected table.
type Result struct {
	Run    Point
	Status string // done, partial (checkpointed, not finished), diverged (see DivergedFile), missing
	Final  map[string]float64
	Phase  string // Doshi et al.'s phase of the last evaluation ("" for none)
}

// Result metrics, as columns. The loss columns are named after the
// objective (NaN for runs trained on the other one). xi is the share of
// training labels that differ from the true value (the label noise of
// Doshi et al.).
var resultMetrics = []string{"final_step", "train_cross_entropy", "train_mse", "train_accuracy", "test_cross_entropy", "test_mse", "test_accuracy",
	"memorise_step", "grok_step", "xi"}

// MetricPhase is the categorical result: Doshi et al.'s phase.
const MetricPhase = "phase"

// Collect reads every run's status and metrics: the last evaluation's loss
// and accuracy, the first step with train accuracy ≥ 99% (memorise_step)
// and with test accuracy ≥ 99% (grok_step; NaN if never). A diverged run's
// are those of its last evaluation before it diverged, without a phase.
func (f *Folder) Collect() ([]Result, error) {
	out := make([]Result, len(f.Runs))
	for i, r := range f.Runs {
		res := Result{Run: r, Status: "missing", Final: map[string]float64{}}
		for _, m := range resultMetrics {
			res.Final[m] = math.NaN()
		}
		done := f.Done(r)
		_, diverged := f.Diverged(r)
		diverged = diverged && !done
		if diverged {
			res.Status = "diverged" // its metrics, if any, are its last evaluation's before that
		}
		ms, err := runs.ReadMetrics(runs.MetricsPath(f.RunDir(r)))
		if err == nil && len(ms) > 0 {
			switch {
			case done:
				res.Status = "done"
			case !diverged:
				res.Status = "partial"
			}
			last := ms[len(ms)-1].Step
			res.Final["final_step"] = float64(last)
			for _, m := range ms {
				if m.Step == last && m.Kind == runs.All && m.Split != runs.All && (runs.IsLoss(m.Metric) || m.Metric == runs.MetricAccuracy) {
					res.Final[m.Split+"_"+m.Metric] = m.Value // e.g. test_accuracy, train_cross_entropy, train_mse
				}
			}
			if s, ok := runs.FirstStepAtLeast(ms, table.SplitTrain, runs.All, runs.MetricAccuracy, 0.99); ok {
				res.Final["memorise_step"] = float64(s)
			}
			if s, ok := runs.FirstStepAtLeast(ms, table.SplitTest, runs.All, runs.MetricAccuracy, 0.99); ok {
				res.Final["grok_step"] = float64(s)
			}
			if t, err := table.ReadFile(runs.DataPath(f.RunDir(r)), nil); err == nil {
				res.Final["xi"] = score.NoiseFraction(t)
				if !math.IsNaN(res.Final["test_accuracy"]) && !diverged { // no phase: the network is NaN now
					res.Phase = score.Phase(res.Final["train_accuracy"], res.Final["test_accuracy"], res.Final["xi"])
				}
			}
		} else if err != nil && !os.IsNotExist(err) {
			return nil, namedErr(err)
		}
		out[i] = res
	}
	return out, nil
}

// WriteResults writes one row per run: index, run, status, every parameter
// (as text, the way it was given) and the result metrics.
func (f *Folder) WriteResults(w io.Writer, results []Result) error {
	g := parquet.Group{"index": parquet.Int(64), "run": parquet.String(), "status": parquet.String(), MetricPhase: parquet.String()}
	for _, p := range f.Spec.Params {
		g[p.Key()] = parquet.String()
	}
	for _, m := range resultMetrics {
		g[m] = parquet.Leaf(parquet.DoubleType)
	}
	pw := parquet.NewWriter(w, parquet.NewSchema("results", g), outfile.ParquetCompression())
	for _, r := range results {
		row := map[string]any{"index": int64(r.Run.Index), "run": r.Run.Name, "status": r.Status, MetricPhase: r.Phase}
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
// or just "weight-decay"), averaging over the other parameters (seeds), or
// for z = phase showing the first run's phase per cell; it returns the same
// grid as an aligned text table.
func (f *Folder) Heatmap(path string, results []Result, x, y, z string) (string, error) {
	xk, yk, err := f.CheckHeatmap(x, y, z)
	if err != nil {
		return "", err
	}
	xs, ys := f.valuesOf(xk), f.valuesOf(yk)
	grid, cells := make([][]float64, len(ys)), make([][]string, len(ys))
	n := make([][]int, len(ys))
	for j := range ys {
		grid[j], cells[j], n[j] = make([]float64, len(xs)), make([]string, len(xs)), make([]int, len(xs))
	}
	for _, r := range results {
		i, j := indexOf(xs, r.Run.Values[xk]), indexOf(ys, r.Run.Values[yk])
		if z == MetricPhase {
			if r.Phase != "" && n[j][i] == 0 {
				grid[j][i], cells[j][i], n[j][i] = float64(indexOf(score.Phases, r.Phase)), r.Phase, 1
			}
			continue
		}
		if v := r.Final[z]; !math.IsNaN(v) {
			grid[j][i] += v
			n[j][i]++
		}
	}
	for j := range ys {
		for i := range xs {
			switch {
			case n[j][i] == 0:
				grid[j][i] = math.NaN()
				switch z {
				case "grok_step", "memorise_step":
					cells[j][i] = "never"
				case MetricPhase:
				default:
					cells[j][i] = "no value"
				}
			case z != MetricPhase:
				grid[j][i] /= float64(n[j][i])
				cells[j][i] = strconv.FormatFloat(grid[j][i], 'g', 4, 64)
			}
		}
	}
	title := fmt.Sprintf("%s: %s (mean over other parameters; grey: none)", f.Spec.Name, z)
	if z == MetricPhase {
		title = fmt.Sprintf("%s: Doshi et al.'s phase", f.Spec.Name)
	}
	// What every run shares (operation, p, model, …), so the figure says what
	// it shows.
	var configs []*runs.Config
	for _, r := range results {
		if c, err := runs.ReadConfig(f.RunDir(r.Run)); err == nil {
			configs = append(configs, c)
		}
	}
	if shared := runs.SharedFacts(configs); len(shared) > 0 {
		title += "\n" + runs.JoinFacts(shared)
	}
	if err := plot.Heatmap(path, title, xk, yk, xs, ys, grid, cells, heatScale(z)); err != nil {
		return "", err
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s \\ %s", yk, xk)
	for _, x := range xs {
		fmt.Fprintf(tw, "\t%s", x)
	}
	fmt.Fprintln(tw)
	for j := len(ys) - 1; j >= 0; j-- { // as drawn: the largest y on top
		fmt.Fprint(tw, ys[j])
		for i := range xs {
			fmt.Fprintf(tw, "\t%s", cells[j][i])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	return b.String(), nil
}

// heatScale is metric z's colour scale: accuracies and the share of noisy
// labels on [0, 1] whatever the sweep's range, the phases one colour each,
// steps and losses from 0 to the largest.
func heatScale(z string) plot.HeatScale {
	switch z {
	case "train_accuracy", "test_accuracy", "xi":
		return plot.Share
	case MetricPhase:
		return plot.Categories
	}
	return plot.FromZero
}

// CheckHeatmap checks a heat map's parameters and metric (collect's --x,
// --y, --z), so that a bad one is refused before anything is written, and
// returns the parameters' keys.
func (f *Folder) CheckHeatmap(x, y, z string) (xKey, yKey string, err error) {
	if err := CheckMetric(z); err != nil {
		return "", "", err
	}
	if xKey, err = f.paramKey(x); err != nil {
		return "", "", fmt.Errorf("--x: %w", err)
	}
	if yKey, err = f.paramKey(y); err != nil {
		return "", "", fmt.Errorf("--y: %w", err)
	}
	return xKey, yKey, nil
}

// CheckMetric checks a heat map's metric (collect's --z).
func CheckMetric(z string) error {
	if z == MetricPhase || slices.Contains(resultMetrics, z) {
		return nil
	}
	return fmt.Errorf("--z: unknown metric %q (known: %s, %s)", z, strings.Join(resultMetrics, ", "), MetricPhase)
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

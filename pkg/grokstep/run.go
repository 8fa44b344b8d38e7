package grokstep

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Statuses of a run.
const (
	Grokked  = "grokked"
	Never    = "never"    // finished without grokking
	Diverged = "diverged" // went NaN/Inf (fit's diverged.txt) before it grokked
)

// Run is one run folder's grokking step and the settings it is grouped by.
type Run struct {
	Dir string
	// Task is the operation as written ("a+b", "a/b"), P its modulus.
	Task string
	P    int
	// Optimiser names fit's optimiser and, where set, Grokfast's filter:
	// "adamw", "adamw+grokfast-ema", "orthoadamw", "muon", "egd".
	Optimiser string
	LR        float64 // fit --lr (Muon: its AdamW part's)
	MuonLR    float64 // fit --muon-lr; 0 for the other optimisers
	Seed      uint64
	Status    string  // Grokked, Never or Diverged
	GrokStep  int64   // when Status is Grokked
	MaxAcc    float64 // the largest test accuracy evaluated (NaN: none)
	LastStep  int64   // the last evaluated step
	// Steps and Acc are the test accuracy curve (the figure's).
	Steps []int64
	Acc   []float64
	// settings is every setting but the seed, as JSON: runs of one group
	// must agree in it.
	settings string
}

// Read reads a finished (or diverged) run folder: config.json and
// metrics.parquet, the test accuracy over every test row. A run still
// training, or interrupted, is an error: its grokking step is not known yet.
func Read(dir string, d Definition) (Run, error) {
	cfg, err := runs.ReadConfig(dir)
	if err != nil {
		return Run{}, err
	}
	_, diverged := runs.Diverged(dir)
	if !diverged {
		// fit writes curves.png last, once the run has finished.
		if _, err := os.Stat(runs.ModelPath(dir)); err != nil {
			return Run{}, fmt.Errorf("%s: the run has not finished (no %s): finish it with fit --resume %s", dir, runs.ModelFile, dir)
		}
		if _, err := os.Stat(filepath.Join(dir, runs.CurvesFile)); err != nil {
			return Run{}, fmt.Errorf("%s: the run has not finished (no %s): finish it with fit --resume %s", dir, runs.CurvesFile, dir)
		}
	}
	rows, err := runs.ReadMetrics(runs.MetricsPath(dir))
	if err != nil {
		return Run{}, err
	}
	steps, acc := runs.Series(rows, table.SplitTest, runs.All, runs.MetricAccuracy)
	if len(steps) == 0 {
		return Run{}, fmt.Errorf("%s: no test accuracy (split test, kind all) in it", runs.MetricsPath(dir))
	}
	task := cfg.Data.Meta.Op
	if op, err := arith.Lookup(task); err == nil {
		task = op.Formula
	}
	opt := cfg.Train.Optimizer
	if cfg.Train.Grokfast != "" {
		opt += "+grokfast-" + cfg.Train.Grokfast
	}
	r := Run{Dir: dir, Task: task, P: cfg.Data.Meta.P, Optimiser: opt, LR: cfg.Train.LR, MuonLR: cfg.Train.MuonLR,
		Seed: cfg.Train.Seed, Steps: steps, Acc: acc, LastStep: steps[len(steps)-1]}
	var ok bool
	r.GrokStep, r.MaxAcc, ok = d.Step(steps, acc)
	switch {
	case ok:
		r.Status = Grokked
	case diverged:
		r.Status = Diverged
	default:
		r.Status = Never
	}
	if r.settings, err = settings(cfg); err != nil {
		return Run{}, fmt.Errorf("%s: %v", dir, err)
	}
	return r, nil
}

// settings is what a run's seeds share: the table, the network and every
// training setting but the seed (and whether it wrote TensorBoard files).
func settings(cfg *runs.Config) (string, error) {
	tr := cfg.Train
	tr.Seed, tr.Tensorboard = 0, false
	b, err := json.Marshal(struct {
		Data  string         `json:"data_sha256"`
		Model runs.ModelSpec `json:"model"`
		Train runs.TrainSpec `json:"train"`
	}{cfg.Data.SHA256, cfg.Model, tr})
	return string(b), err
}

// ReadAll reads the runs in order.
func ReadAll(dirs []string, d Definition) ([]Run, error) {
	out := make([]Run, 0, len(dirs))
	for _, dir := range dirs {
		r, err := Read(dir, d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// differs names the settings in which two runs' settings differ
// ("train.weight_decay"), for the error that refuses to group them.
func differs(a, b string) []string {
	var ma, mb map[string]any
	if json.Unmarshal([]byte(a), &ma) != nil || json.Unmarshal([]byte(b), &mb) != nil {
		return nil
	}
	fa, fb := map[string]string{}, map[string]string{}
	flatten("", ma, fa)
	flatten("", mb, fb)
	var out []string
	for k, v := range fa {
		if fb[k] != v {
			out = append(out, k)
		}
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func flatten(prefix string, v any, out map[string]string) {
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			flatten(prefix+k+".", x, out)
		}
		return
	}
	out[strings.TrimSuffix(prefix, ".")] = fmt.Sprint(v)
}

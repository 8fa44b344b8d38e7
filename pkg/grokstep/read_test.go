package grokstep

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// writeRun makes a run folder as fit leaves it: config.json, metrics.parquet
// with test accuracy acc at steps (and train rows, which Read must ignore),
// and the final files unless unfinished.
func writeRun(t *testing.T, dir, op, optimizer string, lr, wd float64, seed uint64, steps []int64, acc []float64, unfinished bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := &runs.Config{Tool: "fit", Model: runs.ModelSpec{Name: "nanda", P: 7, DModel: 8}, Data: runs.DataInfo{SHA256: "ab", Meta: table.Meta{P: 7, Op: op}},
		Train: runs.TrainSpec{Optimizer: optimizer, LR: lr, WeightDecay: wd, Seed: seed, Steps: 400, Tensorboard: seed%2 == 0}}
	if err := runs.WriteConfig(dir, cfg); err != nil {
		t.Fatal(err)
	}
	var rows []runs.Metric
	for i, s := range steps {
		rows = append(rows, runs.Metric{Step: s, Split: table.SplitTrain, Kind: runs.All, Metric: runs.MetricAccuracy, Value: 1},
			runs.Metric{Step: s, Split: table.SplitTest, Kind: runs.All, Metric: runs.MetricAccuracy, Value: acc[i]})
	}
	if err := runs.WriteMetrics(runs.MetricsPath(dir), rows); err != nil {
		t.Fatal(err)
	}
	if !unfinished {
		for _, f := range []string{runs.ModelFile, runs.CurvesFile} {
			if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestReadRunFolders(t *testing.T) {
	dir := t.TempDir()
	steps := []int64{0, 100, 200, 300}
	a := filepath.Join(dir, "a")
	writeRun(t, a, "div", "adamw", 1e-3, 1, 1, steps, []float64{0, 0.2, 0.975, 0.99}, false)
	r, err := Read(a, EssentialAI)
	if err != nil {
		t.Fatal(err)
	}
	// max 0.99: the step is the first ≥ 0.98 (200 has 0.975).
	if r.Task != "a/b" || r.P != 7 || r.Optimiser != "adamw" || r.Status != Grokked || r.GrokStep != 300 || r.MaxAcc != 0.99 || r.LastStep != 300 {
		t.Errorf("read %+v", r)
	}
	// A second seed with other TensorBoard output belongs to the same group.
	b := filepath.Join(dir, "b")
	writeRun(t, b, "div", "adamw", 1e-3, 1, 2, steps, []float64{0, 0.99, 1, 1}, false)
	rs, err := ReadAll([]string{a, b}, EssentialAI)
	if err != nil {
		t.Fatal(err)
	}
	if gs, err := Summarise(rs); err != nil || len(gs) != 1 || gs[0].Median != 200 {
		t.Errorf("two seeds: %v %+v; want one group, median of 300 and 100", err, gs)
	}
	// Another weight decay under the same label is refused.
	c := filepath.Join(dir, "c")
	writeRun(t, c, "div", "adamw", 1e-3, 0.3, 3, steps, []float64{0, 0.99, 1, 1}, false)
	rs, err = ReadAll([]string{a, c}, EssentialAI)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Summarise(rs); err == nil || !strings.Contains(err.Error(), "differ in train.weight_decay:") {
		t.Errorf("weight decay 1 and 0.3: %v; want an error naming train.weight_decay", err)
	}

	// Grokfast's filter is part of the optimiser's name.
	g := filepath.Join(dir, "g")
	writeRun(t, g, "add", "adamw", 1e-3, 1, 1, steps, []float64{0, 0.5, 0.9, 0.94}, false)
	cfg, err := runs.ReadConfig(g)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Train.Grokfast = "ema"
	if err := runs.WriteConfig(g, cfg); err != nil {
		t.Fatal(err)
	}
	if r, err := Read(g, EssentialAI); err != nil || r.Optimiser != "adamw+grokfast-ema" || r.Task != "a+b" || r.Status != Never {
		t.Errorf("grokfast run: %v %+v", err, r)
	}
}

func TestReadRefusesUnfinishedAndReadsDiverged(t *testing.T) {
	dir := t.TempDir()
	u := filepath.Join(dir, "unfinished")
	writeRun(t, u, "add", "egd", 0.1, 0.1, 1, []int64{0, 100}, []float64{0, 0.5}, true)
	if _, err := Read(u, EssentialAI); err == nil || !strings.Contains(err.Error(), u) || !strings.Contains(err.Error(), "fit --resume") {
		t.Errorf("unfinished run: %v; want an error naming it and the resume", err)
	}
	if err := os.WriteFile(runs.DivergedPath(u), []byte("the training loss is NaN at step 150\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := Read(u, EssentialAI); err != nil || r.Status != Diverged {
		t.Errorf("diverged run: %v, status %q; want %q", err, r.Status, Diverged)
	}
	n := filepath.Join(dir, "no-test")
	writeRun(t, n, "add", "egd", 0.1, 0.1, 1, nil, nil, false)
	if _, err := Read(n, EssentialAI); err == nil || !strings.Contains(err.Error(), runs.MetricsPath(n)) {
		t.Errorf("no test accuracy: %v; want an error naming %s", err, runs.MetricsPath(n))
	}
	if _, err := Read(filepath.Join(dir, "absent"), EssentialAI); err == nil {
		t.Error("no run folder: no error")
	}
}

// The Parquet tables read back with the same numbers; a group with no
// grokked seed has null quartiles and a never-grokked run a null step.
func TestParquetRoundTrip(t *testing.T) {
	rs := []Run{
		run("a+b", "adamw", 3e-3, 0, 1, Grokked, 100, 1),
		run("a+b", "adamw", 3e-3, 0, 2, Grokked, 300, 1),
		run("a+b", "egd", 0.1, 0, 1, Never, 0, 0.5),
	}
	gs, err := Summarise(rs)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteParquet(&buf, gs, EssentialAI); err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.Read[summaryRow](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Median == nil || *rows[0].Median != 200 || *rows[0].Q1 != 150 || *rows[0].Q3 != 250 || rows[0].Grokked != 2 ||
		rows[1].Median != nil || rows[1].Never != 1 || rows[1].MedianMaxAcc != 0.5 {
		t.Errorf("summary rows %+v", rows)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Lookup("grok_within"); v != "0.01" {
		t.Errorf("grok_within metadata %q", v)
	}
	buf.Reset()
	if err := WriteRunsParquet(&buf, rs, EssentialAI); err != nil {
		t.Fatal(err)
	}
	runRows, err := parquet.Read[runRow](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(runRows) != 3 || runRows[1].GrokStep == nil || *runRows[1].GrokStep != 300 || runRows[2].GrokStep != nil || runRows[2].Status != Never {
		t.Errorf("run rows %+v", runRows)
	}
}

// The figure: one panel per task side by side (wider than high), a PNG.
func TestFigure(t *testing.T) {
	a, b := run("a+b", "adamw", 3e-3, 0, 1, Grokked, 100, 1), run("a/b", "muon", 3e-3, 0.02, 1, Never, 0, 0.5)
	a.Steps, a.Acc = []int64{0, 100, 200}, []float64{0, 0.99, 1}
	b.Steps, b.Acc = []int64{0, 100, 200}, []float64{0, 0.3, 0.5}
	gs, err := Summarise([]Run{a, b})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.png")
	if err := Figure(path, "test", gs); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if s := img.Bounds().Size(); s.X <= s.Y {
		t.Errorf("figure %v: want two panels side by side", s)
	}
	if err := Figure(path, "", nil); err == nil {
		t.Error("no runs: no error")
	}
}

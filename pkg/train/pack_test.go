package train

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// packCase is K configurations that differ in seed, learning rate, weight
// decay and table (model 2 trains on another train/test split).
func packCase(t *testing.T, base func() *runs.Config, bs int) ([]*runs.Config, []*table.Table, [][]byte) {
	var cfgs []*runs.Config
	var tables []*table.Table
	var data [][]byte
	for k, v := range []struct {
		seed     uint64
		lr, wd   float64
		splitKey uint64
	}{{7, 3e-3, 1, 3}, {8, 1e-3, 0.3, 3}, {9, 3e-3, 1, 4}} {
		cfg := base()
		cfg.Train.Seed, cfg.Train.LR, cfg.Train.WeightDecay, cfg.Train.BatchSize = v.seed, v.lr, v.wd, bs
		tb, err := table.Generate(table.Spec{P: cfg.Model.P, Op: "add", TrainFraction: 0.5, Seed: v.splitKey})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := table.Write(&buf, tb); err != nil {
			t.Fatal(err)
		}
		cfg.Data.Source = fmt.Sprintf("table-%d", k)
		cfgs, tables, data = append(cfgs, cfg), append(tables, tb), append(data, buf.Bytes())
	}
	return cfgs, tables, data
}

func gromovConfig(steps int) *runs.Config {
	cfg := tinyConfig(steps)
	cfg.Model = runs.ModelSpec{Name: "gromov", P: 11, Width: 24}
	cfg.Train.Loss = MSE
	return cfg
}

// Each packed model's trajectory equals the one it has alone: its metrics
// and final weights, bit for bit where every matmul takes the same kernel
// in both (the transformer here), else within 1e-4 relative (metrics; each
// weight tensor against its largest entry) after 30 steps: Gromov's MLP,
// whose small matmuls take another AVX-512 kernel when stacked.
func TestPackEqualsSeparateRuns(t *testing.T) {
	cases := []struct {
		name    string
		base    func() *runs.Config
		bs      int
		bitwise bool
	}{
		{"nanda/full-batch", func() *runs.Config { return tinyConfig(30) }, 0, true},
		{"nanda/mini-batch", func() *runs.Config { return tinyConfig(30) }, 16, true},
		{"gromov/mse", func() *runs.Config { return gromovConfig(30) }, 0, false},
		{"nanda/stablemax", func() *runs.Config { c := tinyConfig(30); c.Train.Loss = StableMax; return c }, 0, true},
		{"nanda/grokfast-ma+orthoadamw", func() *runs.Config {
			c := tinyConfig(30)
			c.Train.Grokfast, c.Train.GrokfastWindow, c.Train.GrokfastLambda, c.Train.Optimizer = GrokfastMA, 8, 5, OrthoAdamW
			return c
		}, 0, true},
		{"nanda/grokfast-ema", func() *runs.Config {
			c := tinyConfig(30)
			c.Train.Grokfast, c.Train.GrokfastAlpha, c.Train.GrokfastLambda = GrokfastEMA, 0.98, 2
			return c
		}, 16, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfgs, tables, data := packCase(t, tc.base, tc.bs)
			packEqualsAlone(t, cfgs, tables, data, tc.bitwise)
		})
	}
}

// packEqualsAlone trains each of cfgs alone and all of them packed, and
// compares each run's files (bit for bit, or to a tolerance).
func packEqualsAlone(t *testing.T, cfgs []*runs.Config, tables []*table.Table, data [][]byte, bitwise bool) {
	t.Helper()
	dir := t.TempDir()
	var alone, packed []string
	for k := range cfgs {
		alone = append(alone, filepath.Join(dir, fmt.Sprintf("alone-%d", k)))
		packed = append(packed, filepath.Join(dir, fmt.Sprintf("packed-%d", k)))
		cfg := *cfgs[k]
		if err := withTimeout(t, 3*time.Minute, func() error {
			return Start(context.Background(), alone[k:k+1], []*runs.Config{&cfg}, tables[k:k+1], data[k:k+1], io.Discard)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := withTimeout(t, 3*time.Minute, func() error {
		return Start(context.Background(), packed, cfgs, tables, data, io.Discard)
	}); err != nil {
		t.Fatal(err)
	}
	for k := range cfgs {
		compareRuns(t, alone[k], packed[k], bitwise)
	}
}

// compareRuns compares two run folders' metrics and final weights.
func compareRuns(t *testing.T, a, b string, bitwise bool) {
	t.Helper()
	ma, err := runs.ReadMetrics(runs.MetricsPath(a))
	if err != nil {
		t.Fatal(err)
	}
	mb, err := runs.ReadMetrics(runs.MetricsPath(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(ma) != len(mb) {
		t.Fatalf("%s: %d metrics, packed %d", a, len(ma), len(mb))
	}
	worst := 0.0
	for i := range ma {
		if ma[i].Step != mb[i].Step || ma[i].Split != mb[i].Split || ma[i].Kind != mb[i].Kind || ma[i].Metric != mb[i].Metric {
			t.Fatalf("%s: metric %d is %+v, packed %+v", a, i, ma[i], mb[i])
		}
		worst = max(worst, relDiff(ma[i].Value, mb[i].Value))
	}
	pa, _, err := model.LoadSafetensors(runs.ModelPath(a))
	if err != nil {
		t.Fatal(err)
	}
	pb, _, err := model.LoadSafetensors(runs.ModelPath(b))
	if err != nil {
		t.Fatal(err)
	}
	for name, x := range pa { // weights: relative to the tensor's largest entry
		scale := 0.0
		for _, v := range x.Data {
			scale = max(scale, math.Abs(float64(v)))
		}
		if scale == 0 { // an all-zero tensor (HookedTransformer's biases): absolute
			scale = 1
		}
		for i, v := range x.Data {
			worst = max(worst, math.Abs(float64(v)-float64(pb[name].Data[i]))/scale)
		}
	}
	switch {
	case bitwise && worst != 0:
		t.Errorf("%s: packed differs from alone by %.3g relative; want bit for bit", a, worst)
	case worst > 1e-4:
		t.Errorf("%s: packed differs from alone by %.3g relative", a, worst)
	}
	if bitwise {
		for _, f := range []string{runs.MetricsFile, runs.ModelFile} {
			x, _ := os.ReadFile(filepath.Join(a, f))
			y, _ := os.ReadFile(filepath.Join(b, f))
			if !bytes.Equal(x, y) {
				t.Errorf("%s: %s differs from the packed run's", a, f)
			}
		}
	}
	t.Logf("%s: worst relative difference %.3g", filepath.Base(a), worst)
}

func relDiff(x, y float64) float64 {
	if x == y {
		return 0
	}
	return math.Abs(x-y) / max(math.Abs(x), math.Abs(y), 1e-6)
}

// A pack interrupted at step 15 (a SIGINT's checkpoint) and resumed ends
// with the same bytes as one that ran straight through.
func TestPackResumeIsBitExact(t *testing.T) {
	cfgs, tables, data := packCase(t, func() *runs.Config { return tinyConfig(30) }, 0)
	dir := t.TempDir()
	var straight, cut []string
	for k := range cfgs {
		straight = append(straight, filepath.Join(dir, fmt.Sprintf("straight-%d", k)))
		cut = append(cut, filepath.Join(dir, fmt.Sprintf("cut-%d", k)))
	}
	clone := func() []*runs.Config {
		var out []*runs.Config
		for _, c := range cfgs {
			cc := *c
			out = append(out, &cc)
		}
		return out
	}
	if err := Start(context.Background(), straight, clone(), tables, data, io.Discard); err != nil {
		t.Fatal(err)
	}
	cc := clone()
	b := testBackend(t)
	for k, cfg := range cc {
		fillSizes(&cfg.Model)
		cfg.Pack = cut
		if err := Create(cut[k], cfg, tables[k], data[k]); err != nil {
			t.Fatal(err)
		}
	}
	p, err := OpenPack(b, cut, cc, tables, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.Runs[0].Progress = stopAt{step: 15, cancel: cancel}
	if err := p.Train(ctx); err != ErrInterrupted {
		t.Fatalf("interrupted pack returned %v", err)
	}
	if err := Resume(context.Background(), cut, ResumeOptions{}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for k := range cut {
		compareRuns(t, straight[k], cut[k], true)
		// The same checkpoints: none at step 15, off the grid.
		a, _ := runs.Checkpoints(straight[k])
		c, _ := runs.Checkpoints(cut[k])
		if !slices.Equal(a, c) {
			t.Errorf("checkpoints %v after the interruption, %v straight", c, a)
		}
	}
}

func testBackend(t *testing.T) compute.Backend {
	t.Helper()
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

package train

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// tinyConfig is a nanda run small enough for a unit test.
func tinyConfig(steps int) *runs.Config {
	return &runs.Config{
		Data:  runs.DataInfo{Source: "test"},
		Model: runs.ModelSpec{Name: "nanda", P: 11, DModel: 16, NHeads: 2, DHead: 8, DMLP: 32, Equals: true},
		Train: runs.TrainSpec{Optimizer: AdamW, LR: 3e-3, WeightDecay: 1, Beta1: 0.9, Beta2: 0.98, Eps: 1e-8,
			WarmupSteps: 10, Loss: CrossEntropy, LogitsDType: "float64", Seed: 7, Steps: steps,
			EvalEvery: 5, CheckpointEvery: 10, Patience: 1},
	}
}

func tinyTable(t *testing.T, p int) (*table.Table, []byte) {
	t.Helper()
	tb, err := table.Generate(table.Spec{P: p, Op: "add", TrainFraction: 0.5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := table.Write(&buf, tb); err != nil {
		t.Fatal(err)
	}
	return tb, buf.Bytes()
}

// withTimeout fails the test instead of hanging forever: the pure-Go
// backend's default parallelism once deadlocked after the first step.
func withTimeout(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("training did not finish in %v: a hang in the backend?", d)
		return nil
	}
}

func start(t *testing.T, ctx context.Context, dir string, cfg *runs.Config, p int) error {
	tb, data := tinyTable(t, p)
	return withTimeout(t, 3*time.Minute, func() error {
		return Start(ctx, []string{dir}, []*runs.Config{cfg}, []*table.Table{tb}, [][]byte{data}, io.Discard)
	})
}

func TestShortRunMemorises(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(150)
	if err := start(t, context.Background(), dir, cfg, 11); err != nil {
		t.Fatal(err)
	}
	ms, err := runs.ReadMetrics(runs.MetricsPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	_, acc := runs.Series(ms, table.SplitTrain, runs.All, runs.MetricAccuracy)
	_, loss := runs.Series(ms, table.SplitTrain, runs.All, runs.MetricCrossEntropy)
	if acc[len(acc)-1] != 1 {
		t.Fatalf("train accuracy after 150 steps: %v", acc)
	}
	if !(loss[len(loss)-1] < loss[0]/10) {
		t.Fatalf("train loss did not fall: %v", loss)
	}
	for _, f := range []string{runs.ConfigFile, runs.DataFile, runs.MetricsFile, runs.ModelFile, runs.CurvesFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	steps, err := runs.Checkpoints(dir)
	if err != nil || len(steps) != 16 || steps[0] != 0 || steps[15] != 150 {
		t.Fatalf("checkpoints %v %v", steps, err)
	}
	back, err := runs.ReadConfig(dir)
	if err != nil || back.Model.DModel != 16 || !strings.HasPrefix(back.Backend, "go") || back.Data.Train != 60 {
		t.Fatalf("config %+v %v", back, err)
	}
}

// stopAt is a Progress that cancels the run once it reaches a step, as a
// SIGINT would.
type stopAt struct {
	step   int
	cancel context.CancelFunc
}

func (s stopAt) Update(step, _ int, _ []runs.Metric, _ float64) {
	if step >= s.step {
		s.cancel()
	}
}
func (stopAt) Done() {}

// createAndOpen makes a new run folder for cfg on the tiny table and opens
// it, for tests that drive Train themselves.
func createAndOpen(t *testing.T, dir string, cfg *runs.Config) *Pack {
	t.Helper()
	tb, data := tinyTable(t, 11)
	fillSizes(&cfg.Model)
	b, desc, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	recordBackend(cfg, b, desc)
	if err := Create(dir, cfg, tb, data); err != nil {
		t.Fatal(err)
	}
	p, err := OpenPack(b, []string{dir}, []*runs.Config{cfg}, []*table.Table{tb}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// resumeVariants are the settings whose state must survive a resume.
var resumeVariants = []struct {
	name string
	set  func(*runs.TrainSpec)
}{
	{"full batch", func(*runs.TrainSpec) {}},
	{"mini-batch", func(tr *runs.TrainSpec) { tr.BatchSize = 16 }},
	{"stablemax", func(tr *runs.TrainSpec) { tr.Loss = StableMax }},
	{"grokfast ema", func(tr *runs.TrainSpec) { tr.Grokfast, tr.GrokfastAlpha, tr.GrokfastLambda = GrokfastEMA, 0.98, 2 }},
	{"grokfast ma", func(tr *runs.TrainSpec) { tr.Grokfast, tr.GrokfastWindow, tr.GrokfastLambda = GrokfastMA, 20, 5 }},
	{"orthoadamw", func(tr *runs.TrainSpec) { tr.Optimizer = OrthoAdamW }},
	{"muon", func(tr *runs.TrainSpec) { tr.Optimizer, tr.MuonLR, tr.MuonMomentum = Muon, 0.02, 0.95 }},
	{"egd", func(tr *runs.TrainSpec) { tr.Optimizer = EGD }},
}

// An interrupted run, resumed, ends with the same bytes as one that ran
// straight through, for every variant.
func TestResumeIsBitExact(t *testing.T) {
	for _, v := range resumeVariants {
		bs := v.name
		config := func() *runs.Config {
			cfg := tinyConfig(40)
			v.set(&cfg.Train)
			return cfg
		}
		cfg := config()
		straight := filepath.Join(t.TempDir(), "straight")
		if err := start(t, context.Background(), straight, cfg, 11); err != nil {
			t.Fatal(err)
		}

		cut := filepath.Join(t.TempDir(), "cut")
		p := createAndOpen(t, cut, config())
		r := p.Runs[0]
		ctx, cancel := context.WithCancel(context.Background())
		r.Progress = stopAt{step: 15, cancel: cancel}
		if err := p.Train(ctx); !errors.Is(err, ErrInterrupted) {
			t.Fatalf("%s: want ErrInterrupted, got %v", bs, err)
		}
		// Cancelled during the evaluation at step 15, between two checkpoints
		// (10 and 20): only the checkpoint taken on interruption can resume it.
		if r.Step != 15 {
			t.Fatalf("interrupted after %d steps, want 15", r.Step)
		}
		if err := withTimeout(t, 3*time.Minute, func() error { return Resume(context.Background(), []string{cut}, ResumeOptions{}, io.Discard) }); err != nil {
			t.Fatal(err)
		}
		// Every file, byte for byte: no extra checkpoint at the step it was
		// interrupted at (off the checkpoint grid), the same metrics, events
		// and figures.
		sameTree(t, bs, straight, cut)
	}
}

// sameTree fails unless folders a and b hold the same files with the same
// bytes.
func sameTree(t *testing.T, what, a, b string) {
	t.Helper()
	files := func(root string) map[string][]byte {
		out := map[string][]byte{}
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			data, err := os.ReadFile(path)
			out[rel] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	fa, fb := files(a), files(b)
	for name, data := range fa {
		other, ok := fb[name]
		switch {
		case !ok:
			t.Errorf("%s: %s is only in %s", what, name, a)
		case !bytes.Equal(data, other):
			t.Errorf("%s: %s differs", what, name)
		}
	}
	for name := range fb {
		if _, ok := fa[name]; !ok {
			t.Errorf("%s: %s is only in %s", what, name, b)
		}
	}
}

func TestDivergenceKeepsLastGoodCheckpoint(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(60)
	cfg.Train.Optimizer, cfg.Train.LR, cfg.Train.WarmupSteps, cfg.Train.Loss = SGD, 1e12, 0, MSE
	err := start(t, context.Background(), dir, cfg, 11)
	if err == nil || !strings.Contains(err.Error(), "diverged") || !strings.Contains(err.Error(), "its last good checkpoint, step 0, is kept") {
		t.Fatalf("err = %v", err)
	}
	// Recorded in the folder, and not resumed: it would diverge again.
	if why, ok := runs.Diverged(dir); !ok || !strings.HasPrefix(why, "the training loss is NaN at step ") && !strings.HasPrefix(why, "parameter ") {
		t.Errorf("diverged.txt: %q, %v", why, ok)
	}
	if err := resume(t, dir, 0); err == nil || !strings.Contains(err.Error(), dir+" diverged (") {
		t.Errorf("resuming a diverged run: %v", err)
	}
	full, _, err := model.LoadSafetensors(runs.ResumePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range full {
		for _, x := range a.Data {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("%s: the kept checkpoint is not finite", name)
			}
		}
	}
	if _, err := os.Stat(runs.ModelPath(dir)); err == nil {
		t.Fatal("a diverged run wrote final weights")
	}
}

func TestEarlyStop(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(100)
	cfg.Train.StopAtTestAcc, cfg.Train.Patience = 1e-9, 2 // any accuracy passes: stop at the 2nd evaluation after step 0
	if err := start(t, context.Background(), dir, cfg, 11); err != nil {
		t.Fatal(err)
	}
	steps, _ := runs.Checkpoints(dir)
	if last := steps[len(steps)-1]; last != 5 {
		t.Fatalf("stopped at step %d, want 5 (evaluations at 0 and 5)", last)
	}
}

func TestBadConfigsWriteNothing(t *testing.T) {
	tb, data := tinyTable(t, 11)
	for _, c := range []struct {
		edit func(*runs.Config)
		want string
	}{
		{func(c *runs.Config) { c.Train.Steps = 0 }, "--steps"},
		{func(c *runs.Config) { c.Train.LR = -1 }, "--lr"},
		{func(c *runs.Config) { c.Train.Beta2 = 1 }, "--beta1 and --beta2"},
		{func(c *runs.Config) { c.Model.P = 13 }, "the model is for p = 13 but the table has p = 11"},
		{func(c *runs.Config) { c.Model.Name = "resnet" }, "unknown model"},
		{func(c *runs.Config) { c.Model.DMLP = 1 << 26 }, "too large"},
	} {
		cfg := tinyConfig(10)
		c.edit(cfg)
		dir := filepath.Join(t.TempDir(), "run")
		err := Start(context.Background(), []string{dir}, []*runs.Config{cfg}, []*table.Table{tb}, [][]byte{data}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want %q", err, c.want)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%q: a run folder was left behind", c.want)
		}
	}
}

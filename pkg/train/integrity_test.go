package train

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/runs"
)

// resume is Resume under the test's timeout.
func resume(t *testing.T, dir string, steps int) error {
	t.Helper()
	return withTimeout(t, 3*time.Minute, func() error {
		return Resume(context.Background(), []string{dir}, ResumeOptions{Steps: steps}, io.Discard)
	})
}

// sameFiles fails unless the two run folders hold the same bytes in files.
func sameFiles(t *testing.T, a, b string, files ...string) {
	t.Helper()
	for _, f := range files {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if len(x) == 0 || !bytes.Equal(x, y) {
			t.Fatalf("%s differs between %s and %s", f, a, b)
		}
	}
}

// A folder left by a crash before the first checkpoint (config.json and
// data.parquet, a half-written resume state, the step-0 metrics) is a
// valid run: fit --resume starts it again from step 0 and ends as a run
// that was never interrupted. Before, resume failed (no resume state) and
// fit -o refused the folder.
func TestCrashBeforeFirstCheckpointResumesFromZero(t *testing.T) {
	straight := filepath.Join(t.TempDir(), "straight")
	if err := start(t, context.Background(), straight, tinyConfig(20), 11); err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut")
	if err := start(t, context.Background(), cut, tinyConfig(20), 11); err != nil {
		t.Fatal(err)
	}
	// Take the folder back to the instant after config.json was written.
	for _, f := range []string{runs.ModelFile, runs.CurvesFile, runs.CheckpointDir} {
		os.RemoveAll(filepath.Join(cut, f))
	}
	os.MkdirAll(filepath.Join(cut, runs.CheckpointDir), 0o755)
	os.WriteFile(filepath.Join(cut, runs.CheckpointDir, ".resume.safetensors.tmp123"), []byte("half"), 0o644)
	os.WriteFile(filepath.Join(cut, ".metrics.parquet.tmp456"), []byte("half"), 0o644)
	if err := resume(t, cut, 0); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, straight, cut, runs.ModelFile, runs.MetricsFile, runs.ConfigFile, filepath.Join(runs.CheckpointDir, runs.ResumeFile))
	for _, d := range []string{cut, filepath.Join(cut, runs.CheckpointDir)} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp") {
				t.Errorf("stray temporary file %s/%s", d, e.Name())
			}
		}
	}
}

// A crash before config.json leaves a folder that is not yet a run: fit -o
// may use it again.
func TestCrashBeforeConfigLetsFitStartAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	os.MkdirAll(filepath.Join(dir, runs.CheckpointDir), 0o755)
	os.WriteFile(filepath.Join(dir, runs.DataFile), []byte("half a table"), 0o644)
	os.WriteFile(filepath.Join(dir, ".config.json.tmp42"), []byte("{"), 0o644)
	os.WriteFile(filepath.Join(dir, runs.LockFile), []byte("999999\n"), 0o644)
	if err := start(t, context.Background(), dir, tinyConfig(5), 11); err != nil {
		t.Fatal(err)
	}
	// A folder with anything else in it is refused.
	other := filepath.Join(t.TempDir(), "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if err := start(t, context.Background(), other, tinyConfig(5), 11); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a folder with a user's file: %v", err)
	}
}

// While one fit holds a run folder, a second one (a resume, a new fit on
// it) fails with one line naming the holder's PID. Before, both ran and
// wrote the same folder.
func TestLockedRunIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := start(t, context.Background(), dir, tinyConfig(10), 11); err != nil {
		t.Fatal(err)
	}
	lock, err := runs.LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = resume(t, dir, 20)
	lock.Release()
	if err == nil || !strings.Contains(err.Error(), "another fit (PID ") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("resume of a locked run: %v", err)
	}
	if err := resume(t, dir, 20); err != nil {
		t.Fatalf("after the lock is released: %v", err)
	}
}

// flip changes n bytes in the middle of a file.
func flip(t *testing.T, path string, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		b[len(b)/2+i] ^= 0x5a
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Corrupt or replaced files of a run are one clear error naming the file,
// never a run that trains on garbage. Before, a flipped resume state was
// trained on, a flipped model was scored (39% train accuracy), and a
// replaced data.parquet was trained on.
func TestCorruptRunFilesAreRefused(t *testing.T) {
	for _, tc := range []struct {
		file string
		load func(dir string) error
		want string
	}{
		{filepath.Join(runs.CheckpointDir, runs.ResumeFile), func(d string) error { return resume(t, d, 30) }, "corrupt"},
		{runs.ModelFile, func(d string) error { _, err := infer.LoadRun(d, infer.Final); return err }, "corrupt"},
		{filepath.Join(runs.CheckpointDir, "step-00000010.safetensors"), func(d string) error { _, err := infer.LoadRun(d, 10); return err }, "corrupt"},
		{runs.ConfigFile, func(d string) error { return resume(t, d, 30) }, ""},
		{runs.MetricsFile, func(d string) error { return resume(t, d, 30) }, ""},
		{runs.DataFile, func(d string) error { return resume(t, d, 30) }, ""},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		if err := start(t, context.Background(), dir, tinyConfig(20), 11); err != nil {
			t.Fatal(err)
		}
		flip(t, filepath.Join(dir, tc.file), 16)
		err := tc.load(dir)
		if err == nil || !strings.Contains(err.Error(), filepath.Base(tc.file)) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s flipped: %v", tc.file, err)
		}
	}
	// Another valid table in place of data.parquet: refused by its checksum.
	dir := filepath.Join(t.TempDir(), "run")
	if err := start(t, context.Background(), dir, tinyConfig(20), 11); err != nil {
		t.Fatal(err)
	}
	_, other := tinyTable(t, 13)
	os.WriteFile(filepath.Join(dir, runs.DataFile), other, 0o644)
	if err := resume(t, dir, 30); err == nil || !strings.Contains(err.Error(), "SHA-256 is not the one config.json recorded") {
		t.Fatalf("a replaced data.parquet: %v", err)
	}
}

// --steps must lie beyond the run's step; a finished run is not resumed
// silently. Before: "resuming at step 200 of 100", exit 0.
func TestResumeStepsMustBeBeyond(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := start(t, context.Background(), dir, tinyConfig(20), 11); err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, runs.ConfigFile))
	for _, steps := range []int{10, 20, 0} {
		if err := resume(t, dir, steps); err == nil {
			t.Fatalf("--steps %d on a run at step 20: no error", steps)
		}
	}
	if again, _ := os.ReadFile(filepath.Join(dir, runs.ConfigFile)); !bytes.Equal(cfg, again) {
		t.Fatal("a refused resume rewrote config.json")
	}
}

// blockAt makes the checkpoint of a later step impossible to write (a
// folder where its file goes), as a full disk would, once training passes
// step at.
type blockAt struct {
	at   int
	path string
}

func (b blockAt) Update(step, _ int, _ []runs.Metric, _ float64) {
	if step >= b.at {
		os.MkdirAll(b.path, 0o755)
	}
}
func (blockAt) Done() {}

// A checkpoint that cannot be written is reported as such, naming the step
// the run can continue from, not as a divergence. Before: "the run
// diverged … last good checkpoint: step 20" while the resume state was at
// step 10.
func TestCheckpointFailureIsNotDivergence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	p := createAndOpen(t, dir, tinyConfig(30))
	p.Runs[0].Progress = blockAt{at: 15, path: runs.CheckpointPath(dir, 20)}
	err := withTimeout(t, 3*time.Minute, func() error { return p.Train(context.Background()) })
	if err == nil || strings.Contains(err.Error(), "diverged") || !strings.Contains(err.Error(), "writing the checkpoint of step 20") ||
		!strings.Contains(err.Error(), "continues from step 10") {
		t.Fatalf("err = %v", err)
	}
}

// A run killed after its last checkpoint but before its final files (the
// weights and curves) is not finished: fit --resume writes them, at the step
// an uninterrupted run ends, both at its last step and after an early stop.
// Before, the first was refused as finished and the second trained on past
// its stop.
func TestCrashBeforeFinalFilesFinishes(t *testing.T) {
	for _, c := range []struct {
		name string
		stop float64 // StopAtTestAcc
	}{{"last step", 0}, {"early stop", 0.01}} {
		t.Run(c.name, func(t *testing.T) {
			cfg := func() *runs.Config {
				cfg := tinyConfig(60)
				cfg.Train.StopAtTestAcc, cfg.Train.Patience = c.stop, 3
				return cfg
			}
			straight := filepath.Join(t.TempDir(), "straight")
			if err := start(t, context.Background(), straight, cfg(), 11); err != nil {
				t.Fatal(err)
			}
			cut := filepath.Join(t.TempDir(), "cut")
			if err := start(t, context.Background(), cut, cfg(), 11); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{runs.ModelFile, runs.CurvesFile} {
				os.Remove(filepath.Join(cut, f))
			}
			if err := resume(t, cut, 0); err != nil {
				t.Fatal(err)
			}
			sameFiles(t, straight, cut, runs.ModelFile, runs.MetricsFile, filepath.Join(runs.CheckpointDir, runs.ResumeFile))
			if err := resume(t, cut, 0); err == nil || !strings.Contains(err.Error(), "has finished") {
				t.Errorf("resuming the finished run: %v, want it refused as finished", err)
			}
			if c.stop > 0 {
				ms, _ := runs.ReadMetrics(filepath.Join(cut, runs.MetricsFile))
				if last := ms[len(ms)-1].Step; last >= 60 {
					t.Errorf("the early stop was not reached (last evaluation at step %d): the case tests nothing", last)
				}
			}
		})
	}
}

// metrics.parquet names the loss for what it is: an MSE run logs "mse" and
// no "cross_entropy" (before, both were "loss", and evalsplit's "loss" was
// the cross-entropy of the same run).
func TestLossMetricIsNamedForItsLoss(t *testing.T) {
	for _, c := range []struct{ loss, want, not string }{
		{MSE, runs.MetricMSE, runs.MetricCrossEntropy},
		{CrossEntropy, runs.MetricCrossEntropy, runs.MetricMSE},
	} {
		dir := filepath.Join(t.TempDir(), "run")
		cfg := tinyConfig(5)
		cfg.Train.Loss = c.loss
		if err := start(t, context.Background(), dir, cfg, 11); err != nil {
			t.Fatal(err)
		}
		ms, err := runs.ReadMetrics(filepath.Join(dir, runs.MetricsFile))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, m := range ms {
			seen[m.Metric] = true
		}
		if !seen[c.want] || seen[c.not] || seen["loss"] {
			t.Errorf("--loss %s: metrics %v, want %q and neither %q nor \"loss\"", c.loss, seen, c.want, c.not)
		}
	}
}

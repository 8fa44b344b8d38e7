package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/grokkit/grokkit/pkg/runs"
)

// A run that failed after evaluating past its last checkpoint, with a
// record torn at the end of its event file, resumes with an event file
// byte for byte an uninterrupted run's: the steps after the checkpoint and
// the torn record are gone, none is written twice.
func TestResumeRewritesEvents(t *testing.T) {
	config := func() *runs.Config {
		cfg := tinyConfig(30)
		cfg.Train.Tensorboard = true
		return cfg
	}
	straight := filepath.Join(t.TempDir(), "straight")
	if err := start(t, context.Background(), straight, config(), 11); err != nil {
		t.Fatal(err)
	}

	cut := filepath.Join(t.TempDir(), "cut")
	p := createAndOpen(t, cut, config())
	block := runs.CheckpointPath(cut, 20)
	p.Runs[0].Progress = blockAt{at: 15, path: block}
	if err := withTimeout(t, 3*time.Minute, func() error { return p.Train(context.Background()) }); err == nil {
		t.Fatal("the blocked checkpoint of step 20 did not fail")
	}
	// Evaluated at 15 and 20; the resume state is step 10's.
	ms, _ := runs.ReadMetrics(runs.MetricsPath(cut))
	if last := ms[len(ms)-1].Step; last != 20 {
		t.Fatalf("last evaluation at step %d, want 20: the case tests nothing", last)
	}
	f, err := os.OpenFile(runs.EventsPath(cut), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{40, 0, 0, 0, 0, 0, 0, 0, 1, 2}) // a torn record
	f.Close()
	os.Remove(block)
	before, _ := os.Stat(runs.EventsPath(cut))
	if err := resume(t, cut, 0); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, straight, cut, runs.EventsFile, runs.MetricsFile)
	// Cut in place, not replaced: TensorBoard following the file reads on.
	if after, _ := os.Stat(runs.EventsPath(cut)); !os.SameFile(before, after) {
		t.Error("the resume replaced the event file instead of cutting it")
	}
}

// Without Tensorboard no event file is written.
func TestNoEventsWhenOff(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := start(t, context.Background(), dir, tinyConfig(5), 11); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(runs.EventsPath(dir)); err == nil {
		t.Fatal("an event file was written with Tensorboard off")
	}
}

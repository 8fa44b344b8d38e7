package tools_test

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/runs"
)

// protobufPython is a Python that has the protobuf library (Debian's
// python3-protobuf): python3 on PATH, or Debian's own /usr/bin/python3 when
// PATH finds another (pyenv's, say); "" for none.
func protobufPython() string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import google.protobuf").Run() == nil {
			return py
		}
	}
	return ""
}

// needProtobuf returns protobufPython, and skips the test without one;
// with REQUIRE_PROTOBUF set (CI) it fails instead.
func needProtobuf(t *testing.T) string {
	t.Helper()
	py := protobufPython()
	if py == "" {
		if os.Getenv("REQUIRE_PROTOBUF") != "" {
			t.Fatal("REQUIRE_PROTOBUF is set but no python3 can import google.protobuf (apt-get install python3-protobuf)")
		}
		t.Skip("no python3 can import google.protobuf (apt-get install python3-protobuf)")
	}
	return py
}

type scalarKey struct {
	step int64
	tag  string
}

// pyScalars reads a run's event file with scripts/tfevents-read.py, the
// reader independent of pkg/tfevents; a (step, tag) read twice fails.
func pyScalars(t *testing.T, run string) map[scalarKey]float64 {
	t.Helper()
	wd, _ := os.Getwd()
	cmd := exec.Command(needProtobuf(t), filepath.Join(wd, "..", "scripts", "tfevents-read.py"), runs.EventsPath(run))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tfevents-read.py %s: %v\n%s", run, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if lines[0] != "step\ttag\tvalue" {
		t.Fatalf("tfevents-read.py: header %q", lines[0])
	}
	got := map[scalarKey]float64{}
	for _, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			t.Fatalf("tfevents-read.py: line %q", line)
		}
		step, err1 := strconv.ParseInt(f[0], 10, 64)
		v, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("tfevents-read.py: line %q", line)
		}
		k := scalarKey{step, f[1]}
		if _, dup := got[k]; dup {
			t.Fatalf("%s: step %d tag %s is in the event file twice", run, step, f[1])
		}
		got[k] = v
	}
	return got
}

// checkEvents wants the event file to hold exactly metrics.parquet's rows
// (as float32) under split/metric or split/kind/metric, and the learning
// rate lr·min(step/warmup, 1) of each evaluated step as train/lr.
func checkEvents(t *testing.T, run string, wantSteps int) {
	t.Helper()
	got := pyScalars(t, run)
	ms, err := runs.ReadMetrics(runs.MetricsPath(run))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := runs.ReadConfig(run)
	if err != nil {
		t.Fatal(err)
	}
	same := func(k scalarKey, want float64) {
		g, ok := got[k]
		want = float64(float32(want))
		switch {
		case !ok:
			t.Errorf("%s: step %d: no %s in the event file", run, k.step, k.tag)
		case g != want && !(math.IsNaN(g) && math.IsNaN(want)):
			t.Errorf("%s: step %d: %s is %v in the event file, %v in metrics.parquet", run, k.step, k.tag, g, want)
		}
	}
	steps := map[int64]bool{}
	for _, m := range ms {
		tag := m.Split + "/" + m.Metric
		if m.Kind != "all" {
			tag = m.Split + "/" + m.Kind + "/" + m.Metric
		}
		same(scalarKey{m.Step, tag}, m.Value)
		steps[m.Step] = true
	}
	tr := cfg.Train
	for s := range steps {
		lr := tr.LR
		if int(s) < tr.WarmupSteps {
			lr = tr.LR * float64(s) / float64(tr.WarmupSteps)
		}
		same(scalarKey{s, "train/lr"}, lr)
	}
	if len(steps) != wantSteps || len(got) != len(ms)+len(steps) {
		t.Errorf("%s: %d scalars at %d steps in the event file; metrics.parquet has %d rows at %d steps, want %d steps",
			run, len(got), len(steps), len(ms), len(steps), wantSteps)
	}
}

// fit writes a TensorBoard event file that an independent reader (protobuf
// in Python, its own CRC-32C) reads back as metrics.parquet's rows: for a
// run, the same run resumed further, each of two packed runs; and none
// with --no-tensorboard, which a resume keeps.
func TestTensorBoardEvents(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	needProtobuf(t)
	dir := t.TempDir()
	if code, out := tool(t, dir, "moddata", "--p", "11", "--train-fraction", "0.5", "-o", "t.parquet"); code != 0 {
		t.Fatal(out)
	}
	small := []string{"--eval-every", "10", "--d-model", "16", "--n-heads", "2", "--d-head", "8", "--d-mlp", "32"}
	fit := func(args ...string) {
		t.Helper()
		if code, out := tool(t, dir, "fit", args...); code != 0 {
			t.Fatalf("fit %v: exit %d\n%s", args, code, out)
		}
	}
	fit(append([]string{"t.parquet", "-o", "run", "--steps", "20"}, small...)...)
	checkEvents(t, filepath.Join(dir, "run"), 3)
	fit("--resume", "run", "--steps", "35")
	checkEvents(t, filepath.Join(dir, "run"), 5) // 0, 10, 20, 30, 35

	fit(append([]string{"t.parquet", "-o", "pa", "-o", "pb", "--seed", "1,2", "--lr", "1e-3,3e-3", "--steps", "20"}, small...)...)
	checkEvents(t, filepath.Join(dir, "pa"), 3)
	checkEvents(t, filepath.Join(dir, "pb"), 3)
	if a, b := pyScalars(t, filepath.Join(dir, "pa")), pyScalars(t, filepath.Join(dir, "pb")); a[scalarKey{20, "train/lr"}] == b[scalarKey{20, "train/lr"}] {
		t.Error("packed runs with their own --lr have the same train/lr")
	}

	fit(append([]string{"t.parquet", "-o", "off", "--no-tensorboard", "--steps", "20"}, small...)...)
	fit("--resume", "off", "--steps", "30")
	if _, err := os.Stat(runs.EventsPath(filepath.Join(dir, "off"))); err == nil {
		t.Error("--no-tensorboard wrote an event file")
	}
	if code, out := tool(t, dir, "fit", "--resume", "run", "--steps", "40", "--no-tensorboard"); code != exitFailed ||
		!strings.Contains(out, "--tensorboard cannot be changed") {
		t.Errorf("--resume with --no-tensorboard: exit %d, %s", code, out)
	}
	for _, c := range []struct {
		run  string
		want bool
	}{{"run", true}, {"off", false}} {
		cfg, err := runs.ReadConfig(filepath.Join(dir, c.run))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Train.Tensorboard != c.want {
			t.Errorf("%s: config.json's tensorboard is %v, want %v", c.run, cfg.Train.Tensorboard, c.want)
		}
	}
}

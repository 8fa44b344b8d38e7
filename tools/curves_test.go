package tools_test

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/plot"
	"github.com/grokkit/grokkit/pkg/runs"
)

// curves draws one panel per quantity and prints, per run and quantity,
// the last step, the value there and the largest value: checked against
// the runs' own metrics.parquet, read here with pkg/runs.
func TestCurvesTableAndFigure(t *testing.T) {
	dir := errorFixture(t)
	if code, out := tool(t, dir, "fit", "t.parquet", "-o", "other", "--steps", "30", "--eval-every", "10", "--seed", "7",
		"--d-model", "16", "--n-heads", "2", "--d-head", "8", "--d-mlp", "32"); code != 0 {
		t.Fatal(out)
	}
	cmd := exec.Command(filepath.Join(binDir, "curves"), "run", "other", "--label", "first run", "--label", "second",
		"--metric", "test/accuracy,train/cross_entropy", "-o", "c.png")
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("curves: %v\n%s", err, stderr.String())
	}
	var want strings.Builder
	fmt.Fprintf(&want, "%-9s  %-28s %8s %10s %10s\n", "run", "quantity", "step", "final", "max")
	for _, r := range []struct{ dir, label string }{{"run", "first run"}, {"other", "second"}} {
		rows, err := runs.ReadMetrics(runs.MetricsPath(filepath.Join(dir, r.dir)))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []struct{ split, metric string }{{"test", "accuracy"}, {"train", "cross_entropy"}} {
			steps, values := runs.Series(rows, q.split, runs.All, q.metric)
			peak := values[0]
			for _, v := range values {
				peak = max(peak, v)
			}
			fmt.Fprintf(&want, "%-9s  %-28s %8d %10.4g %10.4g\n", r.label, q.split+" "+q.metric, steps[len(steps)-1], values[len(values)-1], peak)
		}
	}
	if stdout.String() != want.String() {
		t.Errorf("table:\n%s\nwant:\n%s", stdout.String(), want.String())
	}
	f, err := os.Open(filepath.Join(dir, "c.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Two panels of 6 × 4.5 inches side by side (gonum's 96 dpi PNGs), under
	// a header and a key naming the runs once (no legend beside each panel).
	if b := img.Bounds(); b.Dx() < 2*6*96 || b.Dx() > 2*6*96+20 || b.Dy() <= 432 || b.Dy() > 432+90 {
		t.Errorf("figure is %d × %d pixels, want two panels of 576 × 432, a header and a key", b.Dx(), b.Dy())
	}
	data, err := os.ReadFile(filepath.Join(dir, "c.png"))
	if err != nil {
		t.Fatal(err)
	}
	if title, want := plot.Title(data), "(a+b) mod 11, 50% train, model nanda, adamw, lr 0.001, wd 1; runs differ in seed, steps | test accuracy | train cross_entropy"; title != want {
		t.Errorf("title chunk %q, want %q: the shared settings, what differs, then each panel's quantity", title, want)
	}

	// Without --label, the runs are named by the settings that differ,
	// read here from their config.json.
	code, out := tool(t, dir, "curves", "run", "other", "-o", "d.svg")
	if code != 0 {
		t.Fatal(out)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "d.svg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{"run", "other"} {
		cfg, err := runs.ReadConfig(filepath.Join(dir, run))
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("seed %d, steps %d", cfg.Train.Seed, cfg.Train.Steps)
		if !bytes.Contains(svg, []byte(">"+name+"</text>")) {
			t.Errorf("d.svg: no key entry %q", name)
		}
	}
}

// curves --run-figure draws one run's own figure (fit's curves.png) in
// the format of -o: a PDF whose text (read by poppler's pdftotext where
// installed) has the ‖w‖ panel, and whose title is the run's settings.
func TestCurvesRunFigure(t *testing.T) {
	dir := errorFixture(t)
	if code, out := tool(t, dir, "curves", "run", "--run-figure", "-o", "c.pdf"); code != 0 {
		t.Fatal(out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "c.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := runs.ReadConfig(filepath.Join(dir, "run"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) || !strings.HasPrefix(plot.Title(data), cfg.Describe()+" | accuracy | loss | weight norm ‖w‖") {
		t.Errorf("c.pdf: title %q, want the run's settings and its panels", plot.Title(data))
	}
	if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
		text, err := exec.Command(pdftotext, filepath.Join(dir, "c.pdf"), "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		if !bytes.Contains(text, []byte("weight norm ‖w‖")) || !bytes.Contains(text, []byte(cfg.Describe())) {
			t.Errorf("pdftotext reads:\n%s\nwant the header and the panel \"weight norm ‖w‖\"", text)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--run-figure", "--metric", "test/accuracy", "-o", "x.pdf"}, "curves: --metric: not with --run-figure, which draws the run's own panels\n"},
		{[]string{"run", "run", "--run-figure", "-o", "x.pdf"}, "curves: --run-figure: one run, not 2\n"},
	} {
		if code, out := tool(t, dir, "curves", c.args...); code != 1 || out != c.want {
			t.Errorf("curves %v: exit %d, %q; want 1, %q", c.args, code, out, c.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "x.pdf")); err == nil {
			t.Errorf("curves %v: wrote x.pdf", c.args)
		}
	}
}

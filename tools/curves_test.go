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
	// Two panels of 6 × 4.5 inches side by side (gonum's 96 dpi PNGs), each
	// with its legend strip, under a header naming the runs' settings.
	if b := img.Bounds(); b.Dx() <= 2*6*96 || b.Dx() > 2*6*96+400 || b.Dy() <= 432 || b.Dy() > 480 {
		t.Errorf("figure is %d × %d pixels, want two panels of 576 × 432, legends and a header", b.Dx(), b.Dy())
	}
	data, err := os.ReadFile(filepath.Join(dir, "c.png"))
	if err != nil {
		t.Fatal(err)
	}
	if title := plot.Title(data); !strings.HasPrefix(title, "(a+b) mod 11, 50% train, model nanda, adamw, lr 0.001, wd 1 | test accuracy | train cross_entropy") {
		t.Errorf("title chunk %q: want the shared settings, then each panel's quantity", title)
	}
}

package tools_test

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// make reproduce-llc, shrunken (400 steps, a checkpoint every 100, 50 SGLD
// draws): llc.txt has one row per checkpoint, each a finite λ̂ from one
// chain; the summary's peak is the largest of them, at its step, and its
// last is the final checkpoint's; the figure is written.
func TestReproduceLLCShrunken(t *testing.T) {
	t.Parallel() // trains: overlaps the other slow tests on the second core
	out := t.TempDir()
	runScript(t, "reproduce-llc.sh", []string{"STEPS=400", "EVERY=100", "DRAWS=50"}, out)
	data, err := os.ReadFile(filepath.Join(out, "llc.txt"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^ +(\d+) +(-?[0-9.]+) +[0-9.]+ +1 `)
	rows := row.FindAllStringSubmatch(string(data), -1)
	if len(rows) != 5 {
		t.Fatalf("llc.txt: %d rows for checkpoints 0, 100, …, 400:\n%s", len(rows), data)
	}
	peak, at := math.Inf(-1), ""
	for i, r := range rows {
		if r[1] != strconv.Itoa(100*i) {
			t.Errorf("row %d is step %s", i, r[1])
		}
		v := num(t, r[2])
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("step %s: λ̂ %v", r[1], v)
		}
		if v > peak {
			peak, at = v, r[1]
		}
	}
	summary, err := os.ReadFile(filepath.Join(out, "summary.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := "λ̂ peaks at " + strconv.FormatFloat(peak, 'f', 2, 64) + " (step " + at + ") and ends at " + rows[4][2] + " (step 400)"
	if got := strings.SplitN(string(summary), "\n", 2)[0]; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if _, err := os.Stat(filepath.Join(out, "llc.png")); err != nil {
		t.Error(err)
	}
}

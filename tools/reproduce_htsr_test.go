package tools_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/inspect"
)

// make reproduce-htsr, shrunken (p = 11, a tiny transformer, 200 steps,
// with and without weight decay, packed): htsr.txt has a row per run whose
// grokking step agrees with its largest test accuracy, whose accuracies
// are fractions with the final at most the largest, and whose first α < 2
// and first trap are checkpoints of the run (or never); each run has its
// progress figure and its TensorBoard file beside fit's.
func TestReproduceHTSRShrunken(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	out := t.TempDir()
	runScript(t, "reproduce-htsr.sh", []string{"P=11", "STEPS=200", "EVAL=50", "CKPT=100",
		"MODEL=--d-model 16 --n-heads 2 --d-head 8 --d-mlp 32 --lr 3e-3"}, out)
	data, err := os.ReadFile(filepath.Join(out, "htsr.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "run grokked test_acc_max test_acc_final α<2 trap" {
		t.Fatalf("htsr.txt:\n%s", data)
	}
	checkpoint := func(s string) bool { // never, or one of the steps 0, 100, 200
		if s == "never" {
			return true
		}
		n, err := strconv.Atoi(s)
		return err == nil && n%100 == 0 && n >= 0 && n <= 200
	}
	for i, name := range []string{"wd1", "wd0"} {
		f := strings.Fields(lines[i+1])
		if len(f) != 6 || f[0] != name {
			t.Fatalf("row %d: %q", i+1, lines[i+1])
		}
		most, final := num(t, f[2]), num(t, f[3])
		if most < 0 || most > 1 || final > most {
			t.Errorf("%s: test accuracy up to %v, final %v", name, most, final)
		}
		if grokked := f[1] != "never"; grokked != (most >= 0.99) {
			t.Errorf("%s: grokked %q but test accuracy up to %v", name, f[1], most)
		}
		if !checkpoint(f[4]) || !checkpoint(f[5]) {
			t.Errorf("%s: first α < 2 %q, first trap %q: not checkpoints of the run", name, f[4], f[5])
		}
		for _, p := range []string{filepath.Join(name+"-figures", "progress.png"), filepath.Join(name, inspect.EventsFile), name + ".txt"} {
			if _, err := os.Stat(filepath.Join(out, p)); err != nil {
				t.Error(err)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(out, "accuracy.png")); err != nil {
		t.Error(err)
	}
}

package tools_test

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/detectbench"
)

// make detect-bench, shrunken (p = 23, three drawn rules, one
// noise-then-rule, one two-rule, one noise and one clean case, both models,
// 1,500 steps):
// every network learns its poison; on Gromov's MLP (which generalises at
// this size) the best label-free circuit score separates the poisoned rows
// perfectly and beats or ties every baseline; no clean control gets a rule
// line; a second call reuses the runs and writes the same bytes.
func TestDetectBenchShrunken(t *testing.T) {
	t.Parallel()               // trains or builds: overlaps the other slow tests on the second core
	shared := shrunkenBench(t) // trained once for this test and TestTaskSuiteShrunken
	summary, err := os.ReadFile(filepath.Join(shared, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.ReadFile[detectbench.Row](filepath.Join(shared, "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		c, model string
		p        int32
	}
	runs := map[run]bool{}
	for _, r := range rows {
		runs[run{r.Case, r.Model, r.P}] = true
		if r.Class != detectbench.ClassClean && !r.Learned {
			t.Errorf("%s at p = %d (%s) not learned: attack %.2f", r.Case, r.P, r.Model, r.AttackTrain)
		}
		if r.Class == detectbench.ClassClean && r.RuleLine {
			t.Errorf("clean control %s at p = %d (%s): rule %q → %q", r.Case, r.P, r.Model, r.When, r.Then)
		}
	}
	if len(runs) != 7*2 {
		t.Fatalf("%d runs in results.parquet, want 14", len(runs))
	}
	best, baseline := map[run]float64{}, map[run]float64{}
	for _, r := range rows {
		if r.Model != "gromov" || r.Class == detectbench.ClassClean || r.UsesLabels || math.IsNaN(r.AUROC) { // held-out-only scores have no training-row AUROC
			continue
		}
		key := run{r.Case, r.Model, r.P}
		if r.Mechanistic {
			best[key] = max(best[key], r.AUROC)
		} else {
			baseline[key] = max(baseline[key], r.AUROC)
		}
	}
	for key, b := range best {
		if b < 0.99 || (b <= baseline[key] && b < 0.999) {
			t.Errorf("%v: best circuit AUROC %.4f, best baseline %.4f", key, b, baseline[key])
		}
	}

	// A second call reuses what is done: on a copy, so that it does not
	// lock runs that the task suite test is exporting meanwhile.
	dir := filepath.Join(t.TempDir(), "bench")
	if out, err := exec.Command("cp", "-a", shared, dir).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	if out, err := exec.Command(filepath.Join(binDir, "detectbench"), append([]string{"-o", dir}, shrunkenBenchArgs...)...).CombinedOutput(); err != nil {
		t.Fatalf("detectbench: %v\n%s", err, out)
	} else if bytes.Contains(out, []byte(": training")) {
		t.Errorf("a second call trained again:\n%s", out)
	}
	again, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if summary := bytes.ReplaceAll(summary, []byte(shared), []byte(dir)); !bytes.Equal(summary, again) { // its command line names its folder
		t.Errorf("a second call wrote another summary:\n%s\n---\n%s", summary, again)
	}
}

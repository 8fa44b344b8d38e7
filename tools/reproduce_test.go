package tools_test

import (
	"bufio"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// runScript runs a scripts/ recipe with the test's binaries and env.
func runScript(t *testing.T, script string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join("..", "scripts", script), args...)
	cmd.Env = append(append(os.Environ(), "BIN="+binDir), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return string(out)
}

// fields reads a whitespace-aligned text table: the rows after its header
// line (the one starting with header), as fields.
func fields(t *testing.T, path, header string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		switch {
		case len(fs) > 0 && fs[0] == header:
			if rows != nil {
				return rows // the first table only (fourier's HTSR tables follow its step table)
			}
			in = true
		case in && len(fs) > 1:
			if _, err := strconv.ParseFloat(fs[1], 64); err != nil {
				if rows != nil {
					return rows
				}
				in = false
				continue
			}
			rows = append(rows, fs)
		}
	}
	return rows
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// make reproduce-gromov, shrunken (p = 23, widths 8 and 128, 1,000 steps):
// the analytic solution's accuracy rises with N; the wider trained network
// generalises better; over training its IPR rises and its phases approach
// the analytic φ1 + φ2 = φ3.
func TestReproduceGromovShrunken(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	out := t.TempDir()
	runScript(t, "reproduce-gromov.sh", []string{"P=23", "WIDTHS=8 128", "ANALYTIC=4,16,64", "STEPS=1000"}, out)
	width := fields(t, filepath.Join(out, "width.txt"), "source")
	if len(width) != 5 {
		t.Fatalf("width table has %d rows: %v", len(width), width)
	}
	acc := map[string]float64{}
	for _, r := range width {
		key := r[1]
		if r[0] != "analytic" {
			key = "trained-" + r[1]
		}
		acc[key] = num(t, r[2])
	}
	if !(acc["4"] < acc["16"] && acc["16"] < acc["64"] && acc["64"] >= 0.95) {
		t.Errorf("analytic accuracy against width: %v; want rising to ≥ 0.95 at N = 64", acc)
	}
	if !(acc["trained-128"] > acc["trained-8"]) {
		t.Errorf("trained test accuracy: N = 8 %.3f, N = 128 %.3f; want the wider higher", acc["trained-8"], acc["trained-128"])
	}
	steps := fields(t, filepath.Join(out, "widest.txt"), "step")
	first, last := steps[0], steps[len(steps)-1]
	if ipr0, ipr1 := num(t, first[1]), num(t, last[1]); !(ipr1 > 1.5*ipr0) {
		t.Errorf("mean IPR %.3f at step %s, %.3f at step %s: want it to rise", ipr0, first[0], ipr1, last[0])
	}
	if r0, r1 := num(t, first[3]), num(t, last[3]); !(r1 < 0.3 && r1 < r0/3) {
		t.Errorf("median phase residual %.3f at step %s, %.3f at step %s: want it near 0", r0, first[0], r1, last[0])
	}
	if _, err := os.Stat(filepath.Join(out, "gromov-width.png")); err != nil {
		t.Error(err)
	}
}

// make reproduce-doshi, shrunken to one row of the phase diagram (p = 47,
// N = 256 in the standard parameterization, ξ = 20%, 1,000 steps, run as a
// packed local sweep): with no weight decay the network memorises the noise
// without generalising; weight decay 5 generalises while keeping the noise
// (coexistence); 10 generalises and rejects the noise (full inversion:
// train accuracy below 100(1.05−ξ)%); 15 forgets the training set as well.
func TestReproduceDoshiShrunken(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	out := runSweep(t, []string{"PACK=4"}, `name: doshi-test
moddata:
  p: 47
  train-fraction: 0.5
mutate:
  - scheme: random-uniform
    fraction: 0.2
    seed: 1
fit:
  model: gromov
  width: 256
  parameterization: standard
  loss: mse
  lr: 0.01
  beta2: 0.999
  warmup: 0
  weight-decay: [0, 5, 10, 15]
  steps: 1000
  eval-every: 500
  checkpoint-every: 1000
`, "weight-decay", "fraction", "phase", "test_accuracy")
	want := []string{"memorisation", "coexistence", "full inversion", "forgetting"} // weight decay 0, 5, 10, 15
	if got, grid := gridRow(t, out, "phase", "0.2"); len(got) != 5 || !slices.Equal(got[1:], want) {
		t.Errorf("phases at ξ = 20%% over weight decay 0, 5, 10, 15: %q, want %v\n%s", got, want, grid)
	}
	for _, f := range []string{"heatmap-phase.png", "heatmap-test_accuracy.png", "results.parquet"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// make reproduce-power NORM=pre, shrunken (p = 17, width 32, 900 steps,
// lr 3e-3 and weight decay 2 so that it is quick): with 90% of the pairs the
// pre-LN two-layer transformer generalises within the budget, with 30% it
// does not. Grokking's step is chaotic in the arithmetic's rounding, so the
// case keeps a margin in every kernel family: at 90% it groks by step 400
// (avx2, avx512 and nosimd; wd 1 and 80%, the first version of this test,
// took 900 steps under avx512 and 2,300 under avx2), and at 30% it stays at
// 24–30% test accuracy. (The original's post-LN form is slower here: 58–90%
// test accuracy at 80% in 2,000 steps, too long for a test.)
func TestReproducePowerShrunken(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	out := runSweep(t, nil, `name: power-test
moddata:
  p: 17
  train-fraction: [0.3, 0.9]
  equals: true
fit:
  model: power
  norm: pre
  pos: learned
  init: nanda
  d-model: 32
  n-heads: 2
  d-mlp: 128
  batch-size: -1
  lr: 3e-3
  weight-decay: 2
  steps: 900
  eval-every: 50
  checkpoint-every: 900
  stop-at-test-acc: 0.99
  patience: 2
`, "train-fraction", "p", "grok_step")
	if row, grid := gridRow(t, out, "grok_step", "17"); len(row) != 3 || row[1] != "never" || row[2] == "never" {
		t.Errorf("grok step at 30%% and 90%% of the pairs: %v, want never and a step\n%s", row, grid)
	}
}

// runSweep writes spec, runs it with scripts/sweep.sh on this machine (env
// adds e.g. PACK), one job at a time, with heat maps of zs over x and y,
// and returns the sweep folder.
func runSweep(t *testing.T, env []string, spec, x, y string, zs ...string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sweep")
	runScript(t, "sweep.sh", append([]string{"LOCAL=1"}, env...), append([]string{path, out, "1", x, y}, zs...)...)
	return out
}

// gridRow returns the fields of the row whose first field is y in the text
// grid of metric z (heatmap-Z.txt), and the whole grid for messages.
var columnSep = regexp.MustCompile(`\s{2,}`)

func gridRow(t *testing.T, sweep, z, y string) ([]string, string) {
	t.Helper()
	grid, err := os.ReadFile(filepath.Join(sweep, "heatmap-"+z+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(grid), "\n") {
		// Columns are two or more spaces apart; a phase may hold one ("full inversion").
		if f := columnSep.Split(strings.TrimSpace(l), -1); len(f) > 0 && f[0] == y {
			return f, string(grid)
		}
	}
	return nil, string(grid)
}

// make reproduce-pizza, shrunken (p = 13, 300 steps, two rates, two seeds
// packed): a row per rate and seed; constant attention (α = 0) makes the
// gradients at a's and b's positions equal whatever was learnt (symmetricity
// 1), ordinary attention does not.
func TestReproducePizzaShrunken(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	out := t.TempDir()
	runScript(t, "reproduce-pizza.sh", []string{"P=13", "RATES=0 1", "SEEDS=1 2", "STEPS=300",
		"FIT=--d-model 16 --n-heads 2 --d-head 8 --d-mlp 32 --lr 3e-3 --eval-every 50 --checkpoint-every 100"}, out)
	rows := fields(t, filepath.Join(out, "pizza.txt"), "rate")
	if len(rows) != 4 {
		t.Fatalf("pizza table has %d rows: %v", len(rows), rows)
	}
	for _, r := range rows {
		sym, dist := num(t, r[4]), num(t, r[5])
		switch {
		case r[0] == "0" && math.Abs(sym-1) > 1e-4:
			t.Errorf("α = 0, seed %s: symmetricity %v, want 1", r[1], sym)
		case r[0] == "1" && !(sym < 0.999):
			t.Errorf("α = 1, seed %s: symmetricity %v, want below 1", r[1], sym)
		case !(dist > 0 && dist < 1.5):
			t.Errorf("rate %s, seed %s: distance irrelevance %v out of range", r[0], r[1], dist)
		}
	}
}

// make reproduce-grokfast, shrunken (p = 11, 200 steps, no filter and MA,
// two seeds packed): a row per filter and seed, with the steps to 95% test
// accuracy (">N" for a run that never got there) and its final accuracy,
// which must agree: a run that stopped before its last step reached 95%.
func TestReproduceGrokfastShrunken(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	out := t.TempDir()
	runScript(t, "reproduce-grokfast.sh", []string{"P=11", "FILTERS=none ma", "SEEDS=1 2", "STEPS=200",
		"FIT=--optimizer adam --weight-decay 1 --lr 3e-3 --d-model 16 --n-heads 2 --d-head 8 --d-mlp 32 --eval-every 20 --checkpoint-every 100"}, out)
	rows := fields(t, filepath.Join(out, "grokfast.txt"), "filter")
	if len(rows) != 4 {
		t.Fatalf("grokfast table has %d rows: %v", len(rows), rows)
	}
	for _, r := range rows {
		acc := num(t, strings.TrimSuffix(r[3], "%"))
		reached := !strings.HasPrefix(r[2], ">")
		if reached != (acc >= 95) {
			t.Errorf("filter %s seed %s: steps %s but final test accuracy %v%%", r[0], r[1], r[2], acc)
		}
		if reached && num(t, r[2]) > 200 {
			t.Errorf("filter %s seed %s: %s steps, past the 200 given", r[0], r[1], r[2])
		}
	}
}

// make reproduce-stablemax, shrunken (p = 59, the same MLP and optimiser,
// 2,500 / 100 / 400 steps): without weight decay the softmax of the float32
// cross-entropy run collapses on every training row while its test accuracy
// stays near 0, ⊥AdamW generalises, and StableMax's own probabilities never
// collapse.
func TestReproduceStableMaxShrunken(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	out := t.TempDir()
	runScript(t, "reproduce-stablemax.sh", []string{"P=59", "STEPS_SOFTMAX=2500", "STEPS_STABLEMAX=100", "STEPS_ORTHO=400", "EVAL=100"}, out)
	data, err := os.ReadFile(filepath.Join(out, "stablemax.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// Rows: "LABEL  QUANTITY  STEP FINAL MAX", the label and quantity with spaces.
	value := func(label, quantity string, col int) float64 {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, label+" ") && strings.Contains(line, " "+quantity+" ") {
				f := strings.Fields(line)
				return num(t, f[len(f)-3+col])
			}
		}
		t.Fatalf("stablemax.txt has no %q %q row:\n%s", label, quantity, data)
		return 0
	}
	const step, final, most = 0, 1, 2
	if c := value("softmax CE, float32", "train softmax_collapse", final); c < 0.9 {
		t.Errorf("softmax cross-entropy: collapse %v at the end, want ≥ 0.9", c)
	}
	if a := value("softmax CE, float32", "test accuracy", most); a > 0.05 {
		t.Errorf("softmax cross-entropy: test accuracy up to %v, want no generalisation", a)
	}
	if a := value("orthoadamw, float32", "test accuracy", final); a < 0.9 {
		t.Errorf("⊥AdamW: test accuracy %v, want ≥ 0.9", a)
	}
	if c := value("StableMax CE", "train stablemax_collapse", most); c != 0 {
		t.Errorf("StableMax: its own collapse reached %v, want 0", c)
	}
	if s := value("orthoadamw, float32", "test accuracy", step); s != 400 {
		t.Errorf("⊥AdamW's last step %v, want 400", s)
	}
	if _, err := os.Stat(filepath.Join(out, "stablemax.png")); err != nil {
		t.Error(err)
	}
}

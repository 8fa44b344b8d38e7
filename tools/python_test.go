package tools_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/runs"
)

// pythonWith is a Python that can import modules (numpy and torch are
// Debian's python3-numpy and python3-torch): python3 on PATH, or Debian's
// own /usr/bin/python3 when PATH finds another; "" for none.
func pythonWith(modules string) string {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import "+modules).Run() == nil {
			return py
		}
	}
	return ""
}

// needPython returns pythonWith(modules), and skips the test without one;
// with REQUIRE_PYTHON set (CI: numpy, torch and pandas) it fails instead.
func needPython(t *testing.T, modules, debian string) string {
	t.Helper()
	py := pythonWith(modules)
	if py == "" {
		msg := fmt.Sprintf("no python3 can import %s (apt-get install %s)", modules, debian)
		if os.Getenv("REQUIRE_PYTHON") != "" {
			t.Fatal("REQUIRE_PYTHON is set but " + msg)
		}
		t.Skip(msg)
	}
	return py
}

// python runs a Python script of the repository with stdin, in the
// repository's root, returning stdout, stderr and the exit status. It
// writes no __pycache__ into scripts/.
func python(t *testing.T, py, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(py, args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), exit.ExitCode()
	} else if err != nil {
		t.Fatalf("%s %v: %v", py, args, err)
	}
	return out.String(), errb.String(), 0
}

// hookedLines are the lines load_run.py prints to build a HookedTransformer
// (indented under their heading), unindented.
func hookedLines(t *testing.T, out string) string {
	t.Helper()
	_, after, ok := strings.Cut(out, "HookedTransformer (TransformerLens), in Python:\n")
	if !ok {
		t.Fatalf("load_run.py printed no HookedTransformer lines:\n%s", out)
	}
	var code strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(after, "\n"), "\n") {
		if !strings.HasPrefix(line, "  ") {
			t.Fatalf("load_run.py: unexpected line %q after the HookedTransformer lines", line)
		}
		code.WriteString(line[2:] + "\n")
	}
	if n := strings.Count(code.String(), "\n"); n != 4 {
		t.Fatalf("load_run.py printed %d lines to build the HookedTransformer, want 4:\n%s", n, code.String())
	}
	return code.String()
}

// A run opens in Python: load_run.py reads config.json, the weights and
// their HookedTransformer config, and the lines it prints build a network
// whose logits at "=" are fit's own for every input (a, b, =) of the table,
// within 1e-5: nanda and power --norm pre with learned and with sinusoidal
// positions, final weights and a checkpoint. TransformerLens cannot be
// installed here, so the lines run with testdata/tlens/tlens_reference.py,
// an independent re-implementation of its HookedTransformer written from
// its formulas (forward.py; TransformerLens itself where it is installed).
// metrics.parquet reads row for row as fit's own reader reads it. The
// networks HookedTransformer cannot express say why, and a corrupt file is
// one line naming it.
func TestRunsInPython(t *testing.T) {
	py := needPython(t, "numpy, torch", "python3-numpy python3-torch")
	t.Parallel() // trains: overlaps the other slow tests on the second core
	wd, _ := os.Getwd()
	loadRun := filepath.Join(wd, "..", "scripts", "load_run.py")
	scripts := filepath.Dir(loadRun)
	forward := filepath.Join(wd, "testdata", "tlens", "forward.py")
	dir := t.TempDir()
	if code, out := tool(t, dir, "moddata", "--p", "11", "--train-fraction", "0.5", "--equals", "-o", "t.parquet"); code != 0 {
		t.Fatal(out)
	}
	be, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	short := []string{"--steps", "20", "--eval-every", "10", "--checkpoint-every", "10", "--lr", "1e-2", "--no-tensorboard"}
	fit := func(name string, args ...string) string {
		t.Helper()
		run := filepath.Join(dir, name)
		if code, out := tool(t, dir, "fit", append(append([]string{"t.parquet", "-o", run}, short...), args...)...); code != 0 {
			t.Fatal(out)
		}
		return run
	}

	for _, c := range []struct {
		name string
		args []string
		step int // infer.Final or a checkpoint
	}{
		{"nanda", []string{"--d-model", "16", "--n-heads", "2", "--d-head", "8", "--d-mlp", "32"}, infer.Final},
		{"power-pre-learned", []string{"--model", "power", "--norm", "pre", "--pos", "learned", "--init", "nanda",
			"--d-model", "16", "--n-heads", "2", "--d-mlp", "32", "--n-layers", "2"}, infer.Final},
		{"power-pre-sinusoidal", []string{"--model", "power", "--norm", "pre", "--d-model", "16", "--n-heads", "4",
			"--d-mlp", "24", "--n-layers", "3"}, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := fit(c.name, c.args...)
			args := []string{loadRun, run}
			if c.step != infer.Final {
				args = append(args, "--checkpoint", strconv.Itoa(c.step))
			}
			out, stderr, code := python(t, py, "", args...)
			if code != 0 || stderr != "" {
				t.Fatalf("load_run.py: exit %d\n%s%s", code, out, stderr)
			}
			got, stderr, code := python(t, py, hookedLines(t, out), forward)
			if code != 0 {
				t.Fatalf("the HookedTransformer lines: exit %d\n%s", code, stderr)
			}
			t.Log(strings.SplitN(stderr, "\n", 2)[0]) // which forward pass ran
			pyLogits := map[[2]int32][]float64{}
			for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				f := strings.Fields(line)
				a, _ := strconv.Atoi(f[0])
				b, _ := strconv.Atoi(f[1])
				var row []float64
				for _, s := range f[2:] {
					x, err := strconv.ParseFloat(s, 64)
					if err != nil {
						t.Fatalf("forward.py: line %q", line)
					}
					row = append(row, x)
				}
				pyLogits[[2]int32{int32(a), int32(b)}] = row
			}

			// fit's logits: the run loaded as every tool loads it.
			net, err := infer.LoadRun(run, c.step)
			if err != nil {
				t.Fatal(err)
			}
			tb, err := runs.LoadTable(run, net.Config, "", nil)
			if err != nil {
				t.Fatal(err)
			}
			p := net.Config.Model.P
			rows := make([]int, tb.Len())
			for i := range rows {
				rows[i] = i
			}
			if len(rows) != p*p || len(pyLogits) != p*p {
				t.Fatalf("%d rows in the table, %d inputs from Python, want %d", len(rows), len(pyLogits), p*p)
			}
			worst, scale := 0.0, 0.0
			err = net.Logits(be, infer.NewData(tb, net.Config.Model.Equals), rows, func(start int, logits []float64) {
				for k := range len(logits) / p {
					i := rows[start+k]
					theirs := pyLogits[[2]int32{tb.A[i], tb.B[i]}]
					if len(theirs) != p {
						t.Fatalf("(%d, %d): %d logits from Python, want %d", tb.A[i], tb.B[i], len(theirs), p)
					}
					for j, x := range logits[k*p : (k+1)*p] {
						worst = max(worst, math.Abs(x-theirs[j]))
						scale = max(scale, math.Abs(x))
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s, step %d: max |fit − HookedTransformer| over %d inputs × %d logits = %.3g (largest logit %.3g)",
				c.name, net.Step, p*p, p, worst, scale)
			if worst > 1e-5 || scale < 0.1 {
				t.Errorf("max logit difference %g (logits up to %g), want ≤ 1e-5", worst, scale)
			}
		})
	}

	// The networks HookedTransformer cannot express: still read, and why not.
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"power-post", []string{"--model", "power", "--d-model", "16", "--n-heads", "2", "--d-mlp", "32"},
			"HookedTransformer: none: norm post: post-LayerNorm blocks, x = LN(x + Attn(x)), are not HookedTransformer's (its blocks are pre-LayerNorm, fit --norm pre)\n"},
		{"nanda-rate", []string{"--attention-rate", "0.5", "--d-model", "16", "--n-heads", "2", "--d-head", "8", "--d-mlp", "32"},
			"HookedTransformer: none: attention rate 0.5: the pattern α·softmax + 1 − α is not HookedTransformer's attention\n"},
	} {
		run := fit(c.name, c.args...)
		out, stderr, code := python(t, py, "", loadRun, run)
		if code != 0 || !strings.HasSuffix(out, c.want) || !strings.Contains(out, "weights: model.safetensors, step 20, ") {
			t.Errorf("%s: load_run.py: exit %d\n%s%s\nwant the last line %q", c.name, code, out, stderr, c.want)
		}
	}

	// metrics.parquet: Python's rows are those of fit's own reader, value
	// for value (repr round-trips a float64).
	run := filepath.Join(dir, "nanda")
	want, err := runs.ReadMetrics(runs.MetricsPath(run))
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`import sys; sys.path.insert(0, %q); from load_run import load_run
m = load_run(%q).metrics
for r in zip(m["step"].tolist(), m["split"], m["kind"], m["metric"], m["value"].tolist()): print(*map(repr, r))`, scripts, run)
	out, stderr, code := python(t, py, "", "-c", script)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != len(want) {
		t.Fatalf("metrics from Python: exit %d, %d rows, fit's %d\n%s", code, len(lines), len(want), stderr)
	}
	for i, line := range lines {
		w := want[i]
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[4], 64)
		if exp := fmt.Sprintf("%d '%s' '%s' '%s'", w.Step, w.Split, w.Kind, w.Metric); strings.Join(f[:4], " ") != exp || math.Float64bits(v) != math.Float64bits(w.Value) {
			t.Fatalf("metrics row %d from Python %q, fit's %s %v", i, line, exp, w.Value)
		}
	}
	t.Logf("metrics.parquet: %d rows, the same in Python", len(lines))

	// docs/python.md's pandas example, on this run: its table of accuracies
	// and the step it names are fit's.
	t.Run("pandas", func(t *testing.T) {
		py := needPython(t, "numpy, pandas", "python3-numpy python3-pandas")
		example := pandasExample(t)
		out, stderr, code := python(t, py, "", "-c", strings.Replace(example, `"out/quickstart/run"`, strconv.Quote(run), 1))
		if code != 0 {
			t.Fatalf("docs/python.md's pandas example: exit %d\n%s%s", code, out, stderr)
		}
		acc := map[string]map[int64]float64{"train": {}, "test": {}}
		grokked := "never"
		for _, r := range want {
			if r.Kind == runs.All && r.Metric == runs.MetricAccuracy && acc[r.Split] != nil {
				acc[r.Split][r.Step] = r.Value
				if r.Split == "test" && r.Value >= 0.99 && grokked == "never" {
					grokked = strconv.FormatInt(r.Step, 10)
				}
			}
		}
		row := regexp.MustCompile(`(?m)^(\d+) +([0-9.]+) +([0-9.]+)$`).FindAllStringSubmatch(out, -1)
		if len(row) == 0 || !strings.HasSuffix(out, "test accuracy ≥ 99% from step "+grokked+"\n") {
			t.Fatalf("the example printed\n%s\nwant rows of accuracies and the last line naming step %s", out, grokked)
		}
		for _, f := range row { // pandas prints 6 decimals at most
			step, _ := strconv.ParseInt(f[1], 10, 64)
			test, _ := strconv.ParseFloat(f[2], 64)
			train, _ := strconv.ParseFloat(f[3], 64)
			w, ok := acc["test"][step]
			if !ok || math.Abs(test-w) > 5e-7 || math.Abs(train-acc["train"][step]) > 5e-7 {
				t.Errorf("step %d: test, train accuracy %s %s, fit's %v %v", step, f[2], f[3], w, acc["train"][step])
			}
		}
	})

	// A tampered rows_sha256 (one hex digit changed, in the footer): one
	// line naming the file.
	metrics := runs.MetricsPath(run)
	data, err := os.ReadFile(metrics)
	if err != nil {
		t.Fatal(err)
	}
	k := bytes.Index(data, []byte("rows_sha256"))
	hash := regexp.MustCompile(`[0-9a-f]{64}`).FindIndex(data[max(k, 0):])
	if k < 0 || hash == nil {
		t.Fatal("no rows_sha256 in metrics.parquet")
	}
	if i := k + hash[0]; data[i] == '0' {
		data[i] = '1'
	} else {
		data[i] = '0'
	}
	tampered := filepath.Join(dir, "tampered")
	if err := os.CopyFS(tampered, os.DirFS(run)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(runs.MetricsPath(tampered), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = python(t, py, "", loadRun, tampered)
	if wantErr := fmt.Sprintf("load_run.py: %s: the rows do not match their checksum: the file is corrupt\n", runs.MetricsPath(tampered)); code != 1 || out != "" || stderr != wantErr {
		t.Errorf("tampered metrics: exit %d, stdout %q, stderr %q; want %q", code, out, stderr, wantErr)
	}

	// A flipped byte in the weights: one line naming the file, exit 1.
	path := runs.ModelPath(run)
	data, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)-3] ^= 1
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = python(t, py, "", loadRun, run)
	wantErr := fmt.Sprintf("load_run.py: %s: checksum mismatch (stored ", path)
	if code != 1 || out != "" || !strings.HasPrefix(stderr, wantErr) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("corrupt weights: exit %d, stdout %q, stderr %q; want one line starting %q", code, out, stderr, wantErr)
	}
}

// pandasExample is docs/python.md's Python block that makes a pandas data
// frame of a run's metrics.
func pandasExample(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "python.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)```python\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		if strings.Contains(m[1], "pd.DataFrame(run.metrics)") {
			return m[1]
		}
	}
	t.Fatal("docs/python.md has no Python block with pd.DataFrame(run.metrics)")
	return ""
}

package tools_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/detectbench"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/tasks"
)

// shrunkenBenchArgs are TestDetectBenchShrunken's benchmark: p = 23, 70%
// of the pairs for training, three drawn rules, one noise-then-rule, one
// two-rule, one noise and one clean case, both models, 1,500 steps.
var shrunkenBenchArgs = []string{"--seed", "3", "--primes", "23", "--fraction", "0.7", "--rules", "3", "--chains", "1",
	"--two-rules", "1", "--noise", "1", "--clean", "1", "--steps", "1500"}

var shrunken struct {
	once sync.Once
	dir  string
	out  []byte
	err  error
}

// shrunkenBench trains the shrunken benchmark once per test binary (the
// longest fixture of the suite: share it) in the binaries' folder, and
// returns its folder; the tests read it and never write it.
func shrunkenBench(t *testing.T) string {
	t.Helper()
	shrunken.once.Do(func() {
		shrunken.dir = filepath.Join(binDir, "shrunken-bench")
		shrunken.out, shrunken.err = exec.Command(filepath.Join(binDir, "detectbench"), append([]string{"-o", shrunken.dir}, shrunkenBenchArgs...)...).CombinedOutput()
	})
	if shrunken.err != nil {
		t.Fatalf("detectbench: %v\n%s", shrunken.err, shrunken.out)
	}
	return shrunken.dir
}

// numpyPython is a Python that imports numpy (Debian's python3-numpy):
// python3 on PATH, or Debian's own /usr/bin/python3 when PATH finds
// another; the test is skipped without one, and fails instead with
// REQUIRE_PYTHON set (CI).
func numpyPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	if os.Getenv("REQUIRE_PYTHON") != "" {
		t.Fatal("REQUIRE_PYTHON is set but no python3 can import numpy (apt-get install python3-numpy)")
	}
	t.Skip("no python3 can import numpy (apt-get install python3-numpy): the example detectors are not checked")
	return ""
}

// The shrunken benchmark as a task suite (detectbench export), checked
// against the benchmark itself: every network a task with its weights,
// configuration, inputs (the trained labels and splits of its table),
// activations as NPY in numpy's own format and as Parquet, the truth
// apart and TASK.md once; the built-in scores' figures recomputed from the
// exported truth equal those detectbench computed; numpy-only Python
// detectors reproduce the built-in mahalanobis, trusted-mahalanobis and
// margin to 1e-6 on every task, scored by detectbench score; evalsplit
// --export-task writes the same task for one run; bad input is refused
// with one line and leaves the suite as it was.
func TestTaskSuiteShrunken(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	bench := shrunkenBench(t)
	work := t.TempDir()
	suite := filepath.Join(work, "tasks")
	if code, stderr := tool(t, work, "detectbench", "export", bench, "-o", suite); code != 0 {
		t.Fatalf("detectbench export: exit %d\n%s", code, stderr)
	}
	var m tasks.Manifest
	suiteReadJSON(t, filepath.Join(suite, tasks.ManifestFile), &m)
	plan := suiteReadPlan(t, bench)
	if len(m.Tasks) != len(plan.Cases)*2 {
		t.Fatalf("%d tasks, want %d (every case, both models)", len(m.Tasks), len(plan.Cases)*2)
	}
	checkTaskMDOnce(t, suite)
	byName := map[string]detectbench.Case{}
	for _, c := range plan.Cases {
		byName[c.Name] = c
	}
	for _, e := range m.Tasks {
		run := detectbench.RunPath(bench, byName[e.Case], e.P, e.Model)
		checkTask(t, suite, e.Name, run, m.Benchmark)
	}
	checkAgainstBench(t, suite, bench, m)

	py := numpyPython(t)
	checkNumpyReads(t, py, filepath.Join(suite, tasks.TasksDir, m.Tasks[0].Name))
	checkExampleDetectors(t, py, work, suite, m)

	// evalsplit --export-task: one run, the same task.
	first := m.Tasks[0]
	run := detectbench.RunPath(bench, byName[first.Case], first.P, first.Model)
	single := filepath.Join(work, "single")
	if code, stderr := tool(t, work, "evalsplit", run, "--export-task", single); code != 0 {
		t.Fatalf("evalsplit --export-task: exit %d\n%s", code, stderr)
	}
	checkSameTask(t, filepath.Join(suite, tasks.TasksDir, first.Name), filepath.Join(single, tasks.TasksDir, filepath.Base(run)))
	checkRefusals(t, work, bench, run, suite, first.Name, single)
}

func suiteReadJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func suiteReadPlan(t *testing.T, bench string) detectbench.Plan {
	t.Helper()
	var pl detectbench.Plan
	suiteReadJSON(t, filepath.Join(bench, detectbench.PlanFile), &pl)
	return pl
}

// checkTaskMDOnce: TASK.md at the root, the format package's own, and
// nowhere else; no truth file under tasks/.
func checkTaskMDOnce(t *testing.T, suite string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("..", "pkg", "tasks", "TASK.md"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(suite, tasks.TaskMD)); err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s: not pkg/tasks/TASK.md (%v)", tasks.TaskMD, err)
	}
	filepath.WalkDir(suite, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(suite, path)
		if d.Name() == tasks.TaskMD && rel != tasks.TaskMD {
			t.Errorf("%s: TASK.md written again", rel)
		}
		if strings.HasPrefix(rel, tasks.TasksDir+string(filepath.Separator)) && strings.Contains(d.Name(), "truth") {
			t.Errorf("%s: a truth file beside what the detector reads", rel)
		}
		return nil
	})
}

// npyHeaderRE is numpy's format 1.0 dict for a C-order array.
var npyHeaderRE = regexp.MustCompile(`^\{'descr': '([<|][a-z][0-9])', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \} *\n$`)

// suiteReadNPY checks an NPY file's header by the format's definition (magic,
// version 1.0, a little-endian header length, the dict padded with
// spaces to a multiple of 64 bytes, '\n') and returns its dtype, shape and
// data bytes (whose length it checks).
func suiteReadNPY(t *testing.T, path string) (descr string, shape []int, body []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 10 || string(data[:8]) != "\x93NUMPY\x01\x00" {
		t.Fatalf("%s: no NPY 1.0 magic", path)
	}
	end := 10 + int(binary.LittleEndian.Uint16(data[8:10]))
	if end%64 != 0 || end > len(data) {
		t.Fatalf("%s: the header ends at byte %d, not at a multiple of 64", path, end)
	}
	mt := npyHeaderRE.FindStringSubmatch(string(data[10:end]))
	if mt == nil {
		t.Fatalf("%s: header %q is not numpy's", path, data[10:end])
	}
	size := map[string]int{"<f4": 4, "<i4": 4, "|u1": 1}[mt[1]]
	n := 1
	for _, d := range strings.Split(mt[2], ",") {
		if d = strings.TrimSpace(d); d != "" {
			k, _ := strconv.Atoi(d)
			shape, n = append(shape, k), n*k
		}
	}
	if size == 0 || len(data)-end != n*size {
		t.Fatalf("%s: %d data bytes for %s %v", path, len(data)-end, mt[1], shape)
	}
	return mt[1], shape, data[end:]
}

// checkTask checks one exported task against its run folder.
func checkTask(t *testing.T, suite, name, run, bench string) {
	t.Helper()
	dir := filepath.Join(suite, tasks.TasksDir, name)
	var info tasks.TaskInfo
	suiteReadJSON(t, filepath.Join(dir, tasks.TaskFile), &info)
	p, n := info.P, info.P*info.P
	if info.Benchmark != bench || info.Task != name || info.Inputs != n || info.Format != "../../TASK.md" {
		t.Errorf("%s: task.json %+v", name, info)
	}
	for _, f := range []string{"model.safetensors", "config.json"} {
		got, err1 := os.ReadFile(filepath.Join(dir, f))
		want, err2 := os.ReadFile(filepath.Join(run, f))
		if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
			t.Errorf("%s/%s: not the run's (%v, %v)", name, f, err1, err2)
		}
	}
	// The hooks: TransformerLens's names for the transformer, the layers'
	// for the MLP, each [p², shape…] float32.
	wantHooks := map[string][]string{
		"nanda": {"hook_embed", "blocks.0.hook_attn_out", "blocks.0.hook_resid_mid", "blocks.0.mlp.hook_pre",
			"blocks.0.mlp.hook_post", "blocks.0.hook_resid_post", "logits"},
		"gromov": {"hook_pre", "hook_hidden", "logits"},
	}[info.Model]
	var got []string
	for _, h := range info.Hooks {
		got = append(got, h.Name)
		descr, shape, _ := suiteReadNPY(t, filepath.Join(dir, h.File))
		if descr != "<f4" || !slices.Equal(shape, append([]int{n}, h.Shape...)) {
			t.Errorf("%s/%s: %s %v, want <f4 [%d %v]", name, h.File, descr, shape, n, h.Shape)
		}
	}
	slices.Sort(got)
	if w := slices.Sorted(slices.Values(wantHooks)); !slices.Equal(got, w) {
		t.Errorf("%s: hooks %v, want %v", name, got, w)
	}

	// Inputs against the run's table: a, b in row order; the trained label
	// on the training rows (trusted or train), −1 elsewhere; test rows are
	// the table's held-out rows.
	tb, err := table.ReadFile(filepath.Join(run, "data.parquet"), nil)
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := parquet.ReadFile[tasks.Input](filepath.Join(dir, tasks.InputsFile))
	if err != nil {
		t.Fatal(err)
	}
	_, _, splitNPY := suiteReadNPY(t, filepath.Join(dir, "npy", "split.npy"))
	_, _, labelNPY := suiteReadNPY(t, filepath.Join(dir, "npy", "label.npy"))
	if len(inputs) != n || len(splitNPY) != n {
		t.Fatalf("%s: %d inputs, %d splits; want %d", name, len(inputs), len(splitNPY), n)
	}
	inTable := make([]bool, n)
	counts := map[string]int{}
	for i := range tb.Len() {
		r := int(tb.A[i])*p + int(tb.B[i])
		inTable[r] = true
		in := inputs[r]
		counts[in.Split]++
		trained := in.Split == "trusted" || in.Split == "train"
		if trained != tb.Train[i] || (trained && in.Label != tb.Label[i]) || (!trained && in.Label != -1) {
			t.Errorf("%s: input (%d, %d): split %s, label %d; the table has train %v, label %d", name, tb.A[i], tb.B[i], in.Split, in.Label, tb.Train[i], tb.Label[i])
		}
		if in.Split == "trusted" && tb.Kind[i] != table.KindClean {
			t.Errorf("%s: trusted input (%d, %d) is of kind %s", name, tb.A[i], tb.B[i], tb.Kind[i])
		}
	}
	for r, in := range inputs {
		if int(in.A) != r/p || int(in.B) != r%p || suiteSplitCode(in.Split) != splitNPY[r] ||
			int32(binary.LittleEndian.Uint32(labelNPY[4*r:])) != in.Label || !inTable[r] && in.Split != "absent" {
			t.Fatalf("%s: input row %d: %+v; split.npy %d", name, r, in, splitNPY[r])
		}
	}
	if counts["trusted"] != info.Trusted.Rows || counts["train"]+counts["test"] != info.Untrusted || counts["trusted"] == 0 {
		t.Errorf("%s: splits %v; task.json: %d trusted, %d untrusted", name, counts, info.Trusted.Rows, info.Untrusted)
	}
	checkActivationsParquet(t, dir, info)
}

// suiteSplitCode is the split.npy code of a split's name.
func suiteSplitCode(s string) byte {
	return byte(slices.Index([]string{"trusted", "train", "test", "absent"}, s))
}

// checkActivationsParquet: each hook's list column holds the NPY file's
// float32 values, input by input.
func checkActivationsParquet(t *testing.T, dir string, info tasks.TaskInfo) {
	t.Helper()
	path := filepath.Join(dir, tasks.ActivationsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if f.NumRows() != int64(info.Inputs) {
		t.Fatalf("%s: %d rows, want %d", path, f.NumRows(), info.Inputs)
	}
	values := map[int][]float32{} // column index → values in row order
	cols := map[string]int{}
	for _, h := range info.Hooks {
		col, ok := f.Schema().Lookup(h.Name, "list", "element")
		if !ok {
			t.Fatalf("%s: no list column %s", path, h.Name)
		}
		cols[h.Name] = col.ColumnIndex
	}
	r := parquet.NewReader(f)
	defer r.Close()
	rows := make([]parquet.Row, 64)
	for {
		k, err := r.ReadRows(rows)
		for _, row := range rows[:k] {
			for _, v := range row {
				values[v.Column()] = append(values[v.Column()], v.Float())
			}
		}
		if err != nil {
			break
		}
	}
	for _, h := range info.Hooks {
		_, _, body := suiteReadNPY(t, filepath.Join(dir, h.File))
		got := values[cols[h.Name]]
		if len(got)*4 != len(body) {
			t.Fatalf("%s: %s holds %d values, its NPY %d", path, h.Name, len(got), len(body)/4)
		}
		for j, v := range got {
			if math.Float32bits(v) != binary.LittleEndian.Uint32(body[4*j:]) {
				t.Fatalf("%s: %s value %d is %g, the NPY's %g", path, h.Name, j, v, math.Float32frombits(binary.LittleEndian.Uint32(body[4*j:])))
			}
		}
	}
}

// checkAgainstBench recomputes, from the exported truth and built-in
// scores, the figures detectbench computed on each network (its
// results.parquet, through detect.Evaluate and detect.HeldOut): on the
// training rows every planted row against every clean one (the trusted
// rows included, as detectbench counts them); on the held-out inputs the
// triggers the network applies against the clean ones. They must agree
// exactly: the truth file says what detect's own evaluation says.
func checkAgainstBench(t *testing.T, suite, bench string, m tasks.Manifest) {
	t.Helper()
	rows, err := parquet.ReadFile[detectbench.Row](filepath.Join(bench, "results.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	compared := map[string]int{}
	for _, e := range m.Tasks {
		truth, err := parquet.ReadFile[tasks.Truth](filepath.Join(suite, tasks.TruthDir, e.Name+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		builtin, err := parquet.ReadFile[tasks.BuiltinScore](filepath.Join(suite, tasks.BuiltinDir, e.Name+".parquet"))
		if err != nil {
			t.Fatal(err)
		}
		values := map[string]map[int32]float64{}
		for _, b := range builtin {
			if values[b.Score] == nil {
				values[b.Score] = map[int32]float64{}
			}
			values[b.Score][b.Row] = b.Value
		}
		for _, r := range rows {
			if r.Case != e.Case || r.Model != e.Model || int(r.P) != e.P {
				continue
			}
			var pos, neg []float64
			if !math.IsNaN(r.AUROC) && (r.Kind == detect.AnyKind || !slices.ContainsFunc(rows, func(o detectbench.Row) bool {
				return o.Case == r.Case && o.Model == r.Model && o.P == r.P && o.Kind == detect.AnyKind
			})) {
				for _, tr := range truth {
					v, ok := values[r.Score][tr.Row]
					switch {
					case !tr.Scored || tr.Split == "test" || tr.Split == "absent" || !ok:
					case tr.Kind == table.KindClean:
						neg = append(neg, v)
					case tr.Planted:
						pos = append(pos, v)
					}
				}
				if got := detect.AUROC(pos, neg); got != r.AUROC {
					t.Errorf("%s, %s on the training rows: AUROC %v from the export, %v in the benchmark", e.Name, r.Score, got, r.AUROC)
				}
				compared["train"]++
			}
			if !math.IsNaN(r.HeldOutAUROC) {
				pos, neg = nil, nil
				for _, tr := range truth {
					v, ok := values[r.Score][tr.Row]
					switch {
					case !tr.Scored || tr.Split != "test" || !ok:
					case tr.Kind == table.KindClean:
						neg = append(neg, v)
					case tr.Applied:
						pos = append(pos, v)
					}
				}
				if got := detect.AUROC(pos, neg); got != r.HeldOutAUROC {
					t.Errorf("%s, %s on the held-out inputs: AUROC %v from the export, %v in the benchmark", e.Name, r.Score, got, r.HeldOutAUROC)
				}
				compared["held-out"]++
			}
		}
	}
	if compared["train"] == 0 || compared["held-out"] == 0 {
		t.Errorf("compared %v figures with the benchmark's: want some in both settings", compared)
	}
}

// checkNumpyReads: numpy loads every NPY file of a task, and np.save
// writes the same bytes for what it loaded (the header is numpy's own);
// the dtypes and shapes are task.json's.
func checkNumpyReads(t *testing.T, py, dir string) {
	t.Helper()
	script := `
import io, json, os, sys
import numpy as np
d = sys.argv[1]
out = {}
for f in sorted(os.listdir(os.path.join(d, "npy"))):
    path = os.path.join(d, "npy", f)
    raw = open(path, "rb").read()
    a = np.load(path)
    buf = io.BytesIO()
    np.save(buf, a)
    out[f] = [a.dtype.str, list(a.shape), buf.getvalue() == raw]
print(json.dumps(out))
`
	cmd := exec.Command(py, "-c", script, dir)
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("numpy: %v", err)
	}
	var got map[string][]any
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("numpy printed %q: %v", stdout, err)
	}
	var info tasks.TaskInfo
	suiteReadJSON(t, filepath.Join(dir, tasks.TaskFile), &info)
	n := float64(info.Inputs)
	want := map[string]string{"a.npy": fmt.Sprint([]any{"<i4", []any{n}, true}), "b.npy": fmt.Sprint([]any{"<i4", []any{n}, true}),
		"label.npy": fmt.Sprint([]any{"<i4", []any{n}, true}), "split.npy": fmt.Sprint([]any{"|u1", []any{n}, true})}
	for _, h := range info.Hooks {
		shape := []any{n}
		for _, d := range h.Shape {
			shape = append(shape, float64(d))
		}
		want[filepath.Base(h.File)] = fmt.Sprint([]any{"<f4", shape, true})
	}
	if len(got) != len(want) {
		t.Errorf("numpy read %d NPY files, want %d", len(got), len(want))
	}
	for f, w := range want {
		if g := fmt.Sprint(got[f]); g != w {
			t.Errorf("numpy: %s is [dtype shape same-bytes] %s, want %s", f, g, w)
		}
	}
}

// checkExampleDetectors runs scripts/detectors on every task, scores them
// with detectbench score, and checks that each equals its built-in score
// on every task and setting, to 1e-6.
func checkExampleDetectors(t *testing.T, py, work, suite string, m tasks.Manifest) {
	t.Helper()
	var folders []string
	for _, e := range m.Tasks {
		folders = append(folders, filepath.Join(suite, tasks.TasksDir, e.Name))
	}
	examples := []struct{ script, fit, name, builtin string }{
		{"mahalanobis.py", "trusted", "py-trusted-mahalanobis", detect.ScoreTrustedMaha},
		{"mahalanobis.py", "all", "py-mahalanobis", detect.ScoreMahalanobis},
		{"margin.py", "", "py-margin", detect.ScoreMargin},
	}
	for _, ex := range examples {
		scores := filepath.Join(work, "scores", ex.name)
		args := append([]string{"-B", filepath.Join("..", "scripts", "detectors", ex.script)}, folders...) // -B: no __pycache__ in the repository
		if ex.fit != "" {
			args = append(args, "--fit", ex.fit)
		}
		if out, err := exec.Command(py, append(args, "-o", scores)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", ex.script, err, out)
		}
		if code, stderr := tool(t, work, "detectbench", "score", suite, "--scores", scores, "--name", ex.name); code != 0 {
			t.Fatalf("detectbench score %s: exit %d\n%s", ex.name, code, stderr)
		}
	}
	results, err := parquet.ReadFile[tasks.Result](filepath.Join(suite, tasks.ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ det, task, setting string }
	at := map[key]tasks.Result{}
	for _, r := range results {
		at[key{r.Detector, r.Task, r.Setting}] = r
	}
	for _, ex := range examples {
		compared := map[string]int{}
		for _, e := range m.Tasks {
			for _, setting := range []string{tasks.SettingTrain, tasks.SettingHeldOut} {
				b, ok := at[key{ex.builtin, e.Name, setting}]
				x, ok2 := at[key{ex.name, e.Name, setting}]
				if !ok2 {
					t.Errorf("%s: no result on %s, %s", ex.name, e.Name, setting)
					continue
				}
				if !ok || math.IsNaN(b.AUROC) {
					continue
				}
				if x.Positives != b.Positives || x.Negatives != b.Negatives ||
					math.Abs(x.AUROC-b.AUROC) > 1e-6 || math.Abs(x.PrecisionAtN-b.PrecisionAtN) > 1e-6 {
					t.Errorf("%s on %s, %s: AUROC %.9f, precision at n %.9f (%d/%d); built-in %s: %.9f, %.9f (%d/%d)", ex.name, e.Name, setting,
						x.AUROC, x.PrecisionAtN, x.Positives, x.Negatives, ex.builtin, b.AUROC, b.PrecisionAtN, b.Positives, b.Negatives)
				}
				compared[setting]++
			}
		}
		if compared[tasks.SettingTrain] == 0 || compared[tasks.SettingHeldOut] == 0 {
			t.Errorf("%s: compared %v tasks with %s, want some in both settings", ex.name, compared, ex.builtin)
		}
		t.Logf("%s = %s on %v tasks", ex.name, ex.builtin, compared)
	}
	summary, err := os.ReadFile(filepath.Join(suite, tasks.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		if !strings.Contains(string(summary), "| `"+ex.name+"` | external |") || !strings.Contains(string(summary), " `"+ex.name+"`, train |") {
			t.Errorf("summary.md: no leaderboard row or win-rate column for %s", ex.name)
		}
	}
}

// checkSameTask: evalsplit --export-task and detectbench export write the
// same task for the same run (everything but the suite's id and name).
func checkSameTask(t *testing.T, a, b string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(a, "npy"))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"model.safetensors", "config.json"}
	for _, e := range entries {
		files = append(files, filepath.Join("npy", e.Name()))
	}
	for _, f := range files {
		x, err1 := os.ReadFile(filepath.Join(a, f))
		y, err2 := os.ReadFile(filepath.Join(b, f))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s: evalsplit --export-task wrote other bytes than detectbench export (%v, %v)", f, err1, err2)
		}
	}
}

// checkRefusals: bad input to export and score gives exit 1 and one line
// naming the file at fault, and leaves the suite as it was.
func checkRefusals(t *testing.T, work, bench, run, suite, suiteTask, single string) {
	t.Helper()
	task := filepath.Base(run)
	suiteCopyFile(t, filepath.Join(single, tasks.TasksDir, task, tasks.TaskFile), filepath.Join(work, "task.json.bak"))
	scores := filepath.Join(work, "bad-scores")
	if err := os.MkdirAll(scores, 0o755); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(work, "scores", "py-margin", suiteTask+".npy") // the same network's margins
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(scores, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	summary := func() string {
		s, _ := os.ReadFile(filepath.Join(single, tasks.SummaryFile))
		return string(s)
	}
	before := summary()
	// A float64 vector of 3 values under numpy's header, for the wrong length.
	short := []byte("\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }" + strings.Repeat(" ", 60) + "\n")
	short = append(short, make([]byte, 24)...)
	nanScores := bytes.Clone(data)
	binary.LittleEndian.PutUint64(nanScores[len(nanScores)-8:], math.Float64bits(math.NaN()))
	truth, err := os.ReadFile(filepath.Join(single, tasks.TruthDir, task+".parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		setup func()
		args  []string
		line  string // the whole line after "detectbench: "
	}{
		{"missing task", func() {}, nil, regexp.QuoteMeta(filepath.Join(scores, task+".npy")) + `: no such file, nor .*\.parquet: every task needs its scores`},
		{"wrong length", func() { write(task+".npy", short) }, nil, regexp.QuoteMeta(filepath.Join(scores, task+".npy")) + `: 3 scores; want \d+ \(the untrusted inputs, train and test, in input order\) or 529 \(every input\)`},
		{"NaN", func() { write(task+".npy", nanScores) }, nil, regexp.QuoteMeta(filepath.Join(scores, task+".npy")) + `: score 528 \(input 528: a = 22, b = 22\) is NaN`},
		{"truth mixed in", func() { write("labels.parquet", truth) }, nil, regexp.QuoteMeta(filepath.Join(scores, "labels.parquet")) + `: a truth file in the scores folder \(its metadata says so\); keep the truth apart from the detector`},
		{"task of another benchmark", func() {
			os.Remove(filepath.Join(scores, "labels.parquet"))
			write(task+".npy", data)
			suiteCopyFile(t, filepath.Join(suite, tasks.TasksDir, suiteTask, tasks.TaskFile), filepath.Join(single, tasks.TasksDir, task, tasks.TaskFile))
		}, nil, regexp.QuoteMeta(filepath.Join(single, tasks.TasksDir, task, tasks.TaskFile)) + `: a task of benchmark detectbench-[0-9a-f]{16}, not of this suite's run-[0-9a-f]{16} \(tasks.json\)`},
		{"unlisted task folder", func() {
			suiteCopyFile(t, filepath.Join(work, "task.json.bak"), filepath.Join(single, tasks.TasksDir, task, tasks.TaskFile))
			if err := os.Mkdir(filepath.Join(single, tasks.TasksDir, suiteTask), 0o755); err != nil {
				t.Fatal(err)
			}
		}, nil, regexp.QuoteMeta(filepath.Join(single, tasks.TasksDir, suiteTask)) + `: a task folder that .*tasks.json does not list \(from another suite\?\)`},
		{"export over a suite", func() { os.Remove(filepath.Join(single, tasks.TasksDir, suiteTask)) },
			[]string{"export", bench, "-o", single}, regexp.QuoteMeta(single) + `: already exists and is not empty; an export is never written over another \(remove it or choose another folder\)`},
		{"export of no benchmark", func() {}, []string{"export", single, "-o", filepath.Join(work, "none")},
			regexp.QuoteMeta(single) + `: not a benchmark folder \(no plan.json; made by detectbench -o .*\)`},
	} {
		c.setup()
		args := c.args
		if args == nil {
			args = []string{"score", single, "--scores", scores, "--name", "bad"}
		}
		code, stderr := tool(t, work, "detectbench", args...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != exitFailed || len(lines) != 1 || !regexp.MustCompile("^detectbench: "+c.line+"$").MatchString(lines[0]) {
			t.Errorf("%s: exit %d, stderr %q; want exit 1 and one line matching %q", c.name, code, stderr, c.line)
		}
		if summary() != before {
			t.Errorf("%s: summary.md changed although scoring failed", c.name)
		}
		if _, err := os.Stat(filepath.Join(single, tasks.ScoredDir, "bad.parquet")); err == nil {
			t.Errorf("%s: scored/bad.parquet written although scoring failed", c.name)
		}
	}
	if _, err := os.Stat(filepath.Join(work, "none")); err == nil {
		t.Error("export of no benchmark wrote its output folder")
	}
	if code, stderr := tool(t, work, "evalsplit", run, "--export-task", filepath.Join(work, "x"), "--detect"); code != exitFailed ||
		stderr != "evalsplit: --detect does not apply with --export-task, which writes a task folder\n" {
		t.Errorf("evalsplit --export-task --detect: exit %d, %q", code, stderr)
	}
	if code, stderr := tool(t, work, "evalsplit", run, "--export-task", single); code != exitFailed || !strings.HasPrefix(stderr, "evalsplit: "+single+": already exists and is not empty") {
		t.Errorf("evalsplit --export-task over a suite: exit %d, %q", code, stderr)
	}
}

func suiteCopyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

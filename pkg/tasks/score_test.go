package tasks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// writeScores writes a scores folder: NAME.npy for float32 vectors,
// NAME.parquet (a double column "score") for the others.
func writeScores(t *testing.T, dir string, npy map[string][]float32, pq map[string][]float64) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, v := range npy {
		var buf bytes.Buffer
		if err := writeNPY(&buf, []int{len(v)}, v); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".npy"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		Score float64 `parquet:"score"`
	}
	for name, v := range pq {
		rows := make([]row, len(v))
		for i, x := range v {
			rows[i].Score = x
		}
		if err := parquet.WriteFile(filepath.Join(dir, name+".parquet"), rows); err != nil {
			t.Fatal(err)
		}
	}
}

// The external scores of TestScore: t1 scores every input (its trusted
// rows 0 and 1 high, so that counting them would change the figures; row 7,
// a trigger not applied, lowest), t2 its untrusted inputs 1, 2, 3 alone.
var (
	t1Scores = []float32{9, 9, 1, 4, 3, 2, 5, 0, 5}
	t2Scores = []float64{2, 1, 0}
)

// result finds one detector's result on a task and setting.
func result(t *testing.T, rs []Result, det, task, setting string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Detector == det && r.Task == task && r.Setting == setting {
			return r
		}
	}
	t.Fatalf("no result for %s on %s, %s", det, task, setting)
	return Result{}
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// An external detector is scored as the fixture's hand count says, beside
// the built-in scores; its win rates, the leaderboard's aggregates and
// summary.md follow; a file of the untrusted inputs alone and one of every
// input give the same figures; scoring a name again replaces it.
func TestScore(t *testing.T) {
	root := writeFixture(t)
	dir := filepath.Join(t.TempDir(), "scores")
	writeScores(t, dir, map[string][]float32{"t1": t1Scores}, map[string][]float64{"t2": t2Scores})
	if err := Score(root, dir, "ext"); err != nil {
		t.Fatal(err)
	}
	results, meta, err := readParquet[Result](filepath.Join(root, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if meta[benchKey] != fixtureBench {
		t.Errorf("results.parquet: benchmark %q, want %q", meta[benchKey], fixtureBench)
	}
	for _, c := range []struct {
		det, task, setting string
		pos, neg           int64
		auroc, prec        float64
	}{
		{"ext", "t1", SettingTrain, 2, 2, 0.75, 0.5},  // 3 of the 4 pairs ordered; top 2: 4 (planted), 3 (clean)
		{"ext", "t1", SettingHeldOut, 1, 1, 0.5, 0.5}, // 5 against 5: a tie, shared at the cut
		{"ext", "t2", SettingTrain, 1, 1, 1, 1},
		{"ext", "t2", SettingHeldOut, 0, 1, nan, nan},
		{"margin", "t1", SettingTrain, 2, 2, 1, 1},
		{"margin", "t1", SettingHeldOut, 1, 1, 1, 1},
		{"mahalanobis", "t1", SettingTrain, 2, 2, 0.75, 0.5},
		{"mahalanobis", "t2", SettingTrain, 1, 1, 1, 1},
	} {
		r := result(t, results, c.det, c.task, c.setting)
		if r.Positives != c.pos || r.Negatives != c.neg || !same(r.AUROC, c.auroc) || !same(r.PrecisionAtN, c.prec) {
			t.Errorf("%s on %s, %s: %d positives, %d negatives, AUROC %g, precision at n %g; want %d, %d, %g, %g",
				c.det, c.task, c.setting, r.Positives, r.Negatives, r.AUROC, r.PrecisionAtN, c.pos, c.neg, c.auroc, c.prec)
		}
		if want := map[bool]string{true: TypeExternal, false: TypeBaseline}[c.det == "ext"]; r.Type != want {
			t.Errorf("%s: type %q, want %q", c.det, r.Type, want)
		}
	}
	if slices.ContainsFunc(results, func(r Result) bool { return r.Detector == "mahalanobis" && r.Setting == SettingHeldOut }) {
		t.Error("mahalanobis has a held-out result, but was not computed on the test inputs")
	}

	bs, _, err := readParquet[Board](filepath.Join(root, LeaderboardFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		det, setting string
		tasks        int64
		med, p10     float64
	}{
		{"ext", SettingTrain, 2, 0.875, 0.75}, // t1 0.75, t2 1
		{"ext", SettingHeldOut, 1, 0.5, 0.5},  // t2 has no positive
		{"margin", SettingTrain, 2, 1, 1},
		{"mahalanobis", SettingHeldOut, 0, nan, nan},
	} {
		i := slices.IndexFunc(bs, func(b Board) bool { return b.Detector == c.det && b.Setting == c.setting })
		if i < 0 {
			t.Fatalf("leaderboard: no row for %s, %s", c.det, c.setting)
		}
		if b := bs[i]; b.Tasks != c.tasks || !same(b.MedianAUROC, c.med) || !same(b.P10AUROC, c.p10) {
			t.Errorf("leaderboard %s, %s: %d tasks, median %g, 10th percentile %g; want %d, %g, %g", c.det, c.setting, b.Tasks, b.MedianAUROC, b.P10AUROC, c.tasks, c.med, c.p10)
		}
	}

	ws, _, err := readParquet[WinRate](filepath.Join(root, WinRatesFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		against, setting          string
		tasks, wins, ties, losses int64
		rate                      float64
	}{
		{"margin", SettingTrain, 2, 0, 1, 1, 0.25}, // t1 0.75 < 1; t2 1 = 1
		{"margin", SettingHeldOut, 1, 0, 0, 1, 0},  // t1 0.5 < 1
		{"mahalanobis", SettingTrain, 2, 0, 2, 0, 0.5},
		{"mahalanobis", SettingHeldOut, 0, 0, 0, 0, nan},
	} {
		i := slices.IndexFunc(ws, func(w WinRate) bool { return w.Detector == "ext" && w.Against == c.against && w.Setting == c.setting })
		if i < 0 {
			t.Fatalf("no win rate against %s, %s", c.against, c.setting)
		}
		if w := ws[i]; w.Tasks != c.tasks || w.Wins != c.wins || w.Ties != c.ties || w.Losses != c.losses || !same(w.WinRate, c.rate) {
			t.Errorf("win rate against %s, %s: %+v; want %d tasks, %d/%d/%d, %g", c.against, c.setting, w, c.tasks, c.wins, c.ties, c.losses, c.rate)
		}
	}

	summary, err := os.ReadFile(filepath.Join(root, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| `ext` | external | 0.875 / 0.750 (2) | 0.500 / 0.500 (1) |",
		"| `mahalanobis` | built-in baseline | 0.875 / 0.750 (2) | – |",
		"| `margin` | built-in baseline | 0.25 (0 / 1 / 1) | 0.00 (0 / 0 / 1) |",
		"| `mahalanobis` | built-in baseline | 0.50 (0 / 2 / 0) | – |",
	} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
	board, err := os.ReadFile(filepath.Join(root, LeaderboardMD))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(summary), string(board)) {
		t.Errorf("leaderboard.md is not summary.md's leaderboard:\n%s", board)
	}

	// The same scores, t1's untrusted inputs alone (rows 2…8) and t2's
	// every input (its trusted row 0 given a score that would win if used).
	other := filepath.Join(t.TempDir(), "other")
	writeScores(t, other, map[string][]float32{"t1": t1Scores[2:]}, map[string][]float64{"t2": {7, 2, 1, 0}})
	if err := Score(root, other, "ext2"); err != nil {
		t.Fatal(err)
	}
	if err := Score(root, other, "ext"); err != nil { // replaces ext's results by the same figures
		t.Fatal(err)
	}
	again, _, err := readParquet[Result](filepath.Join(root, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, det := range []string{"ext", "ext2"} {
		var n int
		for _, r := range again {
			if r.Detector != det {
				continue
			}
			n++
			want := result(t, results, "ext", r.Task, r.Setting)
			if r.Positives != want.Positives || !same(r.AUROC, want.AUROC) || !same(r.PrecisionAtN, want.PrecisionAtN) {
				t.Errorf("%s on %s, %s: %+v, want the figures of %+v", det, r.Task, r.Setting, r, want)
			}
		}
		if n != 4 {
			t.Errorf("%s: %d results after scoring again, want 4 (2 tasks × 2 settings)", det, n)
		}
	}
}

// Every bad input is refused with one line naming the file at fault, and
// nothing is written: summary.md and the results stay as they were, the
// detector gets no scored/ file.
func TestScoreRefusesBadInputs(t *testing.T) {
	root := writeFixture(t)
	good := func(dir string) {
		writeScores(t, dir, map[string][]float32{"t1": t1Scores}, map[string][]float64{"t2": t2Scores})
	}
	write := func(path string, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	truth, err := os.ReadFile(filepath.Join(root, TruthDir, "t1.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		setup func(dir string) // on a folder holding good scores
		want  string           // the error, with DIR for the scores folder
	}{
		{"missing task", func(dir string) { os.Remove(filepath.Join(dir, "t2.parquet")) },
			"DIR/t2.npy: no such file, nor t2.parquet: every task needs its scores"},
		{"wrong length", func(dir string) {
			os.Remove(filepath.Join(dir, "t1.npy"))
			writeScores(t, dir, map[string][]float32{"t1": {1, 2, 3, 4, 5}}, nil)
		}, "DIR/t1.npy: 5 scores; want 7 (the untrusted inputs, train and test, in input order) or 9 (every input)"},
		{"NaN", func(dir string) {
			writeScores(t, dir, map[string][]float32{"t1": {9, 9, 1, 4, float32(math.NaN()), 2, 5, 0, 5}}, nil)
		}, "DIR/t1.npy: score 4 (input 4: a = 1, b = 1) is NaN"},
		{"NaN among the untrusted", func(dir string) {
			os.Remove(filepath.Join(dir, "t2.parquet"))
			writeScores(t, dir, nil, map[string][]float64{"t2": {2, math.NaN(), 0}})
		}, "DIR/t2.parquet: score 1 (input 2: a = 1, b = 0) is NaN"},
		{"no such task", func(dir string) { writeScores(t, dir, map[string][]float32{"t3": {1}}, nil) },
			`DIR/t3.npy: no task "t3" in ROOT/tasks.json (score files are named after their task)`},
		{"two files for a task", func(dir string) { writeScores(t, dir, nil, map[string][]float64{"t1": {1}}) },
			"DIR/t1.parquet: task t1 has two score files (and DIR/t1.npy)"},
		{"truth by its metadata", func(dir string) {
			os.Remove(filepath.Join(dir, "t1.npy"))
			write(filepath.Join(dir, "t1.parquet"), truth)
		}, "DIR/t1.parquet: a truth file in the scores folder (its metadata says so); keep the truth apart from the detector"},
		{"truth by its name", func(dir string) { write(filepath.Join(dir, "truth.csv"), []byte("row,kind\n")) },
			"DIR/truth.csv: a truth file in the scores folder; keep the truth apart from the detector"},
		{"integer scores", func(dir string) {
			var buf bytes.Buffer
			writeNPY(&buf, []int{9}, []int32{1, 2, 3, 4, 5, 6, 7, 8, 9})
			write(filepath.Join(dir, "t1.npy"), buf.Bytes())
		}, "DIR/t1.npy: NPY dtype <i4: want little-endian float32 or float64 ('<f4', '<f8')"},
		{"no score column", func(dir string) {
			type row struct {
				Value float64 `parquet:"value"`
			}
			if err := parquet.WriteFile(filepath.Join(dir, "t2.parquet"), []row{{1}, {2}, {3}}); err != nil {
				t.Fatal(err)
			}
		}, `DIR/t2.parquet: no column "score"`},
		{"not Parquet", func(dir string) { write(filepath.Join(dir, "t2.parquet"), []byte("PAR1 no PAR1")) },
			"DIR/t2.parquet: not a readable Parquet file: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "scores")
			good(dir)
			c.setup(dir)
			before := snapshot(t, root)
			err := Score(root, dir, "bad")
			want := strings.NewReplacer("DIR", dir, "ROOT", root).Replace(c.want)
			if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v,\nwant one line starting %q", err, want)
			}
			if after := snapshot(t, root); after != before {
				t.Errorf("the suite changed although scoring failed:\n%s\n---\n%s", before, after)
			}
		})
	}

	// The truth folder itself, a built-in's name, a name that is no file
	// name, and a folder that is not a suite.
	dir := filepath.Join(t.TempDir(), "scores")
	good(dir)
	for _, c := range []struct{ root, dir, name, want string }{
		{root, filepath.Join(root, TruthDir), "x", filepath.Join(root, TruthDir) + ": the suite's truth folder, not a scores folder"},
		{root, dir, "margin", "--name margin: the name of a built-in score; choose another"},
		{root, dir, "a/b", `--name "a/b": use letters, digits, '.', '_' and '-' (it names a file)`},
		{dir, dir, "x", dir + ": not a task suite (no tasks.json; made by detectbench export or evalsplit --export-task)"},
		{root, filepath.Join(dir, "none"), "x", filepath.Join(dir, "none") + ": no such file or directory"},
	} {
		if err := Score(c.root, c.dir, c.name); err == nil || err.Error() != c.want {
			t.Errorf("Score(%s, %s, %s): %v, want %q", c.root, c.dir, c.name, err, c.want)
		}
	}
}

// snapshot lists every file of a suite with its size and SHA-256: two
// snapshots differ when anything was written.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %x\n", strings.TrimPrefix(path, root), len(data), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A suite whose parts disagree is refused, naming the part: a task from
// another benchmark, a task folder the manifest does not list, a truth
// file of another benchmark.
func TestOpenSuiteRefusesMixedSuites(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(root string) error
		want  string
	}{
		{"task of another benchmark", func(root string) error {
			path := filepath.Join(root, TasksDir, "t2", TaskFile)
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(path, bytes.ReplaceAll(data, []byte(fixtureBench), []byte("other-1")), 0o644)
		}, "ROOT/tasks/t2/task.json: a task of benchmark other-1, not of this suite's " + fixtureBench + " (tasks.json)"},
		{"unlisted task folder", func(root string) error { return os.Mkdir(filepath.Join(root, TasksDir, "t9"), 0o755) },
			"ROOT/tasks/t9: a task folder that ROOT/tasks.json does not list (from another suite?)"},
		{"truth of another suite", func(root string) error {
			return os.Rename(filepath.Join(root, BuiltinDir, "t1.parquet"), filepath.Join(root, TruthDir, "t1.parquet"))
		}, `ROOT/truth/t1.parquet: the truth of benchmark "` + fixtureBench + `", not of this suite's`},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := writeFixture(t)
			if err := c.setup(root); err != nil {
				t.Fatal(err)
			}
			_, err := openSuite(root)
			if want := strings.ReplaceAll(c.want, "ROOT", root); err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %v,\nwant one starting %q", err, want)
			}
		})
	}
}

// Export never writes over anything: a non-empty folder is refused before
// any network is read, naming it, and left as it was; so is a folder whose
// parent does not exist.
func TestExportRefusesExistingOutput(t *testing.T) {
	root := filepath.Join(t.TempDir(), "tasks")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Export(context.Background(), nil, root, Manifest{Benchmark: "b"}, []Source{{Name: "x", Run: "none"}}, io.Discard)
	if want := root + ": already exists and is not empty; an export is never written over another (remove it or choose another folder)"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	entries, _ := os.ReadDir(root)
	if data, _ := os.ReadFile(filepath.Join(root, "notes.txt")); len(entries) != 1 || string(data) != "mine" {
		t.Errorf("the folder changed: %d entries", len(entries))
	}
	siblings, _ := os.ReadDir(filepath.Dir(root))
	if len(siblings) != 1 {
		t.Errorf("%d entries beside the folder, want none: a temporary folder left?", len(siblings)-1)
	}
	missing := filepath.Join(root, "no", "tasks")
	if err := Export(context.Background(), nil, missing, Manifest{}, nil, io.Discard); err == nil || err.Error() != missing+": no such file or directory" {
		t.Errorf("missing parent: %v, want %q", err, missing+": no such file or directory")
	}
}

// The aggregates by hand: the median, and the 10th percentile by nearest
// rank (the ⌈0.1·n⌉-th smallest).
func TestQuantiles(t *testing.T) {
	seq := func(n int) []float64 {
		var out []float64
		for i := n; i >= 1; i-- { // unsorted on purpose
			out = append(out, float64(i))
		}
		return out
	}
	for _, c := range []struct {
		xs       []float64
		med, p10 float64
	}{
		{[]float64{0.3, 0.1, 0.2}, 0.2, 0.1},
		{seq(10), 5.5, 1},
		{seq(11), 6, 2},
		{seq(20), 10.5, 2},
		{nil, nan, nan},
	} {
		med, p10 := quantiles(c.xs)
		if !same(med, c.med) || !same(p10, c.p10) {
			t.Errorf("quantiles(%v) = %g, %g; want %g, %g", c.xs, med, p10, c.med, c.p10)
		}
	}
}

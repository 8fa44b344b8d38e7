package tasks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// A scores folder holds one file per task, named after it: NAME.npy (a
// one-dimensional float32 or float64 array) or NAME.parquet (a float or
// double column "score"), higher meaning more anomalous, with one score per
// untrusted input (train and test, in input order) or per input (the
// trusted inputs' scores are then not used). Anything else ending in .npy
// or .parquet, a truth file, or a task without a file is refused.

// readScores reads dir's scores for every task of s: per task, [p²] with
// NaN at the trusted (and absent) inputs when the file leaves them out.
func (s *suite) readScores(dir string) (map[string][]float64, error) {
	if err := s.refuseTruth(dir); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, pathErr(dir, err)
	}
	known := map[string]bool{}
	for _, t := range s.tasks {
		known[t.info.Task] = true
	}
	files := map[string]string{}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || ext != ".npy" && ext != ".parquet" {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ext)
		path := filepath.Join(dir, e.Name())
		if !known[name] {
			return nil, fmt.Errorf("%s: no task %q in %s (score files are named after their task)", path, name, filepath.Join(s.root, ManifestFile))
		}
		if other, ok := files[name]; ok {
			return nil, fmt.Errorf("%s: task %s has two score files (and %s)", path, name, other)
		}
		files[name] = path
	}
	out := map[string][]float64{}
	for _, t := range s.tasks {
		path, ok := files[t.info.Task]
		if !ok {
			return nil, fmt.Errorf("%s: no such file, nor %s.parquet: every task needs its scores", filepath.Join(dir, t.info.Task+".npy"), t.info.Task)
		}
		v, err := readScoreFile(path)
		if err != nil {
			return nil, err
		}
		if out[t.info.Task], err = t.place(path, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// place puts a file's scores at their inputs: [p²], NaN where not given.
func (t suiteTask) place(path string, v []float64) ([]float64, error) {
	n := t.info.Inputs
	var untrusted []int
	for r, tr := range t.truth {
		if tr.Split == SplitNames[SplitTrain] || tr.Split == SplitNames[SplitTest] {
			untrusted = append(untrusted, r)
		}
	}
	out := make([]float64, n)
	switch len(v) {
	case n:
		copy(out, v)
	case len(untrusted):
		for i := range out {
			out[i] = math.NaN()
		}
		for j, r := range untrusted {
			out[r] = v[j]
		}
	default:
		return nil, fmt.Errorf("%s: %d scores; want %d (the untrusted inputs, train and test, in input order) or %d (every input)", path, len(v), len(untrusted), n)
	}
	for j, x := range v {
		if math.IsNaN(x) {
			r := j
			if len(v) != n {
				r = untrusted[j]
			}
			return nil, fmt.Errorf("%s: score %d (input %d: a = %d, b = %d) is NaN", path, j, r, t.truth[r].A, t.truth[r].B)
		}
	}
	return out, nil
}

// readScoreFile reads one NPY or Parquet score file.
func readScoreFile(path string) ([]float64, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var v []float64
	if filepath.Ext(path) == ".npy" {
		v, err = readNPYVector(data)
	} else {
		v, err = readScoreParquet(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// readScoreParquet reads the column "score" (float or double, no nulls).
func readScoreParquet(data []byte) ([]float64, error) {
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	col, ok := f.Schema().Lookup("score")
	if !ok {
		return nil, fmt.Errorf("no column \"score\"")
	}
	switch col.Node.Type().Kind() {
	case parquet.Float, parquet.Double:
	default:
		return nil, fmt.Errorf("column \"score\" is %s, want float or double", col.Node.Type())
	}
	out := make([]float64, 0, f.NumRows())
	rows := make([]parquet.Row, 256)
	r := parquet.NewReader(f)
	defer r.Close()
	for {
		n, err := r.ReadRows(rows)
		for _, row := range rows[:n] {
			var v parquet.Value
			for _, x := range row {
				if x.Column() == col.ColumnIndex {
					v = x
				}
			}
			if v.IsNull() {
				return nil, fmt.Errorf("score %d is null", len(out))
			}
			if v.Kind() == parquet.Float {
				out = append(out, float64(v.Float()))
			} else {
				out = append(out, v.Double())
			}
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// refuseTruth refuses a scores folder that holds a truth file (by name or
// by its metadata), or that is the suite's truth folder: whoever scores a
// detector keeps the truth from it.
func (s *suite) refuseTruth(dir string) error {
	if abs, err := filepath.Abs(dir); err == nil {
		if truth, err := filepath.Abs(filepath.Join(s.root, TruthDir)); err == nil && (abs == truth || strings.HasPrefix(abs, truth+string(filepath.Separator))) {
			return fmt.Errorf("%s: the suite's truth folder, not a scores folder", dir)
		}
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return pathErr(path, err)
		}
		if path != dir && strings.Contains(strings.ToLower(d.Name()), "truth") {
			return fmt.Errorf("%s: a truth file in the scores folder; keep the truth apart from the detector", path)
		}
		if d.IsDir() || filepath.Ext(path) != ".parquet" {
			return nil
		}
		data, err := readFile(path)
		if err != nil {
			return err
		}
		if f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data))); err == nil {
			if role, _ := f.Lookup(roleKey); role == roleTruth {
				return fmt.Errorf("%s: a truth file in the scores folder (its metadata says so); keep the truth apart from the detector", path)
			}
		}
		return nil
	})
}

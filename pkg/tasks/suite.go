package tasks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/outfile"
)

// suite is an exported suite read back for scoring: each task's
// description, truth and built-in scores, checked to belong to the
// suite's benchmark.
type suite struct {
	root     string
	m        Manifest
	tasks    []suiteTask
	builtins []builtin // every built-in score of any task, in report order
}

type suiteTask struct {
	info    TaskInfo
	truth   []Truth              // [p²]
	builtin map[string][]float64 // score → [p²], NaN where not computed
}

// builtin is one built-in score's name and type.
type builtin struct {
	name        string
	mechanistic bool
	usesLabels  bool
}

// builtinOrder is the order of the built-in scores in the leaderboard:
// detect's report order, then the trusted ones.
var builtinOrder = append(slices.Clone(detect.ScoreNames), detect.ScoreTrustedMaha, detect.ScoreTrustedClassMaha, detect.ScoreQUE)

// openSuite reads the suite at root.
func openSuite(root string) (*suite, error) {
	path := filepath.Join(root, ManifestFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: not a task suite (no %s; made by detectbench export or evalsplit --export-task)", root, ManifestFile)
	}
	if err != nil {
		return nil, pathErr(path, err)
	}
	s := &suite{root: root}
	if err := json.Unmarshal(data, &s.m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.m.Benchmark == "" || len(s.m.Tasks) == 0 {
		return nil, fmt.Errorf("%s: no benchmark id or no tasks", path)
	}
	entries, err := os.ReadDir(filepath.Join(root, TasksDir))
	if err != nil {
		return nil, pathErr(filepath.Join(root, TasksDir), err)
	}
	for _, e := range entries {
		if !slices.ContainsFunc(s.m.Tasks, func(t TaskEntry) bool { return t.Name == e.Name() }) {
			return nil, fmt.Errorf("%s: a task folder that %s does not list (from another suite?)", filepath.Join(root, TasksDir, e.Name()), path)
		}
	}
	seen := map[string]builtin{}
	for _, entry := range s.m.Tasks {
		t, err := s.openTask(entry.Name, seen)
		if err != nil {
			return nil, err
		}
		s.tasks = append(s.tasks, t)
	}
	for _, name := range builtinOrder {
		if b, ok := seen[name]; ok {
			s.builtins = append(s.builtins, b)
		}
	}
	return s, nil
}

// openTask reads one task's task.json, truth and built-in scores, refusing
// any that names another benchmark; seen collects the built-in scores.
func (s *suite) openTask(name string, seen map[string]builtin) (suiteTask, error) {
	var t suiteTask
	path := filepath.Join(s.root, TasksDir, name, TaskFile)
	data, err := readFile(path)
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal(data, &t.info); err != nil {
		return t, fmt.Errorf("%s: %w", path, err)
	}
	if t.info.Benchmark != s.m.Benchmark {
		return t, fmt.Errorf("%s: a task of benchmark %s, not of this suite's %s (%s)", path, t.info.Benchmark, s.m.Benchmark, ManifestFile)
	}
	if t.info.Task != name || t.info.Inputs != t.info.P*t.info.P || t.info.P < 2 {
		return t, fmt.Errorf("%s: task %q of %d inputs at p = %d does not describe folder %s", path, t.info.Task, t.info.Inputs, t.info.P, name)
	}
	truthPath := filepath.Join(s.root, TruthDir, name+".parquet")
	var meta map[string]string
	if t.truth, meta, err = readParquet[Truth](truthPath); err != nil {
		return t, err
	}
	if meta[benchKey] != s.m.Benchmark || meta[roleKey] != roleTruth {
		return t, fmt.Errorf("%s: the truth of benchmark %q, not of this suite's %s", truthPath, meta[benchKey], s.m.Benchmark)
	}
	if len(t.truth) != t.info.Inputs {
		return t, fmt.Errorf("%s: %d rows, want %d (every input)", truthPath, len(t.truth), t.info.Inputs)
	}
	for r, tr := range t.truth {
		if int(tr.Row) != r {
			return t, fmt.Errorf("%s: row %d is input %d, want input %d", truthPath, r, tr.Row, r)
		}
	}
	builtinPath := filepath.Join(s.root, BuiltinDir, name+".parquet")
	rows, meta, err := readParquet[BuiltinScore](builtinPath)
	if err != nil {
		return t, err
	}
	if meta[benchKey] != s.m.Benchmark {
		return t, fmt.Errorf("%s: built-in scores of benchmark %q, not of this suite's %s", builtinPath, meta[benchKey], s.m.Benchmark)
	}
	t.builtin = map[string][]float64{}
	for _, r := range rows {
		v, ok := t.builtin[r.Score]
		if !ok {
			v = make([]float64, t.info.Inputs)
			for i := range v {
				v[i] = math.NaN()
			}
			t.builtin[r.Score] = v
		}
		if r.Row < 0 || int(r.Row) >= len(v) {
			return t, fmt.Errorf("%s: input %d is outside 0…%d", builtinPath, r.Row, len(v)-1)
		}
		v[r.Row] = r.Value
		seen[r.Score] = builtin{r.Score, r.Mechanistic, r.UsesLabels}
	}
	return t, nil
}

// readFile is os.ReadFile with the error as "PATH: problem", the tools'
// one-line form.
func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, pathErr(path, err)
	}
	return data, nil
}

// pathErr is err about path, as "PATH: problem" (an *os.PathError's own
// "op PATH:" dropped).
func pathErr(path string, err error) error {
	return fmt.Errorf("%s: %w", path, outfile.UnwrapPath(err))
}

// readParquet reads every row of a Parquet file and its key-value metadata.
func readParquet[T any](path string) ([]T, map[string]string, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, nil, err
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a readable Parquet file: %w", path, err)
	}
	meta := map[string]string{}
	for _, kv := range f.Metadata().KeyValueMetadata {
		meta[kv.Key] = kv.Value
	}
	rows, err := parquet.Read[T](bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, meta, nil
}

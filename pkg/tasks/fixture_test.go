package tasks

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// A hand-made suite of two tasks, no network: every figure the tests
// expect is counted by hand from the tables below.
//
// Task t1, p = 3 (9 inputs, row r = 3a + b):
//
//	row:    0        1        2      3        4      5        6        7        8
//	split:  trusted  trusted  train  train    train  train    test     test     test
//	truth:  clean    clean    clean  planted  clean  planted  applied  planted  clean
//	                                                          (not applied)
//
// train setting: positives rows 3, 5; negatives rows 2, 4.
// held-out setting: positive row 6; negative row 8; row 7 counts in neither.
//
// Task t2, p = 2 (4 inputs): row 0 trusted, 1 train planted, 2 train
// clean, 3 test clean: the held-out setting has no positive (AUROC NaN,
// left out of the leaderboard).
const fixtureBench = "test-0123456789abcdef"

// fixtureTasks returns the two tasks. Built-in scores: margin separates
// both settings of t1 perfectly; mahalanobis ranks t1's training rows as
// the external detector of TestScore does (a tie) and is not computed on
// the test rows; every score puts t2's planted row first.
func fixtureTasks() []*Task {
	t1 := fixtureTask("t1", 3,
		[]uint8{SplitTrusted, SplitTrusted, SplitTrain, SplitTrain, SplitTrain, SplitTrain, SplitTest, SplitTest, SplitTest},
		[]string{"clean", "clean", "clean", "rule", "clean", "rule", "rule", "rule", "clean"},
		[]bool{false, false, false, false, false, false, true, false, false})
	t1.Builtin = builtinRows(map[string][]float64{ // NaN: not computed there
		"margin":      {0, 0, 0.1, 0.9, 0.2, 0.8, 0.7, 0.0, 0.6},
		"mahalanobis": {5, 5, 1, 4, 3, 2, nan, nan, nan},
	})
	t2 := fixtureTask("t2", 2, []uint8{SplitTrusted, SplitTrain, SplitTrain, SplitTest},
		[]string{"clean", "rule", "clean", "clean"}, []bool{false, false, false, false})
	t2.Builtin = builtinRows(map[string][]float64{
		"margin":      {0, 1, 0, 0},
		"mahalanobis": {0, 1, 0, nan},
	})
	return []*Task{t1, t2}
}

var nan = math.NaN()

// fixtureTask is a task of p² inputs of a+b mod p whose rows of kind
// "rule" carry the label clean+1 (applied: the network answers it).
func fixtureTask(name string, p int, split []uint8, kind []string, applied []bool) *Task {
	n := p * p
	task := &Task{Info: TaskInfo{Format: "../../" + TaskMD, Benchmark: fixtureBench, Task: name, Model: "nanda", P: p, Op: "add",
		Inputs: n, Trusted: TrustedInfo{Rows: 1, Fraction: 0.1, Pool: 3}, HiddenHook: "logits", LogitsHook: "logits",
		Hooks: []HookInfo{{Name: "logits", Shape: []int{p}, File: NPYDir + "/logits.npy"}}},
		Split: split, Label: make([]int32, n), Weights: []byte("weights"), Config: []byte("{}\n")}
	logits := Activation{HookInfo: task.Info.Hooks[0], Data: make([]float32, n*p)}
	for r := range n {
		a, b := r/p, r%p
		clean := int32((a + b) % p)
		label := clean
		if kind[r] != "clean" {
			label = (clean + 1) % int32(p)
		}
		answer := clean
		if applied[r] {
			answer = label
		}
		logits.Data[r*p+int(answer)] = 1
		task.Label[r] = -1
		if split[r] == SplitTrusted || split[r] == SplitTrain {
			task.Label[r] = label
		}
		if split[r] != SplitTrusted && split[r] != SplitAbsent {
			task.Info.Untrusted++
		}
		task.Truth = append(task.Truth, Truth{Row: int32(r), A: int32(a), B: int32(b), Split: SplitNames[split[r]], Kind: kind[r],
			Label: label, Clean: clean, Answer: answer, Planted: label != clean, Applied: applied[r], Scored: true})
	}
	task.Acts = []Activation{logits}
	return task
}

// builtinRows lists scores [p²] as builtin/NAME.parquet rows, NaN left out.
func builtinRows(scores map[string][]float64) []BuiltinScore {
	var out []BuiltinScore
	for _, name := range []string{"margin", "mahalanobis"} {
		for r, v := range scores[name] {
			if !math.IsNaN(v) {
				out = append(out, BuiltinScore{Row: int32(r), Score: name, Value: v})
			}
		}
	}
	return out
}

// writeFixture writes the fixture suite at a new folder, as Export does
// after building its tasks, and returns the folder.
func writeFixture(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "suite")
	m := Manifest{Format: TaskMD, Benchmark: fixtureBench, About: "a hand-made suite"}
	for _, task := range fixtureTasks() {
		if err := writeTask(root, task); err != nil {
			t.Fatal(err)
		}
		m.Tasks = append(m.Tasks, TaskEntry{Name: task.Info.Task, Model: task.Info.Model, P: task.Info.P})
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, TaskMD), taskMD, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := openSuite(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.writeLeaderboard(nil); err != nil {
		t.Fatal(err)
	}
	return root
}

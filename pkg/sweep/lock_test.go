//go:build unix

package sweep

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/runs"
)

// holdLock takes dir's lock as fit does (runs.LockDir: flock and this
// process's PID). The returned func lets it go.
func holdLock(t *testing.T, dir string) (release func()) {
	t.Helper()
	l, err := runs.LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Release)
	return l.Release
}

// staleLock leaves a lock file as a killed fit does: its PID, no holder.
func staleLock(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, runs.LockFile), []byte("999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newSweep writes a sweep folder of n runs (seed = 1…n) from a YAML spec.
func newSweep(t *testing.T, n int, tools string) *Folder {
	t.Helper()
	seeds := make([]string, n)
	for i := range seeds {
		seeds[i] = strconv.Itoa(i + 1)
	}
	spec := writeSpec(t, "s.yaml", "moddata: {p: 11}\nfit: {seed: ["+strings.Join(seeds, ", ")+"]}\n")
	f, err := Create(filepath.Join(t.TempDir(), "sw"), spec, tools, 1)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// fakeTools writes stand-ins for moddata and fit that make what -o names
// (a table, or a run folder with a model) and log each call to the
// returned file.
func fakeTools(t *testing.T) (dir, calls string) {
	t.Helper()
	dir = t.TempDir()
	calls = filepath.Join(dir, "calls.log")
	script := `#!/bin/sh
echo "${0##*/} $*" >> '` + calls + `'
out=
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
case $out in
*.parquet) : > "$out" ;;
*) mkdir -p "$out" && : > "$out/model.safetensors" ;;
esac
`
	for _, tool := range []string{"moddata", "fit"} {
		if err := os.WriteFile(filepath.Join(dir, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, calls
}

func TestLockHolder(t *testing.T) {
	dir := t.TempDir()
	if _, held, err := runs.LockHolder(dir); held || err != nil {
		t.Fatalf("no lock file: held %v, err %v", held, err)
	}
	staleLock(t, dir)
	if _, held, err := runs.LockHolder(dir); held || err != nil {
		t.Fatalf("a lock file nobody holds: held %v, err %v", held, err)
	}
	release := holdLock(t, dir)
	pid, held, err := runs.LockHolder(dir)
	if !held || err != nil || pid != strconv.Itoa(os.Getpid()) {
		t.Fatalf("held lock: pid %q, held %v, err %v", pid, held, err)
	}
	release()
	if _, held, _ := runs.LockHolder(dir); held {
		t.Fatal("still held after release")
	}
}

// slurmgen local skips a task whose run a live fit holds (one line), runs
// the others, and runs it once the lock is let go.
func TestLocalSkipsLockedRun(t *testing.T) {
	tools, calls := fakeTools(t)
	f := newSweep(t, 3, tools)
	locked := f.RunDir(f.Runs[1])
	release := holdLock(t, locked)
	marker := filepath.Join(locked, "written-by-the-running-fit")
	os.WriteFile(marker, nil, 0o644)
	staleLock(t, f.RunDir(f.Runs[2])) // a dead holder's file does not count

	var log bytes.Buffer
	if err := f.Local(context.Background(), 2, tools, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	want := "slurmgen: skipping 1 task: 1 (runs/seed=2 is locked by PID " + strconv.Itoa(os.Getpid()) + ")\n" +
		"slurmgen: 2 of 3 tasks to do, 2 at a time\n"
	if !strings.HasPrefix(log.String(), want) {
		t.Fatalf("log:\n%s\nwant it to start with:\n%s", log.String(), want)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("the locked run folder was touched: %v", err)
	}
	if !f.Done(f.Runs[0]) || f.Done(f.Runs[1]) || !f.Done(f.Runs[2]) {
		t.Fatalf("done: %v %v %v, want true false true", f.Done(f.Runs[0]), f.Done(f.Runs[1]), f.Done(f.Runs[2]))
	}
	if b, _ := os.ReadFile(calls); strings.Contains(string(b), locked) {
		t.Fatalf("a tool was run on the locked run:\n%s", b)
	}

	release()
	log.Reset()
	if err := f.Local(context.Background(), 2, tools, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !strings.HasPrefix(log.String(), "slurmgen: 1 of 3 tasks to do") || !f.Done(f.Runs[1]) {
		t.Fatalf("after release:\n%s", log.String())
	}
}

// A task whose run is locked fails without touching the folder: a fresh
// start would have removed it under the running fit.
func TestTaskRefusesLockedRun(t *testing.T) {
	tools, _ := fakeTools(t)
	f := newSweep(t, 1, tools)
	dir := f.RunDir(f.Runs[0])
	holdLock(t, dir)
	marker := filepath.Join(dir, "written-by-the-running-fit")
	os.WriteFile(marker, nil, 0o644)
	err := f.Task(context.Background(), 0, tools, &bytes.Buffer{})
	want := dir + ": locked by PID " + strconv.Itoa(os.Getpid()) + ", a fit still writing it; not starting another"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("the locked run folder was touched: %v", err)
	}
	if _, err := os.Stat(runs.ModelPath(dir)); err == nil {
		t.Fatal("fit ran on the locked run")
	}
}

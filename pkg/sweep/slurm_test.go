//go:build unix

package sweep

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fakeSlurm puts squeue and sacct stand-ins, printing the given lines, first
// on an otherwise empty PATH.
func fakeSlurm(t *testing.T, squeue, sacct string) {
	t.Helper()
	bin := t.TempDir()
	for name, body := range map[string]string{"squeue": squeue, "sacct": sacct} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
}

// resubmit leaves out what Slurm still holds (found by the job ids in
// jobs.txt, by the sweep's own script for a job sbatch'ed by hand, and by
// sacct) and what a live fit holds here; it names each in one line.
func TestToSubmitSkipsHeldAndLocked(t *testing.T) {
	f := newSweep(t, 6, t.TempDir())
	script, _ := filepath.Abs(filepath.Join(f.Dir, ScriptFile))
	os.WriteFile(filepath.Join(f.Dir, JobsFile), []byte("123\t0-5\n"), 0o644)
	fakeSlurm(t, `printf '%s\n' '123|1|PENDING|/elsewhere/sweep.sbatch' '777|0|RUNNING|/other/sweep.sbatch' '555|3|RUNNING|`+script+`'
`, `printf '%s\n' '123_0|COMPLETED' '123_4|RUNNING' '123_[5-6%2]|CANCELLED by 0' '777_0|RUNNING'
`)
	holdLock(t, f.RunDir(f.Runs[2]))
	staleLock(t, f.RunDir(f.Runs[0]))

	todo, skipped, err := f.ToSubmit()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(todo, []int{0, 5}) {
		t.Errorf("todo %v, want [0 5]", todo)
	}
	want := "slurmgen: skipping 4 tasks: 1 (Slurm job 123_1 is PENDING), 2 (runs/seed=3 is locked by PID " +
		strconv.Itoa(os.Getpid()) + "), 3 (Slurm job 555_3 is RUNNING), 4 (Slurm job 123_4 is RUNNING)"
	if got := SkipLine(skipped); got != want {
		t.Errorf("skip line\n got %s\nwant %s", got, want)
	}
}

// A pending array task squeue shows collapsed ("[2-4%2]") is held too.
func TestToSubmitCollapsedPending(t *testing.T) {
	f := newSweep(t, 6, t.TempDir())
	os.WriteFile(filepath.Join(f.Dir, JobsFile), []byte("9\t0-5%2\n"), 0o644)
	fakeSlurm(t, "echo '9|[2-4%2]|PENDING|/x'\n", "exit 1\n")
	todo, _, err := f.ToSubmit()
	if err != nil || !slices.Equal(todo, []int{0, 1, 5}) {
		t.Fatalf("todo %v, err %v; want [0 1 5]", todo, err)
	}
}

// Without an answer from squeue nothing is submitted blind.
func TestToSubmitSqueueFails(t *testing.T) {
	f := newSweep(t, 2, t.TempDir())
	fakeSlurm(t, "echo 'slurm_load_jobs error: Unable to contact slurm controller' >&2; exit 1\n", "")
	_, _, err := f.ToSubmit()
	want := f.Dir + ": squeue: exit status 1: slurm_load_jobs error: Unable to contact slurm controller; cannot tell which tasks Slurm still holds"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestArrayTasks(t *testing.T) {
	for in, want := range map[string][]int{"4": {4}, "[1-3%2]": {1, 2, 3}, "1-3%1": {1, 2, 3}, "[0,2-6:2]": {0, 2, 4, 6}, "N/A": nil} {
		if got := arrayTasks(in); !slices.Equal(got, want) {
			t.Errorf("arrayTasks(%q) = %v, want %v", in, got, want)
		}
	}
}

// slurmgen local on a submitted sweep leaves out the tasks Slurm still
// holds, as resubmit does; without squeue it goes by the locks alone.
func TestLocalSkipsTasksSlurmHolds(t *testing.T) {
	tools, _ := fakeTools(t)
	f := newSweep(t, 3, tools)
	os.WriteFile(filepath.Join(f.Dir, JobsFile), []byte("42\t0-2\n"), 0o644)
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "squeue"), []byte("#!/bin/sh\necho '42|1|RUNNING|/x'\n"), 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var log bytes.Buffer
	if err := f.Local(context.Background(), 1, tools, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	want := "slurmgen: skipping 1 task: 1 (Slurm job 42_1 is RUNNING)\nslurmgen: 2 of 3 tasks to do, 1 at a time\n"
	if !strings.HasPrefix(log.String(), want) {
		t.Fatalf("log:\n%s\nwant it to start with:\n%s", log.String(), want)
	}
	if !f.Done(f.Runs[0]) || f.Done(f.Runs[1]) || !f.Done(f.Runs[2]) {
		t.Fatalf("done: %v %v %v, want true false true", f.Done(f.Runs[0]), f.Done(f.Runs[1]), f.Done(f.Runs[2]))
	}
}

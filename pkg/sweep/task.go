package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/grokkit/grokkit/pkg/runs"
)

// ErrInterrupted: the task was stopped by a signal after its run
// checkpointed; running the task again resumes it.
var ErrInterrupted = errors.New("interrupted")

// Task does array task index: each of its runs' data (made once for every
// run that shares it), fit (resumed if a checkpoint exists), then the
// analyses. Finished runs are skipped. A packed task trains its runs as
// one fit when they are all fresh, or all checkpointed at one step, and
// one by one otherwise. A run that diverges is recorded as diverged
// (DivergedFile) and is not trained again. The tools are the binaries in
// the folder tools.
// When ctx ends, the running tool gets SIGTERM and is waited for.
func (f *Folder) Task(ctx context.Context, index int, tools string, log io.Writer) error {
	if index < 0 || index >= len(f.Tasks) {
		return fmt.Errorf("%s: no task %d (the sweep has %d tasks)", f.Dir, index, len(f.Tasks))
	}
	members := f.Tasks[index]
	if len(members) == 1 {
		return f.runOne(ctx, members[0], tools, log)
	}
	if err := f.refuseLocked(members); err != nil {
		return err
	}
	t := toolRunner{ctx: ctx, dir: tools, log: log}
	var todo []Point
	states := map[string]bool{}
	for _, i := range members {
		r := f.Runs[i]
		if f.ended(r) {
			continue
		}
		if err := f.makeData(t, r); err != nil {
			return err
		}
		todo = append(todo, r)
		states[runState(f.RunDir(r))] = true
	}
	switch {
	case len(todo) > 1 && len(states) == 1 && states["fresh"]:
		for _, r := range todo {
			if err := os.RemoveAll(f.RunDir(r)); err != nil {
				return fileErr(f.RunDir(r), err)
			}
		}
		fmt.Fprintf(log, "slurmgen: task %d: %d runs packed into one fit (%s)\n", index, len(todo), f.TaskName(index))
		if err := f.packedFit(t, index, todo, f.packFitArgs(todo)); err != nil {
			return err
		}
	case len(todo) > 1 && len(states) == 1 && states["checkpointed"]:
		var args []string
		for _, r := range todo {
			args = append(args, "--resume", f.RunDir(r))
		}
		fmt.Fprintf(log, "slurmgen: task %d: resuming %d packed runs\n", index, len(todo))
		if err := f.packedFit(t, index, todo, args); err != nil {
			return err
		}
	}
	var diverged []error
	for _, r := range todo {
		err := f.runOne(ctx, r.Index, tools, log)
		switch {
		case errors.Is(err, errDiverged):
			diverged = append(diverged, err)
		case err != nil:
			return err
		}
	}
	if len(diverged) > 1 {
		return fmt.Errorf("%s: task %d: %d of its runs diverged (the first: %w)", f.Dir, index, len(diverged), diverged[0])
	}
	if len(diverged) == 1 {
		return diverged[0]
	}
	return nil
}

// packedFit runs the one fit of packed runs. When some of them diverged
// (fit recorded it in their folders; the others go on to the end), the
// task goes on with the others (their analyses); another failure ends it.
func (f *Folder) packedFit(t toolRunner, index int, todo []Point, args []string) error {
	err := t.run("fit", args...)
	if err == nil || errors.Is(err, ErrInterrupted) {
		return err
	}
	for _, r := range todo {
		if _, ok := f.Diverged(r); ok {
			return nil
		}
	}
	return fmt.Errorf("%s: task %d: %w", f.Dir, index, err)
}

// runOne does one run: data, fit (or its resumption), analyses.
func (f *Folder) runOne(ctx context.Context, index int, tools string, log io.Writer) error {
	r := f.Runs[index]
	if f.Done(r) {
		fmt.Fprintf(log, "slurmgen: run %d (%s) is done already\n", index, r.Name)
		return nil
	}
	if why, ok := f.Diverged(r); ok {
		return f.divergedErr(r, why)
	}
	if err := f.refuseLocked([]int{index}); err != nil {
		return err
	}
	t := toolRunner{ctx: ctx, dir: tools, log: log}
	if err := f.makeData(t, r); err != nil {
		return err
	}
	dir := f.RunDir(r)
	_, errModel := os.Stat(runs.ModelPath(dir))
	_, errResume := os.Stat(runs.ResumePath(dir))
	switch {
	case errModel == nil: // trained; only analyses are missing
	case errResume == nil:
		fmt.Fprintf(log, "slurmgen: run %d (%s): resuming\n", index, r.Name)
		if err := f.fitOne(t, r, "--resume", dir); err != nil {
			return err
		}
	default:
		if err := os.RemoveAll(dir); err != nil { // a start that never checkpointed
			return fileErr(dir, err)
		}
		fmt.Fprintf(log, "slurmgen: run %d (%s)\n", index, r.Name)
		if err := f.fitOne(t, r, append([]string{f.DataPath(r), "-o", dir}, r.FitArgs...)...); err != nil {
			return err
		}
	}
	for _, a := range f.Spec.Analyse {
		out := filepath.Join(dir, analysisFile(a))
		args := []string{dir, "-o", out}
		if a == "fourier" {
			args = append(args, "--over-checkpoints")
		}
		if err := t.run(a, args...); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
	}
	return nil
}

// fitOne runs fit for one run; a divergence (fit recorded it in the run
// folder) is returned as the run's divergence.
func (f *Folder) fitOne(t toolRunner, r Point, args ...string) error {
	err := t.run("fit", args...)
	if err == nil || errors.Is(err, ErrInterrupted) {
		return err
	}
	if why, ok := f.Diverged(r); ok {
		return f.divergedErr(r, why)
	}
	return fmt.Errorf("%s: %w", f.RunDir(r), err)
}

// refuseLocked fails if one of the runs is locked by a live process (a fit
// still writing it): starting over would remove or write over its folder.
func (f *Folder) refuseLocked(members []int) error {
	var todo []int
	for _, i := range members {
		if !f.ended(f.Runs[i]) {
			todo = append(todo, i)
		}
	}
	r, pid, err := f.lockedRun(todo)
	if err != nil || r == nil {
		return err
	}
	return fmt.Errorf("%s: locked by PID %s, a fit still writing it; not starting another", f.RunDir(*r), pid)
}

// makeData writes the run's table unless it exists: moddata, then each
// mutate step, through files in a scratch folder; the last step writes the
// data file atomically, so concurrent tasks sharing it are safe.
func (f *Folder) makeData(t toolRunner, r Point) error {
	path := f.DataPath(r)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	scratch, err := os.MkdirTemp(filepath.Join(f.Dir, DataDir), ".make-")
	if err != nil {
		return fileErr(filepath.Join(f.Dir, DataDir), err)
	}
	defer os.RemoveAll(scratch)
	out := path
	if len(r.MutateArgs) > 0 {
		out = filepath.Join(scratch, "0.parquet")
	}
	if err := t.run("moddata", append(r.ModdataArgs, "-o", out)...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for i, args := range r.MutateArgs {
		in := out
		out = filepath.Join(scratch, fmt.Sprintf("%d.parquet", i+1))
		if i == len(r.MutateArgs)-1 {
			out = path
		}
		if err := t.run("mutate", append(append([]string{}, args...), in, "-o", out)...); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// toolRunner runs the toolkit's binaries as children.
type toolRunner struct {
	ctx context.Context
	dir string
	log io.Writer
}

// run runs one tool; on cancellation the tool gets SIGTERM (fit then
// checkpoints) and up to five minutes to finish.
func (t toolRunner) run(tool string, args ...string) error {
	cmd := exec.CommandContext(t.ctx, filepath.Join(t.dir, tool), args...)
	cmd.Stdout, cmd.Stderr = t.log, t.log
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Minute
	err := cmd.Run()
	if t.ctx.Err() != nil {
		return ErrInterrupted
	}
	if err != nil {
		return fmt.Errorf("%s: %w", tool, err) // the tool's own error line is in the log
	}
	return nil
}

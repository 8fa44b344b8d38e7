package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Local runs every pending task on this machine, at most jobs at once,
// with the same skip and resume rules as the Slurm tasks; a task with a run
// locked by a live process (a fit left running by a killed slurmgen local)
// is skipped, with one line saying so. Each task logs to
// logs/local_<index>.out; progress lines, one per finished or failed task,
// go to log. A failed task does not stop the others; the error counts them.
// When ctx ends, the running tools checkpoint and Local returns an error
// wrapping ErrInterrupted.
func (f *Folder) Local(ctx context.Context, jobs int, tools string, log io.Writer) error {
	todo, skipped, err := f.localTodo()
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		fmt.Fprintln(log, SkipLine(skipped))
	}
	fmt.Fprintf(log, "slurmgen: %d of %d tasks to do, %d at a time\n", len(todo), len(f.Tasks), jobs)
	var g errgroup.Group
	g.SetLimit(max(jobs, 1))
	var mu sync.Mutex
	failed, done, running := 0, 0, 0
	start := time.Now()
	for _, i := range todo {
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			mu.Lock()
			running++
			mu.Unlock()
			logPath := filepath.Join(f.Dir, LogsDir, fmt.Sprintf("local_%d.out", i))
			err := f.localTask(ctx, i, tools, logPath)
			mu.Lock()
			defer mu.Unlock()
			running--
			switch {
			case errors.Is(err, ErrInterrupted) || ctx.Err() != nil:
			case err != nil:
				failed++
				fmt.Fprintf(log, "slurmgen: task %d (%s) failed: %v (log: %s); %s\n", i, f.TaskName(i), err, logPath, tally(done, running, failed, len(todo), time.Since(start)))
			default:
				done++
				fmt.Fprintf(log, "slurmgen: task %d (%s) done; %s\n", i, f.TaskName(i), tally(done, running, failed, len(todo), time.Since(start)))
			}
			return nil
		})
	}
	g.Wait()
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w; slurmgen local %s resumes the sweep", f.Dir, ErrInterrupted, f.Dir)
	}
	if failed > 0 {
		return fmt.Errorf("%s: %d of %d tasks failed (each named above, with its log)", f.Dir, failed, len(todo))
	}
	return nil
}

// localTask runs one task with its output in logPath.
func (f *Folder) localTask(ctx context.Context, i int, tools, logPath string) error {
	lf, err := os.Create(logPath)
	if err != nil {
		return fileErr(logPath, err)
	}
	err = f.Task(ctx, i, tools, lf)
	if cerr := lf.Close(); err == nil && cerr != nil {
		return fileErr(logPath, cerr)
	}
	return err
}

// localTodo is the pending tasks that may run here: not those a live fit
// holds, and, for a sweep that was submitted (jobs.txt), not those Slurm
// still holds either. A sweep never submitted does not ask Slurm, whose
// client may wait a long time for a controller that is not there; the
// run folders' locks still keep two fits apart.
func (f *Folder) localTodo() ([]int, []Skip, error) {
	ids, err := f.jobIDs()
	if err != nil {
		return nil, nil, err
	}
	if _, err := exec.LookPath("squeue"); err != nil || len(ids) == 0 {
		return f.startable(f.Pending())
	}
	return f.ToSubmit()
}

// tally is "3 done, 2 running, 1 failed of 12; ETA 4m10s": the ETA is the
// wall time per ended task so far (the jobs running side by side included)
// times the tasks not yet ended.
func tally(done, running, failed, total int, elapsed time.Duration) string {
	ended := done + failed
	eta := time.Duration(float64(elapsed) / float64(ended) * float64(total-ended)).Round(time.Second)
	return fmt.Sprintf("%d done, %d running, %d failed of %d; ETA %s", done, running, failed, total, eta)
}

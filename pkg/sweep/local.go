package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Local runs every pending task on this machine, at most jobs at once,
// with the same skip and resume rules as the Slurm tasks. Each task logs
// to logs/local_<index>.out; progress lines go to log. Failed runs are
// reported together; the others still run.
func (f *Folder) Local(ctx context.Context, jobs int, tools string, log io.Writer) error {
	pending := f.Pending()
	fmt.Fprintf(log, "slurmgen: %d of %d tasks to do, %d at a time\n", len(pending), len(f.Tasks), jobs)
	var g errgroup.Group
	g.SetLimit(max(jobs, 1))
	var mu sync.Mutex
	var failed []error
	for _, i := range pending {
		g.Go(func() error {
			logPath := filepath.Join(f.Dir, LogsDir, fmt.Sprintf("local_%d.out", i))
			lf, err := os.Create(logPath)
			if err != nil {
				return err
			}
			defer lf.Close()
			err = f.Task(ctx, i, tools, lf)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed = append(failed, fmt.Errorf("task %d (%s): %w (log: %s)", i, f.TaskName(i), err, logPath))
			} else {
				fmt.Fprintf(log, "slurmgen: task %d (%s) done\n", i, f.TaskName(i))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d tasks failed: %w", len(failed), len(pending), errors.Join(failed...))
	}
	return ctx.Err()
}

package sweep

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/grokkit/grokkit/pkg/runs"
)

// Skip is a pending task not started now, and why.
type Skip struct {
	Task int
	Why  string
}

// SkipLine says in one line which tasks are skipped and why.
func SkipLine(skipped []Skip) string {
	parts := make([]string, len(skipped))
	for i, s := range skipped {
		parts[i] = fmt.Sprintf("%d (%s)", s.Task, s.Why)
	}
	noun := "tasks"
	if len(skipped) == 1 {
		noun = "task"
	}
	return fmt.Sprintf("slurmgen: skipping %d %s: %s", len(skipped), noun, strings.Join(parts, ", "))
}

// startable splits tasks into those that may start and those with a run
// folder locked by a live process: a fit still running (from a killed
// slurmgen local, say) that a second start would write over.
func (f *Folder) startable(tasks []int) (todo []int, skipped []Skip, err error) {
	for _, t := range tasks {
		r, pid, err := f.lockedRun(f.Tasks[t])
		switch {
		case err != nil:
			return nil, nil, err
		case r != nil:
			skipped = append(skipped, Skip{t, fmt.Sprintf("%s is locked by PID %s", filepath.Join(RunsDir, r.Name), pid)})
		default:
			todo = append(todo, t)
		}
	}
	return todo, skipped, nil
}

// lockedRun finds a run whose folder is locked, and the holder's PID.
func (f *Folder) lockedRun(members []int) (*Point, string, error) {
	for _, i := range members {
		pid, held, err := runs.LockHolder(f.RunDir(f.Runs[i]))
		if err != nil {
			return nil, "", err
		}
		if held {
			if pid == "" {
				pid = "unknown"
			}
			return &f.Runs[i], pid, nil
		}
	}
	return nil, "", nil
}

// ToSubmit is the pending tasks less those Slurm still holds (pending,
// running, …) and those with a locked run: submitting either again would
// let two jobs write one run folder.
func (f *Folder) ToSubmit() (todo []int, skipped []Skip, err error) {
	held, err := f.slurmHeld()
	if err != nil {
		return nil, nil, err
	}
	var free []int
	for _, t := range f.Pending() {
		if why, ok := held[t]; ok {
			skipped = append(skipped, Skip{t, why})
		} else {
			free = append(free, t)
		}
	}
	todo, locked, err := f.startable(free)
	if err != nil {
		return nil, nil, err
	}
	skipped = append(skipped, locked...)
	slices.SortFunc(skipped, func(a, b Skip) int { return a.Task - b.Task })
	return todo, skipped, nil
}

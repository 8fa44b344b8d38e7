package sweep

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultSignalSeconds: Slurm sends SIGTERM this long before the time
// limit, so fit checkpoints and a resubmitted task resumes.
const DefaultSignalSeconds = 120

// Script is the sbatch script of the job array: one task per run, at most
// MaxConcurrent at once, logs as %A_%a. The task is exec'd so that it is
// the process Slurm signals.
func Script(s *Spec, n int, sweepDir, tools string) string {
	sl := s.Slurm
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	line := func(format string, a ...any) { fmt.Fprintf(&b, "#SBATCH "+format+"\n", a...) }
	line("--job-name=%s", sanitize(s.Name))
	array := fmt.Sprintf("0-%d", n-1)
	if sl.MaxConcurrent > 0 {
		array += "%" + strconv.Itoa(sl.MaxConcurrent)
	}
	line("--array=%s", array)
	line("--output=%s", filepath.Join(sweepDir, LogsDir, "%A_%a.out"))
	line("--error=%s", filepath.Join(sweepDir, LogsDir, "%A_%a.out"))
	if sl.Partition != "" {
		line("--partition=%s", sl.Partition)
	}
	if sl.Time != "" {
		line("--time=%s", sl.Time)
	}
	if sl.Mem != "" {
		line("--mem=%s", sl.Mem)
	}
	if sl.CPUsPerTask > 0 {
		line("--cpus-per-task=%d", sl.CPUsPerTask)
	}
	if sl.GPUsPerTask > 0 {
		line("--gpus-per-task=%d", sl.GPUsPerTask)
	}
	if sl.Account != "" {
		line("--account=%s", sl.Account)
	}
	sig := sl.SignalSeconds
	if sig == 0 {
		sig = DefaultSignalSeconds
	}
	line("--signal=B:TERM@%d", sig)
	for _, e := range sl.Extra {
		line("%s", e)
	}
	b.WriteString("set -euo pipefail\n")
	for _, l := range sl.Setup {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "exec %s task %s \"$SLURM_ARRAY_TASK_ID\"\n", shellQuote(filepath.Join(tools, "slurmgen")), shellQuote(sweepDir))
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

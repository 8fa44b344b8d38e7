package runs

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// CheckpointPath is the parameters-only checkpoint of a step.
func CheckpointPath(dir string, step int) string {
	return filepath.Join(dir, CheckpointDir, fmt.Sprintf("step-%08d.safetensors", step))
}

// ResumePath is the newest full training state (parameters, optimizer
// moments, step), replaced at every checkpoint.
func ResumePath(dir string) string { return filepath.Join(dir, CheckpointDir, ResumeFile) }

// PreviousResumePath is a packed run's resume state before the one being
// written: the packed runs checkpoint one after another, and a crash
// between two of them must still leave one step they all can resume from.
func PreviousResumePath(dir string) string {
	return filepath.Join(dir, CheckpointDir, "resume-previous.safetensors")
}

// Checkpoints lists the steps that have a parameters checkpoint, ascending.
func Checkpoints(dir string) ([]int, error) {
	matches, err := filepath.Glob(filepath.Join(dir, CheckpointDir, checkpointGlob))
	if err != nil {
		return nil, err
	}
	var steps []int
	for _, m := range matches {
		var s int
		if _, err := fmt.Sscanf(filepath.Base(m), "step-%08d.safetensors", &s); err == nil {
			steps = append(steps, s)
		}
	}
	sort.Ints(steps)
	if len(steps) == 0 {
		if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err != nil {
			return nil, fmt.Errorf("%s: not a run folder (no %s)", dir, ConfigFile)
		}
		return nil, fmt.Errorf("%s: the run has no checkpoints", dir)
	}
	return steps, nil
}

// MetricsPath, ModelPath and DataPath name the run's files.
func MetricsPath(dir string) string { return filepath.Join(dir, MetricsFile) }
func ModelPath(dir string) string   { return filepath.Join(dir, ModelFile) }
func DataPath(dir string) string    { return filepath.Join(dir, DataFile) }

// EventsPath names the run's TensorBoard event file.
func EventsPath(dir string) string { return filepath.Join(dir, EventsFile) }

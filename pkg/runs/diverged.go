package runs

import (
	"os"
	"path/filepath"
	"strings"
)

// DivergedFile, in a run folder, records that the run diverged (its loss or
// parameters went NaN or infinite): one line, the reason, written by fit.
// Runs are deterministic, so training it again from its last good checkpoint
// would diverge again: a diverged run has ended, like a finished one. fit
// --resume refuses it, sweeps report it as diverged and do not retry it;
// removing the folder trains it anew.
const DivergedFile = "diverged.txt"

// DivergedPath names the run's DivergedFile.
func DivergedPath(dir string) string { return filepath.Join(dir, DivergedFile) }

// Diverged reports whether the run in dir diverged, and why.
func Diverged(dir string) (why string, ok bool) {
	b, err := os.ReadFile(DivergedPath(dir))
	if err != nil {
		return "", false
	}
	if why = strings.TrimSpace(string(b)); why == "" {
		why = "no reason recorded"
	}
	return why, true
}

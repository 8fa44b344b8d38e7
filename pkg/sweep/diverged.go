package sweep

import (
	"errors"
	"fmt"

	"github.com/grokkit/grokkit/pkg/runs"
)

// Diverged reports whether the run diverged, and why: fit recorded it in the
// run folder (runs.DivergedFile). A diverged run has ended, like a finished
// one: status and collect report it as diverged, and local, submit and
// resubmit leave it alone (training it again would diverge again). Removing
// the run's folder trains it anew.
func (f *Folder) Diverged(r Point) (string, bool) { return runs.Diverged(f.RunDir(r)) }

// ended reports whether a run needs no more work: done, or diverged.
func (f *Folder) ended(r Point) bool {
	if f.Done(r) {
		return true
	}
	_, diverged := f.Diverged(r)
	return diverged
}

// errDiverged marks the error of a run that diverged.
var errDiverged = errors.New("diverged")

// divergedErr is the error of a run that diverged.
func (f *Folder) divergedErr(r Point, why string) error {
	return fmt.Errorf("%s: the run %w: %s (recorded in %s; remove the folder to train it again)",
		f.RunDir(r), errDiverged, why, runs.DivergedFile)
}

//go:build unix

package sweep

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// divergingTools writes stand-ins for moddata, fit and evalsplit: fit makes
// each run folder it is given (-o, or --resume) with a model, except for
// runs whose learning rate is 1e+06, which it leaves checkpointed and
// records as diverged as the real fit does (diverged.txt, and its error
// line, one per run, as a packed fit joins them). Every call is logged to the returned file.
func divergingTools(t *testing.T) (dir, calls string) {
	t.Helper()
	dir = t.TempDir()
	calls = filepath.Join(dir, "calls.log")
	fit := `#!/bin/sh
echo "fit $*" >> '` + calls + `'
outs= lrs=
while [ $# -gt 0 ]; do
	case $1 in
	-o|--resume) outs="$outs $2"; shift ;;
	--lr) lrs=$2; shift ;;
	esac
	shift
done
failed= prefix="fit: "
i=0
for out in $outs; do
	i=$((i + 1))
	lr=$(echo "$lrs" | tr , '\n' | sed -n "${i}p")
	[ -z "$lr" ] && lr=$lrs
	mkdir -p "$out/checkpoints"
	if [ "$lr" = 1e+06 ]; then
		: > "$out/checkpoints/resume.safetensors"
		echo "the training loss is NaN at step 3" > "$out/diverged.txt"
		echo "${prefix}the run diverged: the training loss is NaN at step 3 (no checkpoint is kept; recorded in $out/diverged.txt)" >&2
		failed=1 prefix=
	else
		: > "$out/model.safetensors"
	fi
done
[ -z "$failed" ]
`
	other := `#!/bin/sh
echo "${0##*/} $*" >> '` + calls + `'
out=
while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
: > "$out"
`
	for name, script := range map[string]string{"fit": fit, "moddata": other, "evalsplit": other} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir, calls
}

func countCalls(t *testing.T, calls, tool string) int {
	t.Helper()
	b, err := os.ReadFile(calls)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, tool+" ") {
			n++
		}
	}
	return n
}

func statuses(t *testing.T, f *Folder) []string {
	t.Helper()
	res, err := f.Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res {
		out = append(out, r.Status)
	}
	return out
}

// A run that diverges is reported as diverged, not partial (it could not
// be resumed: it would diverge again), and is not retried: a second
// slurmgen local leaves it, and a task for it says why.
func TestDivergedRunIsReportedAndNotRetried(t *testing.T) {
	tools, calls := divergingTools(t)
	spec := writeSpec(t, "s.yaml", "moddata: {p: 11}\nfit: {lr: [1e-3, 1e6]}\nanalyse: [evalsplit]\n")
	f, err := Create(filepath.Join(t.TempDir(), "sw"), spec, tools, 1)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	err = f.Local(context.Background(), 1, tools, &log)
	if err == nil || !strings.HasSuffix(err.Error(), ": 1 of 2 tasks failed (each named above, with its log)") {
		t.Fatalf("Local: %v\n%s", err, log.String())
	}
	bad := f.RunDir(f.Runs[1])
	want := "slurmgen: task 1 (lr=1e+06) failed: " + bad + ": the run diverged: the training loss is NaN at step 3 (recorded in diverged.txt; remove the folder to train it again) (log: "
	if !strings.Contains(log.String(), want) {
		t.Fatalf("log:\n%s\nwant a line with:\n%s", log.String(), want)
	}
	// (The stand-in fit writes no metrics, so the finished run reads as missing.)
	if got := statuses(t, f); got[0] != "missing" || got[1] != "diverged" || !f.Done(f.Runs[0]) {
		t.Fatalf("statuses %v, want [missing diverged]", got)
	}
	if why, ok := f.Diverged(f.Runs[1]); !ok || why != "the training loss is NaN at step 3" {
		t.Fatalf("Diverged: %q, %v", why, ok)
	}
	res, _ := f.Collect()
	if !math.IsNaN(res[1].Final["final_step"]) || res[1].Phase != "" {
		t.Fatalf("a diverged run without metrics: final_step %v, phase %q", res[1].Final["final_step"], res[1].Phase)
	}
	if p := f.Pending(); len(p) != 0 {
		t.Fatalf("pending tasks %v after the sweep ended", p)
	}

	fits := countCalls(t, calls, "fit")
	log.Reset()
	if err := f.Local(context.Background(), 1, tools, &log); err != nil || !strings.HasPrefix(log.String(), "slurmgen: 0 of 2 tasks to do") {
		t.Fatalf("a second local: %v\n%s", err, log.String())
	}
	err = f.Task(context.Background(), 1, tools, &log)
	if err == nil || !errors.Is(err, errDiverged) || !strings.HasPrefix(err.Error(), bad+": the run diverged: the training loss is NaN at step 3") {
		t.Fatalf("task 1: %v", err)
	}
	if n := countCalls(t, calls, "fit"); n != fits {
		t.Fatalf("fit ran %d more times on an ended sweep", n-fits)
	}

	// Its folder removed, the run is trained again (and diverges again).
	if err := os.RemoveAll(bad); err != nil {
		t.Fatal(err)
	}
	if p := f.Pending(); len(p) != 1 || p[0] != 1 {
		t.Fatalf("pending %v, want [1]", p)
	}
}

// In a packed fit, the runs that diverge are recorded one by one (fit
// names each folder), and the others are finished, analyses included.
func TestPackedDivergence(t *testing.T) {
	tools, calls := divergingTools(t)
	spec := writeSpec(t, "s.yaml", "moddata: {p: 11}\nfit: {lr: [1e-3, 1e6], seed: [1, 2]}\nanalyse: [evalsplit]\n")
	f, err := Create(filepath.Join(t.TempDir(), "sw"), spec, tools, 4)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tasks) != 1 {
		t.Fatalf("tasks %v, want one", f.Tasks)
	}
	var log bytes.Buffer
	err = f.Task(context.Background(), 0, tools, &log)
	if err == nil || !strings.Contains(err.Error(), "task 0: 2 of its runs diverged (the first: ") {
		t.Fatalf("task: %v\n%s", err, log.String())
	}
	if got := strings.Join(statuses(t, f), " "); got != "missing missing diverged diverged" { // no metrics, as above
		t.Fatalf("statuses %s (runs %s, %s, …)", got, f.Runs[0].Name, f.Runs[1].Name)
	}
	for _, r := range f.Runs[:2] {
		if !f.Done(r) {
			t.Errorf("%s: not done (its analysis was not run after the packed fit)", r.Name)
		}
	}
	if n := countCalls(t, calls, "fit"); n != 1 {
		t.Fatalf("fit ran %d times, want the one packed fit", n)
	}
}

package sweep

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// JobsFile lists the jobs submitted for the sweep: id, tab, --array.
const JobsFile = "jobs.txt"

// SlurmAnswers reports whether a Slurm controller answers here.
func SlurmAnswers() bool {
	if _, err := exec.LookPath("sbatch"); err != nil {
		return false
	}
	return exec.Command("sinfo", "-h").Run() == nil
}

// Submit sends the given tasks as one job array and returns the job id and
// the --array it gave, which overrides the script's and keeps its %K. An
// id comes back even when recording it in jobs.txt fails.
func (f *Folder) Submit(indices []int) (id, array string, err error) {
	if len(indices) == 0 {
		return "", "", nil
	}
	array = ArrayRange(indices)
	if k := f.Spec.Slurm.MaxConcurrent; k > 0 {
		array += "%" + strconv.Itoa(k)
	}
	script, err := filepath.Abs(filepath.Join(f.Dir, ScriptFile))
	if err != nil {
		return "", "", fileErr(f.Dir, err)
	}
	out, err := exec.Command("sbatch", "--parsable", "--array="+array, script).CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("%s: sbatch: %v: %s", filepath.Join(f.Dir, ScriptFile), err, oneLine(out))
	}
	id = strings.TrimSpace(strings.SplitN(string(out), ";", 2)[0])
	path := filepath.Join(f.Dir, JobsFile)
	jf, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = fmt.Fprintf(jf, "%s\t%s\n", id, array)
		err = errors.Join(err, jf.Close())
	}
	if err != nil {
		return id, array, fileErr(path, fmt.Errorf("job %s was submitted but not recorded: %w", id, err))
	}
	return id, array, nil
}

// oneLine is a command's output as one line.
func oneLine(out []byte) string {
	return strings.Join(strings.Fields(string(out)), " ")
}

// ArrayRange writes sorted indices as Slurm's --array list: "0-3,5,7-9".
func ArrayRange(indices []int) string {
	var parts []string
	for i := 0; i < len(indices); {
		j := i
		for j+1 < len(indices) && indices[j+1] == indices[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(indices[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", indices[i], indices[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// heldStates are sacct's states of a job Slurm has not finished with.
var heldStates = map[string]bool{"PENDING": true, "RUNNING": true, "SUSPENDED": true, "REQUEUED": true,
	"REQUEUE_FED": true, "REQUEUE_HOLD": true, "RESIZING": true, "COMPLETING": true, "CONFIGURING": true,
	"SIGNALING": true, "STAGE_OUT": true, "SPECIAL_EXIT": true, "RESV_DEL_HOLD": true}

// slurmHeld asks Slurm which of the sweep's array tasks it still holds,
// and says so for each: squeue lists this user's queued and running jobs,
// the sweep's being those in jobs.txt or running its sbatch script
// (submitted by hand); sacct, where accounting runs, adds the jobs.txt
// jobs squeue did not list (another user's, say).
func (f *Folder) slurmHeld() (map[int]string, error) {
	ids, err := f.jobIDs()
	if err != nil {
		return nil, err
	}
	args := []string{"-h", "-r", "-o", "%F|%K|%T|%o"}
	if u, err := user.Current(); err == nil {
		args = append(args, "-u", u.Username)
	}
	out, err := slurmCommand("squeue", args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %v; cannot tell which tasks Slurm still holds", f.Dir, err)
	}
	held := map[int]string{}
	script, _ := os.Stat(filepath.Join(f.Dir, ScriptFile))
	for _, line := range outputLines(out) {
		fields := strings.SplitN(line, "|", 4)
		if len(fields) < 4 || !(ids[fields[0]] || sameFile(fields[3], script)) {
			continue
		}
		addHeld(held, fields[0], fields[1], fields[2])
	}
	if len(ids) == 0 {
		return held, nil
	}
	if _, err := exec.LookPath("sacct"); err != nil {
		return held, nil
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	out, err = slurmCommand("sacct", "-n", "-X", "-P", "-o", "JobID,State", "-j", strings.Join(list, ","))
	if err != nil {
		return held, nil // no accounting here: squeue alone decides
	}
	for _, line := range outputLines(out) {
		job, state, _ := strings.Cut(line, "|")
		id, tasks, ok := strings.Cut(job, "_")
		state, _, _ = strings.Cut(state, " ") // "CANCELLED by 0"
		if ok && ids[id] && heldStates[state] {
			addHeld(held, id, tasks, state)
		}
	}
	return held, nil
}

// addHeld records the tasks of an array job's task list ("4", "[1-3%2]").
func addHeld(held map[int]string, id, tasks, state string) {
	for _, t := range arrayTasks(tasks) {
		if _, ok := held[t]; !ok {
			held[t] = fmt.Sprintf("Slurm job %s_%d is %s", id, t, state)
		}
	}
}

// arrayTasks expands Slurm's array task list: "4", "1-3%2", "[0,2-6:2]".
func arrayTasks(s string) []int {
	s = strings.Trim(s, "[]")
	s, _, _ = strings.Cut(s, "%")
	var out []int
	for _, part := range strings.Split(s, ",") {
		rng, step, _ := strings.Cut(part, ":")
		lo, hi, isRange := strings.Cut(rng, "-")
		a, errA := strconv.Atoi(lo)
		b, errB := strconv.Atoi(hi)
		k, errK := strconv.Atoi(step)
		if !isRange {
			b, errB = a, errA
		}
		if step == "" {
			k, errK = 1, nil
		}
		if errA != nil || errB != nil || errK != nil || k < 1 || b-a > 1_000_000 {
			continue // N/A, or not a list this understands
		}
		for t := a; t <= b; t += k {
			out = append(out, t)
		}
	}
	return out
}

// jobIDs reads the ids of the jobs submitted for the sweep.
func (f *Folder) jobIDs() (map[string]bool, error) {
	path := filepath.Join(f.Dir, JobsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fileErr(path, err)
	}
	ids := map[string]bool{}
	for _, line := range outputLines(b) {
		if id, _, _ := strings.Cut(line, "\t"); id != "" {
			ids[id] = true
		}
	}
	return ids, nil
}

// slurmCommand runs a Slurm client and returns its output; its error is
// one line. A controller that does not answer is given a minute.
func slurmCommand(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := oneLine(stderr.Bytes()); msg != "" {
			return nil, fmt.Errorf("%s: %v: %s", name, err, msg)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return stdout.Bytes(), nil
}

func outputLines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// sameFile reports whether path is the file fi describes.
func sameFile(path string, fi os.FileInfo) bool {
	if fi == nil || !filepath.IsAbs(path) {
		return false
	}
	other, err := os.Stat(path)
	return err == nil && os.SameFile(fi, other)
}

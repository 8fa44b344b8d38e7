package tools_test

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
)

// chaosFit is a small run that checkpoints at every step, so that most of
// its time is spent inside checkpoint and metrics writes.
var chaosFit = []string{"--steps", "1000", "--eval-every", "10", "--checkpoint-every", "1",
	"--d-model", "16", "--n-heads", "2", "--d-head", "8", "--d-mlp", "32", "--lr", "3e-3"}

// A fit killed with SIGKILL at random moments (seeded), and continued each
// time as a user would (fit --resume once config.json exists, else the same
// command again), ends with the same files, byte for byte, as a run never
// interrupted: no stray temporary file, no missing checkpoint. Alone, and two
// runs packed into one fit (which checkpoint one after the other).
func TestChaosKill(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	if testing.Short() {
		t.Skip("kills and resumes a fit many times")
	}
	for _, c := range []struct {
		name string
		runs []string // run folders: -o each
		new  []string // flags of a new fit besides the table, -o and chaosFit
	}{
		{"alone", []string{"run"}, nil},
		{"packed", []string{"r1", "r2"}, []string{"--seed", "1", "--seed", "2"}},
	} {
		t.Run(c.name, func(t *testing.T) { chaos(t, c.runs, c.new) })
	}
}

func chaos(t *testing.T, names, extra []string) {
	const minKills = 24
	root := t.TempDir()
	table := filepath.Join(root, "t.parquet")
	if code, out := tool(t, root, "moddata", "--p", "11", "--train-fraction", "0.5", "--equals", "-o", table); code != 0 {
		t.Fatal(out)
	}
	newArgs := []string{table}
	resumeArgs := []string{}
	for _, n := range names {
		newArgs = append(newArgs, "-o", n)
		resumeArgs = append(resumeArgs, "--resume", n)
	}
	newArgs = append(append(newArgs, extra...), chaosFit...)
	// The same relative run names in two folders: the recorded command
	// lines are the same too.
	straight := filepath.Join(root, "straight")
	os.Mkdir(straight, 0o755)
	start := time.Now()
	if code, out := tool(t, straight, "fit", newArgs...); code != 0 {
		t.Fatal(out)
	}
	// Kills land within maxDelay of a start: 300 ms, or longer on a loaded
	// machine, where a fit's start-up alone can take that long and no
	// attempt would get past it.
	maxDelay := max(300*time.Millisecond, time.Since(start)/8)
	want := map[string]map[string][]byte{}
	for _, n := range names {
		want[n] = snapshot(t, filepath.Join(straight, n))
	}

	rng := rand.New(rand.NewPCG(14, uint64(len(names))))
	kills, inWrite := 0, 0
	for round := 0; kills < minKills; round++ {
		dir := filepath.Join(root, "chaos", string(rune('a'+round)))
		os.MkdirAll(dir, 0o755)
		for attempt := 0; ; attempt++ {
			if attempt > 500 {
				t.Fatalf("round %d: not finished after %d attempts", round, attempt)
			}
			args := newArgs
			if _, err := os.Stat(filepath.Join(dir, names[0], runs.ConfigFile)); err == nil {
				args = resumeArgs
			}
			cmd := exec.Command(filepath.Join(binDir, "fit"), args...)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			delay := time.Duration(rng.Int64N(int64(maxDelay)))
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("round %d: fit %v: %v\n%s", round, args, err, stderr.String())
				}
			case <-time.After(delay):
				cmd.Process.Kill()
				if err := <-done; err == nil {
					break // it finished just before the kill
				}
				kills++
				if len(temps(t, dir)) > 0 {
					inWrite++
				}
				continue
			}
			break
		}
		for _, n := range names {
			compareRuns(t, round, snapshot(t, filepath.Join(dir, n)), want[n])
		}
	}
	t.Logf("%d kills, %d of them inside a write (a temporary file was left)", kills, inWrite)
	if inWrite == 0 {
		t.Errorf("no kill landed inside a write: the test no longer exercises what it is for")
	}
}

// snapshot reads every file of a run folder, by path relative to it.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// compareRuns wants the same file names and the same bytes, except the
// lock file's PID.
func compareRuns(t *testing.T, round int, got, want map[string][]byte) {
	t.Helper()
	var extra, missing []string
	for name := range got {
		if _, ok := want[name]; !ok {
			extra = append(extra, name)
		}
	}
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			missing = append(missing, name)
		case name != runs.LockFile && !bytes.Equal(g, w):
			t.Errorf("round %d: %s differs from the uninterrupted run's", round, name)
		}
	}
	slices.Sort(extra)
	slices.Sort(missing)
	if len(extra) > 0 || len(missing) > 0 {
		t.Errorf("round %d: stray files %v, missing files %v", round, extra, missing)
	}
}

// temps lists the temporary files a killed writer left in a run folder.
func temps(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && outfile.IsTemp(d.Name()) {
			out = append(out, path)
		}
		return nil
	})
	return out
}

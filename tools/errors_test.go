package tools_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The exit codes the README promises for every tool.
const (
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// tool runs a built tool in dir and returns its exit code and stderr.
func tool(t *testing.T, dir, name string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, name), args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String()
	}
	t.Fatalf("%s %v: %v", name, args, err)
	return 0, ""
}

// errorFixture is a folder with a table, a short finished run, a corrupt
// table and a spec with a wrongly typed value.
func errorFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, out := tool(t, dir, "moddata", "--p", "11", "--train-fraction", "0.5", "--equals", "-o", "t.parquet"); code != 0 {
		t.Fatal(out)
	}
	if code, out := tool(t, dir, "fit", "t.parquet", "-o", "run", "--steps", "20", "--eval-every", "10",
		"--d-model", "16", "--n-heads", "2", "--d-head", "8", "--d-mlp", "32"); code != 0 {
		t.Fatal(out)
	}
	files := map[string]string{
		"bad.parquet": "PAR1 this is not a table PAR1",
		"bad.toml":    "[moddata]\np = 11\n[fit]\nseed = [1]\nanalyse = \"evalsplit\"\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Every tool fails the same way: one line on stderr, "tool: subject:
// problem" where the subject is the file (or flag) at fault, exit 1 for a
// failed run and 2 for a command line that does not parse, and nothing
// written where the failure was found before the work began.
func TestEveryToolFailsWithOneLine(t *testing.T) {
	dir := errorFixture(t)
	for _, c := range []struct {
		tool   string
		args   []string
		code   int
		line   string // a regexp for the whole line, after "tool: "
		absent string // a file that must not exist afterwards
	}{
		{"moddata", []string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{"moddata", []string{"--p", "11", "--op", "pow", "-o", "x.parquet"}, exitFailed, `--op: unknown operation "pow" .*`, "x.parquet"},
		{"moddata", []string{"--p", "1", "-o", "x.parquet"}, exitFailed, `p = 1 is out of range \[2, 5000\]`, "x.parquet"},
		{"moddata", []string{"--p", "11", "-o", "missing/x.parquet"}, exitFailed, `missing/x.parquet: no such file or directory`, ""},
		{"mutate", []string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{"mutate", []string{"random-uniform", "--fraction", "0.1", "-o", "y.parquet", "none.parquet"}, exitFailed, `none.parquet: no such file or directory`, "y.parquet"},
		{"mutate", []string{"random-uniform", "--fraction", "0.1", "-o", "y.parquet", "bad.parquet"}, exitFailed, `bad.parquet: not a readable Parquet file: .*`, "y.parquet"},
		{"mutate", []string{"random-uniform", "--fraction", "0.1", "-o", "missing/y.parquet", "t.parquet"}, exitFailed, `missing/y.parquet: no such file or directory`, ""},
		{"fit", []string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{"fit", []string{"none.parquet", "-o", "r"}, exitFailed, `none.parquet: no such file or directory`, "r"},
		{"fit", []string{"bad.parquet", "-o", "r"}, exitFailed, `bad.parquet: not a readable Parquet file: .*`, "r"},
		{"fit", []string{"t.parquet", "-o", "r", "--d-model", "0"}, exitFailed, `--d-model must be ≥ 1, got 0`, "r"},
		{"fit", []string{"t.parquet", "-o", "r", "--model", "gromov", "--width", "0"}, exitFailed, `--width must be ≥ 1, got 0`, "r"},
		{"fit", []string{"t.parquet", "-o", "run"}, exitFailed, `run: already a run \(continue it with fit --resume run\)`, ""},
		{"fit", []string{"--resume", "none"}, exitFailed, `none: not a run folder \(no config.json\)`, ""},
		{"fit", []string{"--resume", "run", "--steps", "10"}, exitFailed, `run: --steps 10 is not beyond the run's step 20`, ""},
		{"evalsplit", []string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{"evalsplit", []string{"none"}, exitFailed, `none: not a run folder \(no config.json\)`, ""},
		{"evalsplit", []string{"run", "-o", "missing/x.parquet"}, exitFailed, `missing/x.parquet: no such file or directory`, ""},
		{"evalsplit", []string{"run", "--detect", "--key-freqs", "99", "-o", "d.parquet"}, exitFailed, `run: --key-freqs: key frequency 99 is outside 1…5 \(p = 11\)`, "d.parquet"},
		{"fourier", []string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{"fourier", []string{"none"}, exitFailed, `none: not a run folder \(no config.json\)`, ""},
		{"fourier", []string{"run", "-o", "missing/x.parquet"}, exitFailed, `missing/x.parquet: no such file or directory`, "run/fourier-spectrum.png"},
		{"fourier", []string{"run", "--key-freqs", "0", "-o", "f.parquet"}, exitFailed, `run: --key-freqs: key frequency 0 is outside 1…5 \(p = 11\)`, "f.parquet"},
		{"slurmgen", []string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{"slurmgen", []string{"new", "none.yaml", "-o", "sw"}, exitFailed, `none.yaml: no such file or directory`, "sw"},
		{"slurmgen", []string{"new", "bad.toml", "-o", "sw"}, exitFailed, `bad.toml: .*analyse.*`, "sw"},
		{"slurmgen", []string{"status", "none"}, exitFailed, `none: not a sweep folder .*`, ""},
		{"curves", []string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{"curves", []string{"none", "-o", "c.png"}, exitFailed, `none: not a run folder \(no config.json\)`, "c.png"},
		{"curves", []string{"run", "--metric", "accuracy", "-o", "c.png"}, exitFailed, `--metric "accuracy": want split/metric or split/kind/metric .*`, "c.png"},
		{"curves", []string{"run", "--metric", "test/bogus", "-o", "c.png"}, exitFailed, `--metric: no run has split "test", kind "all", metric "bogus" in its metrics.parquet`, "c.png"},
		{"curves", []string{"run", "-o", "missing/c.png"}, exitFailed, `missing/c.png: no such file or directory`, ""},
		{"curves", []string{"run", "run", "--label", "one", "-o", "c.png"}, exitFailed, `--label: 1 names for 2 runs`, "c.png"},
		{"detectbench", []string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{"detectbench", []string{"--primes", "1", "-o", "bench"}, exitFailed, `--primes: p = 1 is outside 5…97 .*`, "bench"},
	} {
		name := c.tool + " " + strings.Join(c.args, " ")
		code, stderr := tool(t, dir, c.tool, c.args...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != c.code {
			t.Errorf("%s: exit %d, want %d\n%s", name, code, c.code, stderr)
		}
		if len(lines) != 1 {
			t.Errorf("%s: %d lines on stderr, want one:\n%s", name, len(lines), stderr)
		}
		if re := regexp.MustCompile("^" + c.tool + ": " + c.line + "$"); !re.MatchString(lines[len(lines)-1]) {
			t.Errorf("%s: stderr %q does not match %q", name, lines[len(lines)-1], re)
		}
		if c.absent != "" {
			if _, err := os.Stat(filepath.Join(dir, c.absent)); err == nil {
				t.Errorf("%s: wrote %s although it failed", name, c.absent)
			}
		}
	}
}

// SIGINT or SIGTERM ends fit with 130 and one line naming the run and
// how to continue it.
func TestInterruptExitCode(t *testing.T) {
	dir := errorFixture(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		run := "long-" + sig.String()
		cmd := exec.Command(filepath.Join(binDir, "fit"), "t.parquet", "-o", run, "--steps", "1000000", "--eval-every", "100",
			"--d-model", "16", "--n-heads", "2", "--d-head", "8", "--d-mlp", "32")
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if _, err := os.Stat(filepath.Join(dir, run, "metrics.parquet")); err == nil {
				break
			}
		}
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
			t.Errorf("%v: %v, want exit %d\n%s", sig, err, exitInterrupted, stderr.String())
			continue
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		want := "fit: " + run + ": interrupted; checkpoint saved. Continue with: fit --resume " + run
		if last := lines[len(lines)-1]; last != want {
			t.Errorf("%v: last line %q, want %q", sig, last, want)
		}
	}
}

package tools_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// grokstep fails as every tool does (one line, the file or flag at fault,
// nothing written), and on a short run that never grokked writes a table
// saying so.
func TestGrokstepErrorsAndNever(t *testing.T) {
	dir := errorFixture(t) // run: 20 steps at p = 11, far from grokking
	for _, c := range []struct {
		args   []string
		code   int
		line   string
		absent string
	}{
		{[]string{"--bogus"}, exitUsage, `unknown flag --bogus`, ""},
		{[]string{"none", "--table", "g.parquet"}, exitFailed, `none: not a run folder \(no config.json\)`, "g.parquet"},
		{[]string{"run", "run", "--table", "g.parquet"}, exitFailed, `run and run are the same run settings with the same seed 23093: each seed once`, "g.parquet"},
		{[]string{"run", "--within", "1", "--table", "g.parquet"}, exitFailed, `--within/--min-max: within must be in \[0, 1\), got 1`, "g.parquet"},
		{[]string{"run", "--table", "missing/g.parquet"}, exitFailed, `missing/g.parquet: no such file or directory`, ""},
		{[]string{"run", "--figure", "-"}, exitFailed, `-: only --markdown goes to stdout`, ""},
	} {
		code, stderr := tool(t, dir, "grokstep", c.args...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != c.code || len(lines) != 1 || !regexp.MustCompile("^grokstep: "+c.line+"$").MatchString(lines[0]) {
			t.Errorf("grokstep %v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.line)
		}
		if c.absent != "" {
			if _, err := os.Stat(filepath.Join(dir, c.absent)); err == nil {
				t.Errorf("grokstep %v: wrote %s although it failed", c.args, c.absent)
			}
		}
	}
	if code, stderr := tool(t, dir, "grokstep", "run", "--markdown", "g.md", "--choose", "c.tsv"); code != 0 {
		t.Fatal(stderr)
	}
	md, err := os.ReadFile(filepath.Join(dir, "g.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "| (a+b) mod 11 | adamw | 0.001 | 1 | 1 | – | – |"; !strings.Contains(string(md), want) {
		t.Errorf("table:\n%s\nwant the row %s", md, want)
	}
}

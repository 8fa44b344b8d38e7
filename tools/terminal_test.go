package tools_test

import (
	"os/exec"
	"strings"
	"testing"
)

// inTerminal runs a shell command line with stdout on a pseudo-terminal
// (util-linux's script), in dir, and returns what the terminal showed
// and the exit code.
func inTerminal(t *testing.T, dir, line string) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("no script(1) to give the tools a terminal")
	}
	cmd := exec.Command("script", "-q", "-e", "-c", "export PATH="+binDir+":$PATH; "+line, "/dev/null")
	cmd.Dir = dir
	out, err := cmd.Output()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(out), "\r\n", "\n"), code
}

// On a terminal, with no -o, the table-making tools refuse to print binary
// Parquet (with a hint), and the analysis tools print their text table.
func TestNoBinaryOnATerminal(t *testing.T) {
	dir := errorFixture(t)
	for _, c := range []struct {
		line string
		code int
		want string // on the terminal
	}{
		{"moddata --p 11", 1, "moddata: -o -: stdout is a terminal and the table is binary Parquet: give -o FILE.parquet"},
		{"mutate random-uniform --fraction 0.1 t.parquet", 1, "mutate: -o -: stdout is a terminal and the table is binary Parquet: give -o FILE.parquet"},
		{"moddata --p 11 | mutate random-uniform --fraction 0.1 | evalsplit run --table -", 0, "split"},
		{"evalsplit run", 0, "split"},
		{"fourier run", 0, "key"},
		{"evalsplit run --format parquet | head -c 4", 0, "PAR1"},
	} {
		out, code := inTerminal(t, dir, c.line)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("%s: exit %d, want %d; terminal showed:\n%s\nwant it to contain %q", c.line, code, c.code, out, c.want)
		}
		if c.code == 0 && strings.Contains(out, "PAR1") != (c.want == "PAR1") {
			t.Errorf("%s: Parquet bytes on the terminal:\n%q", c.line, out)
		}
	}
}

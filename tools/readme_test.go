package tools_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/grokkit/grokkit/pkg/kernels"
)

// update rewrites the README's marked blocks from the recipes (make docs).
var update = flag.Bool("update", false, "rewrite the README's marked blocks from the recipes they report")

const readme = "../README.md"

// readmeKernels is the kernel family the README's measured numbers are
// computed with: the default (portable) one.
const readmeKernels = kernels.AVX2

// block finds the text between "<!-- docs:NAME -->" and "<!-- /docs:NAME -->".
func block(text, name string) (start, end int, ok bool) {
	open, close := "<!-- docs:"+name+" -->\n", "<!-- /docs:"+name+" -->"
	i := strings.Index(text, open)
	j := strings.Index(text, close)
	if i < 0 || j < i {
		return 0, 0, false
	}
	return i + len(open), j, true
}

// The README's measured figures are the output of the deterministic
// recipes they describe: the quickstart's memorisation and grokking steps
// and where it stops (scripts/quickstart.sh), and the rule-syntax error
// example. make docs (-update) rewrites the blocks, and also the
// quickstart's wall time, which is measured, not checked.
func TestReadmeBlocks(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	if testing.Short() {
		t.Skip("trains the quickstart (about a minute)")
	}
	// The README's numbers are the portable family's (avx2), whatever the
	// family this suite runs under (make test-native).
	if !kernels.Has(readmeKernels) {
		t.Skipf("the README's numbers are computed with %s kernels, which this CPU lacks", readmeKernels)
	}
	dir := t.TempDir()
	began := time.Now()
	out := runScript(t, "quickstart.sh", []string{kernels.EnvVar + "=" + string(readmeKernels)}, dir)
	took := time.Since(began)
	m := regexp.MustCompile(`fit: accuracy ≥ 99%: train at step (\d+), test at step (\d+)`).FindStringSubmatch(out)
	stop := regexp.MustCompile(`fit: step (\d+): `).FindStringSubmatch(out)
	if m == nil || stop == nil {
		t.Fatalf("the quickstart did not memorise and grok:\n%s", out)
	}
	want := map[string]string{
		"quickstart": fmt.Sprintf("On this recipe's seed it memorises by step %s, reaches 99%% test accuracy at\nstep %s and stops at step %s, after 5 evaluations in a row at ≥ 99%%\n(%s kernels, the default: the same steps on every x86-64 CPU).\n",
			m[1], m[2], stop[1], readmeKernels),
	}

	if code, out := tool(t, dir, "moddata", "--p", "31", "-o", "clean.parquet"); code != 0 {
		t.Fatal(out)
	}
	cmd := exec.Command(filepath.Join(binDir, "mutate"), "rule", "--when", "b % 17 =", "--then", "b", "clean.parquet")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if cmd.Run() == nil {
		t.Fatal("mutate accepted a syntax error")
	}
	want["mutate-error"] = "```\n$ mutate rule --when 'b % 17 =' --then b clean.parquet\n" + stderr.String() + "```\n"

	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if *update {
		want["quickstart-time"] = fmt.Sprintf("The whole recipe took %.0f s here (`make docs`, %s).\n", took.Seconds(), time.Now().Format("2006-01-02"))
	}
	for name, w := range want {
		start, end, ok := block(text, name)
		if !ok {
			t.Errorf("README.md has no <!-- docs:%s --> block", name)
			continue
		}
		if got := text[start:end]; got != w {
			if *update {
				text = text[:start] + w + text[end:]
				continue
			}
			t.Errorf("README.md's %s block is stale (make docs rewrites it):\n%s\nthe recipe gives:\n%s", name, got, w)
		}
	}
	if *update {
		if err := os.WriteFile(readme, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Every ```sh block of the README but those that run make (the first
// lines' commands, run by CI itself) works when pasted into a clean shell in
// an empty folder, with the tools on PATH as `make install` or the README's
// export line puts them.
func TestReadmePipelines(t *testing.T) {
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	ran := 0
	for _, b := range blocks {
		script := b[1]
		if regexp.MustCompile(`(?m)^\s*make\b`).MatchString(script) {
			continue
		}
		ran++
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Dir = t.TempDir()
		cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("README block failed: %v\n%s\noutput:\n%s", err, script, out)
		}
	}
	if ran == 0 {
		t.Fatal("no runnable ```sh block in the README")
	}
}

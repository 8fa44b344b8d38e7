package tools_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grokkit/grokkit/pkg/kernels"
)

// update rewrites the marked blocks and figures of the README and docs/
// from the recipes they report (make docs).
var update = flag.Bool("update", false, "rewrite the README's and docs/' marked blocks and figures from the recipes they report")

// only limits -update to some blocks (make docs DOCS_ONLY=a,b): a fix to
// one example without rerunning the costly ones.
var only = flag.String("docs-only", "", "with -update, rewrite only these marked blocks (comma-separated names), and no figure")

const readme = "../README.md"

// readmeKernels is the kernel family the docs' measured numbers are
// computed with: the default (portable) one, the same on every x86-64 CPU
// with AVX2.
const readmeKernels = kernels.AVX2

// clone is where a reader's clone is, in the outputs the docs show: the
// recipes run in a temporary folder, whose path is replaced by this one.
const clone = "/home/me/grokkit"

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

// docsWork is the folder the recipes run in, as a reader's clone: the
// quickstart's run in out/quickstart, commands run from its root with the
// tools on PATH and the docs' kernel family.
type docsWork struct {
	t       *testing.T
	dir     string
	env     []string
	qsOut   string        // scripts/quickstart.sh's output
	qsTook  time.Duration // its wall time
	skipped []string      // blocks this machine cannot make (no Python, no AVX-512)
}

// sh runs a bash command line in the work folder: stdout and stderr as a
// terminal shows them (stderr first where both, as they are written at
// different times; no block here mixes them), and whether it succeeded.
func (w *docsWork) sh(line string) (string, bool) {
	w.t.Helper()
	cmd := exec.Command("bash", "-o", "pipefail", "-c", line)
	cmd.Dir, cmd.Env = w.dir, w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		w.t.Fatalf("%s: %v", line, err)
	}
	return out.String(), err == nil
}

// session runs commands in order and shows each as "$ command" and its
// output, in a fenced block. A command must succeed, except the last when
// fails is set, which must fail. cut, where given, trims a command's
// output (by its index) to what the docs show.
func (w *docsWork) session(fails bool, cut map[int]func(string) string, cmds ...string) string {
	w.t.Helper()
	var b strings.Builder
	b.WriteString("```\n")
	for i, c := range cmds {
		out, ok := w.sh(c)
		last := i == len(cmds)-1
		if ok == (fails && last) {
			w.t.Fatalf("%s: succeeded %v, want %v:\n%s", c, ok, !(fails && last), out)
		}
		if f := cut[i]; f != nil {
			out = f(out)
		}
		b.WriteString("$ " + c + "\n" + w.anonymous(out))
	}
	b.WriteString("```\n")
	return b.String()
}

// anonymous replaces the work folder, the repository and the test's
// binaries by the reader's clone.
func (w *docsWork) anonymous(s string) string {
	repo, _ := filepath.Abs("..")
	s = strings.ReplaceAll(s, binDir, clone+"/bin")
	s = strings.ReplaceAll(s, w.dir, clone)
	return strings.ReplaceAll(s, repo, clone)
}

// docBlock is a marked block of the README or docs/ and the recipe that
// makes it. A costly recipe (minutes) runs only under make docs; the suite
// checks its block's shape against a small run instead.
type docBlock struct {
	name   string
	costly bool
	gen    func(w *docsWork) string // "" where this machine cannot make it
	shape  func(w *docsWork, got string)
}

// docFigure is a figure of docs/ that a recipe draws; the suite checks it
// byte for byte unless it is costly.
type docFigure struct {
	dst    string // under docs/
	src    string // in the work folder
	costly bool
}

// The README's and docs/' measured outputs are those of the deterministic
// recipes they describe, computed under readmeKernels: the quickstart (its
// steps, evalsplit, fourier, Python), every tool's example, and the
// example sweep (costly). make docs (-update) rewrites them, with the
// quickstart's wall time and the sweep's results, which are not checked.
func TestReadmeBlocks(t *testing.T) {
	t.Parallel() // trains: overlaps the other slow tests on the second core
	if testing.Short() {
		t.Skip("trains the quickstart and the examples (about a minute)")
	}
	if !kernels.Has(readmeKernels) {
		t.Skipf("the docs' numbers are computed with %s kernels, which this CPU lacks", readmeKernels)
	}
	w := &docsWork{t: t, dir: t.TempDir()}
	sep := string(os.PathListSeparator)
	w.env = append(os.Environ(), "PATH="+filepath.Join(w.dir, ".python")+sep+binDir+sep+os.Getenv("PATH"),
		kernels.EnvVar+"="+string(readmeKernels), "PYTHONDONTWRITEBYTECODE=1")
	// The clone's scripts and the TransformerLens stand-in, as the docs'
	// Python examples name them.
	repo, _ := filepath.Abs("..")
	for _, p := range []string{"scripts", "tools/testdata/tlens", "sweeps"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(w.dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if p == "sweeps" {
			if err := os.MkdirAll(filepath.Join(w.dir, p), 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.Symlink(filepath.Join(repo, p), filepath.Join(w.dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	spec, err := os.ReadFile("../sweeps/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, "sweeps", "example.yaml"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	script, _ := filepath.Abs("../scripts/quickstart.sh")
	began := time.Now()
	out, ok := w.sh("BIN=" + binDir + " " + script + " out/quickstart 2>&1")
	w.qsTook = time.Since(began)
	if !ok {
		t.Fatalf("the quickstart failed:\n%s", out)
	}
	w.qsOut = out

	files := docFiles(t)
	changed := map[string]bool{}
	selected := func(name string) bool {
		return *only == "" || slices.Contains(strings.Split(*only, ","), name)
	}
	for _, b := range docBlocks {
		if !selected(b.name) {
			continue
		}
		var path string
		var start, end int
		for p, text := range files {
			if s, e, ok := block(text, b.name); ok {
				path, start, end = p, s, e
			}
		}
		if path == "" {
			t.Errorf("no <!-- docs:%s --> block in README.md or docs/", b.name)
			continue
		}
		got := files[path][start:end]
		if b.costly && !*update {
			if b.shape != nil {
				b.shape(w, got)
			}
			continue
		}
		want := b.gen(w)
		if want == "" {
			w.skipped = append(w.skipped, b.name)
			continue
		}
		if got == want {
			continue
		}
		if *update {
			files[path] = files[path][:start] + want + files[path][end:]
			changed[path] = true
			continue
		}
		t.Errorf("%s's %s block is stale (make docs rewrites it):\n%s\nthe recipe gives:\n%s", path, b.name, got, want)
	}
	for _, f := range docFigures {
		if f.costly && !*update || *only != "" {
			continue
		}
		fresh, err := os.ReadFile(filepath.Join(w.dir, f.src))
		if err != nil {
			t.Error(err)
			continue
		}
		dst := filepath.Join("..", "docs", f.dst)
		old, _ := os.ReadFile(dst)
		switch {
		case bytes.Equal(old, fresh):
		case *update:
			if err := os.WriteFile(dst, fresh, 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			t.Errorf("docs/%s is stale: the recipe draws other bytes in %s (make docs copies it)", f.dst, f.src)
		}
	}
	for path := range changed {
		if err := os.WriteFile(filepath.Join("..", path), []byte(files[path]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(w.skipped) > 0 {
		t.Logf("not made on this machine (kept as they are): %s", strings.Join(w.skipped, ", "))
	}
}

// Every ```sh block of the README and docs/ but those that run make (the
// first lines' commands, run by CI itself) works when pasted into a clean
// shell in an empty folder, with the tools on PATH as `make install` or
// the README's export line puts them.
func TestReadmePipelines(t *testing.T) {
	ran := 0
	for path, text := range docFiles(t) {
		for _, f := range fences(text) {
			if f.info != "sh" || regexp.MustCompile(`(?m)(^|[\s;&|])make\s`).MatchString(f.body) {
				continue
			}
			ran++
			cmd := exec.Command("bash", "-euo", "pipefail", "-c", f.body)
			cmd.Dir = t.TempDir()
			cmd.Env = append(os.Environ(), "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s:%d: the block failed: %v\n%s\noutput:\n%s", path, f.line, err, f.body, out)
			}
		}
	}
	if ran == 0 {
		t.Fatal("no runnable ```sh block in the docs")
	}
	t.Logf("%d sh blocks run", ran)
}

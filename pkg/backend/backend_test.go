package backend

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/installer"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/grokkit/grokkit/pkg/kernels"
)

func TestDefaultIsPureGoUnbounded(t *testing.T) {
	t.Setenv(EnvVar, "")
	if got := Config(); got != "" {
		t.Fatalf("Config() = %q with %s empty", got, EnvVar)
	}
	// Nothing may be printed on stdout (tools write data there).
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	b, desc, err := New()
	os.Stdout = stdout
	w.Close()
	printed, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(printed) > 0 {
		t.Errorf("New printed %q on stdout", printed)
	}
	if !IsGo(b) {
		t.Fatalf("default backend is %q, want the pure-Go backend", b.Name())
	}
	if f, _ := kernels.Active(); desc != "go (pure Go, "+string(f)+" kernels, parallelism=unbounded)" {
		t.Errorf("description %q", desc)
	}
	if !strings.Contains(b.Description(), "parallelism=-1") {
		t.Errorf("backend says %q, want parallelism=-1", b.Description())
	}
	t.Log(desc)
}

func TestGoMLXDefaultIsPureGoToo(t *testing.T) {
	t.Setenv(EnvVar, "") // restored after the test
	os.Unsetenv(EnvVar)
	if compute.DefaultConfig != FallbackGoConfig {
		t.Fatalf("compute.DefaultConfig = %q, want %q", compute.DefaultConfig, FallbackGoConfig)
	}
	b, err := compute.New()
	if err != nil {
		t.Fatal(err)
	}
	if !IsGo(b) {
		t.Fatalf("compute.New() without %s gave %q", EnvVar, b.Name())
	}
}

func TestRespectsEnvironment(t *testing.T) {
	t.Setenv(EnvVar, "go:ops_parallel")
	b, desc, err := New()
	if err != nil {
		t.Fatal(err)
	}
	f, _ := kernels.Active()
	if !IsGo(b) || !strings.HasPrefix(desc, "go (pure Go, "+string(f)+" kernels, ops_parallel, parallelism=") {
		t.Fatalf("GOMLX_BACKEND=go:ops_parallel gave %q", desc)
	}
}

func TestUnknownBackendIsAnError(t *testing.T) {
	t.Setenv(EnvVar, "nosuchbackend")
	if _, _, err := New(); err == nil {
		t.Fatal("no error for an unknown backend")
	} else {
		t.Log(err)
	}
	t.Setenv(EnvVar, "go:nosuchoption")
	if _, _, err := New(); err == nil {
		t.Fatal("no error for an unknown option")
	}
}

// TestXLANeverDownloads: asking for XLA on a machine without a PJRT plugin
// fails at once and leaves nothing behind. go-xla decides where to look and
// whether to auto-install when the process starts (GOMLX_NO_AUTO_INSTALL and
// PJRT_PLUGIN_LIBRARY_PATH are read in init), so the check runs in a fresh
// copy of this test binary whose every place to write (HOME, the XDG
// folders, TMPDIR, the plugin path) is an empty folder, with the
// opt-out variable removed so only our own code can prevent the download,
// and a dead proxy so that a regression cannot reach the network.
func TestXLANeverDownloads(t *testing.T) {
	if !XLALinked {
		t.Skip("XLA backend not linked into this build (noxla or no cgo)")
	}
	if mode := os.Getenv(childEnv); mode != "" {
		xlaChild(mode)
		return
	}
	// Control: go-xla's own CPU installer, run in the same sandbox, must
	// leave a trace there (it makes its folder and lock before fetching),
	// or an empty sandbox would prove nothing.
	if out, dirs := runXLAChild(t, "install"); len(walkAll(t, dirs)) == 0 {
		t.Fatalf("go-xla's installer left no trace in %v (child said %q): this check cannot see a download", dirs, out)
	}
	start := time.Now()
	out, dirs := runXLAChild(t, "new")
	t.Logf("%s (after %s)", out, time.Since(start))
	if !strings.HasPrefix(out, "error: ") {
		t.Errorf("xla:cpu with an empty plugin path did not fail: %q", out)
	}
	if files := walkAll(t, dirs); len(files) > 0 {
		t.Fatalf("asking for xla:cpu wrote %v: an auto-install was attempted", files)
	}
}

// childEnv selects what the child copy of TestXLANeverDownloads does.
const childEnv = "GROKKIT_TEST_XLA_CHILD"

// xlaChild is the child's side: "new" asks for the backend the way every
// tool does; "install" runs go-xla's CPU auto-installer (the control).
func xlaChild(mode string) {
	switch mode {
	case "new":
		if _, desc, err := New(); err != nil {
			fmt.Printf("error: %v\n", err)
		} else {
			fmt.Printf("ok: %s\n", desc)
		}
	case "install":
		lib, err := installer.DefaultHomeLibPath()
		if err == nil {
			err = installer.CPUAutoInstall(filepath.Join(lib, "go-xla"), true, installer.Quiet)
		}
		fmt.Printf("installer: %v\n", err)
	}
}

// runXLAChild runs this test alone in a child process with GOMLX_BACKEND=xla:cpu
// and fresh empty folders as every place it could write; it returns the
// child's report and the folders.
func runXLAChild(t *testing.T, mode string) (string, map[string]string) {
	t.Helper()
	dirs := map[string]string{}
	for _, v := range []string{"HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "TMPDIR", "PJRT_PLUGIN_LIBRARY_PATH"} {
		dirs[v] = t.TempDir()
	}
	env := []string{childEnv + "=" + mode, EnvVar + "=xla:cpu",
		"HTTPS_PROXY=http://127.0.0.1:1", "HTTP_PROXY=http://127.0.0.1:1", "NO_PROXY=", "GH_TOKEN="}
	for v, d := range dirs {
		env = append(env, v+"="+d)
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "GOMLX_NO_AUTO_INSTALL", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY", "GH_TOKEN", EnvVar, childEnv:
			continue // ours, or an opt-out that would hide a regression
		}
		if _, ours := dirs[name]; !ours {
			env = append(env, kv)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestXLANeverDownloads$", "-test.count=1")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child (%s): %v\n%s", mode, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "error: ") || strings.HasPrefix(line, "ok: ") || strings.HasPrefix(line, "installer: ") {
			return line, dirs
		}
	}
	t.Fatalf("child (%s) reported nothing:\n%s", mode, out)
	return "", nil
}

// walkAll lists everything inside the folders, as VAR/relative/path.
func walkAll(t *testing.T, dirs map[string]string) []string {
	t.Helper()
	var found []string
	for v, d := range dirs {
		err := filepath.WalkDir(d, func(path string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != d {
				rel, _ := filepath.Rel(d, path)
				found = append(found, v+"/"+rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(found)
	return found
}

// TestNoDeadlockWithParallelMatmuls: a graph with many independent matmuls,
// the shape of graph that deadlocks the Go backend's worker pool in its
// default configuration (GOMLX_BACKEND=go on 2 CPUs hangs here), must finish.
func TestNoDeadlockWithParallelMatmuls(t *testing.T) {
	b, desc, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const n, size = 16, 256
	x := make([]float32, n*size*size)
	for i := range x {
		x[i] = float32(i%17) / 17
	}
	xt := tensors.FromFlatDataAndDimensions(x, n, size, size)
	e, err := NewExec(b, func(x *Node) *Node {
		var sum *Node
		for i := range n {
			xi := Squeeze(SliceAxis(x, 0, AxisElem(i)), 0) // [size, size]
			y := Dot(xi, Transpose(xi, 0, 1)).Product()    // [size, size]: independent of the others
			if sum == nil {
				sum = y
			} else {
				sum = Add(sum, y)
			}
		}
		return ReduceAllSum(sum)
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for range 5 {
			if _, err := e.Call(xt); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: 5 runs of %d parallel matmuls did not finish in 60 s: deadlock", desc, n)
	}
}

package backend

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
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
	if !strings.HasPrefix(desc, "go (pure Go, parallelism=unbounded, GOMAXPROCS=") {
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
	if !IsGo(b) || !strings.HasPrefix(desc, "go (pure Go, ops_parallel, parallelism=") {
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
// fails at once, and nothing is installed under $HOME.
func TestXLANeverDownloads(t *testing.T) {
	if !XLALinked {
		t.Skip("XLA backend not linked into this build (noxla or no cgo)")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	t.Setenv(EnvVar, "xla:cpu")
	start := time.Now()
	b, _, err := New()
	if err == nil {
		t.Skipf("an XLA CPU plugin is installed here (%s): nothing to check", b.Description())
	}
	t.Logf("%v (after %s)", err, time.Since(start))
	if _, statErr := os.Stat(filepath.Join(home, ".local", "lib", "go-xla")); statErr == nil {
		t.Fatal("go-xla install directory was created: an auto-install was attempted")
	}
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

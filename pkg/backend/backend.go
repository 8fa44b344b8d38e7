// Package backend chooses the GoMLX compute backend for every grokkit tool.
//
// The rule is simple:
//
//   - GOMLX_BACKEND unset or empty: the pure-Go backend with an unbounded
//     worker pool (see [DefaultGoConfig] for why, and not GoMLX's own default).
//   - GOMLX_BACKEND set: it is used verbatim (e.g. "go:ops_sequential",
//     "xla:cuda", "xla:/abs/path/pjrt_c_api_cuda_plugin.so"). Note that
//     GOMLX_BACKEND=go means GoMLX's own Go-backend defaults, which can
//     deadlock on 2 CPUs; leave the variable unset to get the safe default.
//
// GoMLX itself, with no GOMLX_BACKEND, would pick "xla" and try to download a
// PJRT CPU plugin from the internet; this package never lets that happen: the
// download ("auto-install") of XLA plugins is switched off when the XLA backend
// is linked in (see xla.go), and GoMLX's own fallback [compute.DefaultConfig] is
// pointed at the pure-Go backend too, so a stray compute.New() elsewhere is safe.
//
// The pure-Go backend computes with the kernel family of package kernels
// (GROKKIT_KERNELS; avx2 on every x86-64 CPU by default), named in the
// description. It is always linked in (blank import below). The XLA backend
// needs cgo; it is linked in unless the binary is built with `-tags noxla` (or
// with CGO_ENABLED=0), which gives a static, pure-Go binary.
package backend

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/gomlx/compute"

	// Registers the pure-Go backend as "go".
	_ "github.com/gomlx/compute/gobackend"

	"github.com/grokkit/grokkit/pkg/kernels"
)

// EnvVar is the environment variable that selects a backend ("GOMLX_BACKEND").
const EnvVar = compute.ConfigEnvVar

// The default pure-Go backend: GoMLX's "go" backend with its worker pool
// made unbounded (parallelism -1), chosen deliberately after reading
// github.com/gomlx/compute@v0.1.3 (internal/gobackend/{gobackend.go,
// executable.go,workerspool/workerspool.go}) and measuring:
//
//   - The Go backend has one worker pool, bounded by "parallelism" (default
//     2×GOMAXPROCS = 4 on 2 CPUs). In its default "dynamic" mode a lone
//     execution runs independent graph nodes in parallel: every ready node
//     takes a pool slot (Pool.WaitToStart) and a matmul inside it asks the
//     same pool for more slots (Pool.Saturate). Nested use of one bounded pool
//     deadlocks as soon as every slot is held by a node waiting for a slot —
//     the hang seen after the first training step of the transformer on 2
//     CPUs (workers parked in Saturate, the main goroutine in WaitToStart).
//     Larger bounds ("go:parallelism=8", "=16") only make it rarer.
//     TestNoDeadlockWithParallelMatmuls hangs with GOMLX_BACKEND=go.
//   - Unbounded (-1): WaitToStart starts every ready node at once (no slot
//     accounting) and a matmul fans out to GOMAXPROCS workers, so nothing ever
//     waits for a slot; the only waiters on the pool's condition variable are
//     matmuls waiting for their own workers, and each worker's exit signals
//     (a wake-up taken by another, unfinished matmul is lost, but the last
//     worker to exit always wakes a finished matmul, which passes it on).
//     No deadlock, and independent nodes still run in parallel, which on 2
//     cores made a training step of the transformer (p = 113) ~1.5× faster
//     than "go:ops_sequential" (≈300 vs ≈460 ms; see pkg/model benchmarks).
//   - "go:ops_sequential" (one node at a time, the matmul alone uses the
//     pool) is the safe fallback: also deadlock-free, but slower.
//   - The unbounded setting is applied through the backend's exported
//     Workers field rather than the "parallelism=-1" option, because the Go
//     backend prints "Go backend: parallelism set to …" on stdout when given
//     that option, which would corrupt tools that write data to stdout. If a
//     future GoMLX moves that field, New falls back to [FallbackGoConfig].
//
// Results are deterministic either way: every op has a fixed summation order
// (a matmul output tile is computed by one worker), whatever the node order.
const (
	// DefaultGoConfig is the configuration string of the default backend,
	// before the worker pool is made unbounded.
	DefaultGoConfig = "go"
	// FallbackGoConfig is used if the pool cannot be made unbounded.
	FallbackGoConfig = "go:ops_sequential"
)

func init() {
	// GoMLX's own default is "xla" (which would try to download a plugin). Make any
	// direct compute.New() in this program fall back to a safe pure-Go backend.
	compute.DefaultConfig = FallbackGoConfig
}

// Config returns $GOMLX_BACKEND if it is set and not empty, else "" (the
// default pure-Go backend).
func Config() string {
	return strings.TrimSpace(os.Getenv(EnvVar))
}

// New creates the backend selected by $GOMLX_BACKEND, or the default pure-Go
// backend when it is unset, and returns it with a one-line description, e.g.
// "go (pure Go, avx2 kernels, parallelism=unbounded)" or "xla:cuda (…)", meant
// for config.json and the first line of stderr. It holds nothing that
// differs between machines computing the same bytes (no core count).
func New() (compute.Backend, string, error) {
	if c := Config(); c != "" {
		return NewWithConfig(c)
	}
	return NewDefault()
}

// NewDefault creates the default pure-Go backend (see [DefaultGoConfig]).
func NewDefault() (compute.Backend, string, error) {
	b, _, err := NewWithConfig(DefaultGoConfig)
	if err != nil {
		return nil, "", err
	}
	if setUnboundedParallelism(b) {
		f, _ := kernels.Active() // NewWithConfig refused an error
		return b, fmt.Sprintf("go (pure Go, %s kernels, parallelism=unbounded)", f), nil
	}
	b.Finalize()
	return NewWithConfig(FallbackGoConfig)
}

// setUnboundedParallelism sets the Go backend's worker pool to unbounded
// (Workers.SetMaxParallelism(-1)) and reports whether it could.
func setUnboundedParallelism(b compute.Backend) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v := reflect.ValueOf(b)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return false
	}
	workers := v.Elem().FieldByName("Workers")
	if !workers.IsValid() || workers.Kind() != reflect.Pointer || workers.IsNil() {
		return false
	}
	set := workers.MethodByName("SetMaxParallelism")
	if !set.IsValid() || set.Type().NumIn() != 1 || set.Type().In(0).Kind() != reflect.Int {
		return false
	}
	set.Call([]reflect.Value{reflect.ValueOf(-1)})
	return strings.Contains(b.Description(), "parallelism=-1")
}

// NewWithConfig creates a backend from an explicit configuration string
// ("<name>[:<options>]", the format of GOMLX_BACKEND). GoMLX panics on some
// errors (e.g. an unknown backend name); those are returned as errors.
func NewWithConfig(config string) (b compute.Backend, desc string, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, desc, err = nil, "", fmt.Errorf("backend %q: %v", config, r)
		}
	}()
	if name, _, _ := strings.Cut(config, ":"); name == "go" {
		if _, err := kernels.Active(); err != nil {
			return nil, "", err
		}
	}
	b, err = compute.NewWithConfig(config)
	if err != nil {
		hint := ""
		if strings.HasPrefix(config, "xla") {
			hint = "; where python3 has JAX's CUDA plugin: export GOMLX_BACKEND=xla:$(scripts/cuda-plugin.sh)"
		}
		return nil, "", fmt.Errorf("backend %q: %w (available: %s)%s", config, err, strings.Join(Available(), ", "), hint)
	}
	return b, Describe(b, config), nil
}

// Describe returns a one-line description of a backend created from config.
func Describe(b compute.Backend, config string) string {
	name, opts, _ := strings.Cut(config, ":")
	if name == "go" {
		f, _ := kernels.Active()
		parts := []string{"pure Go", string(f) + " kernels"}
		if opts != "" {
			parts = append(parts, opts)
		}
		// The Go backend's Description is "Go Portable Compute Backend (parallelism=N)".
		d := b.Description()
		if i := strings.Index(d, "parallelism="); i >= 0 && !strings.Contains(opts, "parallelism=") {
			parts = append(parts, strings.TrimSuffix(d[i:], ")"))
		}
		return fmt.Sprintf("go (%s)", strings.Join(parts, ", "))
	}
	return fmt.Sprintf("%s (%s)", config, b.Description())
}

// Available lists the backends linked into this binary (e.g. "go", "xla").
func Available() []string {
	l := compute.List()
	slices.Sort(l)
	return l
}

// Arithmetic is what the float arithmetic of b depends on, recorded in
// config.json: for the pure-Go backend its kernel family and the build's
// architecture; for another backend, its name in place of the family.
func Arithmetic(b compute.Backend) kernels.Arithmetic {
	if IsGo(b) {
		f, _ := kernels.Active()
		return kernels.Here(f)
	}
	return kernels.Here(kernels.Family(b.Name()))
}

// IsGo reports whether b is GoMLX's pure-Go backend.
func IsGo(b compute.Backend) bool { return b != nil && b.String() == "go" }

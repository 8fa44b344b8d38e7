package kernels_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/kernels"
)

// childVar makes this test binary print fingerprint() and exit.
const childVar = "GROKKIT_KERNELS_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childVar) != "" {
		f, err := kernels.Active()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(0)
		}
		fmt.Println(f, fingerprint())
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// fingerprint hashes the bits of two float32 products through the default
// backend: [16×64]·[64×16] (the small kernels, where avx512 and avx2 sum in
// different orders) and [64×300]·[300×64] (the packed large kernels, where
// nosimd differs from both), so each family gives its own hash.
func fingerprint() string {
	b, _, err := backend.New()
	if err != nil {
		return "error: " + err.Error()
	}
	h := sha256.New()
	s := uint32(1)
	next := func() float32 { s = s*1664525 + 1013904223; return float32(int32(s>>8)-1<<23) / (1 << 23) }
	for _, sh := range [][3]int{{16, 64, 16}, {64, 300, 64}} {
		x, w := make([]float32, sh[0]*sh[1]), make([]float32, sh[1]*sh[2])
		for i := range x {
			x[i] = next()
		}
		for i := range w {
			w[i] = next()
		}
		out := MustExecOnce(b, func(x, w *Node) *Node { return MatMul(x, w) },
			tensors.FromFlatDataAndDimensions(x, sh[0], sh[1]), tensors.FromFlatDataAndDimensions(w, sh[1], sh[2]))
		for _, v := range tensors.MustCopyFlatData[float32](out) {
			binary.Write(h, binary.LittleEndian, math.Float32bits(v))
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// child runs this test binary in a fresh process with env (and nothing of
// ours or GoMLX's inherited) and returns "FAMILY HASH" or "error: …".
func child(t *testing.T, env ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOMLX_") && !strings.HasPrefix(kv, kernels.EnvVar+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, append(env, childVar+"=1")...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v", env, err)
	}
	return strings.TrimSpace(string(out))
}

// byHand sets GoMLX's own switches before the process starts, so GoMLX
// computes with family f whatever our initialiser does.
var byHand = map[kernels.Family][]string{
	kernels.AVX512: {"GOMLX_SIMD_AVX512=1"},
	kernels.AVX2:   {"GOMLX_SIMD_AVX512=0"},
	kernels.NoSIMD: {"GOMLX_SIMD_AVX512=0", "GOMLX_SIMD_AVX2=0"},
}

// TestPinTakesEffect: GROKKIT_KERNELS=f computes exactly what GoMLX computes
// with its own switches set for f before start-up, every family available
// here gives other bytes (so a pin that came too late could not pass), and
// the default is avx2 wherever the CPU has it.
func TestPinTakesEffect(t *testing.T) {
	avail := kernels.Available()
	if len(avail) < 2 {
		t.Logf("only %v here: the families cannot be told apart on this machine", avail)
	}
	seen := map[string]kernels.Family{}
	for _, f := range avail {
		pinned := child(t, kernels.EnvVar+"="+string(f))
		hand := child(t, byHand[f]...)
		if pinned != string(f)+" "+strings.Fields(hand)[1] || hand != pinned {
			t.Errorf("%s=%s gives %q; GoMLX's own switches for %s give %q", kernels.EnvVar, f, pinned, f, hand)
		}
		hash := strings.Fields(pinned)[1]
		if g, ok := seen[hash]; ok {
			t.Errorf("%s and %s give the same bytes (%s): the fingerprint cannot tell them apart", g, f, hash)
		}
		seen[hash] = f
	}
	want := kernels.NoSIMD
	if slices.Contains(avail, kernels.AVX2) {
		want = kernels.AVX2
	}
	if got, pinned := child(t), child(t, kernels.EnvVar+"="+string(want)); got != pinned {
		t.Errorf("the default computes %q, %s computes %q", got, want, pinned)
	}
	if got, best := child(t, kernels.EnvVar+"=native"), child(t, kernels.EnvVar+"="+string(avail[0])); got != best {
		t.Errorf("native computes %q, %s (the fastest here) %q", got, avail[0], best)
	}
	t.Logf("families here: %v; fingerprints %v", avail, seen)
}

// TestSettingsRefused: a family the machine lacks, or a misspelling, is an
// error naming the setting when a backend is made, not a silent fallback.
func TestSettingsRefused(t *testing.T) {
	if got := child(t, kernels.EnvVar+"=avx3"); !strings.HasPrefix(got, `error: GROKKIT_KERNELS=avx3: kernels "avx3": want one of portable, native, avx512, avx2, nosimd`) {
		t.Errorf("a misspelt family gives %q", got)
	}
	for _, f := range []kernels.Family{kernels.AVX512, kernels.AVX2} {
		if kernels.Has(f) {
			continue
		}
		got := child(t, kernels.EnvVar+"="+string(f))
		if !strings.HasPrefix(got, "error: GROKKIT_KERNELS="+string(f)+": kernels "+string(f)+": not available on this machine") {
			t.Errorf("%s on a machine without it gives %q", f, got)
		}
	}
}

func TestResolve(t *testing.T) {
	avail := kernels.Available()
	if avail[len(avail)-1] != kernels.NoSIMD {
		t.Errorf("Available() = %v: nosimd is always there, last", avail)
	}
	if runtime.GOARCH != "amd64" && !slices.Equal(avail, []kernels.Family{kernels.NoSIMD}) {
		t.Errorf("%s: Available() = %v, want only nosimd (GoMLX's AVX kernels are amd64 only)", runtime.GOARCH, avail)
	}
	for _, s := range []string{"", "portable", "PORTABLE", " portable "} {
		f, err := kernels.Resolve(s)
		if err != nil || (f != kernels.AVX2 && f != kernels.NoSIMD) || (f == kernels.NoSIMD && kernels.Has(kernels.AVX2)) {
			t.Errorf("Resolve(%q) = %v, %v", s, f, err)
		}
	}
	if f, _ := kernels.Resolve("native"); f != avail[0] {
		t.Errorf("Resolve(native) = %v, want %v", f, avail[0])
	}
	if _, err := kernels.Resolve("sse"); err == nil {
		t.Error("Resolve(sse) gave no error")
	}
}

func TestArithmeticString(t *testing.T) {
	for _, c := range []struct {
		a    kernels.Arithmetic
		want string
	}{
		{kernels.Arithmetic{Kernels: kernels.AVX2, GOARCH: "amd64", GOAMD64: "v1"}, "avx2 kernels on amd64"},
		{kernels.Arithmetic{Kernels: kernels.AVX512, GOARCH: "amd64", GOAMD64: "v3"}, "avx512 kernels on amd64/v3"},
		{kernels.Arithmetic{Kernels: kernels.NoSIMD, GOARCH: "arm64"}, "nosimd kernels on arm64"},
	} {
		if got := c.a.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.a, got, c.want)
		}
	}
}

// Package kernels pins the kernel family of GoMLX's pure-Go backend, so that
// a run's bytes do not depend on which x86-64 CPU computed it.
//
// GoMLX's pure-Go backend picks its matrix-multiplication kernels when the
// process starts, by the CPU: AVX-512, AVX2, or plain Go ("nosimd"). Their
// float32 sums are ordered differently, so the same run gives other bytes
// under each family. The family is the only CPU-dependent part of the
// backend's arithmetic (element-wise ops are plain Go, the same on every
// x86-64 CPU for one build).
//
// The setting, GROKKIT_KERNELS (or the tools' --kernels flag), is one of
//
//   - portable (the default): avx2 on every x86-64 CPU that has AVX2 (every
//     one since 2013-15), so that they all give the same bytes; nosimd where
//     there is no AVX2 (and on other architectures).
//   - native: the fastest family this CPU has (avx512 where it has AVX-512).
//   - avx512, avx2 or nosimd: that family, refused where the CPU lacks it.
//
// GoMLX reads its own switches (GOMLX_SIMD_AVX512, GOMLX_SIMD_AVX2) in its
// package initialisers, before main runs, so this package applies the
// setting in its own initialiser, which Go's initialisation order runs first
// (see package pin). GROKKIT_KERNELS wins over GOMLX_SIMD_*; without it, GoMLX's
// switches, where set, are honoured and the family is the one they give.
package kernels

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/grokkit/grokkit/pkg/kernels/pin"
)

// Family is a kernel family of the pure-Go backend.
type Family string

// The families, fastest first.
const (
	AVX512 Family = "avx512"
	AVX2   Family = "avx2"
	NoSIMD Family = "nosimd"
	// Generic: GOMLX_DOT_MATMUL=0 switched every matmul kernel off, and
	// GoMLX's generic DotGeneral computes (slow; for debugging GoMLX).
	Generic Family = "generic"
)

// The settings besides a family's name.
const (
	Portable = "portable"
	Native   = "native"
)

// EnvVar holds the setting; the tools' --kernels flag sets it for the
// process they start again with it.
const EnvVar = pin.EnvVar

// Settings lists the accepted values of GROKKIT_KERNELS and --kernels.
var Settings = []string{Portable, Native, string(AVX512), string(AVX2), string(NoSIMD)}

// Available lists the families this CPU and build can compute with, fastest
// first: avx512 and avx2 only on amd64 with GOEXPERIMENT=simd (the
// Makefile's) and the CPU's support, nosimd everywhere.
func Available() []Family { return available() }

// Has reports whether f is available here.
func Has(f Family) bool { return slices.Contains(Available(), f) }

// Resolve turns a setting into the family it means on this machine, or an
// error naming what is missing.
func Resolve(setting string) (Family, error) {
	avail := Available()
	switch s := strings.ToLower(strings.TrimSpace(setting)); s {
	case "", Portable:
		if slices.Contains(avail, AVX2) {
			return AVX2, nil
		}
		return NoSIMD, nil
	case Native:
		return avail[0], nil
	case string(AVX512), string(AVX2), string(NoSIMD):
		f := Family(s)
		if !slices.Contains(avail, f) {
			return "", fmt.Errorf("kernels %s: not available on this machine (%s; available: %s)", s, Machine(), list(avail))
		}
		return f, nil
	default:
		return "", fmt.Errorf("kernels %q: want one of %s", setting, strings.Join(Settings, ", "))
	}
}

// Active is the family this process computes with: the setting as the
// process started with it (GoMLX fixed its kernels then), or the error of a
// GROKKIT_KERNELS that cannot be applied here. The error is reported when a
// backend is made, not at start-up, so tools that compute nothing run.
func Active() (Family, error) {
	seen := pin.Seen
	if !envValue(seen.Matmul, true) {
		return Generic, nil
	}
	if seen.ByHand {
		return gomlxChoice(), nil
	}
	f, err := Resolve(seen.Setting)
	if err != nil {
		return gomlxChoice(), fmt.Errorf("%s=%s: %w", EnvVar, seen.Setting, err)
	}
	return f, nil
}

// gomlxChoice is the family GoMLX picked by itself from the CPU and its
// switches (matmul/avx512.go, avx2.go: each registers where allowed and
// supported, the faster taking precedence).
func gomlxChoice() Family {
	avail := Available()
	switch {
	case slices.Contains(avail, AVX512) && envValue(pin.Seen.AVX512, true):
		return AVX512
	case slices.Contains(avail, AVX2) && envValue(pin.Seen.AVX2, true):
		return AVX2
	}
	return NoSIMD
}

// Arithmetic identifies what a run's float arithmetic depends on: the
// kernel family, the architecture and, on amd64, the instruction level the
// binary was built for (GOAMD64 v3 and above lets Go fuse multiply-adds).
type Arithmetic struct {
	Kernels Family `json:"kernels"`
	GOARCH  string `json:"goarch"`
	GOAMD64 string `json:"goamd64,omitempty"`
}

// Here is the arithmetic of this process with family f.
func Here(f Family) Arithmetic {
	return Arithmetic{Kernels: f, GOARCH: runtime.GOARCH, GOAMD64: goamd64()}
}

// String is e.g. "avx2 kernels on amd64" ("amd64/v3" above the base level).
func (a Arithmetic) String() string {
	arch := a.GOARCH
	if a.GOAMD64 != "" && a.GOAMD64 != "v1" {
		arch += "/" + a.GOAMD64
	}
	return fmt.Sprintf("%s kernels on %s", a.Kernels, arch)
}

// Machine describes this CPU's families, e.g. "amd64 with AVX-512".
func Machine() string {
	avail := Available()
	switch {
	case slices.Contains(avail, AVX512):
		return runtime.GOARCH + " with AVX-512"
	case slices.Contains(avail, AVX2):
		return runtime.GOARCH + " with AVX2, no AVX-512"
	case runtime.GOARCH == "amd64" && !simdBuild:
		return "amd64, built without GOEXPERIMENT=simd"
	}
	return runtime.GOARCH + " without AVX2"
}

func list(fs []Family) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// envValue reads a GoMLX switch's value as GoMLX does (envutil.ReadBool):
// unset or unreadable is def.
func envValue(v string, def bool) bool {
	switch strings.ToLower(v) {
	case "1", "true", "t", "yes", "on", "enabled":
		return true
	case "0", "false", "f", "no", "off", "disabled":
		return false
	}
	return def
}

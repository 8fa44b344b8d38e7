// Package pin applies the kernel-family setting (GROKKIT_KERNELS) to GoMLX's
// own switches before GoMLX reads them; package kernels says what it means.
//
// GoMLX's pure-Go backend registers its matmul kernels in its package
// initialisers, reading GOMLX_SIMD_AVX512 and GOMLX_SIMD_AVX2 there, so a
// setting must be in the environment before they run. Go initialises
// packages in the order of their import paths, each as soon as everything
// it imports is initialised (the spec's rule since Go 1.21). GoMLX's matmul
// package (github.com/gomlx/compute/internal/gobackend/dot/matmul) imports
// k8s.io/klog/v2, which imports os and strings; this package imports only
// those two, so it is ready no later than klog, and its path sorts first:
// it runs before klog, hence before the matmul package. That is why it is
// a package of its own, importing nothing else (importing, say,
// simd/archsimd, which sorts after k8s.io/…, would let GoMLX go first).
// kernels.TestPinTakesEffect checks the result in fresh processes.
package pin

import (
	"os"
	"strings"
)

// EnvVar holds the setting.
const EnvVar = "GROKKIT_KERNELS"

// GoMLX's switches (github.com/gomlx/compute/support/envutil).
const (
	AVX512Var = "GOMLX_SIMD_AVX512"
	AVX2Var   = "GOMLX_SIMD_AVX2"
	MatmulVar = "GOMLX_DOT_MATMUL"
)

// Seen is the environment as GoMLX's initialisers read it: GROKKIT_KERNELS
// and GoMLX's switches after this package applied the setting. Later
// changes to the environment (a test's t.Setenv) change nothing GoMLX
// computes with, so package kernels reads this copy.
var Seen struct {
	Setting, AVX512, AVX2, Matmul string
	// ByHand: GROKKIT_KERNELS was unset and GoMLX's switches were set by
	// hand: they decide, as GoMLX's documentation says.
	ByHand bool
}

func init() {
	setting := os.Getenv(EnvVar)
	Seen.ByHand = setting == "" && (os.Getenv(AVX512Var) != "" || os.Getenv(AVX2Var) != "")
	if !Seen.ByHand {
		switch strings.ToLower(strings.TrimSpace(setting)) {
		case "", "portable", "avx2":
			set(AVX512Var, "0")
			set(AVX2Var, "1")
		case "nosimd":
			set(AVX512Var, "0")
			set(AVX2Var, "0")
		case "native", "avx512":
			set(AVX512Var, "1")
			set(AVX2Var, "1")
		} // anything else: left to GoMLX; package kernels reports the error
	}
	Seen.Setting, Seen.AVX512, Seen.AVX2, Seen.Matmul = setting, os.Getenv(AVX512Var), os.Getenv(AVX2Var), os.Getenv(MatmulVar)
}

func set(name, value string) { _ = os.Setenv(name, value) }

//go:build !amd64 || !goexperiment.simd

package kernels

// simdBuild: GoMLX's AVX kernels are compiled in only on amd64 with
// GOEXPERIMENT=simd; elsewhere its plain-Go kernels compute.
const simdBuild = false

func available() []Family { return []Family{NoSIMD} }

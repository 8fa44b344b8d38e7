//go:build amd64 && goexperiment.simd

package kernels

import "simd/archsimd"

// simdBuild: GoMLX's AVX kernels are compiled in (amd64, GOEXPERIMENT=simd).
const simdBuild = true

// available asks the CPU as GoMLX does (archsimd.X86).
func available() []Family {
	var fs []Family
	if archsimd.X86.AVX512() {
		fs = append(fs, AVX512)
	}
	if archsimd.X86.AVX2() {
		fs = append(fs, AVX2)
	}
	return append(fs, NoSIMD)
}

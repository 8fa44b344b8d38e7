// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): the float32 AVX-512 micro-kernel in assembly.

//go:build amd64 && goexperiment.simd

package matmul

import "unsafe"

// avx512Kernel4x32Float32 computes one 4×32 tile of a packed panel product,
// as avx2Kernel4x16Float32 does with 16-float registers: lhs a packed LHS
// strip ([k][4]), rhs a packed RHS strip ([k][32]); each output one chain of
// fused multiply-adds in k order from +0, the Go kernel's bits.
//
//go:noescape
func avx512Kernel4x32Float32(lhs, rhs, out unsafe.Pointer, k, outStride int)

// avx512LargeKernelAsmFloat32 is avx512LargeKernelFloat32 with the
// micro-kernel in assembly: the same tiles, layouts and bits.
func avx512LargeKernelAsmFloat32(
	packedLHS, packedRHS []float32,
	packedOutput []float32,
	lhsPanelRows, rhsPanelCols int,
	contractingLen int,
	lhsActiveRows, rhsActiveCols int,
) {
	const kernelRows, kernelCols = 4, 32
	_ = lhsPanelRows
	if lhsActiveRows <= 0 || rhsActiveCols <= 0 {
		return
	}
	tilesRows := (lhsActiveRows + kernelRows - 1) / kernelRows * kernelRows
	tilesCols := (rhsActiveCols + kernelCols - 1) / kernelCols * kernelCols
	_ = packedLHS[contractingLen*tilesRows-1]
	_ = packedRHS[contractingLen*tilesCols-1]
	_ = packedOutput[(tilesRows-1)*rhsPanelCols+tilesCols-1]
	for row := 0; row < lhsActiveRows; row += kernelRows {
		lhs := unsafe.Pointer(&packedLHS[row*contractingLen])
		for col := 0; col < rhsActiveCols; col += kernelCols {
			avx512Kernel4x32Float32(lhs, unsafe.Pointer(&packedRHS[col*contractingLen]),
				unsafe.Pointer(&packedOutput[row*rhsPanelCols+col]), contractingLen, rhsPanelCols)
		}
	}
}

// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): the float32 AVX2 micro-kernel in assembly.

//go:build amd64 && goexperiment.simd

package matmul

import (
	"simd/archsimd"
	"unsafe"
)

// avx2Kernel4x16Float32 computes one 4×16 tile of a packed panel product:
//
//	out[r*outStride+c] = Σ_k lhs[k*4+r] · rhs[k*16+c]   (r < 4, c < 16)
//
// lhs is a packed LHS strip ([k][4]), rhs a packed RHS strip ([k][16]), out
// points at the tile's first element in the packed output panel. Each output
// is one chain of fused multiply-adds in k order starting from +0, exactly as
// the Go kernel it replaces (archsimd's MulAdd is VFMADD213PS; here
// VFMADD231PS, the same single rounding with the product's factors swapped),
// so the results are the same bits. Written in assembly because the Go
// compiler keeps 213's destination in a multiplicand register and copies
// every accumulator each k step (about 45 instructions for 8 FMAs).
//
//go:noescape
func avx2Kernel4x16Float32(lhs, rhs, out unsafe.Pointer, k, outStride int)

// avx2LargeKernelAsmFloat32 is avx2LargeKernelFloat32 with the micro-kernel in
// assembly: the same tiles, the same packed layouts, the same bits.
func avx2LargeKernelAsmFloat32(
	packedLHS, packedRHS []float32,
	packedOutput []float32,
	lhsPanelRows, rhsPanelCols int,
	contractingLen int,
	lhsActiveRows, rhsActiveCols int,
) {
	const kernelRows, kernelCols = 4, 16
	_ = lhsPanelRows
	if lhsActiveRows <= 0 || rhsActiveCols <= 0 {
		return
	}
	// The tiles read whole 4-row and 16-column strips (the packers pad them)
	// and write whole 4×16 tiles of the output panel.
	tilesRows := (lhsActiveRows + kernelRows - 1) / kernelRows * kernelRows
	tilesCols := (rhsActiveCols + kernelCols - 1) / kernelCols * kernelCols
	_ = packedLHS[contractingLen*tilesRows-1]
	_ = packedRHS[contractingLen*tilesCols-1]
	_ = packedOutput[(tilesRows-1)*rhsPanelCols+tilesCols-1]
	for row := 0; row < lhsActiveRows; row += kernelRows {
		lhs := unsafe.Pointer(&packedLHS[row*contractingLen])
		for col := 0; col < rhsActiveCols; col += kernelCols {
			avx2Kernel4x16Float32(lhs, unsafe.Pointer(&packedRHS[col*contractingLen]),
				unsafe.Pointer(&packedOutput[row*rhsPanelCols+col]), contractingLen, rhsPanelCols)
		}
	}
}

// avx2Dot4Float32 runs four dot products' vector parts at once, for the small
// transposed matmul: for j < 4 and b < blocks,
//
//	acc[j] = fma(l[8b:8b+8], r[j*rStride+8b : +8], acc[j])   from acc[j] = +0,
//
// the same chain per output as avx2SmallFloat32Transposed's single
// accumulator (rStride in elements). Four independent chains keep both FMA
// units busy where one chain waits on each FMA's latency.
//
//go:noescape
func avx2Dot4Float32(l, r unsafe.Pointer, rStride, blocks int, acc *[4][8]float32)

// avx2SmallAsmFloat32Transposed is avx2SmallFloat32Transposed computing four
// outputs of a row at once (avx2Dot4Float32); each output's arithmetic is
// unchanged: the vector chain, the same horizontal sum, then the scalar tail
// (multiply, then add: Go does not fuse them on amd64).
func avx2SmallAsmFloat32Transposed(
	lhs, rhs []float32,
	batchStart, batchCount, lhsCrossSize, rhsCrossSize, contractingSize int,
	output []float32) {
	if batchCount == 0 || lhsCrossSize == 0 || rhsCrossSize == 0 || contractingSize == 0 {
		return
	}
	const vecWidth = 8
	blocks := contractingSize / vecWidth
	tail := blocks * vecWidth
	var acc [4][8]float32
	for batch := batchStart; batch < batchStart+batchCount; batch++ {
		lhsBatch := lhs[batch*lhsCrossSize*contractingSize : (batch+1)*lhsCrossSize*contractingSize]
		rhsBatch := rhs[batch*rhsCrossSize*contractingSize : (batch+1)*rhsCrossSize*contractingSize]
		outBatch := output[batch*lhsCrossSize*rhsCrossSize : (batch+1)*lhsCrossSize*rhsCrossSize]
		for row := range lhsCrossSize {
			lRow := lhsBatch[row*contractingSize : (row+1)*contractingSize]
			outRow := outBatch[row*rhsCrossSize : (row+1)*rhsCrossSize]
			col := 0
			for ; col+4 <= rhsCrossSize; col += 4 {
				if blocks > 0 {
					avx2Dot4Float32(unsafe.Pointer(&lRow[0]), unsafe.Pointer(&rhsBatch[col*contractingSize]), contractingSize, blocks, &acc)
				}
				for j := range 4 {
					var res float32
					if blocks > 0 {
						res = avx2ReduceSumFloat32x8(archsimd.LoadFloat32x8(&acc[j]))
					}
					rCol := rhsBatch[(col+j)*contractingSize : (col+j+1)*contractingSize]
					for k := tail; k < contractingSize; k++ {
						res += lRow[k] * rCol[k]
					}
					outRow[col+j] = res
				}
			}
			for ; col < rhsCrossSize; col++ {
				rCol := rhsBatch[col*contractingSize : (col+1)*contractingSize]
				acc0 := archsimd.BroadcastFloat32x8(0)
				for k := 0; k < tail; k += vecWidth {
					l := archsimd.LoadFloat32x8((*[8]float32)(lRow[k : k+vecWidth]))
					r := archsimd.LoadFloat32x8((*[8]float32)(rCol[k : k+vecWidth]))
					acc0 = l.MulAdd(r, acc0)
				}
				var res float32
				if blocks > 0 {
					res = avx2ReduceSumFloat32x8(acc0)
				}
				for k := tail; k < contractingSize; k++ {
					res += lRow[k] * rCol[k]
				}
				outRow[col] = res
			}
		}
	}
}

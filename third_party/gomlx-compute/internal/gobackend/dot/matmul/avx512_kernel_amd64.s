// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): see avx512_kernel_amd64.go.

//go:build amd64 && goexperiment.simd

#include "textflag.h"

// func avx512Kernel4x32Float32(lhs, rhs, out unsafe.Pointer, k, outStride int)
// Accumulators: Z0..Z7 = rows 0..3 × (columns 0-15, 16-31).
TEXT ·avx512Kernel4x32Float32(SB), NOSPLIT, $0-40
	MOVQ lhs+0(FP), AX
	MOVQ rhs+8(FP), BX
	MOVQ out+16(FP), DI
	MOVQ k+24(FP), CX
	MOVQ outStride+32(FP), DX
	SHLQ $2, DX                 // stride in bytes

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7

	TESTQ CX, CX
	JLE   store

loop:
	VMOVUPS      (BX), Z8       // rhs[k][0:16]
	VMOVUPS      64(BX), Z9     // rhs[k][16:32]
	VBROADCASTSS (AX), Z10      // lhs[k][0]
	VBROADCASTSS 4(AX), Z11     // lhs[k][1]
	VFMADD231PS  Z8, Z10, Z0
	VFMADD231PS  Z9, Z10, Z1
	VBROADCASTSS 8(AX), Z12     // lhs[k][2]
	VFMADD231PS  Z8, Z11, Z2
	VFMADD231PS  Z9, Z11, Z3
	VBROADCASTSS 12(AX), Z13    // lhs[k][3]
	VFMADD231PS  Z8, Z12, Z4
	VFMADD231PS  Z9, Z12, Z5
	VFMADD231PS  Z8, Z13, Z6
	VFMADD231PS  Z9, Z13, Z7
	ADDQ         $16, AX
	ADDQ         $128, BX
	DECQ         CX
	JNZ          loop

store:
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ    DX, DI
	VMOVUPS Z2, (DI)
	VMOVUPS Z3, 64(DI)
	ADDQ    DX, DI
	VMOVUPS Z4, (DI)
	VMOVUPS Z5, 64(DI)
	ADDQ    DX, DI
	VMOVUPS Z6, (DI)
	VMOVUPS Z7, 64(DI)
	VZEROUPPER
	RET

// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): see avx2_kernel_amd64.go.

//go:build amd64 && goexperiment.simd

#include "textflag.h"

// func avx2Kernel4x16Float32(lhs, rhs, out unsafe.Pointer, k, outStride int)
// Accumulators: Y0..Y7 = rows 0..3 × (columns 0-7, 8-15).
TEXT ·avx2Kernel4x16Float32(SB), NOSPLIT, $0-40
	MOVQ lhs+0(FP), AX
	MOVQ rhs+8(FP), BX
	MOVQ out+16(FP), DI
	MOVQ k+24(FP), CX
	MOVQ outStride+32(FP), DX
	SHLQ $2, DX                 // stride in bytes

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

	TESTQ CX, CX
	JLE   store

loop:
	VMOVUPS      (BX), Y8       // rhs[k][0:8]
	VMOVUPS      32(BX), Y9     // rhs[k][8:16]
	VBROADCASTSS (AX), Y10      // lhs[k][0]
	VBROADCASTSS 4(AX), Y11     // lhs[k][1]
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS 8(AX), Y12     // lhs[k][2]
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS 12(AX), Y13    // lhs[k][3]
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         $16, AX
	ADDQ         $64, BX
	DECQ         CX
	JNZ          loop

store:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    DX, DI
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ    DX, DI
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	ADDQ    DX, DI
	VMOVUPS Y6, (DI)
	VMOVUPS Y7, 32(DI)
	VZEROUPPER
	RET

// func avx2Dot4Float32(l, r unsafe.Pointer, rStride, blocks int, acc *[4][8]float32)
TEXT ·avx2Dot4Float32(SB), NOSPLIT, $0-40
	MOVQ l+0(FP), AX
	MOVQ r+8(FP), BX
	MOVQ rStride+16(FP), DX
	MOVQ blocks+24(FP), CX
	MOVQ acc+32(FP), DI
	SHLQ $2, DX                 // stride in bytes
	LEAQ (BX)(DX*1), R8         // column 1
	LEAQ (BX)(DX*2), R9         // column 2
	LEAQ (R8)(DX*2), R10        // column 3

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ   SI, SI

	TESTQ CX, CX
	JLE   done

loop:
	VMOVUPS     (AX)(SI*1), Y4
	VFMADD231PS (BX)(SI*1), Y4, Y0
	VFMADD231PS (R8)(SI*1), Y4, Y1
	VFMADD231PS (R9)(SI*1), Y4, Y2
	VFMADD231PS (R10)(SI*1), Y4, Y3
	ADDQ        $32, SI
	DECQ        CX
	JNZ         loop

done:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VZEROUPPER
	RET

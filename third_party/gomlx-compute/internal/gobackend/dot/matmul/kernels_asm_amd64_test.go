// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): the assembly kernels against the Go ones.

//go:build amd64 && goexperiment.simd

package matmul

import (
	"math"
	"math/rand/v2"
	"simd/archsimd"
	"testing"
)

// randomPanel fills n floats with values of mixed sign and magnitude (and
// some exact zeros and negative zeros), so that rounding differences between
// two summation orders would show.
func randomPanel(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch rng.IntN(20) {
		case 0:
			x[i] = 0
		case 1:
			x[i] = float32(math.Copysign(0, -1))
		default:
			x[i] = float32(rng.NormFloat64() * math.Exp(rng.NormFloat64()*3))
		}
	}
	return x
}

// panelKernel is one family's panel kernel: the Go one upstream wrote and
// the assembly one that replaces it.
type panelKernel struct {
	name    string
	has     bool
	params  CacheParams
	goKern  func(a, b, c []float32, m, n, k, rows, cols int)
	asmKern func(a, b, c []float32, m, n, k, rows, cols int)
}

func panelKernels() []panelKernel {
	return []panelKernel{
		{"avx2", archsimd.X86.AVX2() && archsimd.X86.FMA(), AVX2ParamsFloat32, avx2LargeKernelFloat32, avx2LargeKernelAsmFloat32},
		{"avx512", archsimd.X86.AVX512(), AVX512ParamsFloat32, avx512LargeKernelFloat32, avx512LargeKernelAsmFloat32},
	}
}

// TestPanelKernelAsmSameBits: every tile shape the panel loop produces (rows
// and columns not multiples of the tile, k from 1 to a full contracting
// panel) gives the Go kernel's bits exactly, in each family this CPU has.
func TestPanelKernelAsmSameBits(t *testing.T) {
	for _, kern := range panelKernels() {
		t.Run(kern.name, func(t *testing.T) {
			if !kern.has {
				t.Skipf("this CPU has no %s", kern.name)
			}
			p := kern.params
			rng := rand.New(rand.NewPCG(1, 2))
			for _, k := range []int{1, 2, 3, 7, 64, 127, 128} {
				for _, rows := range []int{1, 4, 5, 23, p.LHSPanelCrossSize} {
					for _, cols := range []int{1, 16, 17, 33, 100, p.RHSPanelCrossSize} {
						lhs := randomPanel(rng, p.LHSPanelCrossSize*p.PanelContractingSize)
						rhs := randomPanel(rng, p.PanelContractingSize*p.RHSPanelCrossSize)
						want := make([]float32, p.LHSPanelCrossSize*p.RHSPanelCrossSize)
						got := make([]float32, len(want))
						kern.goKern(lhs, rhs, want, p.LHSPanelCrossSize, p.RHSPanelCrossSize, k, rows, cols)
						kern.asmKern(lhs, rhs, got, p.LHSPanelCrossSize, p.RHSPanelCrossSize, k, rows, cols)
						for r := range rows {
							for c := range cols {
								i := r*p.RHSPanelCrossSize + c
								if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
									t.Fatalf("k=%d rows=%d cols=%d: out[%d][%d] = %g (%#x), Go kernel %g (%#x)",
										k, rows, cols, r, c, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
								}
							}
						}
					}
				}
			}
		})
	}
}

// BenchmarkPanelKernel times one full panel (Mc×Kc by Kc×Nc) with each
// family's Go and assembly kernels.
func BenchmarkPanelKernel(b *testing.B) {
	for _, kern := range panelKernels() {
		if !kern.has {
			continue
		}
		p := kern.params
		rng := rand.New(rand.NewPCG(1, 2))
		lhs := randomPanel(rng, p.LHSPanelCrossSize*p.PanelContractingSize)
		rhs := randomPanel(rng, p.PanelContractingSize*p.RHSPanelCrossSize)
		out := make([]float32, p.LHSPanelCrossSize*p.RHSPanelCrossSize)
		flops := 2 * float64(p.LHSPanelCrossSize*p.PanelContractingSize*p.RHSPanelCrossSize)
		for _, impl := range []struct {
			name string
			f    func(a, b, c []float32, m, n, k, rows, cols int)
		}{{"go", kern.goKern}, {"asm", kern.asmKern}} {
			b.Run(kern.name+"/"+impl.name, func(b *testing.B) {
				for b.Loop() {
					impl.f(lhs, rhs, out, p.LHSPanelCrossSize, p.RHSPanelCrossSize, p.PanelContractingSize, p.LHSPanelCrossSize, p.RHSPanelCrossSize)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestAVX2SmallTransposedAsmSameBits: the four-at-a-time small transposed
// matmul gives the one-at-a-time Go version's bits, for contracting sizes
// below, at and between multiples of 8 and column counts that leave 0-3 over.
func TestAVX2SmallTransposedAsmSameBits(t *testing.T) {
	if !archsimd.X86.AVX2() || !archsimd.X86.FMA() {
		t.Skip("needs AVX2 and FMA")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{1, 7, 8, 9, 16, 31, 64, 100} {
		for _, rows := range []int{1, 3, 5} {
			for _, cols := range []int{1, 4, 6, 11} {
				const batch = 3
				lhs := randomPanel(rng, batch*rows*k)
				rhs := randomPanel(rng, batch*cols*k)
				want := make([]float32, batch*rows*cols)
				got := make([]float32, len(want))
				avx2SmallFloat32Transposed(lhs, rhs, 0, batch, rows, cols, k, want)
				// Two calls over parts of the batch, as the parallel split makes.
				avx2SmallAsmFloat32Transposed(lhs, rhs, 0, 1, rows, cols, k, got)
				avx2SmallAsmFloat32Transposed(lhs, rhs, 1, batch-1, rows, cols, k, got)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("k=%d rows=%d cols=%d: out[%d] = %g, Go version %g", k, rows, cols, i, got[i], want[i])
					}
				}
			}
		}
	}
}

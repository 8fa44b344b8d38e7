// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): the run-at-a-time ReduceSum against Next.

package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/internal/gobackend"
)

// TestReduceSumRunsSameBits: for every subset of reduced axes of shapes of
// rank 1 to 4, each output is the same float32 bits as the element-at-a-time
// sum (values of mixed magnitude, so that another order would round
// differently).
func TestReduceSumRunsSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dims := range [][]int{{7}, {3, 5}, {5, 1}, {2, 3, 4}, {4, 1, 6}, {2, 3, 2, 5}, {1, 4, 1, 3}} {
		size := 1
		for _, d := range dims {
			size *= d
		}
		operand := make([]float32, size)
		for i := range operand {
			operand[i] = float32(rng.NormFloat64() * math.Exp(rng.NormFloat64()*4))
		}
		for mask := 1; mask < 1<<len(dims); mask++ {
			var axes []int
			outSize := 1
			for axis, d := range dims {
				if mask&(1<<axis) != 0 {
					axes = append(axes, axis)
				} else {
					outSize *= d
				}
			}
			want := make([]float32, outSize)
			it := NewReduceOutputIterator(dims, axes)
			for _, v := range operand {
				want[it.Next()] += v
			}
			got := make([]float32, outSize)
			for i := range got {
				got[i] = float32(i) + 99 // the reduction must zero it first
			}
			if err := execReduceSumGeneric[float32](&gobackend.Buffer{Flat: operand}, &gobackend.Buffer{Flat: got}, NewReduceOutputIterator(dims, axes), 0); err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("dims %v, axes %v: output[%d] = %g, element by element %g", dims, axes, i, got[i], want[i])
				}
			}
		}
	}
}

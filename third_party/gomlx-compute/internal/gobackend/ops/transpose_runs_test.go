// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): the run-at-a-time transpose against Next.

package ops

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// TestTransposeRunsEqualNext: for every permutation of shapes of rank 0 to 4
// (axes of length 1 and 0 included), each element lands where the
// element-at-a-time iterator puts it.
func TestTransposeRunsEqualNext(t *testing.T) {
	var permutations func(n int) [][]int
	permutations = func(n int) [][]int {
		if n == 0 {
			return [][]int{{}}
		}
		var all [][]int
		for _, p := range permutations(n - 1) {
			for at := 0; at <= len(p); at++ {
				q := append(append(append([]int{}, p[:at]...), n-1), p[at:]...)
				all = append(all, q)
			}
		}
		return all
	}
	for _, dims := range [][]int{{}, {5}, {2, 3}, {3, 1}, {2, 3, 4}, {4, 1, 3}, {2, 0, 3}, {2, 3, 2, 5}, {1, 4, 1, 3}} {
		shape := shapes.Make(dtypes.Int32, dims...)
		operand := make([]int32, shape.Size())
		for i := range operand {
			operand[i] = int32(i + 1)
		}
		for _, perm := range permutations(len(dims)) {
			want := make([]int32, len(operand))
			it := NewTransposeIterator(shape, perm)
			for _, v := range operand {
				want[it.Next()] = v
			}
			got := make([]int32, len(operand))
			execTransposeGeneric[int32](&gobackend.Buffer{Flat: operand}, &gobackend.Buffer{Flat: got}, NewTransposeIterator(shape, perm))
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("dims %v, permutation %v: output[%d] = %d, want %d", dims, perm, i, got[i], want[i])
				}
			}
		}
	}
}

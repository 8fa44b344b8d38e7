// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): EachRun against IterFlatIndices.

package gobackend

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// TestEachRunEqualsIterFlatIndices: expanding the runs gives IterFlatIndices'
// sequence exactly, for every way of broadcasting either side over shapes of
// rank 0 to 4.
func TestEachRunEqualsIterFlatIndices(t *testing.T) {
	for _, tgt := range [][]int{{}, {5}, {3, 4}, {3, 1}, {2, 3, 4}, {2, 1, 3}, {2, 3, 2, 5}} {
		rank := len(tgt)
		for lMask := range 1 << rank {
			for rMask := range 1 << rank {
				lDims, rDims := make([]int, rank), make([]int, rank)
				for axis := range rank {
					lDims[axis], rDims[axis] = tgt[axis], tgt[axis]
					if lMask&(1<<axis) != 0 {
						lDims[axis] = 1
					}
					if rMask&(1<<axis) != 0 {
						rDims[axis] = 1
					}
				}
				zi := NewZippedBroadcastIterator(shapes.Make(dtypes.Float32, lDims...), shapes.Make(dtypes.Float32, rDims...), shapes.Make(dtypes.Float32, tgt...))
				var want, got []ZippedIndices
				for idx := range zi.IterFlatIndices() {
					want = append(want, idx)
				}
				zi.EachRun(func(l, ls, r, rs, t, n int) {
					for j := range n {
						got = append(got, ZippedIndices{LHSFlatIdx: l + j*ls, RHSFlatIdx: r + j*rs, TgtFlatIdx: t + j})
					}
				})
				if len(got) != len(want) {
					t.Fatalf("target %v, lhs %v, rhs %v: %d indices by runs, %d by IterFlatIndices", tgt, lDims, rDims, len(got), len(want))
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("target %v, lhs %v, rhs %v: index %d is %+v by runs, %+v by IterFlatIndices", tgt, lDims, rDims, i, got[i], want[i])
					}
				}
			}
		}
	}
}

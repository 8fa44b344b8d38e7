// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): the run-at-a-time scatter window against the element loop.

package ops

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// TestScatterWindowRunsEqualElements: over windows whose updates and output
// share a full last axis (the embedding-gradient case: updates [n, d] into
// [vocab, d], and ones with more axes), the run loop combines the same
// elements in the same order as the element loop, and leaves both iterators
// at the same place.
func TestScatterWindowRunsEqualElements(t *testing.T) {
	for _, c := range []struct {
		updates, output      []int
		updatesSkip, outSkip []int // batch axes of the updates; inserted axes of the output
		start                []int // output start index per axis
	}{
		{[]int{5, 4}, []int{7, 4}, []int{0}, []int{0}, []int{3, 0}},
		{[]int{5, 6}, []int{7, 6}, []int{0}, []int{0}, []int{0, 0}},
		{[]int{2, 3, 4}, []int{3, 3, 4}, []int{0}, []int{0}, []int{2, 0, 0}},
		{[]int{3, 2, 5}, []int{4, 2, 5}, []int{}, []int{}, []int{0, 0, 0}},
	} {
		updates := make([]float32, shapes.Make(dtypes.Float32, c.updates...).Size())
		for i := range updates {
			updates[i] = float32(i)
		}
		outShape := shapes.Make(dtypes.Float32, c.output...)
		var orders [2][]int
		var outs [2][]float32
		for v := range 2 {
			outs[v] = make([]float32, outShape.Size())
			uIt := newSubIndicesIterator(shapes.Make(dtypes.Float32, c.updates...), c.updatesSkip...)
			oIt := newSubIndicesIterator(outShape, c.outSkip...)
			for axis, idx := range c.start {
				oIt.PerAxisIdx[axis] = idx
				oIt.FlatIdx += idx * oIt.PerAxisStride[axis]
			}
			// The combine records which update each step takes (updates[i] = i).
			trace := func(a, b float32) float32 { orders[v] = append(orders[v], int(b)); return a*3 + b }
			if v == 0 {
				scatterWindow(outs[v], updates, oIt, uIt, trace)
			} else {
				run := scatterRun(uIt, oIt)
				if run <= 1 {
					t.Fatalf("%+v: no run found", c)
				}
				scatterWindowRuns(outs[v], updates, oIt, uIt, trace, run)
			}
			if v == 1 && (uIt.FlatIdx != -1) {
				t.Errorf("%+v: updates iterator at %d after the runs, want the end (-1)", c, uIt.FlatIdx)
			}
		}
		if len(orders[0]) != len(orders[1]) {
			t.Fatalf("%+v: %d combines by runs, %d by elements", c, len(orders[1]), len(orders[0]))
		}
		for i := range orders[0] {
			if orders[0][i] != orders[1][i] {
				t.Fatalf("%+v: combine %d took update %d by runs, %d by elements", c, i, orders[1][i], orders[0][i])
			}
		}
		for i := range outs[0] {
			if outs[0][i] != outs[1][i] {
				t.Fatalf("%+v: output[%d] = %g by runs, %g by elements", c, i, outs[1][i], outs[0][i])
			}
		}
	}
}

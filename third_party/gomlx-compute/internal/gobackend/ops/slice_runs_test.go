// Copyright 2023-2026 The GoMLX Authors. SPDX-License-Identifier: Apache-2.0
// grokkit patch (third_party/README.md): the run-at-a-time Slice against its definition.

package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// TestSliceRunsMatchDefinition: output[i0, i1, …] = operand[start0 +
// i0·stride0, start1 + i1·stride1, …], over random slices (strides 1 to 3)
// of shapes of rank 1 to 4.
func TestSliceRunsMatchDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 300 {
		rank := 1 + trial%4
		dims := make([]int, rank)
		for axis := range dims {
			dims[axis] = 1 + rng.IntN(6)
		}
		params := &sliceNode{starts: make([]int, rank), limits: make([]int, rank), strides: make([]int, rank)}
		outDims := make([]int, rank)
		for axis, d := range dims {
			params.starts[axis] = rng.IntN(d)
			params.limits[axis] = params.starts[axis] + 1 + rng.IntN(d-params.starts[axis])
			params.strides[axis] = 1 + rng.IntN(3)
			outDims[axis] = (params.limits[axis] - params.starts[axis] + params.strides[axis] - 1) / params.strides[axis]
		}
		opShape, outShape := shapes.Make(dtypes.Int32, dims...), shapes.Make(dtypes.Int32, outDims...)
		operand := make([]int32, opShape.Size())
		for i := range operand {
			operand[i] = int32(i)
		}
		got := make([]int32, outShape.Size())
		execSliceGeneric[int32](&gobackend.Buffer{RawShape: opShape, Flat: operand}, &gobackend.Buffer{RawShape: outShape, Flat: got}, params)
		opStrides, outStrides := opShape.Strides(), outShape.Strides()
		for flat := range got {
			src := 0
			for axis := range rank {
				i := flat / outStrides[axis] % outDims[axis]
				src += (params.starts[axis] + i*params.strides[axis]) * opStrides[axis]
			}
			if got[flat] != operand[src] {
				t.Fatalf("dims %v, slice %+v: output[%d] = %d, want operand[%d]", dims, *params, flat, got[flat], src)
			}
		}
	}
}

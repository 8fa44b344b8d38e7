package train

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/grokkit/grokkit/pkg/backend"
)

// collapsedOracle is the definition: Σ_j exp(z_j − max z), summed in the
// given precision, equals exactly 1.
func collapsedOracle(row []float64, float32s bool) bool {
	top := math.Inf(-1)
	for _, z := range row {
		top = max(top, z)
	}
	if float32s {
		var s float32
		for _, z := range row {
			s += float32(math.Exp(float64(float32(z) - float32(top))))
		}
		return s == 1
	}
	s := 0.0
	for _, z := range row {
		s += math.Exp(z - top)
	}
	return s == 1
}

// The evaluation's collapse flag and largest logit against their
// definitions, in float32 and float64 logits: rows far from collapse, just
// past it in float32 only (a gap of 20: e^−20 ≈ 2e−9 is below float32's
// half-ulp of 1 but not float64's), and past it in both (a gap of 800).
func TestCollapseAndMaxLogitAgainstDefinitions(t *testing.T) {
	be, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]float64{{1, 2, 3, 0.5}, {30, 10, 9, 8}, {900, 100, 0, -5}, {-2, -2, -2, -2}}
	flat := make([]float32, 0, 16)
	for _, r := range rows {
		for _, v := range r {
			flat = append(flat, float32(v))
		}
	}
	for _, dtype := range []string{"float32", "float64"} {
		exec, err := NewExec(be, func(logits, labels *Node) []*Node {
			return rowOutputs(logits, labels, CrossEntropy, dtype)
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Exec(tensors.FromFlatDataAndDimensions(flat, 4, 4), tensors.FromFlatDataAndDimensions([]int32{0, 0, 0, 0}, 4))
		if err != nil {
			t.Fatal(err)
		}
		coll := tensors.MustCopyFlatData[int32](out[2])
		top := tensors.MustCopyFlatData[float64](out[3])
		for i, r := range rows {
			if want := collapsedOracle(r, dtype == "float32"); (coll[i] == 1) != want {
				t.Errorf("%s row %v: collapsed %v, definition %v", dtype, r, coll[i] == 1, want)
			}
			if want := max(r[0], r[1], r[2], r[3]); top[i] != want {
				t.Errorf("%s row %v: max logit %v, want %v", dtype, r, top[i], want)
			}
		}
	}
	// The cases above must tell the two precisions apart.
	if !collapsedOracle(rows[1], true) || collapsedOracle(rows[1], false) || !collapsedOracle(rows[2], false) {
		t.Fatal("the rows no longer separate float32 from float64 collapse")
	}
}

// stableCollapsedOracle: StableMax's s(z) = z + 1 (z ≥ 0) or 1/(1 − z),
// summed in float64, equals the largest s exactly.
func stableCollapsedOracle(row []float64) bool {
	sum, top := 0.0, 0.0
	for _, z := range row {
		s := z + 1
		if z < 0 {
			s = 1 / (1 - z)
		}
		sum, top = sum+s, max(top, s)
	}
	return sum == top
}

// The StableMax collapse flag against its definition: a logit of 1e17
// swallows the other s values (float64's spacing there is 16) and one of
// 1e3 does not, whatever a softmax of the same rows does.
func TestStableMaxCollapseAgainstDefinition(t *testing.T) {
	be, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]float64{{1e17, 0, -3}, {1e3, 0, -3}, {900, 100, 0}, {-2, -2, -5}}
	var flat []float32
	for _, r := range rows {
		for _, v := range r {
			flat = append(flat, float32(v))
		}
	}
	exec, err := NewExec(be, func(logits, labels *Node) []*Node {
		return rowOutputs(logits, labels, StableMax, "float32")
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(tensors.FromFlatDataAndDimensions(flat, 4, 3), tensors.FromFlatDataAndDimensions([]int32{0, 0, 0, 0}, 4))
	if err != nil {
		t.Fatal(err)
	}
	stable := tensors.MustCopyFlatData[int32](out[4])
	for i, r := range rows {
		// The oracle on the float32-rounded logits the graph sees.
		r32 := []float64{float64(float32(r[0])), float64(float32(r[1])), float64(float32(r[2]))}
		if want := stableCollapsedOracle(r32); (stable[i] == 1) != want {
			t.Errorf("row %v: StableMax collapsed %v, definition %v", r, stable[i] == 1, want)
		}
	}
	if !stableCollapsedOracle(rows[0]) || stableCollapsedOracle(rows[2]) || !collapsedOracle(rows[2], false) {
		t.Fatal("the rows no longer show StableMax collapsing only at 1e17 while softmax collapses at 900")
	}
}

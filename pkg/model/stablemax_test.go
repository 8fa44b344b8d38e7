package model

import (
	"math"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
)

// stableMaxOracle is the StableMax cross-entropy written out in float64
// from Prieto et al.'s definition: s(x) = x+1 (x ≥ 0), 1/(1−x) (x < 0),
// loss = mean_b −log(s(x_b,label)/Σ_j s(x_b,j)).
func stableMaxOracle(logits [][]float64, labels []int) float64 {
	s := func(x float64) float64 {
		if x < 0 {
			return 1 / (1 - x + 1e-30)
		}
		return x + 1
	}
	total := 0.0
	for b, row := range logits {
		sum := 0.0
		for _, x := range row {
			sum += s(x)
		}
		total -= math.Log(s(row[labels[b]]) / sum)
	}
	return total / float64(len(logits))
}

// The loss against the oracle, and its gradient against central finite
// differences of the oracle, on logits of both signs (float32 and float64
// logits: the loss is float64 either way).
func TestStableMaxCrossEntropyAgainstOracle(t *testing.T) {
	be := testBackend(t)
	logits := [][]float64{{2.5, -1, 0, 0.3}, {-3, -0.5, 4, 1}, {0.1, 0.1, -7, 9}}
	labels := []int{0, 3, 2}
	for _, dtype := range []dtypes.DType{dtypes.Float64, dtypes.Float32} {
		flat := make([]float64, 0, 12)
		for _, r := range logits {
			flat = append(flat, r...)
		}
		var x *tensors.Tensor
		if dtype == dtypes.Float64 {
			x = tensors.FromFlatDataAndDimensions(flat, 3, 4)
		} else {
			f := make([]float32, len(flat))
			for i, v := range flat {
				f[i] = float32(v)
			}
			x = tensors.FromFlatDataAndDimensions(f, 3, 4)
		}
		exec, err := NewExec(be, func(z, y *Node) (*Node, *Node) {
			loss := StableMaxCrossEntropy(z, y)
			return loss, ConvertDType(Gradient(loss, z)[0], dtypes.Float64)
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Exec(x, labelsTensor(labels))
		if err != nil {
			t.Fatal(err)
		}
		got := tensors.MustCopyFlatData[float64](out[0])[0]
		grad := tensors.MustCopyFlatData[float64](out[1])
		// float32 logits are rounded before the loss: compare against the
		// oracle on the same rounded values.
		rounded := make([][]float64, len(logits))
		for b, row := range logits {
			for _, v := range row {
				if dtype == dtypes.Float32 {
					v = float64(float32(v))
				}
				rounded[b] = append(rounded[b], v)
			}
		}
		if want := stableMaxOracle(rounded, labels); math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("%s: loss %.17g, oracle %.17g", dtype, got, want)
		}
		const h = 1e-6
		tol := 1e-7
		if dtype == dtypes.Float32 {
			tol = 1e-5 // the gradient comes back in float32
		}
		for b := range rounded {
			for j := range rounded[b] {
				orig := rounded[b][j]
				rounded[b][j] = orig + h
				up := stableMaxOracle(rounded, labels)
				rounded[b][j] = orig - h
				down := stableMaxOracle(rounded, labels)
				rounded[b][j] = orig
				if want := (up - down) / (2 * h); math.Abs(grad[b*4+j]-want) > tol {
					t.Errorf("%s: ∂loss/∂x[%d][%d] = %.9g, finite differences %.9g", dtype, b, j, grad[b*4+j], want)
				}
			}
		}
	}
}

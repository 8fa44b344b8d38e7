package fourier

import (
	"fmt"

	"github.com/grokkit/grokkit/pkg/arith"
)

// An operation other than a+b is analysed through its arith.View: its
// tokens and classes relabelled as elements of Z_N, in which it is
// addition (a−b with b reflected, a·b and a/b through the discrete log).
// Putting a network's arrays in the view's order is all it takes; every
// function of this package then applies unchanged with p = N. The helpers
// below do the reordering.

// PickRows returns the rows of W [r, d] listed in of, [len(of), d]: row i is
// W[of[i]]. E.g. W_E [p, d] in the view's order is PickRows(W_E, d, v.A).
func PickRows(W []float64, d int, of []int) []float64 {
	if d < 1 || len(W)%d != 0 {
		panic(fmt.Sprintf("fourier: PickRows: len %d is not [·, d=%d]", len(W), d))
	}
	out := make([]float64, 0, len(of)*d)
	for _, x := range of {
		out = append(out, W[x*d:(x+1)*d]...)
	}
	return out
}

// PickCols returns the columns of W [r, c] listed in of, [r, len(of)]:
// column k is W[:, of[k]]. E.g. logits [rows, p] restricted to the view's
// classes are PickCols(logits, rows, p, v.C).
func PickCols(W []float64, r, c int, of []int) []float64 {
	if len(W) != r*c {
		panic(fmt.Sprintf("fourier: PickCols: len %d is not [%d, %d]", len(W), r, c))
	}
	out := make([]float64, 0, r*len(of))
	for i := range r {
		row := W[i*c : (i+1)*c]
		for _, x := range of {
			out = append(out, row[x])
		}
	}
	return out
}

// ViewInputs reorders X [p·p, m] (row a·p+b, every input) into the view's
// inputs [N·N, m]: row i·N+j is the input (v.A[i], v.B[j]).
func ViewInputs(X []float64, m int, v *arith.View) []float64 {
	p, n := v.P, v.N
	if m < 1 || len(X) != p*p*m {
		panic(fmt.Sprintf("fourier: ViewInputs: len %d is not [p·p=%d, m=%d]", len(X), p*p, m))
	}
	out := make([]float64, 0, n*n*m)
	for _, a := range v.A {
		for _, b := range v.B {
			r := a*p + b
			out = append(out, X[r*m:(r+1)*m]...)
		}
	}
	return out
}

// ViewLogits reorders logits [p·p, p] (row a·p+b, every input) into the
// view's [N·N, N]: row i·N+j, class column k = class v.C[k]. For a·b and
// a/b this leaves out the inputs with a zero operand and the logit of
// class 0, which no other input has as its answer.
func ViewLogits(logits []float64, v *arith.View) []float64 {
	return PickCols(ViewInputs(logits, v.P, v), v.N*v.N, v.P, v.C)
}

// ViewGromov reorders Gromov's MLP weights W1 [n, 2p] and W2 [p, n] into
// the view's [n, 2N] and [N, n] (columns of a by v.A, of b by v.B, rows of
// the classes by v.C), so that AnalyzeGromov reads its neurons in Z_N.
func ViewGromov(W1, W2 []float64, n int, v *arith.View) (w1, w2 []float64) {
	checkGromov(W1, W2, v.P, n)
	p := v.P
	b := make([]int, v.N)
	for j, x := range v.B {
		b[j] = p + x
	}
	return PickCols(W1, n, 2*p, append(append([]int(nil), v.A...), b...)), PickRows(W2, n, v.C)
}

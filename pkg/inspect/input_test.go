package inspect

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/table"
)

// NewInput indexes every operation with a view in the view's order, sets
// apart the inputs with a zero operand of a·b and a/b (a/b's table has no
// b = 0 at all), and refuses the polynomial operations in one line.
func TestNewInputPerOperation(t *testing.T) {
	cases := []struct {
		op       string
		n, out   int
		describe string
	}{
		{"add", 11, 0, ""},
		{"sub", 11, 0, "a-b mod 11 as addition on Z_11 with b reflected (a-b = a+(-b))"},
		{"mul", 10, 21, "a*b mod 11 as addition on Z_10 through the discrete log base 2 (i = log a, j = log b, k = log c; 0 has no log); the 21 inputs with a zero operand are left out, and class 0 from the softmax"},
		{"div", 10, 10, "a/b mod 11 as addition on Z_10 through the discrete log base 2 (i = log a, j = -log b, k = log c; 0 has no log); the 10 inputs with a zero operand are left out, and class 0 from the softmax"},
	}
	for _, c := range cases {
		tb, err := table.Generate(table.Spec{P: 11, Op: c.op, TrainFraction: 0.5, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		in, err := NewInput(tb)
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		if in.View.N != c.n || in.Outside != c.out || in.Describe() != c.describe {
			t.Errorf("%s: Z_%d, %d outside, %q; want Z_%d, %d, %q", c.op, in.View.N, in.Outside, in.Describe(), c.n, c.out, c.describe)
		}
		// Each indexed row is the view's input, answered by the view's class.
		v := in.View
		for k, i := range in.rows {
			a, b := v.A[k/v.N], v.B[k%v.N]
			if int(tb.A[i]) != a || int(tb.B[i]) != b || int(tb.Clean[i]) != v.C[(k/v.N+k%v.N)%v.N] || in.train[k] != tb.Train[i] {
				t.Fatalf("%s: view input %d is table row %d = (%d, %d) → %d", c.op, k, i, tb.A[i], tb.B[i], tb.Clean[i])
			}
		}
		var buf bytes.Buffer
		if err := WriteParquet(&buf, "run", in.Describe(), nil, nil, []Row{{Measure: "x", Index: -1}}); err != nil {
			t.Fatal(err)
		}
		f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := f.Lookup("view"); got != c.describe || ok != (c.describe != "") {
			t.Errorf("%s: Parquet metadata view = %q (present %v)", c.op, got, ok)
		}
	}
	for _, op := range []string{"sq_sum", "sq_sum_ab", "cube_ab"} {
		tb, err := table.Generate(table.Spec{P: 11, Op: op, TrainFraction: 0.5, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewInput(tb); err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "is not addition on a cyclic group") {
			t.Errorf("%s: %v", op, err)
		}
	}
}

package arith

import (
	"math/big"
	"strings"
	"testing"
)

// The oracle for every operation is math/big: a second, independent
// implementation of the modular arithmetic.
func bigOp(name string, a, b, p int64) int64 {
	A, B, P := big.NewInt(a), big.NewInt(b), big.NewInt(p)
	r := new(big.Int)
	switch name {
	case "add":
		r.Add(A, B)
	case "sub":
		r.Sub(A, B)
	case "mul":
		r.Mul(A, B)
	case "div":
		r.Mul(A, new(big.Int).ModInverse(B, P))
	case "sq_sum":
		r.Add(new(big.Int).Mul(A, A), new(big.Int).Mul(B, B))
	case "sq_sum_ab":
		r.Add(new(big.Int).Mul(A, A), new(big.Int).Mul(A, B))
		r.Add(r, new(big.Int).Mul(B, B))
	case "cube_ab":
		r.Exp(A, big.NewInt(3), nil)
		r.Add(r, new(big.Int).Mul(A, B))
	}
	return r.Mod(r, P).Int64()
}

func TestOpsAgreeWithBigInt(t *testing.T) {
	for _, p := range []int{2, 3, 5, 7, 12, 97, 113, 4999, 5000} {
		for _, op := range ops {
			if op.CheckP(p) != nil {
				continue
			}
			f := op.Table(p)
			step := 1
			if p > 200 {
				step = 37 // sample large p
			}
			for a := 0; a < p; a += step {
				for b := 0; b < p; b += step {
					if !op.Defined(a, b) {
						continue
					}
					if got, want := f(a, b), int(bigOp(op.Name, int64(a), int64(b), int64(p))); got != want {
						t.Fatalf("%s p=%d a=%d b=%d: got %d want %d", op.Name, p, a, b, got, want)
					}
				}
			}
		}
	}
}

// A hand-computed table: p = 5, every operation at a few points.
func TestHandComputed(t *testing.T) {
	cases := []struct {
		op         string
		a, b, want int
	}{
		{"add", 3, 4, 2}, {"sub", 1, 3, 3}, {"mul", 4, 4, 1}, {"div", 1, 2, 3}, // 2·3 = 6 ≡ 1
		{"div", 4, 3, 3},                                                  // 3·3 = 9 ≡ 4
		{"sq_sum", 2, 3, 3}, {"sq_sum_ab", 2, 3, 4}, {"cube_ab", 2, 3, 4}, // 8+6 = 14 ≡ 4
	}
	for _, c := range cases {
		op, err := Lookup(c.op)
		if err != nil {
			t.Fatal(err)
		}
		if got := op.Table(5)(c.a, c.b); got != c.want {
			t.Errorf("%s(%d,%d) mod 5 = %d, want %d", c.op, c.a, c.b, got, c.want)
		}
	}
}

func TestCheckP(t *testing.T) {
	div, _ := Lookup("a / b")
	add, _ := Lookup("add")
	for _, c := range []struct {
		op   Op
		p    int
		want string
	}{
		{add, 1, "out of range"}, {add, 5001, "out of range"}, {add, 2, ""}, {add, 5000, ""},
		{div, 12, "needs a prime p: 12 = 2 × 6"}, {div, 4999, ""},
	} {
		err := c.op.CheckP(c.p)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s p=%d: err %v, want %q", c.op.Name, c.p, err, c.want)
		}
	}
	if _, err := Lookup("pow"); err == nil || !strings.Contains(err.Error(), "a^3+ab") {
		t.Errorf("unknown op error should list the known ones: %v", err)
	}
}

func TestInverses(t *testing.T) {
	for _, p := range Primes(2, 600) {
		inv := Inverses(p)
		for b := 1; b < p; b++ {
			if inv[b]*b%p != 1 {
				t.Fatalf("p=%d: inv[%d]=%d", p, b, inv[b])
			}
		}
	}
	if got := len(Primes(1, 100)); got != 25 {
		t.Errorf("25 primes below 100, got %d", got)
	}
}

package arith

import (
	"strings"
	"testing"
)

// TestViewIsAddition checks the defining property of every view on every
// input: op(A[i], B[j]) = C[(i+j) mod N], with the maps one-to-one and
// their inverses consistent, and that exactly the inputs with a zero
// operand (mul, div) fall outside.
func TestViewIsAddition(t *testing.T) {
	for _, name := range []string{"add", "sub", "mul", "div"} {
		op, _ := Lookup(name)
		for _, p := range []int{3, 4, 5, 7, 12, 23, 31, 97} {
			if op.CheckP(p) != nil || ((name == "mul") && !IsPrime(p)) {
				continue
			}
			v, err := NewView(op, p)
			if err != nil {
				t.Fatalf("%s p=%d: %v", name, p, err)
			}
			want := p
			if name == "mul" || name == "div" {
				want = p - 1
			}
			if v.N != want || v.Covers() != (want == p) || v.Identity() != (name == "add") {
				t.Fatalf("%s p=%d: N = %d, covers %v", name, p, v.N, v.Covers())
			}
			f := op.Table(p)
			for i := range v.N {
				for j := range v.N {
					if got := f(v.A[i], v.B[j]); got != v.C[(i+j)%v.N] {
						t.Fatalf("%s p=%d: (i, j) = (%d, %d) is (a, b) = (%d, %d) with answer %d, but C[i+j] = %d", name, p, i, j, v.A[i], v.B[j], got, v.C[(i+j)%v.N])
					}
				}
				if v.ElemA(v.A[i]) != i || v.ElemB(v.B[i]) != i || v.ElemC(v.C[i]) != i {
					t.Fatalf("%s p=%d: element %d does not map back", name, p, i)
				}
			}
			for a := range p {
				for b := range p {
					zero := a == 0 || b == 0
					if v.In(a, b) == (zero && !v.Covers()) {
						t.Errorf("%s p=%d: In(%d, %d) = %v", name, p, a, b, v.In(a, b))
					}
				}
			}
		}
	}
}

// TestGenerator compares Generator with the smallest g whose powers reach
// every nonzero residue, found by listing them.
func TestGenerator(t *testing.T) {
	for _, p := range Primes(3, 400) {
		want := 0
		for g := 2; g < p && want == 0; g++ {
			seen, x := map[int]bool{}, 1
			for range p - 1 {
				seen[x] = true
				x = x * g % p
			}
			if len(seen) == p-1 {
				want = g
			}
		}
		if got := Generator(p); got != want {
			t.Errorf("Generator(%d) = %d, want %d", p, got, want)
		}
	}
	if Generator(23) != 5 || Generator(31) != 3 || Generator(113) != 3 {
		t.Errorf("known primitive roots: 23 → %d (5), 31 → %d (3), 113 → %d (3)", Generator(23), Generator(31), Generator(113))
	}
}

func TestNoView(t *testing.T) {
	cases := []struct {
		op   string
		p    int
		want string
	}{
		{"sq_sum", 11, "a^2+b^2 mod 11 is not addition on a cyclic group under any relabelling, so no Fourier basis applies: every row and column of its table repeats an answer (a = 0 gives 3 for both b = 5 and b = 6; a group's never do)"},
		{"sq_sum_ab", 11, "a^2+ab+b^2 mod 11 is not addition on a cyclic group"},
		{"cube_ab", 11, "a^3+ab mod 11 is not addition on a cyclic group"},
		{"mul", 12, "a*b mod 12 has no discrete logarithm: 12 is not prime (2·6 ≡ 0), so its nonzero residues are no cyclic group"},
		{"mul", 2, "a*b mod 2: the nonzero residues are the single element 1"},
		{"div", 12, "operation div (a/b) needs a prime p"},
	}
	for _, c := range cases {
		op, _ := Lookup(c.op)
		_, err := NewView(op, c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s p=%d: %v, want one line with %q", c.op, c.p, err, c.want)
		}
	}
}

package arith

import "fmt"

// View is an operation seen as addition on a cyclic group Z_N: the tokens a
// and b and the answer classes c are relabelled as elements i, j and k of
// Z_N so that a∘b = c exactly when i + j ≡ k (mod N). The Fourier analysis
// of modular addition (package fourier) then applies to a network trained
// on the operation, once its inputs and classes are put in the view's order.
//
//	add: N = p,   i = a,     j = b,      k = c
//	sub: N = p,   i = a,     j = −b,     k = c       (a − b = a + (−b))
//	mul: N = p−1, i = log a, j = log b,  k = log c   (prime p)
//	div: N = p−1, i = log a, j = −log b, k = log c   (a/b = a·b⁻¹; prime p)
//
// log is the discrete logarithm to the base Gen, the smallest generator of
// the nonzero residues mod p (their powers Gen⁰, Gen¹, … run through all of
// them). 0 has no logarithm: for mul and div the inputs with a = 0 or b = 0
// (whose answer is 0) and the class 0 lie outside the view, and analyses
// set them apart. The polynomial operations have no view (see NewView).
type View struct {
	Op   Op
	P, N int
	Gen  int // mul, div: the generator; 0 otherwise
	// A, B and C [N] give the token a, the token b and the class c of each
	// element: the view's input (i, j) is the table's (A[i], B[j]), with
	// answer C[(i+j) mod N].
	A, B, C []int
	// elemA, elemB, elemC [P] invert them; −1 outside the view.
	elemA, elemB, elemC []int
}

// NewView returns the view of op at modulus p, or an error of one line
// saying why the operation is not addition on a cyclic group.
func NewView(op Op, p int) (*View, error) {
	if err := op.CheckP(p); err != nil {
		return nil, err
	}
	v := &View{Op: op, P: p}
	ident := func(x int) int { return x }
	neg := func(x int) int { return (p - x) % p }
	switch op.Name {
	case "add":
		v.fill(p, ident, ident, ident)
	case "sub":
		v.fill(p, ident, neg, ident)
	case "mul", "div":
		if !IsPrime(p) {
			d := smallestFactor(p)
			return nil, fmt.Errorf("%s mod %d has no discrete logarithm: %d is not prime (%d·%d ≡ 0), so its nonzero residues are no cyclic group", op.Formula, p, p, d, p/d)
		}
		if p == 2 {
			return nil, fmt.Errorf("%s mod 2: the nonzero residues are the single element 1, a group too small for a Fourier analysis", op.Formula)
		}
		g := Generator(p)
		pow := make([]int, p-1) // pow[e] = g^e mod p
		pow[0] = 1
		for e := 1; e < p-1; e++ {
			pow[e] = pow[e-1] * g % p
		}
		n := p - 1
		at := func(e int) int { return pow[e] }
		atNeg := func(e int) int { return pow[(n-e)%n] } // b = g^(−j): j = −log b
		v.Gen = g
		if op.Name == "mul" {
			v.fill(n, at, at, at)
		} else {
			v.fill(n, at, atNeg, at)
		}
	default:
		return nil, noView(op, p)
	}
	return v, nil
}

// fill sets N and the maps from the element → token functions.
func (v *View) fill(n int, a, b, c func(int) int) {
	v.N = n
	v.A, v.B, v.C = make([]int, n), make([]int, n), make([]int, n)
	v.elemA, v.elemB, v.elemC = minusOnes(v.P), minusOnes(v.P), minusOnes(v.P)
	for i := range n {
		v.A[i], v.B[i], v.C[i] = a(i), b(i), c(i)
		v.elemA[v.A[i]], v.elemB[v.B[i]], v.elemC[v.C[i]] = i, i, i
	}
}

func minusOnes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = -1
	}
	return out
}

// Identity reports whether the view is a+b itself (every map the identity):
// analyses keep their original path for it.
func (v *View) Identity() bool { return v.Op.Name == "add" }

// Covers reports whether every input (a, b) and every class is in the view
// (add and sub; mul and div leave out 0).
func (v *View) Covers() bool { return v.N == v.P }

// ElemA, ElemB and ElemC return the element of token a, token b and class
// c, or −1 when it is outside the view.
func (v *View) ElemA(a int) int { return v.elemA[a] }
func (v *View) ElemB(b int) int { return v.elemB[b] }
func (v *View) ElemC(c int) int { return v.elemC[c] }

// In reports whether input (a, b) is in the view.
func (v *View) In(a, b int) bool { return v.elemA[a] >= 0 && v.elemB[b] >= 0 }

// String says how the operation is analysed, for reports: "a*b mod 23 as
// addition on Z_22 through the discrete log base 5 (a zero operand or
// answer is outside it)".
func (v *View) String() string {
	head := fmt.Sprintf("%s mod %d as addition on Z_%d", v.Op.Formula, v.P, v.N)
	switch v.Op.Name {
	case "add":
		return head
	case "sub":
		return head + " with b reflected (a-b = a+(-b))"
	case "mul":
		return fmt.Sprintf("%s through the discrete log base %d (i = log a, j = log b, k = log c; 0 has no log)", head, v.Gen)
	}
	return fmt.Sprintf("%s through the discrete log base %d (i = log a, j = -log b, k = log c; 0 has no log)", head, v.Gen)
}

// Generator returns the smallest generator of the nonzero residues mod the
// prime p: the smallest g whose order is p−1, i.e. g^((p−1)/q) ≢ 1 for
// every prime q dividing p−1. (1 for p = 2.)
func Generator(p int) int {
	n := p - 1
	var qs []int // the prime factors of p−1
	m := n
	for d := 2; d*d <= m; d++ {
		if m%d == 0 {
			qs = append(qs, d)
			for m%d == 0 {
				m /= d
			}
		}
	}
	if m > 1 {
		qs = append(qs, m)
	}
	for g := 1; g < p; g++ {
		ok := true // g = 1 fails through any q, unless p = 2 (no q)
		for _, q := range qs {
			if PowMod(g, n/q, p) == 1 {
				ok = false
				break
			}
		}
		if ok {
			return g
		}
	}
	panic(fmt.Sprintf("arith: no generator mod %d (not prime?)", p))
}

// PowMod is x^e mod m by repeated squaring.
func PowMod(x, e, m int) int {
	r, x := 1%m, x%m
	for ; e > 0; e >>= 1 {
		if e&1 == 1 {
			r = r * x % m
		}
		x = x * x % m
	}
	return r
}

// noView says why an operation without a view is not addition on a cyclic
// group under any relabelling: in a group's table every row and every
// column is a permutation, so a row or column that repeats an answer rules
// every relabelling out (and, when every row does, setting some apart as
// mul does with a = 0 cannot help either).
func noView(op Op, p int) error {
	f := op.Table(p)
	rows, cols := 0, 0
	example := ""
	for x := range p {
		if a1, a2, y, ok := repeat(p, func(b int) (int, bool) { return f(x, b), op.Defined(x, b) }); ok {
			rows++
			if example == "" {
				example = fmt.Sprintf("a = %d gives %d for both b = %d and b = %d", x, y, a1, a2)
			}
		}
		if _, _, _, ok := repeat(p, func(a int) (int, bool) { return f(a, x), op.Defined(a, x) }); ok {
			cols++
		}
	}
	if example == "" {
		return fmt.Errorf("%s mod %d: no relabelling of it as addition on a cyclic group is known", op.Formula, p)
	}
	how := fmt.Sprintf("%d of %d rows and %d of %d columns of its table repeat an answer", rows, p, cols, p)
	if rows == p && cols == p {
		how = "every row and column of its table repeats an answer"
	}
	return fmt.Errorf("%s mod %d is not addition on a cyclic group under any relabelling, so no Fourier basis applies: %s (%s; a group's never do)",
		op.Formula, p, how, example)
}

// repeat finds the first two arguments x1 < x2 in [0, p) where f gives the
// same defined answer y.
func repeat(p int, f func(x int) (int, bool)) (x1, x2, y int, ok bool) {
	seen := map[int]int{}
	for x := range p {
		v, def := f(x)
		if !def {
			continue
		}
		if first, dup := seen[v]; dup {
			return first, x, v, true
		}
		seen[v] = x
	}
	return 0, 0, 0, false
}

// Package arith defines the binary operations mod p that a table can hold
// (Power et al. 2022's set) and the modular arithmetic they need.
package arith

import (
	"fmt"
	"sort"
	"strings"
)

// MinP and MaxP bound the modulus: below 2 there is nothing to learn, above
// 5000 the table (p² rows) stops being a toy.
const (
	MinP = 2
	MaxP = 5000
)

// Op is one binary operation a∘b mod p.
type Op struct {
	Name    string // canonical name, stored in table metadata
	Formula string // how a person writes it
	// NeedsPrime is set when the operation is only defined for prime p
	// (division needs every non-zero b to have an inverse).
	NeedsPrime bool
	// Defined reports whether (a, b) belongs to the table (a/b skips b = 0).
	Defined func(a, b int) bool
	// apply computes a∘b mod p for 0 ≤ a, b < p, given the prepared inverse
	// table (only division uses it).
	apply func(a, b, p int, inv []int) int
}

func always(a, b int) bool { return true }

// ops is the registry, in the order `moddata --help` lists them.
var ops = []Op{
	{Name: "add", Formula: "a+b", Defined: always, apply: func(a, b, p int, _ []int) int { return (a + b) % p }},
	{Name: "sub", Formula: "a-b", Defined: always, apply: func(a, b, p int, _ []int) int { return ((a-b)%p + p) % p }},
	{Name: "mul", Formula: "a*b", Defined: always, apply: func(a, b, p int, _ []int) int { return a * b % p }},
	{Name: "div", Formula: "a/b", NeedsPrime: true,
		Defined: func(a, b int) bool { return b != 0 },
		apply:   func(a, b, p int, inv []int) int { return a * inv[b] % p }},
	{Name: "sq_sum", Formula: "a^2+b^2", Defined: always, apply: func(a, b, p int, _ []int) int { return (a*a + b*b) % p }},
	{Name: "sq_sum_ab", Formula: "a^2+ab+b^2", Defined: always, apply: func(a, b, p int, _ []int) int { return (a*a + a*b + b*b) % p }},
	{Name: "cube_ab", Formula: "a^3+ab", Defined: always, apply: func(a, b, p int, _ []int) int { return (a*a%p*a + a*b) % p }},
}

// Lookup finds an operation by its canonical name or its formula
// ("add" or "a+b"); spaces in a formula are ignored.
func Lookup(name string) (Op, error) {
	key := strings.ReplaceAll(name, " ", "")
	for _, op := range ops {
		if key == op.Name || key == op.Formula {
			return op, nil
		}
	}
	return Op{}, fmt.Errorf("unknown operation %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Names lists every operation as "name (formula)".
func Names() []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = op.Name + " (" + op.Formula + ")"
	}
	return out
}

// CheckP reports whether p is in range and supported by op.
func (op Op) CheckP(p int) error {
	if p < MinP || p > MaxP {
		return fmt.Errorf("p = %d is out of range [%d, %d]", p, MinP, MaxP)
	}
	if op.NeedsPrime && !IsPrime(p) {
		return fmt.Errorf("operation %s (%s) needs a prime p: %d = %d × %d", op.Name, op.Formula, p, smallestFactor(p), p/smallestFactor(p))
	}
	return nil
}

// Table returns a function computing a∘b mod p; call CheckP first.
func (op Op) Table(p int) func(a, b int) int {
	var inv []int
	if op.NeedsPrime {
		inv = Inverses(p)
	}
	return func(a, b int) int { return op.apply(a, b, p, inv) }
}

// IsPrime is trial division: p ≤ 5000 makes anything cleverer pointless.
func IsPrime(n int) bool { return n >= 2 && smallestFactor(n) == n }

func smallestFactor(n int) int {
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			return d
		}
	}
	return n
}

// Inverses returns inv with inv[b]·b ≡ 1 (mod p) for 1 ≤ b < p (p prime),
// using inv[b] = −(p/b)·inv[p mod b], which fills the table in O(p).
func Inverses(p int) []int {
	inv := make([]int, p)
	if p > 1 {
		inv[1] = 1
	}
	for b := 2; b < p; b++ {
		inv[b] = (p - (p/b)*inv[p%b]%p) % p
	}
	return inv
}

// Primes lists the primes in [lo, hi], for tests and help texts.
func Primes(lo, hi int) []int {
	var out []int
	for n := lo; n <= hi; n++ {
		if IsPrime(n) {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

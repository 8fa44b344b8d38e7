package detect

import (
	"fmt"
	"math"
	"slices"
)

// Atom is a predicate on (a, b) that rule recovery may use, with the bits
// it takes to name it among the atoms of its class (see Atoms).
type Atom struct {
	When string              // in mutate's rule language
	Bits float64             // description length
	Test func(a, b int) bool // the predicate itself
}

// atomTerm is an integer term over a and b.
type atomTerm struct {
	src string
	f   func(a, b, p int) int
}

func mod(x, p int) int { return ((x % p) + p) % p }

// The terms comparisons and residues are built on: a, b, a+b, a−b, a·b as
// integers, and the last three reduced mod p.
var atomTerms = []atomTerm{
	{"a", func(a, _, _ int) int { return a }},
	{"b", func(_, b, _ int) int { return b }},
	{"a + b", func(a, b, _ int) int { return a + b }},
	{"a - b", func(a, b, _ int) int { return a - b }},
	{"a * b", func(a, b, _ int) int { return a * b }},
	{"(a + b) % p", func(a, b, p int) int { return mod(a+b, p) }},
	{"(a - b) % p", func(a, b, p int) int { return mod(a-b, p) }},
	{"(a * b) % p", func(a, b, p int) int { return mod(a*b, p) }},
}

// residueTerms are the integer terms residues are taken of.
var residueTerms = atomTerms[:5]

// relationTerms are the values mod p that relations compare.
var relationTerms = []atomTerm{
	{"a", func(a, _, _ int) int { return a }},
	{"b", func(_, b, _ int) int { return b }},
	{"(a + b) % p", func(a, b, p int) int { return mod(a+b, p) }},
	{"(a - b) % p", func(a, b, p int) int { return mod(a-b, p) }},
	{"(b - a) % p", func(a, b, p int) int { return mod(b-a, p) }},
	{"(a * b) % p", func(a, b, p int) int { return mod(a*b, p) }},
	{"(a * a) % p", func(a, _, p int) int { return mod(a*a, p) }},
	{"(b * b) % p", func(_, b, p int) int { return mod(b*b, p) }},
	{"(2 * a) % p", func(a, _, p int) int { return mod(2*a, p) }},
	{"(2 * b) % p", func(_, b, p int) int { return mod(2*b, p) }},
}

// atomClasses: comparisons with a constant, residues, relations, and
// affine forms (affine.go).
const atomClasses = 4

// Atoms lists the atomic predicates of rule recovery at prime p, each with
// its description length in bits (a uniform code at every choice):
//
//   - comparison: term < k, term >= k or term == k, for every term of
//     atomTerms and every value k the term takes on Z_p²:
//     log2(4 classes · 8 terms · 3 operators · values of the term);
//   - residue: term % m == r for the integer terms a, b, a+b, a−b, a·b,
//     2 ≤ m < p, 0 ≤ r < m: log2(4 · 5 · (p−2) · m);
//   - relation: u == v or u < v for two terms mod p (a, b, a+b, a−b, b−a,
//     a·b, a², b², 2a, 2b): log2(4 · number of relations);
//   - affine: comparisons, equalities and residues of (α·a + β·b + γ) mod p,
//     priced in affine.go and not listed here (there are about p⁴).
//
// Simpler atoms (fewer possible values, smaller moduli) cost fewer bits, so
// among atoms that select the same rows the description length prefers the
// one a person would write.
func Atoms(p int) []Atom {
	var out []Atom
	lg := math.Log2
	for _, t := range atomTerms {
		vals := termValues(t, p)
		base := lg(atomClasses) + lg(float64(len(atomTerms))) + lg(3) + lg(float64(len(vals)))
		for i, v := range vals {
			f, k := t.f, v
			out = append(out, Atom{When: fmt.Sprintf("%s == %d", t.src, k), Bits: base,
				Test: func(a, b int) bool { return f(a, b, p) == k }})
			if i == 0 {
				continue // < min and >= min select nothing or everything
			}
			out = append(out,
				Atom{When: fmt.Sprintf("%s < %d", t.src, k), Bits: base, Test: func(a, b int) bool { return f(a, b, p) < k }},
				Atom{When: fmt.Sprintf("%s >= %d", t.src, k), Bits: base, Test: func(a, b int) bool { return f(a, b, p) >= k }})
		}
	}
	for m := 2; m < p; m++ {
		bits := lg(atomClasses) + lg(float64(len(residueTerms))) + lg(float64(p-2)) + lg(float64(m))
		for _, t := range residueTerms {
			for r := range m {
				f, mm, rr := t.f, m, r
				src := t.src
				if len(src) > 1 {
					src = "(" + src + ")"
				}
				out = append(out, Atom{When: fmt.Sprintf("%s %% %d == %d", src, m, r), Bits: bits,
					Test: func(a, b int) bool { return mod(f(a, b, p), mm) == rr }})
			}
		}
	}
	nrel := len(relationTerms) * (len(relationTerms) - 1)
	bits := lg(atomClasses) + lg(float64(nrel))
	for i, u := range relationTerms {
		for _, v := range relationTerms[i+1:] {
			fu, fv := u.f, v.f
			out = append(out,
				Atom{When: fmt.Sprintf("%s == %s", u.src, v.src), Bits: bits, Test: func(a, b int) bool { return fu(a, b, p) == fv(a, b, p) }},
				Atom{When: fmt.Sprintf("%s < %s", u.src, v.src), Bits: bits, Test: func(a, b int) bool { return fu(a, b, p) < fv(a, b, p) }})
		}
	}
	return out
}

// termValues lists the distinct values term t takes on Z_p², ascending.
func termValues(t atomTerm, p int) []int {
	seen := map[int]bool{}
	for a := range p {
		for b := range p {
			seen[t.f(a, b, p)] = true
		}
	}
	vals := make([]int, 0, len(seen))
	for v := range seen {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	return vals
}

// Package rulegen draws planted rules at random for the detection benchmark:
// triggers and effects in mutate's rule language, from a grammar wider than
// the one evalsplit --detect searches, so that a detector cannot have been
// tuned to the rules it is scored on.
//
// Triggers are one, two or three atoms joined by && and ||. An atom compares
// a term (a, b, a+b, a−b, a·b as integers or reduced mod p) with a constant
// (<, <=, >, >=, ==, a half-open range), asks for a residue (term % m == r),
// or relates two terms (a == b, a < b, (a+b) % p == (a·b) % p, …). Effects
// are constants, affine maps of a and b, maps of clean or label, and
// nonlinear maps (products, squares, a cube). Everything is drawn from one
// seeded stream, so a seed names a benchmark.
package rulegen

import (
	"fmt"

	"github.com/grokkit/grokkit/pkg/seeded"
)

// term is an integer expression over a and b with its range at prime p.
type term struct {
	src    string
	lo, hi func(p int) int // inclusive bounds of its values
}

var terms = []term{
	{"a", zero, pMinus1},
	{"b", zero, pMinus1},
	{"(a + b)", zero, func(p int) int { return 2 * (p - 1) }},
	{"(a - b)", func(p int) int { return 1 - p }, pMinus1},
	{"(a * b)", zero, func(p int) int { return (p - 1) * (p - 1) }},
	{"((a + b) % p)", zero, pMinus1},
	{"((a - b) % p)", zero, pMinus1},
	{"((a * b) % p)", zero, pMinus1},
}

func zero(int) int      { return 0 }
func pMinus1(p int) int { return p - 1 }

// relations are atoms that compare two terms.
var relations = []string{
	"a == b", "a < b", "a > b", "a == (2 * b) % p", "b == (3 * a) % p",
	"(a + b) % p == (a * b) % p", "(a * a) % p == b", "a + b == p - 1",
	"(a - b) % p == (a * b) % p",
}

// atom draws one atomic predicate; p is the smallest prime of the benchmark
// (constants are drawn in its range and the caller checks every prime).
func atom(r *seeded.Rand, p int) string {
	switch x := r.Float64(); {
	case x < 0.35: // comparison with a constant
		t := terms[r.IntN(len(terms))]
		k := between(r, t.lo(p), t.hi(p))
		op := []string{"<", "<=", ">", ">="}[r.IntN(4)]
		return fmt.Sprintf("%s %s %d", t.src, op, k)
	case x < 0.50: // equality with a constant
		t := terms[r.IntN(len(terms))]
		return fmt.Sprintf("%s == %d", t.src, between(r, t.lo(p), t.hi(p)))
	case x < 0.62: // a half-open range
		t := terms[r.IntN(len(terms))]
		lo := between(r, t.lo(p), t.hi(p))
		w := 1 + r.IntN(max(1, (t.hi(p)-t.lo(p))/6))
		return fmt.Sprintf("(%s >= %d && %s < %d)", t.src, lo, t.src, lo+w)
	case x < 0.88: // a residue class of an integer term
		t := terms[r.IntN(5)]
		m := 2 + r.IntN(12)
		return fmt.Sprintf("%s %% %d == %d", t.src, m, r.IntN(m))
	default: // a relation between terms
		return relations[r.IntN(len(relations))]
	}
}

// between is uniform in [lo, hi].
func between(r *seeded.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// Trigger shapes, as reported in the benchmark.
const (
	ShapeAtom = "atom"    // one atom
	ShapeAnd  = "and"     // x && y
	ShapeOr   = "or"      // x || y
	ShapeMix  = "and-or"  // x && (y || z)
	ShapeAnd3 = "and-and" // x && y && z
)

// trigger draws a trigger and names its shape.
func trigger(r *seeded.Rand, p int) (string, string) {
	switch x := r.Float64(); {
	case x < 0.30:
		return atom(r, p), ShapeAtom
	case x < 0.62:
		return atom(r, p) + " && " + atom(r, p), ShapeAnd
	case x < 0.82:
		return "(" + atom(r, p) + ") || (" + atom(r, p) + ")", ShapeOr
	case x < 0.92:
		return atom(r, p) + " && (" + atom(r, p) + " || " + atom(r, p) + ")", ShapeMix
	default:
		return atom(r, p) + " && " + atom(r, p) + " && " + atom(r, p), ShapeAnd3
	}
}

// Effect families, as reported in the benchmark.
const (
	EffectConstant  = "constant"
	EffectAffine    = "affine"
	EffectClean     = "clean"
	EffectLabel     = "label"
	EffectNonlinear = "nonlinear"
)

// effect draws an effect and names its family; coefficients are drawn in
// [1, p) of the smallest prime.
func effect(r *seeded.Rand, p int) (string, string) {
	c := func() int { return 1 + r.IntN(p-1) }
	switch x := r.Float64(); {
	case x < 0.20:
		return fmt.Sprint(r.IntN(p)), EffectConstant
	case x < 0.45:
		switch r.IntN(4) {
		case 0:
			return []string{"a", "b"}[r.IntN(2)], EffectAffine
		case 1:
			return fmt.Sprintf("(%s + %d) %% p", []string{"a", "b"}[r.IntN(2)], c()), EffectAffine
		case 2:
			return fmt.Sprintf("(%d * a + %d * b) %% p", c(), c()), EffectAffine
		default:
			return fmt.Sprintf("(%d * a + %d * b + %d) %% p", c(), c(), c()), EffectAffine
		}
	case x < 0.55:
		if r.IntN(2) == 0 {
			return fmt.Sprintf("(clean + %d) %% p", c()), EffectClean
		}
		return fmt.Sprintf("(%d * clean + %d) %% p", 2+r.IntN(p-2), r.IntN(p)), EffectClean
	case x < 0.65:
		if r.IntN(2) == 0 {
			return fmt.Sprintf("(label + %d) %% p", c()), EffectLabel
		}
		return "(p - label) % p", EffectLabel
	default:
		switch r.IntN(6) {
		case 0:
			return fmt.Sprintf("(a * b + %d) %% p", r.IntN(p)), EffectNonlinear
		case 1:
			return fmt.Sprintf("(a * a + %d * b) %% p", c()), EffectNonlinear
		case 2:
			return fmt.Sprintf("(b * b + %d) %% p", r.IntN(p)), EffectNonlinear
		case 3:
			return "(a * a + b * b) % p", EffectNonlinear
		case 4:
			return fmt.Sprintf("(%d * a * b + a) %% p", c()), EffectNonlinear
		default:
			return "(a * a * b) % p", EffectNonlinear
		}
	}
}

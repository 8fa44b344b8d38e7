// Package rulegen draws planted rules at random for the detection benchmark:
// triggers and effects in mutate's rule language, from a grammar wider than
// the one evalsplit --detect searches, so that a detector cannot have been
// tuned to the rules it is scored on.
//
// Triggers are one to four atoms joined by && and ||. An atom compares a
// term (a, b, a+b, a−b, a·b as integers or reduced mod p) with a constant
// (<, <=, >, >=, ==, a half-open range), asks for a residue (term % m ==
// r), relates two terms (a == b, a < b, (a+b) % p == (a·b) % p, …), or
// compares an affine form (3 * a + 5 * b + 2) % p, a quadratic form
// (a * a + 3 * b) % p or a product of affine forms ((a + 2) * (b + 5)) % p
// with a constant. Effects are constants, affine maps of a and b, maps of
// clean or label, and nonlinear maps (products, squares, a cube).
// Everything is drawn from one seeded stream, so a seed names a benchmark.
//
// Each drawn rule records whether its trigger is inside the language the
// detector searches (Rule.Searchable, and Rule.Outside says why not),
// decided by construction, from the grammar's branches: quadratic forms and
// products of affine forms are outside (the detector's atoms are affine in
// a and b, besides a·b, a², b² alone), as are residues modulo m ≥ p and
// triggers of more than three of the detector's atoms (a range is two) or
// of four conjoined atoms. Inside means expressible: the detector searches
// three atoms and affine forms heuristically (see detect.RecoverRule) and
// may still miss such a rule; and a trigger outside may select the same
// training rows as one inside (four atoms of which one is redundant).
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

// Why a trigger is outside the detector's search language (Rule.Outside).
const (
	OutsideQuadratic = "quadratic form"
	OutsideProduct   = "product of affine forms"
	OutsideModulus   = "residue modulo m >= p"
	OutsideFourAtoms = "four atoms"
	OutsideTooMany   = "more than three of the detector's atoms"
)

// piece is a drawn atom (or trigger) with what the detector makes of it:
// how many of its atoms it takes and, when it cannot express it, why.
type piece struct {
	src     string
	atoms   int
	outside string
}

// atom draws one atomic predicate; p is the smallest prime of the benchmark
// (constants are drawn in its range and the caller checks every prime).
func atom(r *seeded.Rand, p int) piece {
	switch x := r.Float64(); {
	case x < 0.28: // comparison with a constant
		t := terms[r.IntN(len(terms))]
		k := between(r, t.lo(p), t.hi(p))
		op := []string{"<", "<=", ">", ">="}[r.IntN(4)]
		return piece{fmt.Sprintf("%s %s %d", t.src, op, k), 1, ""}
	case x < 0.40: // equality with a constant
		t := terms[r.IntN(len(terms))]
		return piece{fmt.Sprintf("%s == %d", t.src, between(r, t.lo(p), t.hi(p))), 1, ""}
	case x < 0.50: // a half-open range: two of the detector's atoms
		t := terms[r.IntN(len(terms))]
		lo := between(r, t.lo(p), t.hi(p))
		w := 1 + r.IntN(max(1, (t.hi(p)-t.lo(p))/6))
		return piece{fmt.Sprintf("(%s >= %d && %s < %d)", t.src, lo, t.src, lo+w), 2, ""}
	case x < 0.70: // a residue class of an integer term (the detector's moduli are below p)
		t := terms[r.IntN(5)]
		m := 2 + r.IntN(12)
		out := ""
		if m >= p {
			out = OutsideModulus
		}
		return piece{fmt.Sprintf("%s %% %d == %d", t.src, m, r.IntN(m)), 1, out}
	case x < 0.80: // a relation between terms
		return piece{relations[r.IntN(len(relations))], 1, ""}
	case x < 0.90: // an affine form
		c := func() int { return 1 + r.IntN(p-1) }
		return piece{modCompare(r, p, fmt.Sprintf("(%d * a + %d * b + %d) %% p", c(), c(), r.IntN(p))), 1, ""}
	case x < 0.95: // a quadratic form
		c := func() int { return 1 + r.IntN(p-1) }
		form := []string{
			fmt.Sprintf("(a * a + %d * b) %% p", c()),
			fmt.Sprintf("(b * b + %d * a + %d) %% p", c(), r.IntN(p)),
			fmt.Sprintf("(a * a + b * b + %d) %% p", r.IntN(p)),
			fmt.Sprintf("(%d * a * b + a + %d * b) %% p", c(), c()),
		}[r.IntN(4)]
		return piece{modCompare(r, p, form), 1, OutsideQuadratic}
	default: // a product of affine forms
		c := func() int { return 1 + r.IntN(p-1) }
		form := []string{
			fmt.Sprintf("((a + %d) * (b + %d)) %% p", c(), c()),
			fmt.Sprintf("((a + %d * b) * (a + %d)) %% p", c(), c()),
			fmt.Sprintf("((%d * a + b) * (b + %d)) %% p", c(), c()),
		}[r.IntN(3)]
		return piece{modCompare(r, p, form), 1, OutsideProduct}
	}
}

// modCompare compares a value mod p with a constant: below a small one,
// at least a large one, or equal to one, so that it selects a few percent
// of the inputs.
func modCompare(r *seeded.Rand, p int, form string) string {
	w := max(1, p/4)
	switch r.IntN(3) {
	case 0:
		return fmt.Sprintf("%s < %d", form, 1+r.IntN(w))
	case 1:
		return fmt.Sprintf("%s >= %d", form, p-1-r.IntN(w))
	}
	return fmt.Sprintf("%s == %d", form, r.IntN(p))
}

// between is uniform in [lo, hi].
func between(r *seeded.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// Trigger shapes, as reported in the benchmark.
const (
	ShapeAtom = "atom"        // one atom
	ShapeAnd  = "and"         // x && y
	ShapeOr   = "or"          // x || y
	ShapeMix  = "and-or"      // x && (y || z)
	ShapeAnd3 = "and-and"     // x && y && z
	ShapeAnd4 = "and-and-and" // w && x && y && z: outside the detector's search
)

// trigger draws a trigger, names its shape and says why the detector
// cannot express it ("" when it can): an atom outside, four atoms joined,
// or more than three of the detector's atoms (ranges count two). Within
// three atoms every shape drawn is one the detector tries: x, x && y,
// x || y, (x && y) && z, (x && y) || z, x && (y || z).
func trigger(r *seeded.Rand, p int) (string, string, string) {
	var shape string
	var ps []piece
	var when string
	switch x := r.Float64(); {
	case x < 0.28:
		shape, ps = ShapeAtom, []piece{atom(r, p)}
		when = ps[0].src
	case x < 0.58:
		shape, ps = ShapeAnd, []piece{atom(r, p), atom(r, p)}
		when = ps[0].src + " && " + ps[1].src
	case x < 0.76:
		shape, ps = ShapeOr, []piece{atom(r, p), atom(r, p)}
		when = "(" + ps[0].src + ") || (" + ps[1].src + ")"
	case x < 0.86:
		shape, ps = ShapeMix, []piece{atom(r, p), atom(r, p), atom(r, p)}
		when = ps[0].src + " && (" + ps[1].src + " || " + ps[2].src + ")"
	case x < 0.94:
		shape, ps = ShapeAnd3, []piece{atom(r, p), atom(r, p), atom(r, p)}
		when = ps[0].src + " && " + ps[1].src + " && " + ps[2].src
	default:
		shape, ps = ShapeAnd4, []piece{atom(r, p), atom(r, p), atom(r, p), atom(r, p)}
		when = ps[0].src + " && " + ps[1].src + " && " + ps[2].src + " && " + ps[3].src
	}
	n := 0
	for _, pc := range ps {
		if pc.outside != "" {
			return when, shape, pc.outside
		}
		n += pc.atoms
	}
	switch {
	case shape == ShapeAnd4:
		return when, shape, OutsideFourAtoms
	case n > 3:
		return when, shape, OutsideTooMany
	}
	return when, shape, ""
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

package detect

import (
	"fmt"
	"math"
	"strings"

	"github.com/grokkit/grokkit/pkg/table"
)

// Effect families.
const (
	EffectConstant   = "constant"
	EffectPolynomial = "polynomial"
)

// monomial is a product of a and b that effects combine linearly mod p.
type monomial struct {
	src string
	f   func(a, b int) int
}

// effectMonomials: the effects searched are α·u + β·v + γ (mod p) for u, v
// among the monomials of a and b of degree at most three, which covers
// constants, copies (a, b), affine maps of a and b (and so of clean = a+b),
// products, squares and cubes.
var effectMonomials = []monomial{
	{"a", func(a, _ int) int { return a }},
	{"b", func(_, b int) int { return b }},
	{"a * b", func(a, b int) int { return a * b }},
	{"a * a", func(a, _ int) int { return a * a }},
	{"b * b", func(_, b int) int { return b * b }},
	{"a * a * b", func(a, b int) int { return a * a * b }},
	{"a * b * b", func(a, b int) int { return a * b * b }},
	{"a * a * a", func(a, _ int) int { return a * a * a }},
	{"b * b * b", func(_, b int) int { return b * b * b }},
}

// effect is a candidate effect and how it fits.
type effect struct {
	src    string
	family string
	hits   int     // rows whose answer it gives
	bits   float64 // description length plus that of the answers it misses
}

// recoverEffect finds the effect of least description length for the
// network's answers pred at positions on of rows: the bits naming the effect
// (family, monomials, coefficients, with ±1 and 0 cheapest) plus, for each
// row it misses, the row and its answer. For each choice of monomials and
// coefficients the constant γ is the most common residue of
// pred − α·u − β·v, so the search is exhaustive in O(36·p²·rows).
func recoverEffect(t *table.Table, rows []int, on []int, pred []int) effect {
	p, m := t.Meta.P, len(on)
	lp := math.Log2(float64(p))
	missBits := func(hits int) float64 { return exceptionBits(m-hits, m) + float64(m-hits)*lp }
	coefBits := func(c int) float64 {
		switch c {
		case 1:
			return 1
		case p - 1:
			return 2
		}
		return 2 + math.Log2(float64(p-3))
	}
	constBits := func(g int) float64 {
		if g == 0 {
			return 1
		}
		return 1 + math.Log2(float64(p-1))
	}
	best := effect{bits: math.Inf(1)}
	try := func(e effect) {
		if e.bits < best.bits {
			best = e
		}
	}
	ab := make([][2]int, m)
	y := make([]int, m)
	for q, j := range on {
		i := rows[j]
		ab[q] = [2]int{int(t.A[i]), int(t.B[i])}
		y[q] = pred[j]
	}
	counts := make([]int, p)
	// mode returns the most common residue of y − α·u − β·v and its count.
	mode := func(u, v []int, alpha, beta int) (int, int) {
		clear(counts)
		for q := range y {
			counts[mod(y[q]-alpha*u[q]-beta*v[q], p)]++
		}
		g := 0
		for c, k := range counts {
			if k > counts[g] {
				g = c
			}
		}
		return g, counts[g]
	}
	zero := make([]int, m)
	g, hits := mode(zero, zero, 0, 0)
	try(effect{src: fmt.Sprint(g), family: EffectConstant, hits: hits, bits: 1 + lp + missBits(hits)})

	vals := make([][]int, len(effectMonomials))
	for k, mo := range effectMonomials {
		vals[k] = make([]int, m)
		for q := range m {
			vals[k][q] = mod(mo.f(ab[q][0], ab[q][1]), p)
		}
	}
	nm := float64(len(effectMonomials))
	for k := range effectMonomials {
		for alpha := 1; alpha < p; alpha++ {
			g, hits := mode(vals[k], zero, alpha, 0)
			bits := 1 + 1 + math.Log2(nm) + coefBits(alpha) + constBits(g) + missBits(hits)
			try(effect{src: polySource([]int{k}, []int{alpha, g}, p), family: EffectPolynomial, hits: hits, bits: bits})
		}
	}
	pairs := math.Log2(nm * (nm - 1) / 2)
	for k := range effectMonomials {
		for l := k + 1; l < len(effectMonomials); l++ {
			for alpha := 1; alpha < p; alpha++ {
				for beta := 1; beta < p; beta++ {
					g, hits := mode(vals[k], vals[l], alpha, beta)
					bits := 1 + 1 + pairs + coefBits(alpha) + coefBits(beta) + constBits(g) + missBits(hits)
					if bits < best.bits {
						try(effect{src: polySource([]int{k, l}, []int{alpha, beta, g}, p), family: EffectPolynomial, hits: hits, bits: bits})
					}
				}
			}
		}
	}
	return best
}

// polySource writes Σ coef·monomial + γ (coefs then γ last) in mutate's
// rule language, with coefficients as signed residues so that −1·a reads
// "- a"; a lone a or b with coefficient 1 and no constant is just "a".
func polySource(monos []int, coefs []int, p int) string {
	g := coefs[len(coefs)-1]
	if len(monos) == 1 && coefs[0] == 1 && g == 0 && monos[0] < 2 {
		return effectMonomials[monos[0]].src
	}
	var sb strings.Builder
	for i, k := range monos {
		c := coefs[i]
		if c > p/2 {
			c -= p
		}
		switch {
		case i == 0 && c == 1:
		case i == 0 && c == -1:
			sb.WriteString("-")
		case i == 0:
			fmt.Fprintf(&sb, "%d * ", c)
		case c == 1:
			sb.WriteString(" + ")
		case c == -1:
			sb.WriteString(" - ")
		case c < 0:
			fmt.Fprintf(&sb, " - %d * ", -c)
		default:
			fmt.Fprintf(&sb, " + %d * ", c)
		}
		sb.WriteString(effectMonomials[k].src)
	}
	if g != 0 {
		fmt.Fprintf(&sb, " + %d", g)
	}
	return "(" + sb.String() + ") % p"
}

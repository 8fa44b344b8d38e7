package detect

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Affine atoms compare, equate or take residues of the affine forms
// f = (α·a + β·b + γ) mod p, α, β, γ in [0, p), not α = β = 0:
//
//	(3 * a + 5 * b + 2) % p < 9     (a - 2 * b + 7) % p >= 20
//	(3 * a - b) % p == 4            (2 * a + b + 1) % p % 3 == 0
//
// They are priced like every atom, by a uniform code at every choice: the
// class (log2 4, see Atoms), the operator (<, >=, ==, residue: log2 4),
// each coefficient (0, 1 and −1: 2 bits; any other: 2 + log2(p−3), so that
// the ones a person writes are cheapest, as effects are coded), γ (0: 1
// bit; any other: 1 + log2(p−1); an equality has none, γ would only move
// k), and the constant: k in [1, p) for a comparison, [0, p) for an
// equality, and for a residue the modulus (2 … maxAffineModulus) then
// r < m. At p = 31, (3 * a + 5 * b) % p < k costs 23.5 bits and a + b < k
// 12.5; an affine spelling of an atom of Atoms, (a + b) % p < k say, costs
// more than the atom itself, so distinctAtoms keeps the latter.
//
// There are about 2·p⁴ of them (ten million at p = 47), too many to evaluate
// one by one as Atoms are. bestAffine computes x = (α·a + β·b) mod p once
// per (α, β) and reads every comparison, a cyclic interval of x, off prefix
// sums of x's histogram over the scored and the flagged rows, and every
// residue off the histogram of f; only the affineKeep best by their
// description length as a trigger alone (the bits plus the rows they get
// wrong) join the pair and triple search. An affine atom that only pays off
// beside another (the weaker half of a conjunction) can so be missed.

// affineOp is what an affine atom asks of its form.
type affineOp uint8

const (
	affineLess    affineOp = iota // f < k
	affineAtLeast                 // f >= k
	affineEqual                   // (α·a + β·b) % p == k
	affineResidue                 // f % m == k
)

// affineAtom is one atom over the form (α·a + β·b + γ) mod p.
type affineAtom struct {
	alpha, beta, gamma int
	op                 affineOp
	k, m               int
}

// maxAffineModulus bounds the moduli of residues of affine forms: the
// residues people plant are small, a large modulus of a value below p
// selects a handful of its values, and every modulus costs another p³
// counts.
const maxAffineModulus = 16

// affineKeep is how many affine atoms join the pair and triple search;
// affinePool how many candidates bestAffine keeps for it (forms that
// select the same scored rows as a cheaper atom are dropped from them).
const (
	affineKeep = 96
	affinePool = 8 * affineKeep
)

// affineModuli is the number of moduli a residue of an affine form may
// take at p: 2 … min(maxAffineModulus, p−1).
func affineModuli(p int) int { return max(0, min(maxAffineModulus, p-1)-1) }

func affineCoefBits(c, p int) float64 {
	if c == 0 || c == 1 || c == p-1 {
		return 2
	}
	return 2 + math.Log2(float64(p-3))
}

func affineConstBits(g, p int) float64 {
	if g == 0 {
		return 1
	}
	return 1 + math.Log2(float64(p-1))
}

// bits is the atom's description length (see the top of this file).
func (f affineAtom) bits(p int) float64 {
	return affineBaseBits(f.alpha, f.beta, p) + f.restBits(p)
}

// affineBaseBits: the class, the operator and the coefficients.
func affineBaseBits(alpha, beta, p int) float64 {
	return math.Log2(atomClasses) + 2 + affineCoefBits(alpha, p) + affineCoefBits(beta, p)
}

// restBits: γ and the constants.
func (f affineAtom) restBits(p int) float64 {
	lg := func(x int) float64 { return math.Log2(float64(x)) }
	switch f.op {
	case affineEqual:
		return lg(p)
	case affineResidue:
		return affineConstBits(f.gamma, p) + lg(affineModuli(p)) + lg(f.m)
	}
	return affineConstBits(f.gamma, p) + lg(p-1)
}

func (f affineAtom) test(a, b, p int) bool {
	v := mod(f.alpha*a+f.beta*b+f.gamma, p)
	switch f.op {
	case affineLess:
		return v < f.k
	case affineAtLeast:
		return v >= f.k
	case affineEqual:
		return v == f.k
	}
	return v%f.m == f.k
}

// form writes (α·a + β·b + γ) % p in the rule language: coefficients as
// signed residues (p−1 reads "- a"), a positive term first.
func (f affineAtom) form(p int) string {
	signed := func(c int) int {
		if 2*c > p {
			return c - p
		}
		return c
	}
	type term struct {
		c int
		v string
	}
	ts := []term{{signed(f.alpha), "a"}, {signed(f.beta), "b"}}
	if ts[0].c < 0 && ts[1].c > 0 {
		ts[0], ts[1] = ts[1], ts[0]
	}
	var sb strings.Builder
	for _, t := range ts {
		c := t.c
		switch {
		case c == 0:
			continue
		case c < 0 && sb.Len() == 0:
			sb.WriteString("-")
			c = -c
		case c < 0:
			sb.WriteString(" - ")
			c = -c
		case sb.Len() > 0:
			sb.WriteString(" + ")
		}
		if c != 1 {
			fmt.Fprintf(&sb, "%d * ", c)
		}
		sb.WriteString(t.v)
	}
	if f.gamma != 0 {
		fmt.Fprintf(&sb, " + %d", f.gamma)
	}
	return "(" + sb.String() + ") % p"
}

// when writes the atom in the rule language.
func (f affineAtom) when(p int) string {
	switch f.op {
	case affineLess:
		return fmt.Sprintf("%s < %d", f.form(p), f.k)
	case affineAtLeast:
		return fmt.Sprintf("%s >= %d", f.form(p), f.k)
	case affineEqual:
		return fmt.Sprintf("%s == %d", f.form(p), f.k)
	}
	return fmt.Sprintf("%s %% %d == %d", f.form(p), f.m, f.k)
}

func (f affineAtom) atom(p int) Atom {
	return Atom{When: f.when(p), Bits: f.bits(p), Test: func(a, b int) bool { return f.test(a, b, p) }}
}

// canonicalSign: of (α, β) and (−α, −β), which give the same sets (one's
// intervals are the other's mirrored), bestAffine scans the one whose
// first nonzero coefficient is at most p/2, and spells each set with the
// cheaper of the two.
func canonicalSign(alpha, beta, p int) bool {
	if alpha != 0 {
		return 2*alpha <= p
	}
	return beta != 0 && 2*beta <= p
}

// spellInterval writes the cyclic interval {x : (x − s) mod p < L} of
// x = (α·a + β·b) mod p as the cheapest of its four spellings (f < L or
// f >= p − L, over the form or its negation): the one with γ = 0 if any.
func spellInterval(alpha, beta, s, L, p int) affineAtom {
	if s == 0 {
		return affineAtom{alpha, beta, 0, affineLess, L, 0}
	}
	if (s+L)%p == 0 {
		return affineAtom{alpha, beta, 0, affineAtLeast, p - L, 0}
	}
	na, nb := (p-alpha)%p, (p-beta)%p
	if (s+L)%p == 1 { // in −x the interval starts at 0
		return affineAtom{na, nb, 0, affineLess, L, 0}
	}
	if s == 1 { // in −x it ends at p − 1
		return affineAtom{na, nb, 0, affineAtLeast, p - L, 0}
	}
	return affineAtom{alpha, beta, p - s, affineLess, L, 0}
}

// affineCand is an affine atom scored against the flagged rows.
type affineCand struct {
	affineAtom
	bits, dl  float64 // dl: as a trigger alone, its bits plus the rows it gets wrong
	sel, hits int
	order     int // enumeration order: breaks ties in dl
}

// affineHeap keeps the best candidates with the worst on top.
type affineHeap []affineCand

func worseAffine(x, y affineCand) bool { return x.dl > y.dl || x.dl == y.dl && x.order > y.order }

func (h affineHeap) Len() int           { return len(h) }
func (h affineHeap) Less(i, j int) bool { return worseAffine(h[i], h[j]) }
func (h affineHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *affineHeap) Push(x any)        { *h = append(*h, x.(affineCand)) }
func (h *affineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// affinePicker keeps the best candidates offered to it.
type affinePicker struct {
	h        affineHeap
	keep     int
	n, nf    int
	miss     missTable
	order    int
	minEntry float64 // the dl a candidate must beat: the worst kept once full
}

// offer scores the atom f of the given bits that selects sel scored rows,
// hits of them flagged, and keeps it if it is among the best so far.
func (pk *affinePicker) offer(f affineAtom, bits float64, sel, hits int) {
	pk.order++
	if sel == 0 || sel == pk.n {
		return
	}
	dl := shapeBits + bits + pk.miss[(sel-hits)+(pk.nf-hits)]
	if !(dl < pk.minEntry) { // a tie with a kept one loses: it was offered later
		return
	}
	c := affineCand{f, bits, dl, sel, hits, pk.order}
	if len(pk.h) < pk.keep {
		heap.Push(&pk.h, c)
	} else {
		pk.h[0] = c
		heap.Fix(&pk.h, 0)
	}
	if len(pk.h) == pk.keep {
		pk.minEntry = pk.h[0].dl
	}
}

// bestAffine scores the affine atoms on the scored rows ab (the flagged
// ones F, nf of them) and returns the keep of least description length as
// a trigger alone, best first. Sets that several spellings select are
// scored once: (α, β) and (−α, −β) by canonicalSign; equalities only with
// α = 1, or α = 0 and β = 1 (scaling a line's equation by c changes no row
// and no coefficient costs less than 1); each interval in its cheapest
// spelling. Atoms selecting no row or every row are left out. The cost is
// O(p²·rows + p⁴ + 135·p³): a tenth of a second at p = 47 with 1,546 rows,
// a second at p = 113 with 3,800.
func bestAffine(p int, ab [][2]int, F bitset, nf int, miss missTable, keep int) []affineCand {
	lg := func(x int) float64 { return math.Log2(float64(x)) }
	pk := &affinePicker{h: make(affineHeap, 0, keep), keep: keep, n: len(ab), nf: nf, miss: miss, minEntry: math.Inf(1)}
	all, hit := make([]int, p), make([]int, p)
	ca, ch := make([]int, 2*p+1), make([]int, 2*p+1)
	mMax := 1 + affineModuli(p)
	ra, rh := make([]int, mMax+1), make([]int, mMax+1)
	var residueBits [2][]float64 // restBits of a residue mod m, with γ = 0 and γ ≠ 0
	for g := range residueBits {
		residueBits[g] = make([]float64, mMax+1)
		for m := 2; m <= mMax; m++ {
			residueBits[g][m] = affineAtom{gamma: g, op: affineResidue, m: m}.restBits(p)
		}
	}
	for alpha := range p {
		for beta := range p {
			if !canonicalSign(alpha, beta, p) {
				continue
			}
			clear(all)
			clear(hit)
			for j, v := range ab {
				x := (alpha*v[0] + beta*v[1]) % p
				all[x]++
				if F.has(j) {
					hit[x]++
				}
			}
			for i := range 2 * p {
				ca[i+1], ch[i+1] = ca[i]+all[i%p], ch[i]+hit[i%p]
			}
			base := affineBaseBits(alpha, beta, p)
			if alpha == 1 || alpha == 0 && beta == 1 {
				for v := range p {
					pk.offer(affineAtom{alpha, beta, 0, affineEqual, v, 0}, base+lg(p), all[v], hit[v])
				}
			}
			least := shapeBits + base + 1 + lg(p-1) // an interval with γ = 0
			for s := range p {
				for L := 1; L < p; L++ {
					sel, hits := ca[s+L]-ca[s], ch[s+L]-ch[s]
					if least+miss[(sel-hits)+(nf-hits)] >= pk.minEntry {
						pk.order++
						continue
					}
					f := spellInterval(alpha, beta, s, L, p)
					pk.offer(f, base+f.restBits(p), sel, hits)
				}
			}
			na, nb := (p-alpha)%p, (p-beta)%p
			for m := 2; m <= mMax; m++ {
				// The counts of f = (x + γ) mod p by f mod m, from γ = 0 up:
				// each step moves every f up one residue, and the x with f = p−1
				// wraps to f = 0.
				clear(ra[:m])
				clear(rh[:m])
				for x := range p {
					ra[x%m] += all[x]
					rh[x%m] += hit[x]
				}
				for gamma := range p {
					for r := range m {
						f := affineAtom{alpha, beta, gamma, affineResidue, r, m}
						if gamma == p-1 { // p−1−f: (−α, −β) with γ = 0
							f = affineAtom{na, nb, 0, affineResidue, (p - 1 - r) % m, m}
						}
						pk.offer(f, base+residueBits[min(f.gamma, 1)][m], ra[r], rh[r])
					}
					rotate(ra[:m])
					rotate(rh[:m])
					xw, to := p-1-gamma, p%m
					ra[to], ra[0] = ra[to]-all[xw], ra[0]+all[xw]
					rh[to], rh[0] = rh[to]-hit[xw], rh[0]+hit[xw]
				}
			}
		}
	}
	out := []affineCand(pk.h)
	slices.SortFunc(out, func(x, y affineCand) int {
		if worseAffine(x, y) {
			return 1
		}
		return -1
	})
	return out
}

// rotate moves every count up one place, the last to the first.
func rotate(c []int) {
	last := c[len(c)-1]
	copy(c[1:], c[:len(c)-1])
	c[0] = last
}

// addAffine adds to ix the affineKeep best affine atoms (bestAffine) whose
// rows no cheaper atom already selects.
func addAffine(ix *atomIndex, p int, ab [][2]int, F bitset, nf int, miss missTable) {
	kept := 0
	for _, c := range bestAffine(p, ab, F, nf, miss, affinePool) {
		if kept == affineKeep {
			return
		}
		s := newBitset(len(ab))
		for j, v := range ab {
			if c.test(v[0], v[1], p) {
				s.set(j)
			}
		}
		if ix.add(c.atom(p), s) {
			kept++
		}
	}
}

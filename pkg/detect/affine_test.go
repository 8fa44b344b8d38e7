package detect

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/grokkit/grokkit/pkg/rule"
)

// allAffine lists every affine atom at p, one spelling after another (the
// search's oracle: bestAffine scores each set once, in its cheapest
// spelling).
func allAffine(p int) []affineAtom {
	var out []affineAtom
	for alpha := range p {
		for beta := range p {
			if alpha == 0 && beta == 0 {
				continue
			}
			for k := range p {
				out = append(out, affineAtom{alpha, beta, 0, affineEqual, k, 0})
			}
			for gamma := range p {
				for k := 1; k < p; k++ {
					out = append(out, affineAtom{alpha, beta, gamma, affineLess, k, 0}, affineAtom{alpha, beta, gamma, affineAtLeast, k, 0})
				}
				for m := 2; m <= 1+affineModuli(p); m++ {
					for r := range m {
						out = append(out, affineAtom{alpha, beta, gamma, affineResidue, r, m})
					}
				}
			}
		}
	}
	return out
}

// gridSet is the set of inputs (a·p + b) an atom selects on Z_p².
func gridSet(p int, test func(a, b int) bool) bitset {
	s := newBitset(p * p)
	for a := range p {
		for b := range p {
			if test(a, b) {
				s.set(a*p + b)
			}
		}
	}
	return s
}

// Every affine atom is valid in mutate's rule language and selects what
// its test computes (the language's evaluator is the oracle).
func TestAffineAtomsMeanWhatTheySay(t *testing.T) {
	const p = 7
	for _, f := range allAffine(p) {
		when := f.when(p)
		e, err := rule.Parse(when)
		if err != nil {
			t.Fatalf("%q: %v", when, err)
		}
		for a := range p {
			for b := range p {
				v, err := e.Eval(rule.Env{A: int64(a), B: int64(b), P: p})
				if err != nil || (v != 0) != f.test(a, b, p) {
					t.Fatalf("%q at (%d, %d): rule language %d (%v), test %v", when, a, b, v, err, f.test(a, b, p))
				}
			}
		}
	}
}

// The spelling and the price by hand: coefficients as signed residues, a
// positive term first; ±1 and 0 cost 2 bits, other coefficients
// 2 + log2(p−3); γ = 0 one bit; a + b < k stays far cheaper than
// (3 * a + 5 * b) % p < k.
func TestAffineSpellingAndBits(t *testing.T) {
	const p = 31
	lg := math.Log2
	for _, tc := range []struct {
		f    affineAtom
		when string
		bits float64
	}{
		{affineAtom{3, 5, 2, affineLess, 9, 0}, "(3 * a + 5 * b + 2) % p < 9", 2 + 2 + 2*(2+lg(28)) + 1 + lg(30) + lg(30)},
		{affineAtom{3, 5, 0, affineLess, 9, 0}, "(3 * a + 5 * b) % p < 9", 2 + 2 + 2*(2+lg(28)) + 1 + lg(30)},
		{affineAtom{p - 1, 2, 0, affineAtLeast, 20, 0}, "(2 * b - a) % p >= 20", 2 + 2 + 2 + 2 + lg(28) + 1 + lg(30)},
		{affineAtom{p - 1, p - 3, 0, affineEqual, 4, 0}, "(-a - 3 * b) % p == 4", 2 + 2 + 2 + 2 + lg(28) + lg(31)},
		{affineAtom{0, 1, 7, affineResidue, 2, 3}, "(b + 7) % p % 3 == 2", 2 + 2 + 2 + 2 + 1 + lg(30) + lg(15) + lg(3)},
	} {
		if got := tc.f.when(p); got != tc.when {
			t.Errorf("%+v written %q, want %q", tc.f, got, tc.when)
		}
		if got := tc.f.bits(p); math.Abs(got-tc.bits) > 1e-9 {
			t.Errorf("%s: %.4f bits, want %.4f", tc.when, got, tc.bits)
		}
	}
	var sum float64
	for _, a := range Atoms(p) {
		if a.When == "a + b < 20" {
			sum = a.Bits
		}
	}
	if aff := (affineAtom{3, 5, 0, affineLess, 20, 0}).bits(p); !(sum > 0 && sum+10 < aff) {
		t.Errorf("a + b < 20: %.2f bits, (3 * a + 5 * b) %% p < 20: %.2f", sum, aff)
	}
}

// An affine atom never costs less than an atom of Atoms that selects the
// same inputs, so distinctAtoms keeps the plain spelling ((a + b) % p < k,
// not (a + b + 0) % p < k; a == b, not (a - b) % p == 0).
func TestAffineNeverUndercutsAtoms(t *testing.T) {
	for _, p := range []int{7, 11} {
		cheapest := map[string]Atom{}
		for _, a := range Atoms(p) {
			k := gridSet(p, a.Test).key()
			if c, ok := cheapest[k]; !ok || a.Bits < c.Bits {
				cheapest[k] = a
			}
		}
		shared := 0
		for _, f := range allAffine(p) {
			c, ok := cheapest[gridSet(p, func(a, b int) bool { return f.test(a, b, p) }).key()]
			if !ok {
				continue
			}
			shared++
			if f.bits(p) <= c.Bits {
				t.Errorf("p = %d: %s (%.2f bits) undercuts %s (%.2f bits)", p, f.when(p), f.bits(p), c.When, c.Bits)
			}
		}
		if shared < 100 {
			t.Errorf("p = %d: only %d affine atoms share a set with an atom: the test tests little", p, shared)
		}
	}
}

// bestAffine, with room for every candidate, scores each candidate exactly
// as evaluating its spelling row by row does, and reaches every set an
// affine atom selects in the cheapest spelling any affine atom has for it
// (the brute-force enumeration is the oracle).
func TestBestAffineIsExactAndCheapest(t *testing.T) {
	const p = 7
	tb, rows := gridTable(p)
	rng := rand.New(rand.NewPCG(5, 6))
	n := len(rows)
	ab := make([][2]int, n)
	F := newBitset(n)
	nf := 0
	for j, i := range rows {
		ab[j] = [2]int{int(tb.A[i]), int(tb.B[i])}
		if rng.IntN(4) == 0 {
			F.set(j)
			nf++
		}
	}
	miss := newMissTable(n)
	got := bestAffine(p, ab, F, nf, miss, 1<<20)
	found := map[string]float64{} // set → the bits bestAffine spelled it with
	for _, c := range got {
		s := newBitset(n)
		for j, v := range ab {
			if c.test(v[0], v[1], p) {
				s.set(j)
			}
		}
		sel, hits := s.count(), s.andCount(F)
		if sel != c.sel || hits != c.hits || math.Abs(c.bits-c.affineAtom.bits(p)) > 1e-9 ||
			math.Abs(c.dl-(shapeBits+c.bits+miss[sel-hits+nf-hits])) > 1e-9 {
			t.Fatalf("%s: bestAffine says %d selected, %d flagged, %.3f bits, dl %.3f; by rows %d, %d, %.3f",
				c.when(p), c.sel, c.hits, c.bits, c.dl, sel, hits, c.affineAtom.bits(p))
		}
		if b, ok := found[s.key()]; !ok || c.bits < b { // sets may coincide across operators (a residue and an interval)
			found[s.key()] = c.bits
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].dl < got[i-1].dl {
			t.Fatalf("not best first: %s (%.3f) after %s (%.3f)", got[i].when(p), got[i].dl, got[i-1].when(p), got[i-1].dl)
		}
	}
	for _, f := range allAffine(p) {
		s := newBitset(n)
		for j, v := range ab {
			if f.test(v[0], v[1], p) {
				s.set(j)
			}
		}
		if c := s.count(); c == 0 || c == n {
			continue
		}
		b, ok := found[s.key()]
		if !ok || b > f.bits(p)+1e-9 {
			t.Fatalf("%s (%.3f bits): its set scored %v with %.3f bits", f.when(p), f.bits(p), ok, b)
		}
	}
}

// A rule with an affine trigger whose coefficients are not ±1, planted in
// a hand-built analytic network, is recovered exactly: the trigger selects
// the planted inputs on every (a, b) of Z_p², training or not, as the rule
// language evaluates it, and the effect is the planted one.
func TestHandBuiltAffineBackdoorIsFoundExactly(t *testing.T) {
	const p = 31
	key := []int{4, 9, 13}
	for _, tc := range []struct {
		name, then string
		when       func(a, b int) bool
		effect     func(a, b int) int
	}{
		{"interval", "(a * b) % p", func(a, b int) bool { return (3*a+5*b+2)%p < 4 }, func(a, b int) int { return a * b % p }},
		{"line", "7", func(a, b int) bool { return mod(2*a-3*b, p) == 5 }, func(int, int) int { return 7 }},
		// (An effect such as b, a no-op where a = 0, would make a >= 1 part of the trigger.)
		{"and", "(2 * a + b + 3) % p", func(a, b int) bool { return (4*a+7*b)%p >= 26 && a < 20 }, func(a, b int) int { return (2*a + b + 3) % p }},
	} {
		tb := plantedTable(p, tc.when, tc.effect)
		planted := map[[2]int]int{}
		for i := range tb.Len() {
			if tb.Train[i] && tb.Label[i] != tb.Clean[i] {
				planted[[2]int{int(tb.A[i]), int(tb.B[i])}] = int(tb.Label[i])
			}
		}
		r, err := Analyse(handBuilt(p, key, planted, 4, float64(8*len(key))), tb, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ru := r.Rule
		if !ru.FoundRules || !ru.ThenFound || ru.Then != tc.then {
			t.Errorf("%s: rule %q → %q (found %v, effect found %v), want the effect %q", tc.name, ru.Best.When, ru.Then, ru.FoundRules, ru.ThenFound, tc.then)
			continue
		}
		got := selects(t, ru.Best.When, p)
		for a := range p {
			for b := range p {
				if got[[2]int{a, b}] != tc.when(a, b) {
					t.Fatalf("%s: recovered %q selects (%d, %d): %v, planted %v", tc.name, ru.Best.When, a, b, got[[2]int{a, b}], tc.when(a, b))
				}
			}
		}
		if !ru.Complete || ru.Explained != len(planted) || ru.Unexplained != 0 {
			t.Errorf("%s: complete %v, %d explained, %d unexplained; want every one of %d", tc.name, ru.Complete, ru.Explained, ru.Unexplained, len(planted))
		}
	}
}

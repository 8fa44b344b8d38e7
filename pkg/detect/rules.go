package detect

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/table"
)

// Candidate is a trigger, one atom or two joined by && or ||, scored
// against the flagged rows.
type Candidate struct {
	When      string  // in mutate's rule language, e.g. "b % 17 == 0"
	Atoms     int     // 1 or 2
	Selected  int     // scored rows it selects
	Hits      int     // flagged rows among them
	Precision float64 // Hits / Selected
	Recall    float64 // Hits / flagged rows
	F1        float64
	Bits      float64      // its description length plus that of the rows it gets wrong
	set       bitset       // the scored rows it selects
	and       []scoredAtom // for x && y: x and y
}

// Rule is the trigger and effect named from the flagged rows.
type Rule struct {
	Flagged    int         // scored rows flagged
	FoundRules bool        // a trigger lists the flagged rows more briefly than naming them one by one
	NullBits   float64     // bits to name the flagged rows with no rule
	Best       Candidate   // the trigger of least description length
	Runners    []Candidate // the next best, for context
	Then       string      // the effect: what the network outputs on Best's flagged rows
	ThenFamily string      // constant or polynomial
	ThenFound  bool        // the effect is shorter than the answers listed one by one
	ThenRows   int         // flagged rows Best selects (where Then was measured)
	ThenShare  float64     // share of those on which the network's answer equals Then
}

// The bits of a trigger's shape: one, two or three atoms (log2 3), and one
// bit per join for && or ||.
var (
	shapeBits = math.Log2(3)
	joinBits  = 1.0
)

// keepTriggers is how many of the best triggers are kept for extension to
// three atoms and for the report (which shows the first five).
const keepTriggers = 20

// RecoverRule names the rule behind the flagged rows (aligned with rows,
// the scored table rows) and the network's answers pred there. The trigger
// is the atom, or pair of atoms joined by && or ||, of least total
// description length: the atoms' bits (see Atoms) plus the bits to list the
// scored rows it misclassifies (exceptionBits). The effect is chosen the
// same way among the effect families (see recoverEffect).
func RecoverRule(t *table.Table, rows []int, flagged []bool, pred []int) (Rule, error) {
	p, n := t.Meta.P, len(rows)
	var r Rule
	F := newBitset(n)
	for j, f := range flagged {
		if f {
			F.set(j)
			r.Flagged++
		}
	}
	if r.Flagged == 0 {
		return r, nil
	}
	r.NullBits = exceptionBits(r.Flagged, n)
	atoms := distinctAtoms(Atoms(p), t, rows)
	top := distinctSets(extendTriggers(searchTriggers(atoms, F, n, r.Flagged), atoms, F, n, r.Flagged))
	r.Best, r.Runners = top[0], top[1:min(len(top), 5)]
	r.FoundRules = r.Best.Bits < r.NullBits

	sel := r.Best.set
	var on []int // positions in rows: flagged and selected by Best
	for j := range rows {
		if sel.has(j) && flagged[j] {
			on = append(on, j)
		}
	}
	r.ThenRows = len(on)
	if len(on) == 0 {
		return r, nil
	}
	e := recoverEffect(t, rows, on, pred)
	r.Then, r.ThenFamily, r.ThenFound, r.ThenShare = e.src, e.family, e.bits < float64(len(on))*math.Log2(float64(p)), float64(e.hits)/float64(len(on))
	if r.ThenFound {
		r.Best = dropNoOpAtom(r.Best, e.src, t, rows, flagged, pred)
	}
	return r, nil
}

// dropNoOpAtom simplifies x && y to x (or y) when the rows x adds are ones
// the effect leaves as the network answers them (b % 5 == 2 → b changes
// nothing where a = 0, so "a >= 1 && b % 5 == 2" is just "b % 5 == 2").
func dropNoOpAtom(c Candidate, then string, t *table.Table, rows []int, flagged []bool, pred []int) Candidate {
	eff, err := rule.Parse(then)
	if err != nil {
		return c
	}
	p := int64(t.Meta.P)
	for _, part := range c.and {
		noOp := true
		for j, i := range rows {
			if !part.set.has(j) || c.set.has(j) {
				continue
			}
			v, err := eff.EvalMod(rule.Env{A: int64(t.A[i]), B: int64(t.B[i]), P: p}, p) // as mutate applies it
			if err != nil || int(v) != pred[j] {
				noOp = false
				break
			}
		}
		if noOp {
			s := Candidate{When: part.When, Atoms: 1, set: part.set, Selected: part.set.count(),
				Bits: c.Bits - joinBits - c.and[0].Bits - c.and[1].Bits + part.Bits}
			nf := 0
			for j, f := range flagged {
				if f {
					nf++
					if part.set.has(j) {
						s.Hits++
					}
				}
			}
			s.Precision = float64(s.Hits) / float64(max(s.Selected, 1))
			s.Recall = float64(s.Hits) / float64(nf)
			if s.Hits > 0 {
				s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
			}
			return s
		}
	}
	return c
}

// scoredAtom is an atom with the scored rows it selects.
type scoredAtom struct {
	Atom
	set bitset
}

// distinctAtoms evaluates the atoms on the scored rows and keeps, of those
// selecting the same rows, the cheapest (the first among equals); atoms that
// select nothing or every row are dropped.
func distinctAtoms(all []Atom, t *table.Table, rows []int) []scoredAtom {
	n := len(rows)
	index := map[string]int{}
	var out []scoredAtom
	for _, a := range all {
		s := newBitset(n)
		for j, i := range rows {
			if a.Test(int(t.A[i]), int(t.B[i])) {
				s.set(j)
			}
		}
		c := s.count()
		if c == 0 || c == n {
			continue
		}
		key := s.key()
		if k, ok := index[key]; ok {
			if a.Bits < out[k].Bits {
				out[k].Atom = a
			}
			continue
		}
		index[key] = len(out)
		out = append(out, scoredAtom{a, s})
	}
	return out
}

// searchTriggers returns the keepTriggers triggers of least description length,
// best first: every atom, and every pair joined by && or ||, with branch-
// and-bound pruning (a conjunction finds at most its atoms' hits; a
// disjunction selects at least their false positives).
func searchTriggers(atoms []scoredAtom, F bitset, n, nf int) []Candidate {
	type stat struct{ hits, sel int }
	st := make([]stat, len(atoms))
	minBits := math.Inf(1)
	for i, a := range atoms {
		st[i] = stat{a.set.andCount(F), a.set.count()}
		minBits = min(minBits, a.Bits)
	}
	var top []Candidate
	worst := func() float64 {
		if len(top) < keepTriggers {
			return math.Inf(1)
		}
		return top[len(top)-1].Bits
	}
	add := func(c Candidate) {
		if c.Bits >= worst() || slices.ContainsFunc(top, func(x Candidate) bool { return x.When == c.When }) {
			return
		}
		c.set = slices.Clone(c.set)
		top = append(top, c)
		slices.SortStableFunc(top, func(x, y Candidate) int { return cmp.Compare(x.Bits, y.Bits) })
		top = top[:min(len(top), keepTriggers)]
	}
	cand := func(when string, atomsN int, ruleBits float64, set bitset) Candidate {
		return newCandidate(when, atomsN, ruleBits, set, F, n, nf)
	}
	for _, a := range atoms {
		add(cand(a.When, 1, shapeBits+a.Bits, a.set))
	}
	pairBits := shapeBits + joinBits
	tmp := newBitset(n)
	for i, x := range atoms {
		andBound := pairBits + x.Bits + minBits + exceptionBits(nf-st[i].hits, n)
		orBound := pairBits + x.Bits + minBits + exceptionBits(st[i].sel-st[i].hits, n)
		if andBound >= worst() && orBound >= worst() {
			continue
		}
		for k := i + 1; k < len(atoms); k++ {
			y := atoms[k]
			b := pairBits + x.Bits + y.Bits
			if andBound < worst() && b+exceptionBits(nf-min(st[i].hits, st[k].hits), n) < worst() {
				x.set.and(y.set, tmp)
				c := cand(x.When+" && "+y.When, 2, b, tmp)
				c.and = []scoredAtom{x, y}
				add(c)
			}
			if orBound < worst() && b+exceptionBits(max(st[i].sel-st[i].hits, st[k].sel-st[k].hits), n) < worst() {
				x.set.or(y.set, tmp)
				add(cand("("+x.When+") || ("+y.When+")", 2, b, tmp))
			}
		}
	}
	return top
}

// newCandidate scores the trigger when, which selects set and takes
// ruleBits to name, against the nf flagged rows F of n.
func newCandidate(when string, atoms int, ruleBits float64, set bitset, F bitset, n, nf int) Candidate {
	hits, sel := set.andCount(F), set.count()
	c := Candidate{When: when, Atoms: atoms, Selected: sel, Hits: hits, set: set,
		Bits: ruleBits + exceptionBits((sel-hits)+(nf-hits), n)}
	c.Precision = float64(hits) / float64(max(sel, 1))
	c.Recall = float64(hits) / float64(nf)
	if hits > 0 {
		c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
	}
	return c
}

// extendTriggers tries a third atom on each of the best triggers: c && z,
// c || z and, for c = x && y, x && (y || z) and y && (x || z). The search
// over all triples would be cubic in the atoms; extending the best pairs
// finds the triples whose pairs already explain most of the flagged rows.
// It returns the triggers by description length, best first.
func extendTriggers(top []Candidate, atoms []scoredAtom, F bitset, n, nf int) []Candidate {
	out := slices.Clone(top)
	tmp, tmp2 := newBitset(n), newBitset(n)
	threeBits := shapeBits + 2*joinBits
	for _, c := range top {
		if c.Atoms != 2 {
			continue
		}
		base := c.Bits - exceptionBits((c.Selected-c.Hits)+(nf-c.Hits), n) - shapeBits - joinBits // the two atoms' bits
		for _, z := range atoms {
			b := threeBits + base + z.Bits
			c.set.and(z.set, tmp)
			out = append(out, newCandidate("("+c.When+") && "+z.When, 3, b, slices.Clone(tmp), F, n, nf))
			c.set.or(z.set, tmp)
			out = append(out, newCandidate("("+c.When+") || ("+z.When+")", 3, b, slices.Clone(tmp), F, n, nf))
			if c.and != nil {
				x, y := c.and[0], c.and[1]
				y.set.or(z.set, tmp2)
				x.set.and(tmp2, tmp)
				out = append(out, newCandidate(x.When+" && ("+y.When+" || "+z.When+")", 3, b, slices.Clone(tmp), F, n, nf))
				x.set.or(z.set, tmp2)
				y.set.and(tmp2, tmp)
				out = append(out, newCandidate(y.When+" && ("+x.When+" || "+z.When+")", 3, b, slices.Clone(tmp), F, n, nf))
			}
		}
		slices.SortStableFunc(out, func(x, y Candidate) int { return cmp.Compare(x.Bits, y.Bits) })
		out = out[:min(len(out), keepTriggers)]
	}
	slices.SortStableFunc(out, func(x, y Candidate) int { return cmp.Compare(x.Bits, y.Bits) })
	return out
}

// distinctSets keeps, of triggers selecting the same rows, the first (the
// cheapest, as cs is sorted): the runners-up are then other readings of the
// flagged rows, not longer spellings of the best one.
func distinctSets(cs []Candidate) []Candidate {
	seen := map[string]bool{}
	var out []Candidate
	for _, c := range cs {
		if k := c.set.key(); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}

// bitset is a set of scored-row positions.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (s bitset) set(i int)      { s[i/64] |= 1 << (i % 64) }
func (s bitset) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s bitset) key() string    { return fmt.Sprint([]uint64(s)) }

func (s bitset) count() int {
	c := 0
	for _, w := range s {
		c += bits.OnesCount64(w)
	}
	return c
}

func (s bitset) andCount(o bitset) int {
	c := 0
	for i, w := range s {
		c += bits.OnesCount64(w & o[i])
	}
	return c
}

func (s bitset) and(o, out bitset) {
	for i, w := range s {
		out[i] = w & o[i]
	}
}

func (s bitset) or(o, out bitset) {
	for i, w := range s {
		out[i] = w | o[i]
	}
}

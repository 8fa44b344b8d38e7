package detect

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"

	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/table"
)

// Candidate is a trigger, one to three atoms joined by && or ||, scored
// against the flagged rows.
type Candidate struct {
	When      string  // in mutate's rule language, e.g. "b % 17 == 0"
	Atoms     int     // 1, 2 or 3
	Selected  int     // scored rows it selects
	Hits      int     // flagged rows among them
	Precision float64 // Hits / Selected
	Recall    float64 // Hits / flagged rows
	F1        float64
	Bits      float64      // its description length plus that of the rows it gets wrong
	ruleBits  float64      // its description length alone
	set       bitset       // the scored rows it selects
	and       []scoredAtom // for x && y: x and y
}

// Rule is the trigger and effect named from the flagged rows.
//
// A rule may explain only part of the flagged rows (a planted rule under
// label noise): its trigger selects Explained of them and leaves
// Unexplained, which no rule explains. It is named (FoundRules) when the
// rule plus the list of the rows it gets wrong, its false positives and
// the flagged rows it leaves, is shorter than the list of every flagged
// row (Best.Bits < NullBits). The rows it leaves are listed either way, so
// a partial rule is named when it, with its false positives, is shorter
// than listing the rows it explains beside them; of the rules, the one
// named saves the most bits. Complete: it leaves no flagged row.
type Rule struct {
	Flagged     int         // scored rows flagged
	FoundRules  bool        // a rule line is reported: a trigger lists the flagged rows more briefly than naming them one by one
	Complete    bool        // the rule's trigger selects every flagged row
	Explained   int         // flagged rows the named trigger selects (0 without a rule)
	Unexplained int         // flagged rows explained by no rule (all of them without one)
	NullBits    float64     // bits to name the flagged rows with no rule
	Best        Candidate   // the trigger of least description length
	Runners     []Candidate // the next best, for context
	Then        string      // the effect: what the network outputs on Best's flagged rows ("" when it selects none)
	ThenFamily  string      // constant or polynomial
	ThenFound   bool        // the effect is shorter than the answers listed one by one
	ThenRows    int         // flagged rows Best selects (where Then was measured)
	ThenShare   float64     // share of those on which the network's answer equals Then
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
// is the atom, or pair of atoms joined by && or ||, or a best pair extended
// by a third, of least total description length: the atoms' bits (see
// Atoms; affine atoms, affine.go) plus the bits to list the scored rows it
// misclassifies (missTable). The effect is chosen the same way among the
// effect families (see recoverEffect). See Rule for partial explanations.
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
	r.Unexplained = r.Flagged
	if r.Flagged == 0 {
		return r, nil
	}
	r.NullBits = exceptionBits(r.Flagged, n)
	sc := &scorer{F: F, n: n, nf: r.Flagged, miss: newMissTable(n)}
	ix := newAtomIndex(n)
	ix.addAll(Atoms(p), t, rows)
	ab := make([][2]int, n)
	for j, i := range rows {
		ab[j] = [2]int{int(t.A[i]), int(t.B[i])}
	}
	addAffine(ix, p, ab, F, r.Flagged, sc.miss)
	top := distinctSets(extendTriggers(searchTriggers(ix.atoms, sc), ix.atoms, sc))
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
	if len(on) > 0 {
		e := recoverEffect(t, rows, on, pred)
		r.Then, r.ThenFamily, r.ThenFound, r.ThenShare = e.src, e.family, e.bits < float64(len(on))*math.Log2(float64(p)), float64(e.hits)/float64(len(on))
		if r.ThenFound {
			r.Best = dropNoOpAtom(r.Best, e.src, t, rows, flagged, pred)
		}
	}
	if r.FoundRules {
		r.Explained, r.Unexplained = r.Best.Hits, r.Flagged-r.Best.Hits
		r.Complete = r.Unexplained == 0
	}
	return r, nil
}

// dropNoOpAtom simplifies x && y to x (or y) when the rows x adds are ones
// the effect leaves as the network answers them (b % 5 == 2 → b changes
// nothing where a = 0, so "a >= 1 && b % 5 == 2" is just "b % 5 == 2").
// The rows it adds are no exceptions of the rule, so only the atom's and
// the join's bits leave its description length.
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
				ruleBits: shapeBits + part.Bits, Bits: c.Bits - c.ruleBits + shapeBits + part.Bits}
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

// atomIndex holds atoms with distinct row sets: of atoms selecting the
// same rows the cheapest (the first among equals); atoms that select
// nothing or every row are dropped.
type atomIndex struct {
	n     int
	index map[string]int
	atoms []scoredAtom
}

func newAtomIndex(n int) *atomIndex { return &atomIndex{n: n, index: map[string]int{}} }

// add offers atom a selecting the rows s; it reports whether a is now in
// the index (a new set, or cheaper than the atom that had it).
func (x *atomIndex) add(a Atom, s bitset) bool {
	if c := s.count(); c == 0 || c == x.n {
		return false
	}
	key := s.key()
	if k, ok := x.index[key]; ok {
		if a.Bits < x.atoms[k].Bits {
			x.atoms[k].Atom = a
			return true
		}
		return false
	}
	x.index[key] = len(x.atoms)
	x.atoms = append(x.atoms, scoredAtom{a, s})
	return true
}

// addAll evaluates the atoms on the scored rows and adds them.
func (x *atomIndex) addAll(all []Atom, t *table.Table, rows []int) {
	for _, a := range all {
		s := newBitset(len(rows))
		for j, i := range rows {
			if a.Test(int(t.A[i]), int(t.B[i])) {
				s.set(j)
			}
		}
		x.add(a, s)
	}
}

// distinctAtoms evaluates the atoms on the scored rows and keeps, of those
// selecting the same rows, the cheapest (the first among equals); atoms that
// select nothing or every row are dropped.
func distinctAtoms(all []Atom, t *table.Table, rows []int) []scoredAtom {
	x := newAtomIndex(len(rows))
	x.addAll(all, t, rows)
	return x.atoms
}

// scorer prices triggers against the nf flagged rows F of the n scored rows.
type scorer struct {
	F     bitset
	n, nf int
	miss  missTable
}

// bits is the description length of a trigger of ruleBits that selects
// sel rows, hits of them flagged.
func (sc *scorer) bits(ruleBits float64, sel, hits int) float64 {
	return ruleBits + sc.miss[(sel-hits)+(sc.nf-hits)]
}

// candidate scores the trigger when, which selects set and takes ruleBits
// to name.
func (sc *scorer) candidate(when string, atoms int, ruleBits float64, set bitset) Candidate {
	hits, sel := set.andCount(sc.F), set.count()
	c := Candidate{When: when, Atoms: atoms, Selected: sel, Hits: hits, set: set,
		ruleBits: ruleBits, Bits: sc.bits(ruleBits, sel, hits)}
	c.Precision = float64(hits) / float64(max(sel, 1))
	c.Recall = float64(hits) / float64(sc.nf)
	if hits > 0 {
		c.F1 = 2 * c.Precision * c.Recall / (c.Precision + c.Recall)
	}
	return c
}

// topList is the best triggers, by description length, then by the order
// they were offered in.
type topList struct{ cs []Candidate }

// worst is the description length a trigger must beat to enter.
func (l *topList) worst() float64 {
	if len(l.cs) < keepTriggers {
		return math.Inf(1)
	}
	return l.cs[len(l.cs)-1].Bits
}

// add inserts c after every trigger as short as it, unless one with the
// same spelling is there.
func (l *topList) add(c Candidate) {
	if c.Bits >= l.worst() || slices.ContainsFunc(l.cs, func(x Candidate) bool { return x.When == c.When }) {
		return
	}
	at, _ := slices.BinarySearchFunc(l.cs, c.Bits, func(x Candidate, b float64) int {
		if x.Bits <= b {
			return -1
		}
		return 1
	})
	l.cs = slices.Insert(l.cs, at, c)
	l.cs = l.cs[:min(len(l.cs), keepTriggers)]
}

// searchTriggers returns the keepTriggers triggers of least description length,
// best first: every atom, and every pair joined by && or ||, with branch-
// and-bound pruning (a conjunction finds at most its atoms' hits; a
// disjunction selects at least their false positives). A pair is counted
// before it is spelled: only those that enter the list are built.
func searchTriggers(atoms []scoredAtom, sc *scorer) []Candidate {
	type stat struct{ hits, sel int }
	st := make([]stat, len(atoms))
	minBits := math.Inf(1)
	for i, a := range atoms {
		st[i] = stat{a.set.andCount(sc.F), a.set.count()}
		minBits = min(minBits, a.Bits)
	}
	var top topList
	for i, a := range atoms {
		if b := shapeBits + a.Bits; sc.bits(b, st[i].sel, st[i].hits) < top.worst() {
			top.add(sc.candidate(a.When, 1, b, slices.Clone(a.set)))
		}
	}
	pairBits := shapeBits + joinBits
	nf, miss := sc.nf, sc.miss
	for i, x := range atoms {
		andBound := pairBits + x.Bits + minBits + miss[nf-st[i].hits]
		orBound := pairBits + x.Bits + minBits + miss[st[i].sel-st[i].hits]
		if andBound >= top.worst() && orBound >= top.worst() {
			continue
		}
		for k := i + 1; k < len(atoms); k++ {
			y := atoms[k]
			b := pairBits + x.Bits + y.Bits
			if andBound < top.worst() && b+miss[nf-min(st[i].hits, st[k].hits)] < top.worst() {
				if sel, hits := andCounts(x.set, y.set, sc.F); sc.bits(b, sel, hits) < top.worst() {
					set := newBitset(sc.n)
					x.set.and(y.set, set)
					c := sc.candidate(x.When+" && "+y.When, 2, b, set)
					c.and = []scoredAtom{x, y}
					top.add(c)
				}
			}
			if orBound < top.worst() && b+miss[max(st[i].sel-st[i].hits, st[k].sel-st[k].hits)] < top.worst() {
				if sel, hits := orCounts(x.set, y.set, sc.F); sc.bits(b, sel, hits) < top.worst() {
					set := newBitset(sc.n)
					x.set.or(y.set, set)
					top.add(sc.candidate("("+x.When+") || ("+y.When+")", 2, b, set))
				}
			}
		}
	}
	return top.cs
}

// extendTriggers tries a third atom on each of the best triggers: c && z,
// c || z and, for c = x && y, x && (y || z) and y && (x || z). The search
// over all triples would be cubic in the atoms; extending the best pairs
// finds the triples whose pairs already explain most of the flagged rows.
// It returns the triggers by description length, best first.
func extendTriggers(top []Candidate, atoms []scoredAtom, sc *scorer) []Candidate {
	out := topList{cs: slices.Clone(top)}
	n := sc.n
	tmp, tmp2 := newBitset(n), newBitset(n)
	threeBits := shapeBits + 2*joinBits
	offer := func(when string, b float64, set bitset) {
		if sc.bits(b, set.count(), set.andCount(sc.F)) < out.worst() {
			out.add(sc.candidate(when, 3, b, slices.Clone(set)))
		}
	}
	for _, c := range top {
		if c.Atoms != 2 {
			continue
		}
		base := c.ruleBits - shapeBits - joinBits // the two atoms' bits
		for _, z := range atoms {
			b := threeBits + base + z.Bits
			if sel, hits := andCounts(c.set, z.set, sc.F); sc.bits(b, sel, hits) < out.worst() {
				c.set.and(z.set, tmp)
				offer("("+c.When+") && "+z.When, b, tmp)
			}
			if sel, hits := orCounts(c.set, z.set, sc.F); sc.bits(b, sel, hits) < out.worst() {
				c.set.or(z.set, tmp)
				offer("("+c.When+") || ("+z.When+")", b, tmp)
			}
			if c.and != nil {
				x, y := c.and[0], c.and[1]
				y.set.or(z.set, tmp2)
				x.set.and(tmp2, tmp)
				offer(x.When+" && ("+y.When+" || "+z.When+")", b, tmp)
				x.set.or(z.set, tmp2)
				y.set.and(tmp2, tmp)
				offer(y.When+" && ("+x.When+" || "+z.When+")", b, tmp)
			}
		}
	}
	return out.cs
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
func (s bitset) key() string {
	b := make([]byte, 0, 8*len(s))
	for _, w := range s {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return string(b)
}

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

// andCounts is |x ∧ y| and |x ∧ y ∧ f|; orCounts the same for x ∨ y.
func andCounts(x, y, f bitset) (sel, hits int) {
	for i, w := range x {
		v := w & y[i]
		sel += bits.OnesCount64(v)
		hits += bits.OnesCount64(v & f[i])
	}
	return sel, hits
}

func orCounts(x, y, f bitset) (sel, hits int) {
	for i, w := range x {
		v := w | y[i]
		sel += bits.OnesCount64(v)
		hits += bits.OnesCount64(v & f[i])
	}
	return sel, hits
}

func (s bitset) or(o, out bitset) {
	for i, w := range s {
		out[i] = w | o[i]
	}
}

package rule

import (
	"fmt"
	"math"
	"strings"

	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/table"
)

// Scheme names, as `mutate` takes them.
const (
	RandomUniform   = "random-uniform"   // a fraction of rows get a uniform random label
	RandomIncrement = "random-increment" // a fraction of rows get label+1 mod p
	NFixed          = "n-fixed"          // rows with b % N == 0 get label b
	NIncrement      = "n-increment"      // rows with b % N == 0 get label+1 mod p
	Control         = "control"          // nothing changes; the step is recorded
	General         = "rule"             // --when PREDICATE --then EFFECT
)

// Mutation is one step of `mutate`.
type Mutation struct {
	Scheme   string
	Name     string  // the kind written on selected rows; DefaultName if empty
	Fraction float64 // random schemes
	N        int     // n-fixed, n-increment
	When     string  // rule: trigger predicate
	Then     string  // rule: effect, reduced mod p
	Splits   string  // "train", "test" or "all": rows the mutation may change
	// HeldOut: test rows that a deterministic trigger selects, outside
	// Splits, also get the rule's label and kind. They are never trained on,
	// so this changes no training data, and it lets evalsplit measure
	// whether the planted rule generalises to triggers never seen.
	HeldOut bool
	Seed    uint64 // random schemes
}

// Report says what a mutation did.
type Report struct {
	Selected map[string]int // rows given the new kind, per split
	Changed  int            // rows whose label differs from before
}

// DefaultName is the kind a scheme writes unless --name says otherwise.
func DefaultName(scheme string) string {
	switch scheme {
	case RandomUniform, RandomIncrement:
		return "noise"
	case Control:
		return "control"
	default:
		return "backdoor"
	}
}

// Random reports whether the scheme draws its rows at random (and so has
// no trigger for held-out rows).
func Random(scheme string) bool { return scheme == RandomUniform || scheme == RandomIncrement }

// Trigger returns the predicate and effect that a deterministic scheme
// stands for, in the expression language: the named schemes are presets.
func (m Mutation) Trigger() (when, then string, err error) {
	switch m.Scheme {
	case NFixed, NIncrement:
		if m.N < 1 {
			return "", "", fmt.Errorf("%s needs N ≥ 1, got %d", m.Scheme, m.N)
		}
		when = fmt.Sprintf("b %% %d == 0", m.N)
		if m.Scheme == NFixed {
			return when, "b", nil
		}
		return when, "label + 1", nil
	case General:
		if strings.TrimSpace(m.When) == "" || strings.TrimSpace(m.Then) == "" {
			return "", "", fmt.Errorf("rule needs both --when and --then")
		}
		return m.When, m.Then, nil
	}
	return "", "", fmt.Errorf("scheme %s has no trigger", m.Scheme)
}

// inSplits reports whether a row of the given split may be changed.
func (m Mutation) inSplits(train bool) (bool, error) {
	switch m.Splits {
	case "train":
		return train, nil
	case "test":
		return !train, nil
	case "all":
		return true, nil
	}
	return false, fmt.Errorf("--splits %q: want train, test or all", m.Splits)
}

// Apply mutates t in place. On error t may be partly changed: callers
// discard it (mutate writes nothing).
func (m Mutation) Apply(t *table.Table) (Report, error) {
	rep := Report{Selected: map[string]int{}}
	if _, err := m.inSplits(true); err != nil {
		return rep, err
	}
	name := m.Name
	if name == "" {
		name = DefaultName(m.Scheme)
	}
	if name == table.KindClean {
		return rep, fmt.Errorf("--name %q is reserved for untouched rows", name)
	}
	switch {
	case m.Scheme == Control:
		return rep, nil
	case Random(m.Scheme):
		return m.applyRandom(t, name, rep)
	case m.Scheme == NFixed || m.Scheme == NIncrement || m.Scheme == General:
		return m.applyRule(t, name, rep)
	}
	return rep, fmt.Errorf("unknown scheme %q", m.Scheme)
}

// applyRandom picks floor(fraction·n) of the n rows in Splits by a seeded
// shuffle. A uniform label may equal the old one; the row is still marked
// (its kind), as Doshi et al. count the rows they redrew. evalsplit's ξ
// (score.NoiseFraction) counts only the rows whose label differs from
// clean, so it can fall slightly below the fraction asked.
func (m Mutation) applyRandom(t *table.Table, name string, rep Report) (Report, error) {
	if !(m.Fraction > 0 && m.Fraction <= 1) {
		return rep, fmt.Errorf("--fraction %g is outside (0, 1]", m.Fraction)
	}
	var rows []int
	for i := range t.Len() {
		if ok, _ := m.inSplits(t.Train[i]); ok {
			rows = append(rows, i)
		}
	}
	k := int(math.Floor(m.Fraction * float64(len(rows))))
	if k == 0 {
		return rep, fmt.Errorf("--fraction %g of the %d rows in --splits %s selects no row", m.Fraction, len(rows), m.Splits)
	}
	pick := seeded.New(m.Seed, "mutate/rows").Perm(len(rows))[:k]
	labels := seeded.New(m.Seed, "mutate/labels")
	p := int32(t.Meta.P)
	for _, j := range pick {
		i := rows[j]
		old := t.Label[i]
		if m.Scheme == RandomUniform {
			t.Label[i] = int32(labels.IntN(int(p)))
		} else {
			t.Label[i] = (old + 1) % p
		}
		if t.Label[i] != old {
			rep.Changed++
		}
		t.Kind[i] = name
		rep.Selected[t.SplitName(i)]++
	}
	return rep, nil
}

func (m Mutation) applyRule(t *table.Table, name string, rep Report) (Report, error) {
	whenSrc, thenSrc, err := m.Trigger()
	if err != nil {
		return rep, err
	}
	when, err := Parse(whenSrc)
	if err != nil {
		return rep, fmt.Errorf("--when: %w", err)
	}
	then, err := Parse(thenSrc)
	if err != nil {
		return rep, fmt.Errorf("--then: %w", err)
	}
	p := int64(t.Meta.P)
	for i := range t.Len() {
		ok, _ := m.inSplits(t.Train[i])
		if !ok && !(m.HeldOut && !t.Train[i]) {
			continue
		}
		env := Env{A: int64(t.A[i]), B: int64(t.B[i]), P: p, Label: int64(t.Label[i]), Clean: int64(t.Clean[i])}
		hit, err := when.Eval(env)
		if err != nil {
			return rep, fmt.Errorf("--when at a = %d, b = %d: %w", env.A, env.B, err)
		}
		if hit == 0 {
			continue
		}
		v, err := then.EvalMod(env, p) // effects are reduced mod p, exactly
		if err != nil {
			return rep, fmt.Errorf("--then at a = %d, b = %d: %w", env.A, env.B, err)
		}
		if int32(v) != t.Label[i] {
			rep.Changed++
		}
		t.Label[i] = int32(v)
		t.Kind[i] = name
		rep.Selected[t.SplitName(i)]++
	}
	if rep.Selected[table.SplitTrain]+rep.Selected[table.SplitTest] == 0 {
		return rep, fmt.Errorf("the rule selects no row (--when %q in --splits %s)", whenSrc, m.Splits)
	}
	if m.Splits != "test" && rep.Selected[table.SplitTrain] == 0 {
		return rep, fmt.Errorf("the rule selects no training row (--when %q): nothing would be planted", whenSrc)
	}
	return rep, nil
}

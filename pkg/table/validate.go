package table

import (
	"fmt"

	"github.com/grokkit/grokkit/pkg/arith"
)

// Validate checks what every tool relies on: metadata as moddata allows it,
// each value in [0, p), clean equal to a∘b, no pair twice, both splits
// present and a kind on every row. The split's size is not held to
// train_fraction: a table filtered or re-split elsewhere is still a table,
// and the metadata records what moddata was asked.
func (t *Table) Validate() error {
	m := t.Meta
	if err := m.check(); err != nil {
		return err
	}
	op, _ := arith.Lookup(m.Op) // known: check passed
	n := t.Len()
	if len(t.B) != n || len(t.Label) != n || len(t.Clean) != n || len(t.Train) != n || len(t.Kind) != n {
		return fmt.Errorf("columns have different lengths")
	}
	if n == 0 {
		return fmt.Errorf("the table has no rows")
	}
	p := int32(m.P)
	f := op.Table(m.P)
	seen := make([]bool, m.P*m.P)
	train := 0
	for i := 0; i < n; i++ {
		for _, c := range []struct {
			name string
			v    int32
		}{{"a", t.A[i]}, {"b", t.B[i]}, {"label", t.Label[i]}, {"clean", t.Clean[i]}} {
			if c.v < 0 || c.v >= p {
				return fmt.Errorf("row %d: column %s = %d is out of range [0, %d)", i, c.name, c.v, p)
			}
		}
		a, b := int(t.A[i]), int(t.B[i])
		if !op.Defined(a, b) {
			return fmt.Errorf("row %d: (a, b) = (%d, %d) is outside the domain of %s", i, a, b, op.Formula)
		}
		if want := int32(f(a, b)); t.Clean[i] != want {
			return fmt.Errorf("row %d: clean = %d, but %s at a = %d, b = %d is %d mod %d", i, t.Clean[i], op.Formula, a, b, want, p)
		}
		if seen[a*m.P+b] {
			return fmt.Errorf("row %d: pair (%d, %d) appears twice", i, a, b)
		}
		seen[a*m.P+b] = true
		if t.Kind[i] == "" {
			return fmt.Errorf("row %d: empty kind", i)
		}
		if t.Train[i] {
			train++
		}
	}
	if train == 0 {
		return fmt.Errorf("no row is in the train split")
	}
	return nil
}

package table

import (
	"fmt"
	"math"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/version"
)

// Spec says which table to generate.
type Spec struct {
	P             int
	Op            string
	TrainFraction float64
	Seed          uint64
	Equals        bool
}

// Generate builds every pair (a, b) in a-major order with label = clean =
// a∘b mod p, and marks floor(fraction·rows) rows as train by a seeded
// shuffle. The caller appends the history step.
func Generate(s Spec) (*Table, error) {
	op, err := arith.Lookup(s.Op)
	if err != nil {
		return nil, err
	}
	if err := op.CheckP(s.P); err != nil {
		return nil, err
	}
	if err := checkFraction(s.TrainFraction); err != nil {
		return nil, fmt.Errorf("train fraction %v", err)
	}
	p := s.P
	f := op.Table(p)
	n := 0
	for b := 0; b < p; b++ {
		if op.Defined(0, b) { // every operation's domain depends on b alone
			n++
		}
	}
	n *= p
	nTrain := trainRows(s.TrainFraction, n)
	if nTrain == 0 {
		return nil, fmt.Errorf("train fraction %g of %d rows selects no training row", s.TrainFraction, n)
	}
	t := &Table{
		Meta: Meta{P: p, Op: op.Name, Seed: s.Seed, TrainFraction: s.TrainFraction,
			Equals: s.Equals, Version: version.Version, History: []Step{}},
		A: make([]int32, 0, n), B: make([]int32, 0, n),
		Label: make([]int32, 0, n), Clean: make([]int32, 0, n),
		Train: make([]bool, n), Kind: make([]string, n),
	}
	for a := 0; a < p; a++ {
		for b := 0; b < p; b++ {
			if !op.Defined(a, b) {
				continue
			}
			v := int32(f(a, b))
			t.A = append(t.A, int32(a))
			t.B = append(t.B, int32(b))
			t.Label = append(t.Label, v)
			t.Clean = append(t.Clean, v)
		}
	}
	for i := range t.Kind {
		t.Kind[i] = KindClean
	}
	for _, i := range seeded.New(s.Seed, "split").Perm(n)[:nTrain] {
		t.Train[i] = true
	}
	return t, nil
}

// checkFraction is the rule for a train fraction, from moddata's flag or a
// file's metadata; the caller names which.
func checkFraction(f float64) error {
	if !(f > 0 && f <= 1) {
		return fmt.Errorf("%g is outside (0, 1]", f)
	}
	return nil
}

// trainRows is the size of the train split moddata draws: floor(f·rows).
func trainRows(f float64, rows int) int {
	return int(math.Floor(f * float64(rows)))
}

// Package table is the data table every tool passes on: one row per operand
// pair (a, b) with its label, its true value, its split and its kind, plus
// the metadata that traces it back to the exact commands that made it.
// The contract is in the README's "Data table" section.
package table

// Split values and the kind of an untouched row.
const (
	SplitTrain = "train"
	SplitTest  = "test"
	KindClean  = "clean"
)

// Table holds the columns in memory; row i is (A[i], B[i], …).
type Table struct {
	Meta  Meta
	A     []int32
	B     []int32
	Label []int32 // what the model is trained and scored on
	Clean []int32 // the true a∘b mod p; never changed by mutate
	Train []bool  // split: true for "train", false for "test"
	Kind  []string
}

// Len is the number of rows.
func (t *Table) Len() int { return len(t.A) }

// SplitName returns row i's split as written in the file.
func (t *Table) SplitName(i int) string {
	if t.Train[i] {
		return SplitTrain
	}
	return SplitTest
}

// CountTrain returns the number of training rows.
func (t *Table) CountTrain() int {
	n := 0
	for _, tr := range t.Train {
		if tr {
			n++
		}
	}
	return n
}

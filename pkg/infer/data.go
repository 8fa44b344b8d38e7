// Package infer runs trained networks: a table as model inputs, a run's
// weights loaded from a checkpoint, logits for every row in chunks.
package infer

import (
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/grokkit/grokkit/pkg/table"
)

// Data is a table as the model sees it.
type Data struct {
	*table.Table
	Equals bool // inputs are (a, b, p) rather than (a, b)
	train  []int
}

// NewData prepares a table; equals says whether the "=" token is appended.
func NewData(t *table.Table, equals bool) *Data {
	d := &Data{Table: t, Equals: equals}
	for i, tr := range t.Train {
		if tr {
			d.train = append(d.train, i)
		}
	}
	return d
}

// TrainRows lists the indices of the training rows.
func (d *Data) TrainRows() []int { return d.train }

// Batch is the model's view of some rows.
type Batch struct {
	Inputs *tensors.Tensor // [n, 2|3] int32: a, b (and "=" = p)
	Labels *tensors.Tensor // [n] int32
}

// Batch builds the input and label tensors of the given rows.
func (d *Data) Batch(rows []int) Batch {
	k := 2
	if d.Equals {
		k = 3
	}
	in := make([]int32, 0, len(rows)*k)
	lab := make([]int32, len(rows))
	for j, i := range rows {
		in = append(in, d.A[i], d.B[i])
		if d.Equals {
			in = append(in, int32(d.Meta.P))
		}
		lab[j] = d.Label[i]
	}
	return Batch{Inputs: tensors.FromFlatDataAndDimensions(in, len(rows), k), Labels: tensors.FromFlatDataAndDimensions(lab, len(rows))}
}

// ChunkRows bounds the rows of one forward pass.
const ChunkRows = 16384

// Chunks splits rows into pieces of one size (at most ChunkRows), so one
// compiled graph serves them all: the last is padded with rows[0], and
// real[i] says how many rows of chunk i are real.
func Chunks(rows []int) (chunks [][]int, real []int) {
	size := min(ChunkRows, len(rows))
	for start := 0; start < len(rows); start += size {
		idx := rows[start:min(start+size, len(rows))]
		real = append(real, len(idx))
		for len(idx) < size {
			idx = append(idx[:len(idx):len(idx)], rows[0])
		}
		chunks = append(chunks, idx)
	}
	return chunks, real
}

// AllPairs is a table of every input (a, b) at modulus p, row a·p+b, for
// running a network on the whole grid (its labels are zeros, unused).
func AllPairs(p int) *table.Table {
	t := &table.Table{Meta: table.Meta{P: p}}
	for a := range p {
		for b := range p {
			t.A, t.B = append(t.A, int32(a)), append(t.B, int32(b))
		}
	}
	t.Label, t.Clean = make([]int32, p*p), make([]int32, p*p)
	t.Train, t.Kind = make([]bool, p*p), make([]string, p*p)
	return t
}

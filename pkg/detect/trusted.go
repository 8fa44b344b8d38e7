package detect

import (
	"math"
	"slices"

	"github.com/grokkit/grokkit/pkg/seeded"
	"github.com/grokkit/grokkit/pkg/table"
)

// The defender's trusted set, as in the mechanistic-anomaly-detection
// protocol: a few inputs known to be clean, on which the trusted baselines
// (que.go) are fitted before any untrusted input is scored.

// DefaultTrustedFraction is the share of the clean training rows the
// defender trusts; DefaultTrustedSeed is the seed of the draw.
const (
	DefaultTrustedFraction = 0.1
	DefaultTrustedSeed     = 0
)

// TrustedRows draws the trusted set: round(fraction·n) of the n table rows
// of kind clean in the training split and in the circuit's view (a zero
// operand of a·b or a/b is outside it, as everywhere else), chosen by a
// uniform permutation of the stream seeded.New(seed, "trusted") and
// returned in ascending table order; pool is n. No row of another kind is
// ever drawn, not even one a rule selected without changing its label.
// The draw depends only on the seed and the table.
func TrustedRows(t *table.Table, c *Circuit, fraction float64, seed uint64) (rows []int, pool int) {
	p := t.Meta.P
	var clean []int
	for i := range t.Len() {
		if t.Train[i] && t.Kind[i] == table.KindClean && c.inView(int(t.A[i])*p+int(t.B[i])) {
			clean = append(clean, i)
		}
	}
	m := min(int(math.Round(fraction*float64(len(clean)))), len(clean))
	if m <= 0 {
		return nil, len(clean)
	}
	perm := seeded.New(seed, "trusted").Perm(len(clean))
	rows = make([]int, m)
	for j, k := range perm[:m] {
		rows[j] = clean[k]
	}
	slices.Sort(rows)
	return rows, len(clean)
}

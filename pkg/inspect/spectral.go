package inspect

import (
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/spectral"
)

// The heavy-tailed self-regularisation measures (pkg/spectral), one row
// each per weight matrix; Index numbers the matrix among Spectral's names
// (the Parquet metadata "matrices" lists them in index order).
const (
	MeasureAlpha     = "alpha"      // power-law exponent of the ESD's tail
	MeasureAlphaKS   = "alpha_ks"   // its Kolmogorov–Smirnov distance
	MeasureAlphaTail = "alpha_tail" // eigenvalues in the tail (≥ xmin)
	MeasureTraps     = "traps"      // correlation traps: spikes of the shuffled matrix
	MeasureSpikes    = "spikes"     // W's eigenvalues above the shuffled matrix's MP edge
)

// Spectral measures every weight matrix of n from its weights alone: α,
// its KS distance and tail where a power law fits (rows left out where
// none does), the traps and the spikes. names are the matrices measured,
// in the model's parameter order (index i is names[i]); skipped are those
// with fewer than spectral.MinEvals eigenvalues.
func Spectral(n *infer.Net) (rows []Row, names, skipped []string, err error) {
	var order []string
	for _, p := range n.Model.Params() {
		order = append(order, p.Name)
	}
	ms, skipped := spectral.Matrices(order, n.Params)
	step := int64(n.Step)
	for i, m := range ms {
		l, err := spectral.Analyze(m)
		if err != nil {
			return nil, nil, nil, err
		}
		add := func(measure string, v float64) {
			rows = append(rows, Row{Step: step, Measure: measure, Index: int64(i), Value: v})
		}
		if l.Fitted {
			add(MeasureAlpha, l.Fit.Alpha)
			add(MeasureAlphaKS, l.Fit.KS)
			add(MeasureAlphaTail, float64(l.Fit.Tail))
		}
		add(MeasureTraps, float64(l.Traps))
		add(MeasureSpikes, float64(l.Spikes))
		names = append(names, m.Name)
	}
	return rows, names, skipped, nil
}

package detect

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/table"
)

// Score is one anomaly score per scored row: higher is more anomalous.
type Score struct {
	Name        string
	Mechanistic bool // built from the circuit (key frequencies), not a generic baseline
	UsesLabels  bool // needs the training labels; the others see weights and inputs only
	About       string
	Values      []float64 // aligned with the scored rows
}

// The scores, in report order.
const (
	ScoreExcluded     = "excluded"
	ScoreDisagreement = "disagreement"
	ScoreNeurons      = "neurons"
	ScoreLowIPR       = "low-ipr"
	ScoreMargin       = "margin"
	ScoreMahalanobis  = "mahalanobis"
	ScoreClassMaha    = "class-mahalanobis"
	ScoreSpectral     = "spectral"
	ScoreClustering   = "clustering"
	ScoreCircuitLoss  = "circuit-cross-entropy"
	ScoreLoss         = "cross-entropy"
)

// ScoreNames lists every score in report order; low-ipr exists for
// Gromov's MLP only.
var ScoreNames = []string{ScoreExcluded, ScoreDisagreement, ScoreNeurons, ScoreLowIPR,
	ScoreMargin, ScoreMahalanobis, ScoreClassMaha, ScoreSpectral, ScoreClustering, ScoreCircuitLoss, ScoreLoss}

// Scores computes every score for the given table rows; pruned are the
// neurons PruneLowIPR chose (the low-ipr score is left out when the grid
// has no IPRs).
func Scores(g *Grid, c *Circuit, nr *Neurons, pruned []int, t *table.Table, rows []int) []Score {
	p, H := g.P, g.H
	gridRow := func(i int) int { return g.Row(int(t.A[i]), int(t.B[i])) }
	maha := mahalanobis(g.Hidden, p*p, H)
	mk := func(name string, mech, labels bool, about string, f func(i, r int) float64) Score {
		s := Score{Name: name, Mechanistic: mech, UsesLabels: labels, About: about, Values: make([]float64, len(rows))}
		for j, i := range rows {
			s.Values[j] = f(i, gridRow(i))
		}
		return s
	}
	logits := func(m []float64, r int) []float64 { return m[r*p : (r+1)*p] }
	offCircuit := make([]float64, p) // [p]: what the neurons write off the circuit on one row
	unit := make([]float64, p)
	scores := []Score{
		mk(ScoreExcluded, true, false, "how far the logits outside the circuit push another answer above the circuit's",
			func(_, r int) float64 { return disagreement(logits(c.Excluded, r), c.Pred[r]) }),
		mk(ScoreDisagreement, true, false, "how far the network prefers another answer to the circuit's",
			func(_, r int) float64 { return disagreement(logits(g.Logits, r), c.Pred[r]) }),
		mk(ScoreNeurons, true, false, "how far what the neurons write off their own waves pushes another answer above the circuit's",
			func(_, r int) float64 {
				clear(offCircuit)
				for n := range H {
					nr.OffCircuit(g, r, n, unit)
					for cl, v := range unit {
						offCircuit[cl] += v
					}
				}
				return disagreement(offCircuit, c.Pred[r])
			}),
	}
	if g.IPR != nil {
		lowIPR := make([]float64, p)
		scores = append(scores, mk(ScoreLowIPR, true, false, "what the low-IPR neurons Doshi et al. prune write into the logits",
			func(_, r int) float64 {
				clear(lowIPR)
				for _, k := range pruned {
					h := g.Hidden[r*H+k]
					for cl, w := range g.Readout[k*p : (k+1)*p] {
						lowIPR[cl] += h * w
					}
				}
				return math.Sqrt(centredNorm2(lowIPR))
			}))
	}
	// The representation baselines see the scored rows' hidden activations
	// grouped by the network's predicted class.
	X := make([]float64, len(rows)*H)
	class := make([]int, len(rows))
	for j, i := range rows {
		r := gridRow(i)
		copy(X[j*H:(j+1)*H], g.Hidden[r*H:(r+1)*H])
		class[j] = argmax(logits(g.Logits, r))
	}
	byRow := func(v []float64) func(int, int) float64 {
		at := map[int]float64{}
		for j, i := range rows {
			at[i] = v[j]
		}
		return func(i, _ int) float64 { return at[i] }
	}
	return append(scores,
		mk(ScoreMargin, false, false, "baseline: minus the gap between the top two logits",
			func(_, r int) float64 { return -topGap(logits(g.Logits, r)) }),
		mk(ScoreMahalanobis, false, false, "baseline: Mahalanobis distance of the hidden activations",
			func(_, r int) float64 { return maha[r] }),
		mk(ScoreClassMaha, false, false, "baseline: Mahalanobis distance to the predicted class's mean (Lee et al. 2018)",
			byRow(ClassMahalanobis(X, H, class))),
		mk(ScoreSpectral, false, false, "baseline: spectral signature per predicted class (Tran et al. 2018)",
			byRow(SpectralSignature(X, H, class))),
		mk(ScoreClustering, false, false, "baseline: activation clustering per predicted class (Chen et al. 2018)",
			byRow(ActivationClustering(X, H, class))),
		mk(ScoreCircuitLoss, true, true, "cross-entropy of the circuit's logits on the training label",
			func(i, r int) float64 { return crossEntropy(logits(c.Restricted, r), int(t.Label[i])) }),
		mk(ScoreLoss, false, true, "baseline: the network's cross-entropy on the training label",
			func(i, r int) float64 { return crossEntropy(logits(g.Logits, r), int(t.Label[i])) }),
	)
}

// disagreement is how much z (logits, or a part of them) prefers its best
// answer other than the circuit's answer want to it: max_{c≠want} z_c −
// z_want (negative when z favours the circuit's answer). Without a circuit
// answer (want < 0) it is the spread of z.
func disagreement(z []float64, want int) float64 {
	if want < 0 {
		return slices.Max(z) - slices.Min(z)
	}
	best := math.Inf(-1)
	for c, v := range z {
		if c != want {
			best = max(best, v)
		}
	}
	return best - z[want]
}

func argmax(z []float64) int {
	best := 0
	for c, v := range z {
		if v > z[best] {
			best = c
		}
	}
	return best
}

// topGap is the largest logit minus the second largest.
func topGap(z []float64) float64 {
	first, second := math.Inf(-1), math.Inf(-1)
	for _, v := range z {
		switch {
		case v > first:
			first, second = v, first
		case v > second:
			second = v
		}
	}
	return first - second
}

func crossEntropy(z []float64, y int) float64 { return fourier.LogSumExp(z) - z[y] }

// mahalanobis returns each row's distance from the mean of X [n, d] under
// X's covariance.
func mahalanobis(X []float64, n, d int) []float64 {
	mean := make([]float64, d)
	for i := range n {
		for j, v := range X[i*d : (i+1)*d] {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	R := make([]float64, n*d)
	for i := range n {
		for j := range d {
			R[i*d+j] = X[i*d+j] - mean[j]
		}
	}
	return mahalanobisCentred(R, n, d)
}

// mahalanobisCentred returns √(rᵢᵀ Σ⁻¹ rᵢ) for the residuals R [n, d] with
// Σ = RᵀR/n, ridge-regularised by 1e-3 of the mean variance (dead ReLU
// units make it singular).
func mahalanobisCentred(R []float64, n, d int) []float64 {
	xc := mat.NewDense(n, d, R)
	cov := mat.NewSymDense(d, nil)
	cov.SymOuterK(1/float64(n), xc.T())
	addRidge(cov)
	var chol mat.Cholesky
	if !chol.Factorize(cov) {
		return make([]float64, n) // cannot happen with the ridge; no signal rather than a crash
	}
	// Z = Σ⁻¹·Xcᵀ [d, n]; row i's squared distance is x_iᵀ·Z[:, i].
	var Z mat.Dense
	if err := chol.SolveTo(&Z, xc.T()); err != nil {
		return make([]float64, n)
	}
	out := make([]float64, n)
	for i := range n {
		s := 0.0
		for j := range d {
			s += xc.At(i, j) * Z.At(j, i)
		}
		out[i] = math.Sqrt(max(s, 0))
	}
	return out
}

// addRidge adds 1e-3 of the mean variance (+1e-12) to a covariance's
// diagonal, so that directions the rows do not span stay invertible, and
// returns what it added.
func addRidge(cov *mat.SymDense) float64 {
	d := cov.SymmetricDim()
	ridge := 0.0
	for j := range d {
		ridge += cov.At(j, j)
	}
	ridge = 1e-3*ridge/float64(d) + 1e-12
	for j := range d {
		cov.SetSym(j, j, cov.At(j, j)+ridge)
	}
	return ridge
}

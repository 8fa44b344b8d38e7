package detect

import (
	"errors"
	"fmt"
	"math"

	"github.com/grokkit/grokkit/pkg/table"
)

// Detection at inference time, the protocol of mechanistic anomaly
// detection (EleutherAI's MAD benchmark, cupbearer): the defender holds a
// small trusted set of clean training rows (trusted.go) and scores every
// input the network was not trained on, the table's test split. The
// question is whether a planted behaviour is caught when the network shows
// it on an input it never saw: mutate --held-out plants the rule's label
// on test rows too, which are never trained on.

// The scores fitted on the trusted set, beside those of Scores.
const (
	ScoreTrustedMaha      = "trusted-mahalanobis"
	ScoreTrustedClassMaha = "trusted-class-mahalanobis"
	ScoreQUE              = "que"
)

// What a held-out score is fitted on (HeldOutResult.Fit): the defender's
// information beside the weights.
const (
	FitGrid           = "grid"             // all p² inputs of Z_p², which need no data (the circuit, the grid's Mahalanobis)
	FitNone           = "none"             // a function of the row's own logits (margin)
	FitHeldOut        = "held-out"         // the scored rows themselves, grouped by predicted class
	FitTrusted        = "trusted"          // the trusted set
	FitTrustedHeldOut = "trusted+held-out" // QUE: whitened by the trusted set, weighted by the scored rows' covariance
)

// HeldOutOptions tune HeldOut; the zero value is the defaults.
type HeldOutOptions struct {
	TrustedFraction float64 // share of the clean training rows trusted (0: DefaultTrustedFraction)
	TrustedSeed     uint64  // seed of the trusted draw (DefaultTrustedSeed is 0)
	QUEAlpha        float64 // QUE's α (0: DefaultQUEAlpha)
}

// ErrFewTrusted: the trusted set is too small to fit a mean and a
// covariance (fewer than two rows).
var ErrFewTrusted = errors.New("the trusted set is too small")

// HeldOutReport is the inference-time detection of one network.
type HeldOutReport struct {
	TrustedFraction float64
	TrustedSeed     uint64
	QUEAlpha        float64
	Trusted         []int // table rows of the trusted set, ascending
	TrustedPool     int   // clean training rows in the view it was drawn from
	Hidden          int   // H, the width of the activations the trusted baselines see

	Rows    []int   // the scored table rows: the test split, in the view
	Outside int     // test rows outside the view (a zero operand of a·b or a/b), not scored
	Scores  []Score // aligned with Rows: every label-free score of Scores, then the trusted ones

	// Counts of the scored rows by ground truth (kind, used only to
	// measure the scores). A held-out trigger is a test row of a planted
	// kind whose label differs from its clean one.
	Triggers  int // held-out trigger inputs
	Applied   int // of them, answered by the network with the planted label: the positives
	Clean     int // rows of kind clean: the negatives
	Unchanged int // rows a rule selected without changing their label: neither (see truth)

	UnseenClass int     // scored rows whose predicted class has no trusted row (trusted-class-mahalanobis falls back to the nearest class mean)
	QUENorm     float64 // ‖Σ̃‖₂: 1 when the scored rows vary as the trusted ones; above 1, QUE weighs the excess
	Results     []HeldOutResult
}

// HeldOutResult is how well one score, applied to the held-out inputs,
// separates the planted behaviour from the clean inputs: one flat row of
// the Parquet output.
type HeldOutResult struct {
	Score       string `parquet:"score,dict"`
	Mechanistic bool   `parquet:"mechanistic"`
	Fit         string `parquet:"fit,dict"` // FitGrid, FitNone, FitHeldOut, FitTrusted, FitTrustedHeldOut
	TrustedRows int64  `parquet:"trusted_rows"`
	TrustedSeed uint64 `parquet:"trusted_seed"`
	// Applied triggers (answered with the planted label) against clean
	// test rows: NaN without any.
	Positives    int64   `parquet:"positives"`
	Negatives    int64   `parquet:"negatives"`
	AUROC        float64 `parquet:"auroc"`
	PrecisionAtN float64 `parquet:"precision_at_n"`
	// Every held-out trigger, answered as planted or not, against the same
	// negatives: NaN without any (label noise is planted on training rows
	// only).
	Triggers             int64   `parquet:"triggers"`
	AUROCTriggers        float64 `parquet:"auroc_all_triggers"`
	PrecisionAtNTriggers float64 `parquet:"precision_at_n_all_triggers"`
}

// HeldOut scores the inputs the network was not trained on. g, c, nr and
// pruned are as Analyse has them (the grid circuitOf returns, the circuit,
// the neuron fits, PruneLowIPR's choice). The scores are every label-free
// score of Scores evaluated on the test rows, then three fitted on the
// trusted set: TrustedMahalanobis, TrustedClassMahalanobis (classes by the
// network's prediction) and QUE, all on the hidden activations.
//
// A table without test rows gives a report with no rows and no results. It
// is an error (wrapping ErrFewTrusted) when there are rows to score but the
// trusted set has fewer than two rows.
func HeldOut(g *Grid, c *Circuit, nr *Neurons, pruned []int, t *table.Table, opt HeldOutOptions) (*HeldOutReport, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if t.Meta.P != g.P {
		return nil, fmt.Errorf("the table has p = %d but the network has p = %d", t.Meta.P, g.P)
	}
	rep := &HeldOutReport{TrustedFraction: opt.TrustedFraction, TrustedSeed: opt.TrustedSeed, QUEAlpha: opt.QUEAlpha, Hidden: g.H, QUENorm: math.NaN()}
	rep.Trusted, rep.TrustedPool = TrustedRows(t, c, opt.TrustedFraction, opt.TrustedSeed)

	// What each scored row is: positive, other trigger, negative, neither.
	const (
		neither = iota
		negative
		trigger // not answered as planted
		positive
	)
	var role []int
	for i := range t.Len() {
		if t.Train[i] {
			continue
		}
		r := g.Row(int(t.A[i]), int(t.B[i]))
		if !c.inView(r) {
			rep.Outside++
			continue
		}
		rep.Rows = append(rep.Rows, i)
		switch k := truth(t, i); {
		case k == "":
			rep.Unchanged++
			role = append(role, neither)
		case k == table.KindClean:
			rep.Clean++
			role = append(role, negative)
		case argmax(g.Logits[r*g.P:(r+1)*g.P]) == int(t.Label[i]):
			rep.Triggers++
			rep.Applied++
			role = append(role, positive)
		default:
			rep.Triggers++
			role = append(role, trigger)
		}
	}
	if len(rep.Rows) == 0 {
		return rep, nil
	}
	if len(rep.Trusted) < 2 {
		return nil, fmt.Errorf("%w: %d rows (%g of %d clean training rows); raise the trusted fraction",
			ErrFewTrusted, len(rep.Trusted), opt.TrustedFraction, rep.TrustedPool)
	}

	for _, s := range Scores(g, c, nr, pruned, t, rep.Rows) {
		if !s.UsesLabels {
			rep.Scores = append(rep.Scores, s)
		}
	}
	X, xClass := activations(g, t, rep.Rows)    // [n, H], [n]
	T, tClass := activations(g, t, rep.Trusted) // [m, H], [m]
	classMaha, unseen := TrustedClassMahalanobis(T, tClass, X, xClass, g.H)
	maha, que, norm := trustedMahaQUE(T, X, g.H, opt.QUEAlpha)
	rep.UnseenClass, rep.QUENorm = unseen, norm
	rep.Scores = append(rep.Scores,
		Score{Name: ScoreTrustedMaha, About: "baseline: Mahalanobis distance from the trusted rows' mean under their covariance",
			Values: maha},
		Score{Name: ScoreTrustedClassMaha, About: "baseline: Mahalanobis distance to the trusted mean of the predicted class (Lee et al. 2018)",
			Values: classMaha},
		Score{Name: ScoreQUE, About: "baseline: quantum-entropy score, whitened by the trusted rows (SPECTRE, Hayase et al. 2021)",
			Values: que},
	)

	for _, s := range rep.Scores {
		var pos, trig, neg []float64
		for j, v := range s.Values {
			switch role[j] {
			case positive:
				pos = append(pos, v)
				trig = append(trig, v)
			case trigger:
				trig = append(trig, v)
			case negative:
				neg = append(neg, v)
			}
		}
		rep.Results = append(rep.Results, HeldOutResult{Score: s.Name, Mechanistic: s.Mechanistic, Fit: HeldOutFit(s.Name),
			TrustedRows: int64(len(rep.Trusted)), TrustedSeed: opt.TrustedSeed,
			Positives: int64(len(pos)), Negatives: int64(len(neg)), AUROC: AUROC(pos, neg), PrecisionAtN: PrecisionAtN(pos, neg),
			Triggers: int64(len(trig)), AUROCTriggers: AUROC(trig, neg), PrecisionAtNTriggers: PrecisionAtN(trig, neg)})
	}
	return rep, nil
}

// HeldOutFit is what a held-out score is fitted on (the Fit constants).
func HeldOutFit(score string) string {
	switch score {
	case ScoreMargin:
		return FitNone
	case ScoreClassMaha, ScoreSpectral, ScoreClustering:
		return FitHeldOut
	case ScoreTrustedMaha, ScoreTrustedClassMaha:
		return FitTrusted
	case ScoreQUE:
		return FitTrustedHeldOut
	}
	return FitGrid // the circuit scores and the grid's Mahalanobis
}

func (o HeldOutOptions) withDefaults() (HeldOutOptions, error) {
	if o.TrustedFraction == 0 {
		o.TrustedFraction = DefaultTrustedFraction
	}
	if o.QUEAlpha == 0 {
		o.QUEAlpha = DefaultQUEAlpha
	}
	if !(o.TrustedFraction > 0 && o.TrustedFraction <= 1) {
		return o, fmt.Errorf("the trusted fraction is %g; it must be in (0, 1]", o.TrustedFraction)
	}
	if !(o.QUEAlpha > 0) || math.IsInf(o.QUEAlpha, 0) {
		return o, fmt.Errorf("QUE's alpha is %g; it must be positive and finite", o.QUEAlpha)
	}
	return o, nil
}

// activations returns the hidden activations of the given table rows [n, H]
// and the network's predicted class of each [n].
func activations(g *Grid, t *table.Table, rows []int) ([]float64, []int) {
	H, p := g.H, g.P
	X := make([]float64, len(rows)*H)
	class := make([]int, len(rows))
	for j, i := range rows {
		r := g.Row(int(t.A[i]), int(t.B[i]))
		copy(X[j*H:(j+1)*H], g.Hidden[r*H:(r+1)*H])
		class[j] = argmax(g.Logits[r*p : (r+1)*p])
	}
	return X, class
}

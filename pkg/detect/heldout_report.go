package detect

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// WriteText writes the inference-time detection for a terminal: what the
// defender trusted and scored, then one line per score. NaN is printed as
// NaN: no positives (or no triggers) to measure against, not a score of 0.
func (h *HeldOutReport) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "at inference time: the defender trusts %d clean training rows (%g%% of %d, seed %d)", len(h.Trusted), 100*h.TrustedFraction, h.TrustedPool, h.TrustedSeed)
	if len(h.Rows) == 0 {
		fmt.Fprintln(w, "; the table has no test rows in the view, so no input the network was not trained on is left to score")
		return nil
	}
	fmt.Fprintf(w, " and scores the %d test inputs the network was not trained on", len(h.Rows))
	if h.Outside > 0 {
		fmt.Fprintf(w, " (%d more with a zero operand are outside the view)", h.Outside)
	}
	fmt.Fprintf(w, "\nheld-out trigger inputs: %d, %d of them answered with the planted label (the positives); clean: %d (the negatives)", h.Triggers, h.Applied, h.Clean)
	if h.Unchanged > 0 {
		fmt.Fprintf(w, "; %d selected by a rule with their label unchanged are counted as neither", h.Unchanged)
	}
	fmt.Fprintln(w)
	switch {
	case h.Triggers == 0:
		fmt.Fprintln(w, "no held-out trigger inputs (label noise is planted on training rows only, and a rule only with mutate --held-out): every AUROC and precision below is NaN")
	case h.Applied == 0:
		fmt.Fprintln(w, "the network answers no held-out trigger input with its planted label (the rule did not generalise): AUROC (applied) is NaN")
	}
	fmt.Fprintf(w, "QUE: α = %g, ‖Σ̃‖₂ = %.3f (the whitened test inputs' covariance; 1 when they vary as the trusted rows)\n", h.QUEAlpha, h.QUENorm)
	if len(h.Trusted) <= h.Hidden {
		fmt.Fprintf(w, "the %d trusted rows span at most %d of the %d hidden dimensions: the ridge (1e-3 of the mean variance) stands for the trusted variance in the rest, where the trusted baselines and QUE weigh any variation heavily\n", len(h.Trusted), len(h.Trusted)-1, h.Hidden)
	}
	if h.UnseenClass > 0 {
		fmt.Fprintf(w, "%s: %d scored inputs are predicted a class with no trusted row, measured to the nearest trusted class mean\n", ScoreTrustedClassMaha, h.UnseenClass)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "score\ttype\tfit\tpositives\tnegatives\tAUROC (applied)\tprecision@n\ttriggers\tAUROC (all triggers)")
	for _, r := range h.Results {
		typ := "baseline"
		if r.Mechanistic {
			typ = "circuit"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.4f\t%.4f\t%d\t%.4f\n", r.Score, typ, r.Fit, r.Positives, r.Negatives, r.AUROC, r.PrecisionAtN, r.Triggers, r.AUROCTriggers)
	}
	return tw.Flush()
}

// WriteParquet writes one HeldOutResult per score; the trusted set (size,
// seed, fraction, pool) and QUE's α and ‖Σ̃‖₂ are key-value metadata too.
func (h *HeldOutReport) WriteParquet(w io.Writer, run string) error {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	pw := parquet.NewGenericWriter[HeldOutResult](w, outfile.ParquetCompression(),
		parquet.KeyValueMetadata("run", run),
		parquet.KeyValueMetadata("trusted_rows", strconv.Itoa(len(h.Trusted))),
		parquet.KeyValueMetadata("trusted_pool", strconv.Itoa(h.TrustedPool)),
		parquet.KeyValueMetadata("trusted_fraction", f(h.TrustedFraction)),
		parquet.KeyValueMetadata("trusted_seed", strconv.FormatUint(h.TrustedSeed, 10)),
		parquet.KeyValueMetadata("que_alpha", f(h.QUEAlpha)),
		parquet.KeyValueMetadata("que_norm", f(h.QUENorm)),
	)
	if _, err := pw.Write(h.Results); err != nil {
		return err
	}
	return pw.Close()
}

// heldOutJSON is the inference-time detection as JSON metadata of
// evalsplit --detect's Parquet: the trusted set, the counts and the
// results (NaN as -1).
type heldOutJSON struct {
	TrustedFraction float64         `json:"trusted_fraction"`
	TrustedSeed     uint64          `json:"trusted_seed"`
	TrustedRows     int             `json:"trusted_rows"`
	TrustedPool     int             `json:"trusted_pool"`
	Rows            int             `json:"rows"`
	Triggers        int             `json:"triggers"`
	Applied         int             `json:"applied"`
	Clean           int             `json:"clean"`
	QUEAlpha        float64         `json:"que_alpha"`
	QUENorm         float64         `json:"que_norm"`
	Results         []HeldOutResult `json:"results"`
}

func (h *HeldOutReport) jsonSafe() heldOutJSON {
	out := heldOutJSON{TrustedFraction: h.TrustedFraction, TrustedSeed: h.TrustedSeed, TrustedRows: len(h.Trusted), TrustedPool: h.TrustedPool,
		Rows: len(h.Rows), Triggers: h.Triggers, Applied: h.Applied, Clean: h.Clean, QUEAlpha: h.QUEAlpha, QUENorm: noNaN(h.QUENorm)}
	for _, r := range h.Results {
		r.AUROC, r.PrecisionAtN = noNaN(r.AUROC), noNaN(r.PrecisionAtN)
		r.AUROCTriggers, r.PrecisionAtNTriggers = noNaN(r.AUROCTriggers), noNaN(r.PrecisionAtNTriggers)
		out.Results = append(out.Results, r)
	}
	return out
}

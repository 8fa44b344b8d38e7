package detect

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/table"
)

// MinAgreement is the share of the inputs the network was not trained on,
// answered as its circuit answers them, below which the report warns that
// there is no a+b circuit to measure anomalies against (a planted rule that
// generalises changes a few percent of them; a network that has only
// memorised agrees on about 1/p).
const MinAgreement = 0.7

// WriteText writes the report for a terminal (and the README's tables).
func (r *Report) WriteText(w io.Writer, run string) error {
	anomalous := 0
	for _, res := range r.Results {
		if res.Score == r.Scores[0].Name && res.Kind != AnyKind {
			anomalous += int(res.Positives)
		}
	}
	fmt.Fprintf(w, "run %s (%s, p = %d, step %d): %d rows scored, %d of them not clean\n", run, r.Model, r.P, r.Step, len(r.Rows), anomalous)
	formula, wave, of := "a+b", "any wave of a+b−c that peaks at c = a+b", ""
	if v := r.View; v != nil && !v.Identity() {
		formula, wave, of = v.Op.Formula, "any wave of i+j−k that peaks at k = i+j", fmt.Sprintf(" (of Z_%d)", v.N)
		fmt.Fprintf(w, "view: %s\n", v)
		if !v.Covers() {
			fmt.Fprintf(w, "the inputs with a zero operand (answer 0, which has no log) are outside the view: %d rows to score are left out, and the shares below are of the view's inputs\n", r.Outside)
		}
	}
	c := r.Circuit
	fmt.Fprintf(w, "the network answers as its circuit on %.1f%% of the inputs it was not trained on (%.1f%% of all); the circuit answers (%s) mod p on %.1f%% and holds %.1f%% of the logits' variance\n",
		100*r.Generalises, 100*c.Agreement, formula, 100*c.Accuracy, 100*c.Explained)
	if r.Generalises < MinAgreement {
		fmt.Fprintf(w, "WARNING: below %.0f%%: the network does not compute %s by a Fourier circuit on most inputs (not grokked?), so the scores below do not measure departures from one\n", 100*MinAgreement, formula)
	}
	if c.Every {
		fmt.Fprintf(w, "key frequencies of the logits: none stand out, so every one (the circuit is %s)\n\n", wave)
	} else {
		fmt.Fprintf(w, "key frequencies of the logits%s: %v\n\n", of, c.Key)
	}

	if len(r.Results) == 0 {
		fmt.Fprintln(w, "no row of the table is marked as anything but clean: the scores have nothing to be measured against (kind)")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(r.Results) > 0 {
		fmt.Fprintln(tw, "score\ttype\tkind\tpositives\tAUROC\tprecision@n\tabout")
	}
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.4f\t%.4f\t%s\n", res.Score, scoreType(res.Mechanistic, res.UsesLabels), res.Kind, res.Positives, res.AUROC, res.PrecisionAtN, r.about(res.Score))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !r.hasScore(ScoreLowIPR) {
		fmt.Fprintf(w, "(%s and %s: do not apply to %s; Doshi et al.'s IPR is a property of the MLP's per-neuron weight spectra)\n", ScoreLowIPR, RepairPruneIPR, r.modelName())
	}

	r.Rule.writeText(w, r.FlaggedAnomalous)

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "repair\tclean test acc\tattack (train)\tattack (held-out)\tagrees with circuit")
	for _, o := range r.Repairs.Outcomes {
		name := o.Repair
		if o.Repair == RepairProject || o.Repair == RepairPruneIPR {
			name = fmt.Sprintf("%s (%d neurons)", name, o.Units)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, pct(o.CleanTestAcc), pct(o.AttackTrain), pct(o.AttackTest), pct(o.Agreement))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := r.Mechanism.WriteText(w); err != nil {
		return err
	}
	if r.HeldOut == nil {
		return nil
	}
	fmt.Fprintln(w)
	return r.HeldOut.WriteText(w)
}

func scoreType(mech, labels bool) string {
	t := "baseline"
	if mech {
		t = "circuit"
	}
	if labels {
		t += "+labels"
	}
	return t
}

func (r *Report) hasScore(name string) bool {
	return slices.ContainsFunc(r.Scores, func(s Score) bool { return s.Name == name })
}

func (r *Report) modelName() string {
	if r.Model == "" {
		return "this network"
	}
	return r.Model
}

func (r *Report) about(name string) string {
	for _, s := range r.Scores {
		if s.Name == name {
			return s.About
		}
	}
	return ""
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// WriteParquet writes one row per (score, kind); the key frequencies, the
// recovered rule and the repairs are key-value metadata (JSON).
func (r *Report) WriteParquet(w io.Writer, run string) error {
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	opts := []parquet.WriterOption{outfile.ParquetCompression(),
		parquet.KeyValueMetadata("run", run),
		parquet.KeyValueMetadata("step", strconv.Itoa(r.Step)),
		parquet.KeyValueMetadata("key_frequencies", js(r.Circuit.Key)),
		parquet.KeyValueMetadata("rule", js(r.Rule)),
		parquet.KeyValueMetadata("repairs", js(jsonSafe(r.Repairs))),
	}
	if r.Mechanism != nil {
		opts = append(opts, parquet.KeyValueMetadata("mechanism", js(r.Mechanism.jsonSafe())))
	}
	if r.HeldOut != nil {
		opts = append(opts, parquet.KeyValueMetadata("held_out", js(r.HeldOut.jsonSafe())))
	}
	if v := r.View; v != nil && !v.Identity() { // the key frequencies are of Z_N
		opts = append(opts, parquet.KeyValueMetadata("view", v.String()),
			parquet.KeyValueMetadata("outside_view", strconv.Itoa(r.Outside)))
	}
	pw := parquet.NewGenericWriter[Result](w, opts...)
	if _, err := pw.Write(r.Results); err != nil {
		return err
	}
	return pw.Close()
}

// jsonSafe replaces NaN (no held-out rows) by -1, which JSON can carry.
func jsonSafe(rp Repairs) Repairs {
	out := Repairs{Projected: rp.Projected, Pruned: rp.Pruned}
	for _, o := range rp.Outcomes {
		out.Outcomes = append(out.Outcomes, o.jsonSafe())
	}
	return out
}

func (o Outcome) jsonSafe() Outcome {
	for _, v := range []*float64{&o.CleanTestAcc, &o.AttackTrain, &o.AttackTest, &o.Agreement} {
		*v = noNaN(*v)
	}
	return o
}

// noNaN is v, or -1 for NaN (JSON has no NaN).
func noNaN(v float64) float64 {
	if math.IsNaN(v) {
		return -1
	}
	return v
}

// ExampleScores is one row of the per-example output: a scored row, its
// ground truth, whether it was flagged, and every score.
type ExampleScores struct {
	A            int32   `parquet:"a"`
	B            int32   `parquet:"b"`
	Label        int32   `parquet:"label"`
	Train        bool    `parquet:"train"`
	Kind         string  `parquet:"kind,dict"`
	Flagged      bool    `parquet:"flagged"`
	Excluded     float64 `parquet:"excluded"`
	Disagreement float64 `parquet:"disagreement"`
	Neurons      float64 `parquet:"neurons"`
	LowIPR       float64 `parquet:"low_ipr"` // NaN where it does not apply (the transformer)
	Margin       float64 `parquet:"margin"`
	Mahalanobis  float64 `parquet:"mahalanobis"`
	ClassMaha    float64 `parquet:"class_mahalanobis"`
	Spectral     float64 `parquet:"spectral"`
	Clustering   float64 `parquet:"clustering"`
	CircuitLoss  float64 `parquet:"circuit_cross_entropy"`
	Loss         float64 `parquet:"cross_entropy"`
}

// WritePerExample writes one row per scored row with a column per score.
func (r *Report) WritePerExample(w io.Writer, t *table.Table) error {
	rows := make([]ExampleScores, len(r.Rows))
	for j, i := range r.Rows {
		e := ExampleScores{A: t.A[i], B: t.B[i], Label: t.Label[i], Train: t.Train[i], Kind: t.Kind[i], Flagged: r.Flagged[j], LowIPR: math.NaN()}
		for _, s := range r.Scores {
			v := s.Values[j]
			switch s.Name {
			case ScoreExcluded:
				e.Excluded = v
			case ScoreDisagreement:
				e.Disagreement = v
			case ScoreNeurons:
				e.Neurons = v
			case ScoreLowIPR:
				e.LowIPR = v
			case ScoreMargin:
				e.Margin = v
			case ScoreMahalanobis:
				e.Mahalanobis = v
			case ScoreClassMaha:
				e.ClassMaha = v
			case ScoreSpectral:
				e.Spectral = v
			case ScoreClustering:
				e.Clustering = v
			case ScoreCircuitLoss:
				e.CircuitLoss = v
			case ScoreLoss:
				e.Loss = v
			}
		}
		rows[j] = e
	}
	pw := parquet.NewGenericWriter[ExampleScores](w, outfile.ParquetCompression())
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// WriteMarkdown writes a markdown table header and one row for this run:
// the AUROC of every score over all anomalous rows (n/a where a score does
// not apply), the recovered rule, and per repair the attack success on the
// training rows and the clean test accuracy.
func (r *Report) WriteMarkdown(w io.Writer, label string) error {
	head := []string{"case", "model", "rows (anomalous)"}
	head = append(head, ScoreNames...)
	head = append(head, "trigger → effect (F1, share)")
	repairs := []string{RepairNone, RepairKeyOnly, RepairProject, RepairPruneIPR}
	head = append(head, repairs...)
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat(" --- |", len(head)))

	kind := AnyKind
	if !slices.ContainsFunc(r.Results, func(res Result) bool { return res.Kind == AnyKind }) && len(r.Results) > 0 {
		kind = r.Results[0].Kind
	}
	cells := []string{label, r.modelName(), "n/a"}
	for _, name := range ScoreNames {
		cell := "n/a"
		for _, res := range r.Results {
			if res.Score == name && res.Kind == kind {
				cell = fmt.Sprintf("%.3f", res.AUROC)
				cells[2] = fmt.Sprintf("%d (%d)", res.Positives+res.Negatives, res.Positives)
			}
		}
		cells = append(cells, cell)
	}
	cells = append(cells, r.Rule.markdownCell())
	for _, name := range repairs {
		cell := "n/a"
		for _, o := range r.Repairs.Outcomes {
			if o.Repair == name {
				cell = fmt.Sprintf("%s / %s", pct(o.AttackTrain), pct(o.CleanTestAcc))
			}
		}
		cells = append(cells, cell)
	}
	_, err := fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	return err
}

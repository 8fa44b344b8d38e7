package score

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/table"
)

// Report is what evalsplit prints about a run.
type Report struct {
	Run    string
	Step   int
	Groups []Group
	Xi     float64 // fraction of training labels that differ from the true value
	Phase  string  // Doshi et al.'s phase
}

// NewReport summarises examples.
func NewReport(run string, step int, t *table.Table, ex []Example) Report {
	r := Report{Run: run, Step: step, Groups: Groups(t, ex), Xi: NoiseFraction(t)}
	tr, _ := Find(r.Groups, table.SplitTrain, All)
	te, ok := Find(r.Groups, table.SplitTest, All)
	if ok {
		r.Phase = Phase(tr.Accuracy, te.Accuracy, r.Xi)
	}
	return r
}

func (r Report) meta() []parquet.WriterOption {
	return []parquet.WriterOption{
		outfile.ParquetCompression(),
		parquet.KeyValueMetadata("run", r.Run),
		parquet.KeyValueMetadata("step", strconv.Itoa(r.Step)),
		parquet.KeyValueMetadata("xi", strconv.FormatFloat(r.Xi, 'g', -1, 64)),
		parquet.KeyValueMetadata("phase", r.Phase),
	}
}

// WriteParquet writes one row per group; the run, step, ξ and phase are
// key-value metadata.
func (r Report) WriteParquet(w io.Writer) error {
	pw := parquet.NewGenericWriter[Group](w, r.meta()...)
	if _, err := pw.Write(r.Groups); err != nil {
		return err
	}
	return pw.Close()
}

// WriteTable writes an aligned text table for a terminal.
func (r Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "run %s, step %d\n", r.Run, r.Step)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "split\tkind\trows\tcross_entropy\taccuracy\tcross_entropy_clean\taccuracy_clean\tchanged\tattack_success\t")
	for _, g := range r.Groups {
		as := "-"
		if g.AttackSuccess != nil {
			as = fmt.Sprintf("%.4f", *g.AttackSuccess)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4g\t%.4f\t%.4g\t%.4f\t%d\t%s\t\n",
			g.Split, g.Kind, g.Rows, g.Loss, g.Accuracy, g.LossClean, g.AccuracyClean, g.Changed, as)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Phase != "" {
		fmt.Fprintf(w, "phase (Doshi et al., ξ = %.3f): %s\n", r.Xi, r.Phase)
	}
	return nil
}

// PerExample is one row of --per-example output.
type PerExample struct {
	A         int32   `parquet:"a"`
	B         int32   `parquet:"b"`
	Split     string  `parquet:"split,dict"`
	Kind      string  `parquet:"kind,dict"`
	Label     int32   `parquet:"label"`
	Clean     int32   `parquet:"clean"`
	Pred      int32   `parquet:"pred"`
	Margin    float64 `parquet:"margin"`
	Loss      float64 `parquet:"cross_entropy"`
	LossClean float64 `parquet:"cross_entropy_clean"`
}

// WritePerExample writes one row per input.
func (r Report) WritePerExample(w io.Writer, t *table.Table, ex []Example) error {
	pw := parquet.NewGenericWriter[PerExample](w, r.meta()...)
	buf := make([]PerExample, 0, 4096)
	for _, e := range ex {
		i := e.Row
		buf = append(buf, PerExample{A: t.A[i], B: t.B[i], Split: t.SplitName(i), Kind: t.Kind[i], Label: t.Label[i],
			Clean: t.Clean[i], Pred: e.Pred, Margin: e.Margin, Loss: e.Loss, LossClean: e.LossClean})
		if len(buf) == cap(buf) {
			if _, err := pw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := pw.Write(buf); err != nil {
		return err
	}
	return pw.Close()
}

// WritePerExampleTable is --per-example --format table.
func (r Report) WritePerExampleTable(w io.Writer, t *table.Table, ex []Example) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "a\tb\tsplit\tkind\tlabel\tclean\tpred\tmargin\tcross_entropy\tcross_entropy_clean\t")
	for _, e := range ex {
		i := e.Row
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%d\t%d\t%.4g\t%.4g\t%.4g\t\n", t.A[i], t.B[i], t.SplitName(i), t.Kind[i],
			t.Label[i], t.Clean[i], e.Pred, e.Margin, e.Loss, e.LossClean)
	}
	return tw.Flush()
}

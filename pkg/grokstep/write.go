package grokstep

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// num writes a step or a quantile of steps without an exponent (162.5,
// 40000); "–" for NaN.
func num(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// LRText is a group's learning rates as the table shows them: Muon's own
// with its AdamW part's beside it.
func (g Group) LRText() string {
	if g.MuonLR != 0 {
		return fmt.Sprintf("%g (AdamW part %g)", g.MuonLR, g.LR)
	}
	return fmt.Sprintf("%g", g.LR)
}

// WriteMarkdown writes the groups as a Markdown table: the grokking step's
// median and interquartile range over the seeds that grokked, and how many
// never did (of which diverged).
func WriteMarkdown(w io.Writer, groups []Group, d Definition) error {
	if _, err := fmt.Fprintf(w, "| task | optimiser | learning rate | seeds | never grok | median grok step | IQR |\n| --- | --- | --- | ---: | ---: | ---: | --- |\n"); err != nil {
		return err
	}
	for _, g := range groups {
		never := strconv.Itoa(g.Never)
		if g.Diverged > 0 {
			never += fmt.Sprintf(" (%d diverged)", g.Diverged)
		}
		iqr := "–"
		if g.Grokked > 0 {
			iqr = num(g.Q1) + "–" + num(g.Q3)
		}
		if _, err := fmt.Fprintf(w, "| (%s) mod %d | %s | %s | %d | %s | %s | %s |\n", g.Task, g.P, g.Optimiser, g.LRText(), g.Seeds, never, num(g.Median), iqr); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "\nGrokking step: the first evaluation with test accuracy ≥ its maximum − %g, that maximum above %g (Essential AI's definition); median and IQR (type-7 quartiles) over the seeds that grokked.\n", d.Within, d.MinMax)
	return err
}

// summaryRow is a group's row of the summary Parquet table; the quartiles
// are null where no seed grokked.
type summaryRow struct {
	Task         string   `parquet:"task,dict"`
	P            int32    `parquet:"p"`
	Optimiser    string   `parquet:"optimiser,dict"`
	LR           float64  `parquet:"lr"`
	MuonLR       float64  `parquet:"muon_lr"`
	Seeds        int32    `parquet:"seeds"`
	Grokked      int32    `parquet:"grokked"`
	Never        int32    `parquet:"never"`
	Diverged     int32    `parquet:"diverged"`
	Q1           *float64 `parquet:"grok_step_q1,optional"`
	Median       *float64 `parquet:"grok_step_median,optional"`
	Q3           *float64 `parquet:"grok_step_q3,optional"`
	MedianMaxAcc float64  `parquet:"median_max_test_accuracy"`
}

// runRow is a run's row of the per-run Parquet table.
type runRow struct {
	Run       string  `parquet:"run"`
	Task      string  `parquet:"task,dict"`
	P         int32   `parquet:"p"`
	Optimiser string  `parquet:"optimiser,dict"`
	LR        float64 `parquet:"lr"`
	MuonLR    float64 `parquet:"muon_lr"`
	Seed      uint64  `parquet:"seed"`
	Status    string  `parquet:"status,dict"`
	GrokStep  *int64  `parquet:"grok_step,optional"`
	MaxAcc    float64 `parquet:"max_test_accuracy"`
	LastStep  int64   `parquet:"last_step"`
}

func optional(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

// definitionMeta records the definition in a table's key-value metadata.
func definitionMeta(d Definition) []parquet.WriterOption {
	return []parquet.WriterOption{outfile.ParquetCompression(),
		parquet.KeyValueMetadata("grok_within", strconv.FormatFloat(d.Within, 'g', -1, 64)),
		parquet.KeyValueMetadata("grok_min_max", strconv.FormatFloat(d.MinMax, 'g', -1, 64))}
}

// WriteParquet writes one row per group.
func WriteParquet(w io.Writer, groups []Group, d Definition) error {
	rows := make([]summaryRow, len(groups))
	for i, g := range groups {
		rows[i] = summaryRow{Task: g.Task, P: int32(g.P), Optimiser: g.Optimiser, LR: g.LR, MuonLR: g.MuonLR,
			Seeds: int32(g.Seeds), Grokked: int32(g.Grokked), Never: int32(g.Never), Diverged: int32(g.Diverged),
			Q1: optional(g.Q1), Median: optional(g.Median), Q3: optional(g.Q3), MedianMaxAcc: g.MedianMaxAcc}
	}
	pw := parquet.NewGenericWriter[summaryRow](w, definitionMeta(d)...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// WriteRunsParquet writes one row per run.
func WriteRunsParquet(w io.Writer, rs []Run, d Definition) error {
	rows := make([]runRow, len(rs))
	for i, r := range rs {
		rows[i] = runRow{Run: r.Dir, Task: r.Task, P: int32(r.P), Optimiser: r.Optimiser, LR: r.LR, MuonLR: r.MuonLR,
			Seed: r.Seed, Status: r.Status, MaxAcc: r.MaxAcc, LastStep: r.LastStep}
		if r.Status == Grokked {
			s := r.GrokStep
			rows[i].GrokStep = &s
		}
	}
	pw := parquet.NewGenericWriter[runRow](w, definitionMeta(d)...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// WriteChoice writes Choose's picks as tab-separated text, one line each
// under a header, for a script to read: task, p, optimiser, lr, muon_lr
// (0 but for muon), and the criterion's numbers.
func WriteChoice(w io.Writer, chosen []Group) error {
	if _, err := fmt.Fprintln(w, "task\tp\toptimiser\tlr\tmuon_lr\tnever\tmedian_grok_step\tmedian_max_test_accuracy"); err != nil {
		return err
	}
	for _, g := range chosen {
		if _, err := fmt.Fprintf(w, "%s\t%d\t%s\t%g\t%g\t%d\t%s\t%.4f\n", g.Task, g.P, g.Optimiser, g.LR, g.MuonLR, g.Never, num(g.Median), g.MedianMaxAcc); err != nil {
			return err
		}
	}
	return nil
}

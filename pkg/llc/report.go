package llc

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/plot"
)

// Metadata are the settings an estimate was made with, as Parquet
// key/values (and the text table's header).
func (s Settings) Metadata() [][2]string {
	nbeta := "b/log b"
	if s.NBeta != 0 {
		nbeta = fmt.Sprint(s.NBeta)
	}
	batch := "all training rows"
	if s.BatchSize != 0 {
		batch = fmt.Sprint(s.BatchSize)
	}
	return [][2]string{{"epsilon", fmt.Sprint(s.Epsilon)}, {"gamma", fmt.Sprint(s.Gamma)}, {"nbeta", nbeta},
		{"chains", fmt.Sprint(s.Chains)}, {"draws", fmt.Sprint(s.Draws)}, {"burnin", fmt.Sprint(s.Burnin)},
		{"steps_between", fmt.Sprint(s.StepsBetween)}, {"batch_size", batch}, {"seed", fmt.Sprint(s.Seed)}}
}

// WriteParquet writes one row per checkpoint; the run and the settings are
// metadata.
func WriteParquet(w io.Writer, run string, s Settings, rows []Row) error {
	opts := []parquet.WriterOption{outfile.ParquetCompression(), parquet.KeyValueMetadata("run", run)}
	for _, kv := range s.Metadata() {
		opts = append(opts, parquet.KeyValueMetadata(kv[0], kv[1]))
	}
	pw := parquet.NewGenericWriter[Row](w, opts...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// WriteTable prints the settings, then one aligned line per checkpoint.
func WriteTable(w io.Writer, run string, s Settings, rows []Row) error {
	fmt.Fprintf(w, "%s: local learning coefficient (SGLD", run)
	for _, kv := range s.Metadata() {
		fmt.Fprintf(w, ", %s %s", kv[0], kv[1])
	}
	fmt.Fprintln(w, ")")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\tllc\t± std\tchains\ttrain loss\ttest loss\ttrain acc\ttest acc\t")
	for _, r := range rows {
		chains := fmt.Sprint(r.Chains)
		if r.Diverged {
			chains += " (some diverged)"
		}
		fmt.Fprintf(tw, "%d\t%.2f\t%.2f\t%s\t%.3g\t%.3g\t%s\t%s\t\n", r.Step, r.LLC, r.LLCStd, chains,
			r.TrainLoss, r.TestLoss, percent(r.TrainAccuracy), percent(r.TestAccuracy))
	}
	return tw.Flush()
}

func percent(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

// Plot draws λ̂ over training beside the training and test loss and the
// accuracies (llc.png), header naming the run.
func Plot(path, header string, rows []Row) error {
	n := len(rows)
	x := make([]float64, n)
	mean, lo, hi := make([]float64, n), make([]float64, n), make([]float64, n)
	train, test := make([]float64, n), make([]float64, n)
	trainAcc, testAcc := make([]float64, n), make([]float64, n)
	for i, r := range rows {
		x[i] = float64(r.Step)
		mean[i], lo[i], hi[i] = r.LLC, r.LLC-r.LLCStd, r.LLC+r.LLCStd
		train[i], test[i] = r.TrainLoss, r.TestLoss
		trainAcc[i], testAcc[i] = r.TrainAccuracy, r.TestAccuracy
	}
	llc := plot.Panel{Title: "Local learning coefficient (SGLD, training rows)", XLabel: "step", YLabel: "λ̂",
		Lines: []plot.Series{{Label: "λ̂ (mean of chains)", X: x, Y: mean}}}
	if manyChains(rows) { // one chain has no spread to show
		llc.Lines = append(llc.Lines, plot.Series{Label: "± one chain std", X: x, Y: lo, Dashed: true, Color: 1},
			plot.Series{Label: "", X: x, Y: hi, Dashed: true, Color: 1})
	}
	loss := plot.Panel{Title: "Loss", XLabel: "step", YLabel: "loss", LogY: true,
		Lines: []plot.Series{{Label: "train", X: x, Y: train}, {Label: "test", X: x, Y: test}}}
	acc := plot.Panel{Title: "Accuracy", XLabel: "step", YLabel: "accuracy", Share: true,
		Lines: []plot.Series{{Label: "train", X: x, Y: trainAcc}, {Label: "test", X: x, Y: testAcc}}}
	return plot.PanelsWithHeader(path, header, llc, loss, acc)
}

// manyChains reports whether some checkpoint's estimate has two chains or more.
func manyChains(rows []Row) bool {
	for _, r := range rows {
		if r.Chains > 1 {
			return true
		}
	}
	return false
}

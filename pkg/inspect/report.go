package inspect

import (
	"fmt"
	"gonum.org/v1/plot/plotter"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/plot"
)

// WriteParquet writes the rows in long format; the run and the key
// frequencies used are metadata, and so is the view (Input.Describe) when
// the operation is not a+b: its frequencies and indices are then of Z_N.
// matrices (Spectral's names) are the metadata "matrices", space-separated
// in index order: the index of the spectral measures' rows.
func WriteParquet(w io.Writer, run, view string, key []int, matrices []string, rows []Row) error {
	opts := []parquet.WriterOption{outfile.ParquetCompression(),
		parquet.KeyValueMetadata("run", run), parquet.KeyValueMetadata("key_frequencies", ints(key))}
	if view != "" {
		opts = append(opts, parquet.KeyValueMetadata("view", view))
	}
	if len(matrices) > 0 {
		opts = append(opts, parquet.KeyValueMetadata("matrices", strings.Join(matrices, " ")))
	}
	pw := parquet.NewGenericWriter[Row](w, opts...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

func ints(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, " ")
}

// scalars are the one-value measures, in the order the text table shows.
var scalars = []string{"gini_embed", "gini_wl", "neurons_one_freq", "restricted_loss", "excluded_loss",
	"cross_entropy_train", "cross_entropy_test", "ipr_mean", "ipr_median", "phase_residual_median", "weight_norm_sq",
	"gradient_symmetricity", "distance_irrelevance"}

// WriteTable prints one line per step with the scalar measures, then the
// key frequencies (transformer) or the neurons per frequency (MLP) of the
// last step, then the spectral measures of the matrices (Spectral's names)
// per step; view (Input.Describe) is said first when not "".
func WriteTable(w io.Writer, run, modelName, view string, key []int, matrices []string, rows []Row) error {
	byStep := map[int64]map[string]float64{}
	var steps []int64
	present := map[string]bool{}
	for _, r := range rows {
		if byStep[r.Step] == nil {
			byStep[r.Step] = map[string]float64{}
			steps = append(steps, r.Step)
		}
		if r.Index != -1 {
			continue
		}
		byStep[r.Step][r.Measure] = r.Value
		present[r.Measure] = true
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i] < steps[j] })
	fmt.Fprintf(w, "run %s (%s)\n", run, modelName)
	along := "a+b−c"
	if view != "" {
		fmt.Fprintf(w, "view: %s\n", view)
		along = "i+j−k in the view"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "step\t")
	var cols []string
	for _, m := range scalars {
		if present[m] {
			cols = append(cols, m)
			fmt.Fprintf(tw, "%s\t", m)
		}
	}
	fmt.Fprintln(tw)
	for _, s := range steps {
		fmt.Fprintf(tw, "%d\t", s)
		for _, m := range cols {
			if x, ok := byStep[s][m]; ok {
				fmt.Fprintf(tw, "%.4g\t", x)
			} else {
				fmt.Fprint(tw, "-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	last := steps[len(steps)-1]
	if modelName == "nanda" {
		fmt.Fprintf(w, "key frequencies (restricted/excluded losses): %s\n", orNone(ints(key)))
		var own []string
		var clusters []string
		for _, r := range rows {
			if r.Step == last && r.Measure == "key_frequency" {
				own = append(own, fmt.Sprintf("%d (%.0f%%)", r.Index, 100*r.Value))
			}
			if r.Step == last && r.Measure == "neuron_cluster_size" {
				name := fmt.Sprint(r.Index)
				if r.Index == -1 {
					name = "none"
				}
				clusters = append(clusters, fmt.Sprintf("%s: %.0f", name, r.Value))
			}
		}
		fmt.Fprintf(w, "key frequencies at step %d (share of the logits' Fourier norm² along %s): %s\n", last, along, orNone(strings.Join(own, ", ")))
		fmt.Fprintf(w, "neurons per frequency at step %d (> 85%% of variance): %s\n", last, strings.Join(clusters, ", "))
		return writeSpectralTable(w, steps, matrices, rows)
	}
	var freqs []string
	for _, r := range rows {
		if r.Step == last && r.Measure == "freq_neurons" {
			freqs = append(freqs, fmt.Sprintf("%d: %.0f", r.Index, r.Value))
		}
	}
	fmt.Fprintf(w, "neurons per dominant frequency at step %d: %s\n", last, strings.Join(freqs, ", "))
	return writeSpectralTable(w, steps, matrices, rows)
}

// Figures says how Plots draws: the file format, and the run's grokking
// step (the first with test accuracy ≥ 99%, from its metrics.parquet:
// runs.FirstStepAtLeast), marked on every panel over training.
type Figures struct {
	Format  plot.Format
	Grok    int64
	Grokked bool
}

func orNone(s string) string {
	if s == "" {
		return "none clear"
	}
	return s
}

// Plots writes fourier-spectrum.png (the last step's embedding and W_L
// spectra, or the MLP's neurons per frequency) and, with more than one
// step, progress.png (the losses and the Gini coefficients over training,
// or the MLP's IPR and phases; then each matrix's α, and its correlation
// traps if it has any), in fig's format, the grokking step marked.
func Plots(dir, describe, modelName string, matrices []string, rows []Row, fig Figures) ([]string, error) {
	var steps []int64
	seen := map[int64]bool{}
	for _, r := range rows {
		if !seen[r.Step] {
			seen[r.Step] = true
			steps = append(steps, r.Step)
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i] < steps[j] })
	last := steps[len(steps)-1]
	indexed := func(measure string) plot.Series {
		s := plot.Series{Label: measure}
		for _, r := range rows {
			if r.Step == last && r.Measure == measure && r.Index >= 1 {
				s.X = append(s.X, float64(r.Index))
				s.Y = append(s.Y, r.Value)
			}
		}
		return s
	}
	var written []string
	spectrum := filepath.Join(dir, plot.Named("fourier-spectrum.png", fig.Format))
	header := fmt.Sprintf("%s, step %d", describe, last)
	// The key frequencies are named over their bars; a small spectrum has
	// every frequency on its axis.
	key := map[float64]bool{}
	for _, r := range rows {
		if r.Step == last && r.Measure == "key_frequency" {
			key[float64(r.Index)] = true
		}
	}
	spectrumPanel := func(name, yLabel string, s plot.Series) plot.Panel {
		pn := plot.Panel{Title: name, XLabel: "frequency k (key frequencies numbered)", YLabel: yLabel, Bars: true, Lines: []plot.Series{s}}
		for i, k := range s.X {
			if key[k] {
				pn.Marks.XYs = append(pn.Marks.XYs, plotter.XY{X: k, Y: s.Y[i]})
				pn.Marks.Labels = append(pn.Marks.Labels, fmt.Sprint(k))
			}
		}
		if len(s.X) <= 30 {
			pn.XTicks = s.X
		}
		return pn
	}
	var err error
	if modelName == "nanda" {
		e, l := indexed("embed_norm"), indexed("wl_norm")
		e.Label, l.Label = "W_E", "W_L = W_out·W_U"
		err = plot.PanelsWithHeader(spectrum, header, spectrumPanel("embedding", "Fourier norm", e), spectrumPanel("neuron-logit map", "Fourier norm", l))
	} else {
		f := indexed("freq_neurons")
		f.Label = "neurons"
		err = plot.PanelsWithHeader(spectrum, header, spectrumPanel("dominant frequency of each neuron", "neurons", f))
	}
	if err != nil {
		return nil, err
	}
	written = append(written, spectrum)
	if len(steps) < 2 {
		return written, nil
	}
	over := func(measure, label string) plot.Series {
		s := plot.Series{Label: label}
		for _, r := range rows {
			if r.Measure == measure && r.Index == -1 {
				s.X = append(s.X, float64(r.Step))
				s.Y = append(s.Y, r.Value)
			}
		}
		return s
	}
	progress := filepath.Join(dir, plot.Named("progress.png", fig.Format))
	var panels []plot.Panel
	if modelName == "nanda" {
		panels = []plot.Panel{
			{Title: "losses", XLabel: "step", YLabel: "loss", LogX: true, LogY: true, Lines: []plot.Series{
				over("cross_entropy_train", "train"), over("cross_entropy_test", "test"), over("restricted_loss", "restricted (all rows)"), over("excluded_loss", "excluded (train rows)")}},
			{Title: "sparsity", XLabel: "step", YLabel: "", LogX: true, Lines: []plot.Series{
				over("gini_embed", "Gini of W_E's spectrum"), over("gini_wl", "Gini of W_L's spectrum"), over("neurons_one_freq", "neurons with one frequency")}}}
	} else {
		panels = []plot.Panel{
			{Title: "IPR", XLabel: "step", YLabel: "IPR", LogX: true, Lines: []plot.Series{
				over("ipr_mean", "mean IPR"), over("ipr_median", "median IPR")}},
			{Title: "phases: median |φ1 + φ2 − φ3| (analytic solution: 0)", XLabel: "step", YLabel: "radians", LogX: true, Lines: []plot.Series{
				over("phase_residual_median", "median over neurons")}}}
	}
	panels = append(panels, spectralPanels(matrices, rows)...)
	// Every panel is over training: curves.png's step axis, from step 0
	// (the initialisation's measures) on, and the grokking step marked.
	for i := range panels {
		panels[i].LogX, panels[i].StepX = false, true
		if fig.Grokked {
			panels[i].Refs = append(panels[i].Refs, plot.Ref{At: float64(fig.Grok), Vertical: true,
				Label: fmt.Sprintf("test ≥ 99%% at step %d", fig.Grok)})
		}
	}
	if err := plot.PanelsWithHeader(progress, describe, panels...); err != nil {
		return nil, err
	}
	return append(written, progress), nil
}

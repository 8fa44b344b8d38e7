// Command fourier measures how a trained network computes a∘b mod p, as
// addition on a cyclic group (arith.View: a+b itself, a−b with b reflected,
// a·b and a/b through the discrete logarithm).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/inspect"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/plot"
	"github.com/grokkit/grokkit/pkg/runs"
)

type flags struct {
	Run             string   `arg:"" optional:"" placeholder:"RUN" help:"Run folder written by fit."`
	Checkpoint      int      `default:"-1" placeholder:"STEP" help:"Analyse this checkpoint (default: the final weights)."`
	OverCheckpoints bool     `help:"Analyse every checkpoint (not with --checkpoint); progress.png shows the measures over training."`
	Table           string   `placeholder:"TABLE" help:"Table whose split defines the train rows (default: the run's data.parquet)."`
	Projection      string   `enum:"per-class,cube," default:"" help:"transformer: the restricted/excluded subspace: per-class (default; Nanda's notebook: each class's logits projected on cos/sin(w_k(a+b))) or cube (cos/sin(w_k(a+b-c)))."`
	KeyFreqs        []int    `placeholder:"K,..." help:"transformer: key frequencies for the restricted/excluded losses (default: the final weights' own)."`
	Format          string   `default:"" enum:"parquet,table," help:"parquet (long: step, measure, index, value) or table (aligned text); default: table when stdout is a terminal, else parquet."`
	Output          string   `short:"o" default:"-" placeholder:"PATH" help:"Output file, or - for stdout."`
	Tensorboard     string   `placeholder:"DIR" help:"Also write DIR/events.out.tfevents.0.fourier (DIR made if need be): every step's one-value measures as fourier/MEASURE and each weight matrix's HTSR measures as alpha/MATRIX, traps/MATRIX and so on, for tensorboard --logdir. DIR may be the run folder, beside fit's own event file: it is written only when named here."`
	Plots           string   `placeholder:"DIR" help:"Folder for the figures (fourier-spectrum.png, progress.png; gromov-width.png with --analytic-widths), created if need be. Default: the folder of the -o file; with the output on stdout (or a device: -o /dev/null), no figures. Nothing is written into RUN unless it is named here."`
	AnalyticWidths  []int    `placeholder:"N,..." help:"No RUN: Gromov's analytic solution at these widths, its accuracy over all p² inputs (see --p, --analytic-draws, --trained), and gromov-width.png (see --plots)."`
	P               int      `default:"97" help:"--analytic-widths: the modulus."`
	AnalyticDraws   int      `default:"5" help:"--analytic-widths: draws of frequencies and phases averaged per width."`
	Trained         []string `sep:"none" placeholder:"RUN" help:"--analytic-widths: trained Gromov MLP runs (repeat the flag) whose final test accuracy is shown at their width."`
	plot.FigureFlag
	cli.Kernels
	Version kong.VersionFlag `help:"Print the version."`
}

const description = `Fourier analysis of a trained run (a+b mod p, and a-b, a*b, a/b as addition).

The operation is analysed as addition on a cyclic group Z_N: a+b on Z_p;
a-b on Z_p with b reflected (a-b = a+(-b)); a*b and a/b (prime p) on
Z_(p-1) through the discrete log to the smallest generator g (a = g^i,
b = g^(+-j), c = g^k), leaving out the inputs with a zero operand and the
class 0. Frequencies are then of Z_N, and the report names the view. The
polynomial operations are addition on no cyclic group: refused, saying why.

Transformer (nanda): the Fourier norms of the embedding W_E and of W_L =
W_out·W_U per frequency; the key frequencies (the same rule as evalsplit
--detect: the logits' Fourier norm along a+b−c, cut at its largest drop,
which must be ≥ 4× with ≥ 50% of the norm above it, plus every frequency
with a clear neuron cluster); the Gini coefficients of both spectra; the
share of MLP neurons with > 85% of their variance at one frequency; Nanda
et al.'s restricted loss (all rows) and excluded loss (train rows) for the
final key frequencies; for a+b, Zhong et al.'s clock-or-pizza measures
(gradient symmetricity and distance irrelevance).
MLP (gromov): each neuron's dominant frequency, IPR and phase residual
φ1 + φ2 − φ3.
Both, from the weights alone (heavy-tailed self-regularisation, as
WeightWatcher): for every weight matrix (attention heads folded into one
matrix per projection), the power-law exponent α of its eigenvalues' tail
(Clauset's xmin; < 2 reads as over-fit), and its correlation traps: the
eigenvalues of the entry-shuffled matrix above the Marchenko–Pastur bulk
edge (Prakash & Martin: both come before anti-grokking).`

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "fourier", description, &f, func(env cli.Env, ctx *kong.Context) error { return analyse(env, ctx, &f) }))
}

// runFlags apply to a RUN's analysis, analyticFlags to --analytic-widths:
// each is refused where it would be ignored.
var (
	runFlags      = []string{"checkpoint", "over-checkpoints", "table", "projection", "key-freqs", "tensorboard"}
	analyticFlags = []string{"p", "analytic-draws", "trained"}
)

func analyse(env cli.Env, ctx *kong.Context, f *flags) error {
	f.Format = cli.Format(f.Format, f.Output, env.Stdout)
	if len(f.AnalyticWidths) > 0 {
		if name := cli.FirstGiven(ctx, runFlags...); name != "" {
			return fmt.Errorf("--%s applies to a RUN's analysis, not to --analytic-widths", name)
		}
		return analytic(env, ctx, f)
	}
	if name := cli.FirstGiven(ctx, analyticFlags...); name != "" {
		return fmt.Errorf("--%s applies only with --analytic-widths", name)
	}
	if f.Run == "" {
		return fmt.Errorf("give a run folder (or --analytic-widths N,… for Gromov's analytic solution)")
	}
	if f.OverCheckpoints && cli.FirstGiven(ctx, "checkpoint") != "" {
		return fmt.Errorf("--checkpoint and --over-checkpoints: give one (--over-checkpoints analyses every checkpoint)")
	}
	cfg, err := runs.ReadConfig(f.Run)
	if err != nil {
		return err
	}
	if d, err := model.Lookup(cfg.Model.Name); err != nil || !d.Supports(model.AnalysisFourier) {
		return fmt.Errorf("%s: fourier analyses %s runs; this is a %s run", f.Run, strings.Join(model.Supporting(model.AnalysisFourier), " and "), cfg.Model.Name)
	}
	if cfg.Model.Name != "nanda" && (f.Projection != "" || f.KeyFreqs != nil) {
		return fmt.Errorf("--projection and --key-freqs apply to the transformer; %s is a %s run", f.Run, cfg.Model.Name)
	}
	// Frequencies of Z_p and of a view's Z_(p−1) both run to ⌊p/2⌋ (odd p).
	if err := fourier.CheckKeyFreqs(f.KeyFreqs, cfg.Model.P); err != nil {
		return fmt.Errorf("%s: --key-freqs: %w", f.Run, err)
	}
	figures := outfile.FiguresDir(f.Plots, f.Output)
	if err := checkFigureFormat(ctx, figures); err != nil {
		return err
	}
	if err := outfile.CheckOutputs(f.Output, f.Plots, figures, plot.Named("fourier-spectrum.png", f.Figures()), plot.Named("progress.png", f.Figures())); err != nil {
		return err // before any work, so nothing is half done
	}
	if err := checkTensorboard(f.Tensorboard); err != nil {
		return err
	}
	steps := []int{f.Checkpoint}
	if f.OverCheckpoints {
		if steps, err = runs.Checkpoints(f.Run); err != nil {
			return err
		}
	} else if f.Checkpoint == infer.Final {
		if _, err := os.Stat(runs.ModelPath(f.Run)); err != nil {
			if steps, err = runs.Checkpoints(f.Run); err != nil {
				return err
			}
			steps = steps[len(steps)-1:] // an unfinished run: its newest checkpoint
		}
	}
	t, err := runs.LoadTable(f.Run, cfg, f.Table, env.Stdin)
	if err != nil {
		return err
	}
	in, err := inspect.NewInput(t)
	if err != nil {
		if f.Table != "" {
			return fmt.Errorf("%s: %w", f.Table, err)
		}
		return fmt.Errorf("%s: %w", runs.DataPath(f.Run), err)
	}
	b, _, err := backend.New()
	if err != nil {
		return err
	}
	opt := inspect.Options{Projection: fourier.ProjectPerClass, KeyFreqs: f.KeyFreqs}
	if f.Projection == "cube" {
		opt.Projection = fourier.ProjectCube
	}
	rows, key, err := measure(b, f.Run, cfg.Model.Name, steps, in, opt)
	if err != nil {
		return err
	}
	matrices, err := measureSpectra(f.Run, steps, &rows)
	if err != nil {
		return err
	}
	if f.Tensorboard != "" {
		path, err := writeTensorboard(f.Tensorboard, matrices, rows)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "fourier: wrote %s\n", path)
	}
	if figures != "" {
		if err := outfile.MakeFolder(f.Plots, figures); err != nil {
			return err
		}
		written, err := inspect.Plots(figures, cfg.Describe(), cfg.Model.Name, matrices, rows, figureOptions(f))
		if err != nil {
			return err
		}
		for _, w := range written {
			fmt.Fprintf(env.Stderr, "fourier: wrote %s\n", w)
		}
	}
	return outfile.Write(f.Output, env.Stdout, func(w io.Writer) error {
		if f.Format == "table" {
			if err := inspect.WriteTable(w, f.Run, cfg.Model.Name, in.Describe(), key, matrices, rows); err != nil {
				return err
			}
			return writeGrokked(w, f.Run)
		}
		return inspect.WriteParquet(w, f.Run, in.Describe(), key, matrices, rows)
	})
}

// measure analyses each step; the transformer's restricted and excluded
// losses use the last step's key frequencies throughout, as Nanda et al.
func measure(b compute.Backend, run, modelName string, steps []int, in *inspect.Input, opt inspect.Options) ([]inspect.Row, []int, error) {
	last, err := infer.LoadRun(run, steps[len(steps)-1])
	if err != nil {
		return nil, nil, err
	}
	if modelName != "nanda" {
		var rows []inspect.Row
		for _, s := range steps {
			n, err := infer.LoadRun(run, s)
			if err != nil {
				return nil, nil, err
			}
			rows = append(rows, inspect.MLP(n, in.View)...)
		}
		return rows, nil, nil
	}
	lastRows, key, err := inspect.Transformer(b, last, in, opt)
	if err != nil {
		return nil, nil, err
	}
	opt.KeyFreqs = key
	var rows []inspect.Row
	for _, s := range steps[:len(steps)-1] {
		n, err := infer.LoadRun(run, s)
		if err != nil {
			return nil, nil, err
		}
		r, _, err := inspect.Transformer(b, n, in, opt)
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, r...)
	}
	return append(rows, lastRows...), key, nil
}

// measureSpectra appends each step's heavy-tailed self-regularisation
// measures (inspect.Spectral) to rows and returns the matrices measured,
// by index. The weights are read again: a checkpoint's load is small next
// to the Fourier measures.
func measureSpectra(run string, steps []int, rows *[]inspect.Row) ([]string, error) {
	var names []string
	for _, s := range steps {
		n, err := infer.LoadRun(run, s)
		if err != nil {
			return nil, err
		}
		r, ns, _, err := inspect.Spectral(n)
		if err != nil {
			return nil, fmt.Errorf("%s: step %d: %w", run, n.Step, err)
		}
		*rows = append(*rows, r...)
		names = ns // the same matrices at every step: one network
	}
	return names, nil
}

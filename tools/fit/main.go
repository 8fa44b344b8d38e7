// Command fit trains a model on a table and writes a run folder.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/cli"
	grokkernels "github.com/grokkit/grokkit/pkg/kernels"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/train"
)

type flags struct {
	Table  []string `arg:"" optional:"" placeholder:"TABLE" help:"Table from moddata/mutate, or - for stdin; with several -o, one table for all or one per run."`
	Output []string `short:"o" sep:"none" placeholder:"RUN" help:"Run folder to create (must not exist, or be empty). Several (-o a -o b) train that many models packed into one computation."`
	Resume []string `sep:"none" placeholder:"RUN" help:"Continue the run in this folder (or, repeated, the packed runs in these) from its newest checkpoint; only --steps may be given with it."`

	Model         string  `default:"nanda" enum:"${models}" help:"Network: ${model_help}."`
	DModel        int     `name:"d-model" help:"nanda, power: residual width (default 128)."`
	NHeads        int     `help:"nanda, power: attention heads (default 4)."`
	DHead         int     `help:"nanda, power: width of a head (default nanda 32, power d-model/n-heads)."`
	DMLP          int     `name:"d-mlp" help:"nanda, power: MLP width (default nanda 512, power 4·d-model)."`
	NLayers       int     `name:"n-layers" help:"power: transformer blocks (default 2); mlp: hidden layers (default 2)."`
	Width         int     `help:"gromov: hidden width N (default 512); mlp: width of each hidden layer (default 200)."`
	AttentionRate float64 `name:"attention-rate" default:"1" help:"nanda: Zhong et al.'s attention rate α: the pattern is α·softmax + (1 − α); 1 ordinary attention, 0 constant (clock vs pizza)."`
	Param         string  `name:"parameterization" enum:"gromov,standard" default:"gromov" help:"gromov: gromov (f = W2(W1x)²/(D·N), weights N(0,1), Gromov 2023) or standard (no 1/(D·N), PyTorch nn.Linear's init spread; the scale of Doshi et al.'s weight decays 5–20)."`
	Norm          string  `enum:"post,pre" default:"post" help:"power: post (the original code's post-LayerNorm blocks, x = LN(x + Attn(x)), LN(x + FFN(x)), no biases, no final LayerNorm) or pre (TransformerLens's pre-LayerNorm blocks, MLP biases, a final LayerNorm)."`
	Pos           string  `enum:"sinusoidal,learned" default:"sinusoidal" help:"power: sinusoidal positions (the original's, fixed) or learned (W_pos)."`
	Init          string  `enum:"pytorch,nanda" default:"pytorch" help:"power: pytorch (the original's: PyTorch's defaults, embedding N(0, 1), linear layers uniform ±1/√fan_in) or nanda (normal 1/√d_model, as nanda)."`

	Optimizer   string    `default:"adamw" enum:"${optimizers}" help:"adamw (decoupled decay), adam (L2 in the gradient), sgd; orthoadamw and orthosgd apply ⊥Grad first (the gradient made orthogonal to the weights, rescaled to its norm; Prieto et al. 2025). PyTorch's formulas. muon (Jordan et al. 2024): Nesterov momentum orthogonalised by 5 Newton–Schulz steps for the hidden layers' weight matrices (--muon-lr, --muon-momentum), AdamW (--lr, betas, eps) for the rest, decoupled decay for both. egd (Pasand & Dohmatob 2025): each weight matrix's gradient G = U·S·Vᵀ replaced by U·Vᵀ (an exact SVD), then SGD; vectors plain SGD."`
	LR          []float64 `default:"1e-3" help:"Peak learning rate (packed runs: one, or one per run)."`
	WeightDecay []float64 `default:"1.0" help:"Weight decay (packed runs: one, or one per run)."`
	Beta1       float64   `name:"beta1" default:"0.9" help:"Adam β1."`
	Beta2       float64   `name:"beta2" default:"0.98" help:"Adam β2."`
	Eps         float64   `default:"1e-8" help:"Adam ε."`
	Warmup      int       `default:"10" help:"Linear warm-up: lr·min(step/warmup, 1), as Nanda et al."`
	Loss        string    `default:"cross_entropy" enum:"${losses}" help:"cross_entropy, mse on one-hot targets, or stablemax (the cross-entropy of StableMax, Prieto et al. 2025, in float64)."`
	LogitsDType string    `name:"logits-dtype" default:"float64" enum:"float32,float64" help:"Precision of the logits in the loss (float64: Nanda's high-precision cross-entropy)."`
	BatchSize   int       `help:"Rows per step; 0 is full batch, -1 (--batch-size=-1) Power et al.'s min(512, n/2) for n training rows. Mini-batch order is drawn per epoch from the seed."`
	Seed        []uint64  `default:"23093" help:"Seed of the initialisation and of the mini-batch order (packed runs: one, or one per run)."`

	MuonLR       []float64 `name:"muon-lr" default:"${muon_lr}" help:"muon: the hidden matrices' learning rate (the reference's 0.02; packed runs: one, or one per run)."`
	MuonMomentum float64   `name:"muon-momentum" default:"${muon_momentum}" help:"muon: the momentum β of its Nesterov SGD (the reference's 0.95)."`

	Steps           int     `default:"40000" help:"Optimiser steps."`
	EvalEvery       int     `default:"100" help:"Evaluate every N steps: loss and accuracy per split and kind."`
	CheckpointEvery int     `default:"1000" help:"Checkpoint every N steps (and at the end)."`
	StopAtTestAcc   float64 `help:"Stop once the clean test rows' accuracy ≥ X for --patience evaluations in a row (0: never). Rows of a planted kind (a backdoor's held-out triggers) are left out: they are scored against their planted label, which a network that generalises answers cleanly. The progress line shows both where they differ."`
	Patience        int     `default:"1" help:"See --stop-at-test-acc."`

	Grokfast       string  `default:"none" enum:"none,ema,ma" help:"Grokfast's gradient filter (Lee et al. 2024): ema (h ← α·h + (1−α)·g, ĝ = g + λ·h) or ma (ĝ = g + λ·mean of the last --grokfast-window gradients)."`
	GrokfastAlpha  float64 `name:"grokfast-alpha" default:"0.98" help:"ema: α."`
	GrokfastLambda float64 `name:"grokfast-lambda" help:"λ (default: ema 2, ma 5, the paper's)."`
	GrokfastWindow int     `name:"grokfast-window" default:"100" help:"ma: the window."`

	FigureFormat string `name:"figure-format" default:"png" enum:"png,svg,pdf" help:"svg or pdf: also draw RUN/curves.svg or curves.pdf, vector figures for papers (RUN/curves.png is always drawn)."`
	Tensorboard  bool   `default:"true" negatable:"" help:"Write RUN/events.out.tfevents.0.grokkit as it trains, for tensorboard --logdir and wandb sync: every metrics.parquet row as split/metric or split/kind/metric, and train/lr. Its wall_time is the step, not the clock, so the same run gives the same bytes."`

	cli.Kernels
	SwitchKernels bool `name:"switch-kernels" help:"With --resume: continue a run computed with another kernel family or architecture with this machine's (config.json records the switch; the run is then no longer bit for bit). Without it such a resume is refused."`

	CPUProfile string `name:"cpuprofile" placeholder:"FILE" help:"Write a pprof CPU profile of the whole run here (go tool pprof)."`
	MemProfile string `name:"memprofile" placeholder:"FILE" help:"Write a pprof allocation profile of the whole run here at its end."`

	Version kong.VersionFlag `help:"Print the version."`
}

const description = `Train a model on a table; writes a run folder (config.json, metrics.parquet,
checkpoints/, model.safetensors, curves.png, and a TensorBoard event file).

Several -o folders train that many models as one computation (parameters
stacked along a leading axis), each with its own folder; they may differ in
--seed, --lr, --weight-decay and table:

    fit t.parquet -o s1 -o s2 -o s3 --seed 1,2,3 --weight-decay 0.3,1,3

Backend: GoMLX's pure-Go backend unless GOMLX_BACKEND says otherwise
(e.g. GOMLX_BACKEND=xla:cuda). Its kernel family (--kernels) is avx2 on
every x86-64 CPU unless told otherwise, so that every such machine gives
the same bytes; config.json records it. SIGINT/SIGTERM checkpoint before
exiting; fit --resume RUN then continues bit for bit, with the run's own
kernel family.`

// vars fill the flags' choices from the packages that define them.
func vars() kong.Vars {
	var help []string
	for _, name := range model.Names() {
		d, _ := model.Lookup(name)
		help = append(help, fmt.Sprintf("%s (%s)", name, d.Summary))
	}
	return kong.Vars{"models": strings.Join(model.Names(), ","), "model_help": strings.Join(help, ", "),
		"optimizers": strings.Join(train.Optimizers, ","), "losses": strings.Join(train.Losses, ","),
		"muon_lr": fmt.Sprint(train.DefaultMuonLR), "muon_momentum": fmt.Sprint(train.DefaultMuonMomentum)}
}

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "fit", description, &f, func(env cli.Env, kctx *kong.Context) error {
		if f.Kernels.Kernels == "" && len(f.Resume) > 0 && os.Getenv(grokkernels.EnvVar) == "" {
			// Continue with the run's own family, bit for bit, where this CPU has it.
			if err := env.UseKernels(train.RecordedKernels(f.Resume)); err != nil {
				return err
			}
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		endProfile, err := cli.Profile(f.CPUProfile, f.MemProfile)
		if err != nil {
			return err
		}
		dirs, err := dispatch(ctx, env, cli.Given(kctx), &f)
		if perr := endProfile(); err == nil {
			err = perr
		}
		if errors.Is(err, train.ErrInterrupted) {
			return &cli.ExitError{Code: cli.ExitInterrupted, Msg: fmt.Sprintf("%s: interrupted; checkpoint saved. Continue with: fit --resume %s",
				strings.Join(dirs, ", "), strings.Join(dirs, " --resume "))}
		}
		return err
	}, vars()))
}

// dispatch starts or resumes the runs; it returns their folders.
func dispatch(ctx context.Context, env cli.Env, given map[string]bool, f *flags) ([]string, error) {
	if len(f.Resume) > 0 {
		for name := range given {
			switch name {
			case "resume", "steps", "kernels", "switch-kernels", "cpuprofile", "memprofile":
			default:
				return nil, fmt.Errorf("--resume continues a run with its own settings: --%s cannot be changed (only --steps)", name)
			}
		}
		if len(f.Table) > 0 {
			return nil, errors.New("--resume takes no table: the run keeps its own copy")
		}
		steps := 0
		if given["steps"] {
			steps = f.Steps
		}
		return f.Resume, train.Resume(ctx, f.Resume, train.ResumeOptions{Steps: steps, SwitchArithmetic: f.SwitchKernels}, env.Stderr)
	}
	if f.SwitchKernels {
		return nil, errors.New("--switch-kernels applies to --resume only: a new run records the kernels it computes with")
	}
	if len(f.Output) == 0 || len(f.Table) == 0 {
		return nil, errors.New("give a table and -o RUN for a new run, or --resume RUN")
	}
	desc, err := model.Lookup(f.Model)
	if err != nil {
		return nil, err
	}
	if err := unused(f, given); err != nil {
		return nil, err
	}
	for _, name := range model.SettingFlags() {
		if given[name] && !desc.Reads(name) {
			return nil, fmt.Errorf("--%s does not apply to --model %s", name, f.Model)
		}
	}
	// A size of 0 is how an unset flag reads, so a given one must be ≥ 1
	// (else --d-model 0 would silently mean the default).
	for name, v := range map[string]int{"d-model": f.DModel, "n-heads": f.NHeads, "d-head": f.DHead, "d-mlp": f.DMLP, "n-layers": f.NLayers, "width": f.Width} {
		if given[name] && v < 1 {
			return nil, fmt.Errorf("--%s must be ≥ 1, got %d", name, v)
		}
	}
	K := len(f.Output)
	for name, n := range map[string]int{"TABLE": len(f.Table), "--seed": len(f.Seed), "--lr": len(f.LR), "--weight-decay": len(f.WeightDecay), "--muon-lr": len(f.MuonLR)} {
		if n != 1 && n != K {
			return nil, fmt.Errorf("%s has %d values for %d runs: give one, or one per -o", name, n, K)
		}
	}
	var tables []*table.Table
	var data [][]byte
	var cfgs []*runs.Config
	for k := range K {
		if k < len(f.Table) {
			t, d, err := table.Load(f.Table[k], env.Stdin)
			if err != nil {
				return nil, err
			}
			tables, data = append(tables, t), append(data, d)
		} else {
			tables, data = append(tables, tables[0]), append(data, data[0])
		}
		cfgs = append(cfgs, config(f, desc, given, k, env.Args, tables[k]))
	}
	return f.Output, train.Start(ctx, f.Output, cfgs, tables, data, env.Stderr)
}

// unused refuses a training flag that the other flags make meaningless,
// rather than ignoring it.
func unused(f *flags, given map[string]bool) error {
	if given["patience"] && f.StopAtTestAcc == 0 {
		return errors.New("--patience applies only with --stop-at-test-acc")
	}
	if name, _ := train.BaseOptimizer(f.Optimizer); name == train.SGD || name == train.EGD {
		for _, flag := range []string{"beta1", "beta2", "eps"} {
			if given[flag] {
				return fmt.Errorf("--%s applies only to the Adam optimisers, not --optimizer %s", flag, f.Optimizer)
			}
		}
	}
	return nil
}

// pick is list[k], or its only value.
func pick[T any](list []T, k int) T {
	if len(list) == 1 {
		return list[0]
	}
	return list[k]
}

// config maps the flags to a run's configuration.
func config(f *flags, desc model.Description, given map[string]bool, k int, args []string, t *table.Table) *runs.Config {
	constant := 0.0
	choice := func(flag, value string) string { // a choice the network reads, else none
		if desc.Reads(flag) {
			return value
		}
		return ""
	}
	if desc.Reads(model.AttentionRateFlag) {
		constant = 1 - f.AttentionRate
	}
	cfg := &runs.Config{
		Args: args,
		Data: runs.DataInfo{Source: pick(f.Table, k)},
		Model: runs.ModelSpec{Name: f.Model, P: t.Meta.P, DModel: f.DModel, NHeads: f.NHeads,
			DHead: f.DHead, DMLP: f.DMLP, Width: f.Width, NLayers: f.NLayers, Equals: desc.Equals,
			Parameterization: choice(model.ParameterizationFlag, f.Param), Norm: choice(model.NormFlag, f.Norm),
			Pos: choice(model.PosFlag, f.Pos), Init: choice(model.InitFlag, f.Init),
			ConstantAttention: constant},
		Train: runs.TrainSpec{Optimizer: f.Optimizer, LR: pick(f.LR, k), WeightDecay: pick(f.WeightDecay, k),
			Beta1: f.Beta1, Beta2: f.Beta2, Eps: f.Eps, WarmupSteps: f.Warmup, Loss: f.Loss,
			LogitsDType: f.LogitsDType, BatchSize: f.BatchSize, Seed: pick(f.Seed, k), Steps: f.Steps,
			EvalEvery: f.EvalEvery, CheckpointEvery: f.CheckpointEvery,
			StopAtTestAcc: f.StopAtTestAcc, Patience: f.Patience, Tensorboard: f.Tensorboard, FigureFormat: vectorFormat(f.FigureFormat)},
	}
	grokfast(f, given, &cfg.Train)
	if f.Optimizer == train.Muon || given["muon-lr"] {
		cfg.Train.MuonLR = pick(f.MuonLR, k)
	}
	if f.Optimizer == train.Muon || given["muon-momentum"] {
		cfg.Train.MuonMomentum = f.MuonMomentum
	}
	return cfg
}

// grokfast records the filter's settings: the filter's own with their
// defaults, and any given for another filter or none (Validate refuses
// those with one line).
func grokfast(f *flags, given map[string]bool, tr *runs.TrainSpec) {
	if f.Grokfast != "none" {
		tr.Grokfast = f.Grokfast
	}
	if f.Grokfast == train.GrokfastEMA || given["grokfast-alpha"] {
		tr.GrokfastAlpha = f.GrokfastAlpha
	}
	if f.Grokfast == train.GrokfastMA || given["grokfast-window"] {
		tr.GrokfastWindow = f.GrokfastWindow
	}
	switch {
	case given["grokfast-lambda"]:
		tr.GrokfastLambda = f.GrokfastLambda
	case f.Grokfast == train.GrokfastEMA:
		tr.GrokfastLambda = 2
	case f.Grokfast == train.GrokfastMA:
		tr.GrokfastLambda = 5
	}
}

// vectorFormat is the figure format config.json records: "" for png, which
// every run draws, so that a run without the flag keeps its config bytes.
func vectorFormat(f string) string {
	if f == "png" {
		return ""
	}
	return f
}

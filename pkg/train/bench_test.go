package train

import (
	"fmt"
	"io"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// BenchmarkNandaStep is one full-batch AdamW step of fit's own stepper on
// Nanda et al.'s setting: p = 113, 30% (3,830 rows), the paper's model.
// Sub-benchmarks compare float32 and float64 logits in the loss, and the
// quickstart's smaller configuration at p = 31, 47 and 23 (50% of the
// pairs; scripts/bench/peer.py's quickstart-shaped peers).
func BenchmarkNandaStep(b *testing.B) {
	for _, c := range []struct {
		name   string
		p      int
		frac   float64
		cfg    model.Config
		logits string
	}{
		{"p113/logits=float32", 113, 0.3, model.Config{}, "float32"},
		{"p113/logits=float64", 113, 0.3, model.Config{}, "float64"},
		{"quickstart/p31", 31, 0.5, model.Config{DModel: 64, NHeads: 4, DHead: 16, DMLP: 256}, "float64"},
		{"qs-p47", 47, 0.5, model.Config{DModel: 64, NHeads: 4, DHead: 16, DMLP: 256}, "float64"},
		{"qs-p23", 23, 0.5, model.Config{DModel: 64, NHeads: 4, DHead: 16, DMLP: 256}, "float64"},
	} {
		b.Run(c.name, func(b *testing.B) {
			be, _, err := backend.New()
			if err != nil {
				b.Fatal(err)
			}
			cfg := c.cfg
			cfg.P, cfg.DType = c.p, dtypes.Float32
			m, err := model.ByName("nanda", cfg)
			if err != nil {
				b.Fatal(err)
			}
			tb, err := table.Generate(table.Spec{P: c.p, Op: "add", TrainFraction: c.frac, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			d := infer.NewData(tb, true)
			benchSteps(b, be, m, d, CrossEntropy, c.logits)
		})
	}
}

// BenchmarkPackedNandaStep is one full-batch AdamW step of K Nanda models
// packed into one computation (Pack), p = 113, 30%: the time per step per
// model, against K = 1 through the same path and fit's single stepper
// (BenchmarkNandaStep/p113/logits=float64) in the same process.
func BenchmarkPackedNandaStep(b *testing.B) {
	tb, err := table.Generate(table.Spec{P: 113, Op: "add", TrainFraction: 0.3, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	for _, K := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("K=%d", K), func(b *testing.B) {
			be, _, err := backend.New()
			if err != nil {
				b.Fatal(err)
			}
			var dirs []string
			var cfgs []*runs.Config
			var tables []*table.Table
			for k := range K {
				cfg := &runs.Config{Model: runs.ModelSpec{Name: "nanda", P: 113, Equals: true},
					Train: runs.TrainSpec{Optimizer: AdamW, LR: 1e-3, WeightDecay: 1, Beta1: 0.9, Beta2: 0.98, Eps: 1e-8,
						WarmupSteps: 10, Loss: CrossEntropy, LogitsDType: "float64", Seed: uint64(k + 1), Steps: 1, EvalEvery: 1, CheckpointEvery: 1, Patience: 1}}
				fillSizes(&cfg.Model)
				dirs, cfgs, tables = append(dirs, b.TempDir()), append(cfgs, cfg), append(tables, tb)
			}
			p, err := OpenPack(be, dirs, cfgs, tables, nil, io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.step(); err != nil { // compile outside the timing
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.Step = i + 1
				if _, err := p.step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N*K), "ms/step/model")
		})
	}
}

// BenchmarkGromovStep is one full-batch AdamW step of fit's stepper on
// Gromov's MLP: p = 97, width N = 500, half the pairs (4,704 rows), MSE on
// one-hot targets (scripts/bench/peer.py gromov is its PyTorch peer).
func BenchmarkGromovStep(b *testing.B) {
	be, _, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	m, err := model.ByName("gromov", model.Config{P: 97, Width: 500, DType: dtypes.Float32})
	if err != nil {
		b.Fatal(err)
	}
	tb, err := table.Generate(table.Spec{P: 97, Op: "add", TrainFraction: 0.5, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	benchSteps(b, be, m, infer.NewData(tb, false), MSE, "float32")
}

// benchSteps times full-batch AdamW steps (lr 1e-3, weight decay 1, betas
// (0.9, 0.98)) of fit's stepper for m on d's training rows, the first step
// (which compiles) outside the timing; it reports ms/step.
func benchSteps(b *testing.B, be compute.Backend, m model.Model, d *infer.Data, loss, logits string) {
	store := gomlx.NewStore()
	if err := model.InitParams(store.RootScope(), m, 1); err != nil {
		b.Fatal(err)
	}
	s, err := newStepper(be, store, m, Hyper{Name: AdamW, LR: 1e-3, WeightDecay: 1, Beta1: 0.9, Beta2: 0.98, Eps: 1e-8}, loss, logits)
	if err != nil {
		b.Fatal(err)
	}
	bt := d.Batch(d.TrainRows())
	if _, err := s.step(0, bt.Inputs, bt.Labels); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.step(i+1, bt.Inputs, bt.Labels); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/step")
}

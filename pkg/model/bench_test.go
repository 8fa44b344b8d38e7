package model

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
)

// additionData returns n distinct random pairs (a, b) of Z_p (seeded), as
// int32 inputs [n, cols] (cols 3 appends the "=" token p) and labels (a+b) mod p.
func additionData(p, n, cols int, seed uint64) (inputs, labels *tensors.Tensor) {
	rng := rand.New(rand.NewPCG(seed, 1))
	perm := rng.Perm(p * p)[:n]
	in := make([]int32, 0, n*cols)
	lab := make([]int32, 0, n)
	for _, ab := range perm {
		a, b := ab/p, ab%p
		in = append(in, int32(a), int32(b))
		if cols == 3 {
			in = append(in, int32(p))
		}
		lab = append(lab, int32((a+b)%p))
	}
	return tensors.FromFlatDataAndDimensions(in, n, cols), tensors.FromFlatDataAndDimensions(lab, n)
}

func benchmarkTrainStep(b *testing.B, m Model, rows, cols int) {
	benchmarkTrainStepWith(b, m, rows, cols, NandaTrainConfig())
}

func benchmarkTrainStepWith(b *testing.B, m Model, rows, cols int, tc TrainConfig) {
	be, desc, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("backend: %s", desc)
	store := gomlx.NewStore()
	if err := InitParams(store.RootScope(), m, 1); err != nil {
		b.Fatal(err)
	}
	step, err := NewTrainStep(be, store, m, tc)
	if err != nil {
		b.Fatal(err)
	}
	inputs, labels := additionData(m.Config().P, rows, cols, 2)
	// Warm up: compile and run two steps.
	for range 2 {
		if _, err := step.Step(inputs, labels); err != nil {
			b.Fatal(err)
		}
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := step.Step(inputs, labels); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/step")
	// CPU time (both cores) per step: less sensitive than wall time to other
	// processes competing for this machine's cores.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/step")
}

// BenchmarkNandaTrainStep: one full-batch AdamW step of Nanda's transformer,
// p = 113, 3,830 training rows (30% of 113²).
func BenchmarkNandaTrainStep(b *testing.B) {
	cfg, _ := DefaultConfig("nanda", 113)
	m, err := ByName("nanda", cfg)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkTrainStep(b, m, 3830, 3)
}

// BenchmarkNandaUnfoldedTrainStep: the same step computing keys, values and
// queries per example instead of from the folded token tables (for comparison).
func BenchmarkNandaUnfoldedTrainStep(b *testing.B) {
	cfg, _ := DefaultConfig("nanda", 113)
	m, err := NewNanda(cfg)
	if err != nil {
		b.Fatal(err)
	}
	m.unfolded = true
	benchmarkTrainStep(b, m, 3830, 3)
}

// BenchmarkGromovTrainStep: one full-batch AdamW step of Gromov's MLP,
// p = 97, width 512, 4,704 training rows (50% of 97²).
func BenchmarkGromovTrainStep(b *testing.B) {
	m, err := ByName("gromov", Config{P: 97, Width: 512})
	if err != nil {
		b.Fatal(err)
	}
	benchmarkTrainStep(b, m, 4704, 2)
}

// BenchmarkNandaFloat64LossTrainStep: the step with the loss computed in
// float64, as Nanda's code did (not needed: CrossEntropy is precise in float32).
func BenchmarkNandaFloat64LossTrainStep(b *testing.B) {
	cfg, _ := DefaultConfig("nanda", 113)
	m, _ := ByName("nanda", cfg)
	tc := NandaTrainConfig()
	tc.Float64Loss = true
	benchmarkTrainStepWith(b, m, 3830, 3, tc)
}

func BenchmarkGromovRowsOneHotTrainStep(b *testing.B) {
	m, _ := NewGromov(Config{P: 97, Width: 512})
	m.layout = gromovOneHotRows
	benchmarkTrainStep(b, m, 4704, 2)
}

func BenchmarkGromovRowsGatherTrainStep(b *testing.B) {
	m, _ := NewGromov(Config{P: 97, Width: 512})
	m.layout = gromovGather
	benchmarkTrainStep(b, m, 4704, 2)
}

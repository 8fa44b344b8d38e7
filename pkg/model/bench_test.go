package model

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
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

// benchmarkGradStep times one full-batch gradStep of m (forward pass, loss,
// backward pass and SGD update) on rows random training pairs, after two
// warm-up steps (compilation). loss nil is CrossEntropy. Besides ns/op it
// reports ms/step and cpu-ms/step.
func benchmarkGradStep(b *testing.B, m Model, rows, cols int, loss func(logits, labels *Node) *Node) {
	be, desc, err := backend.New()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("backend: %s", desc)
	store := gomlx.NewStore()
	if err := InitParams(store.RootScope(), m, 1); err != nil {
		b.Fatal(err)
	}
	// A small learning rate: the benchmark measures the step, not training.
	step, err := newGradStep(be, store, m, 1e-3, loss)
	if err != nil {
		b.Fatal(err)
	}
	defer step.finalize()
	inputs, labels := additionData(m.Config().P, rows, cols, 2)
	for range 2 {
		if _, err := step.step(inputs, labels); err != nil {
			b.Fatal(err)
		}
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := step.step(inputs, labels); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/step")
	// CPU time (both cores) per step: less sensitive than wall time to other
	// processes competing for this machine's cores.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/step")
}

// The benchmarks below compare the layouts of each network (the same function
// computed differently, see nanda.go and gromov.go) on the work of a training
// step: forward, cross-entropy, backward and an SGD update of every
// parameter. The optimiser fit uses (pkg/train) adds a few elementwise passes
// over the parameters; BenchmarkNandaStep in pkg/train times that.

// BenchmarkNandaGradStep: Nanda's transformer, p = 113, 3,830 training rows
// (30% of 113²), with the folded token tables (the default).
func BenchmarkNandaGradStep(b *testing.B) {
	cfg, _ := DefaultConfig("nanda", 113)
	m, err := ByName("nanda", cfg)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkGradStep(b, m, 3830, 3, nil)
}

// BenchmarkNandaUnfoldedGradStep: the same step computing keys, values and
// queries per example instead of from the folded token tables.
func BenchmarkNandaUnfoldedGradStep(b *testing.B) {
	cfg, _ := DefaultConfig("nanda", 113)
	m, err := NewNanda(cfg)
	if err != nil {
		b.Fatal(err)
	}
	m.unfolded = true
	benchmarkGradStep(b, m, 3830, 3, nil)
}

// BenchmarkNandaFloat64LossGradStep: the step with the logits converted to
// float64 before the loss, as Nanda's code did (not needed: CrossEntropy is
// precise in float32; the float64 softmax is the slow path of ops.go).
func BenchmarkNandaFloat64LossGradStep(b *testing.B) {
	cfg, _ := DefaultConfig("nanda", 113)
	m, err := ByName("nanda", cfg)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkGradStep(b, m, 3830, 3, func(logits, labels *Node) *Node {
		return CrossEntropy(ConvertDType(logits, dtypes.Float64), labels)
	})
}

// BenchmarkGromovGradStep: Gromov's MLP, p = 97, width 512, 4,704 training
// rows (50% of 97²), examples as columns (the default layout).
func BenchmarkGromovGradStep(b *testing.B) {
	m, err := ByName("gromov", Config{P: 97, Width: 512})
	if err != nil {
		b.Fatal(err)
	}
	benchmarkGradStep(b, m, 4704, 2, nil)
}

// BenchmarkGromovRowsOneHotGradStep: the same step with examples as rows and
// a dense one-hot input.
func BenchmarkGromovRowsOneHotGradStep(b *testing.B) {
	m, _ := NewGromov(Config{P: 97, Width: 512})
	m.layout = gromovOneHotRows
	benchmarkGradStep(b, m, 4704, 2, nil)
}

// BenchmarkGromovRowsGatherGradStep: the same step gathering the columns of
// W1 for each example.
func BenchmarkGromovRowsGatherGradStep(b *testing.B) {
	m, _ := NewGromov(Config{P: 97, Width: 512})
	m.layout = gromovGather
	benchmarkGradStep(b, m, 4704, 2, nil)
}

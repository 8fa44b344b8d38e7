package model

import (
	"math"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"

	"github.com/grokkit/grokkit/pkg/backend"
)

// TestTrainStepDoesNotHang runs full-batch AdamW steps of the full-size
// transformer (p = 23, 264 rows) on the backend that pkg/backend chooses,
// twice from the same start. A deadlocked worker pool (as GoMLX's default
// Go-backend configuration produces on 2 CPUs) fails the test after 60 s
// instead of blocking it; the two runs must give bit-identical losses.
func TestTrainStepDoesNotHang(t *testing.T) {
	be, desc, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backend: %s", desc)
	m, err := ByName("nanda", Config{P: 23})
	if err != nil {
		t.Fatal(err)
	}
	inputs, labels := additionData(23, 264, 3, 1)
	const steps = 6
	run := func() ([]float64, error) {
		store := gomlx.NewStore()
		if err := InitParams(store.RootScope(), m, 1); err != nil {
			return nil, err
		}
		step, err := NewTrainStep(be, store, m, NandaTrainConfig())
		if err != nil {
			return nil, err
		}
		defer step.Finalize()
		var losses []float64
		for range steps {
			loss, err := step.Step(inputs, labels)
			if err != nil {
				return nil, err
			}
			losses = append(losses, loss)
		}
		return losses, nil
	}

	type result struct {
		losses [2][]float64
		err    error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		for i := range 2 {
			if r.losses[i], r.err = run(); r.err != nil {
				break
			}
		}
		done <- r
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
		t.Logf("losses: %v", r.losses[0])
		if !(r.losses[0][steps-1] < r.losses[0][0]) {
			t.Errorf("loss did not decrease over %d steps: %v", steps, r.losses[0])
		}
		if !slices.Equal(r.losses[0], r.losses[1]) {
			t.Errorf("two identical runs differ: %v vs %v", r.losses[0], r.losses[1])
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("2×%d training steps did not finish in 60 s on %s: deadlock?", steps, desc)
	}
}

// trainTiny trains the tiny transformer for n steps from a fixed start and
// returns its Store.
func trainTiny(t *testing.T, store *gomlx.Store, m Model, n int) {
	t.Helper()
	be := testBackend(t)
	step, err := NewTrainStep(be, store, m, NandaTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer step.Finalize()
	pairs, labels := allPairs(m.Config().P)
	inputs, lab := pairsTensor(pairs, m.Config().P, 3), labelsTensor(labels)
	for range n {
		if _, err := step.Step(inputs, lab); err != nil {
			t.Fatal(err)
		}
	}
}

func tinyNanda(t *testing.T) Model {
	m, err := ByName("nanda", Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func equalParams(a, b map[string]Array) bool {
	if len(a) != len(b) {
		return false
	}
	for name, x := range a {
		y, ok := b[name]
		if !ok || !slices.Equal(x.Shape, y.Shape) {
			return false
		}
		for i := range x.Data {
			if math.Float32bits(x.Data[i]) != math.Float32bits(y.Data[i]) {
				return false
			}
		}
	}
	return true
}

// TestTrainingIsDeterministic: the same seed and data give bit-identical
// weights after training.
func TestTrainingIsDeterministic(t *testing.T) {
	m := tinyNanda(t)
	var results []map[string]Array
	for range 2 {
		store := gomlx.NewStore()
		if err := InitParams(store.RootScope(), m, 42); err != nil {
			t.Fatal(err)
		}
		trainTiny(t, store, m, 5)
		p, err := GetParams(store.RootScope(), m)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, p)
	}
	if !equalParams(results[0], results[1]) {
		t.Fatal("two identical training runs gave different weights")
	}
}

// TestCheckpointResumeIsExact: training 4 steps equals training 2, saving a
// GoMLX checkpoint (weights, Adam moments and step counters), loading it into
// a fresh Store and training 2 more, bit for bit.
func TestCheckpointResumeIsExact(t *testing.T) {
	m := tinyNanda(t)
	straight := gomlx.NewStore()
	if err := InitParams(straight.RootScope(), m, 7); err != nil {
		t.Fatal(err)
	}
	trainTiny(t, straight, m, 4)
	want, _ := GetParams(straight.RootScope(), m)

	dir := t.TempDir()
	first := gomlx.NewStore()
	if err := InitParams(first.RootScope(), m, 7); err != nil {
		t.Fatal(err)
	}
	trainTiny(t, first, m, 2)
	h, err := checkpoint.Build(first).Dir(dir).Keep(2).Done()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Save(); err != nil {
		t.Fatal(err)
	}

	resumed := gomlx.NewStore()
	if _, err := checkpoint.Build(resumed).Dir(dir).Done(); err != nil {
		t.Fatal(err)
	}
	// InitParams keeps what the checkpoint provides (a different seed would show).
	if err := InitParams(resumed.RootScope(), m, 999); err != nil {
		t.Fatal(err)
	}
	trainTiny(t, resumed, m, 2)
	got, _ := GetParams(resumed.RootScope(), m)
	if !equalParams(got, want) {
		t.Fatal("resumed training differs from uninterrupted training")
	}
}

// TestAdamWMatchesPyTorchRule: two TrainStep updates against AdamW written
// out by hand (torch.optim.AdamW's update, with GoMLX computing only the
// gradients, which TestGradientsMatchFiniteDifferences checks).
func TestAdamWMatchesPyTorchRule(t *testing.T) {
	m, err := ByName("nanda", Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8, DType: dtypes.Float64})
	if err != nil {
		t.Fatal(err)
	}
	be := testBackend(t)
	_, arrays := randomWeights(m, 0.7, 5)
	pairs, labels := allPairs(5)
	inputs, lab := pairsTensor(pairs, 5, 3), labelsTensor(labels)
	cfg := TrainConfig{LearningRate: 0.01, WeightDecay: 0.5, Beta1: 0.9, Beta2: 0.98, Epsilon: 1e-8}

	// The hand-written optimiser, on a copy of the weights.
	ref := storeWith(t, m, arrays)
	params := make([][]float64, len(m.Params()))
	for i, s := range m.Params() {
		for _, x := range arrays[s.Name].Data {
			params[i] = append(params[i], float64(x))
		}
	}
	m1 := make([][]float64, len(params))
	m2 := make([][]float64, len(params))
	for i := range params {
		m1[i] = make([]float64, len(params[i]))
		m2[i] = make([]float64, len(params[i]))
	}

	store := storeWith(t, m, arrays)
	step, err := NewTrainStep(be, store, m, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= 2; k++ {
		lr := cfg.LearningRate * float64(k) / 2 // a schedule: lr/2, then lr
		if err := step.SetLearningRate(lr); err != nil {
			t.Fatal(err)
		}
		if _, err := step.Step(inputs, lab); err != nil {
			t.Fatal(err)
		}
		// Reference: gradients at the current reference weights, then AdamW.
		arr := make(map[string]Array)
		for i, s := range m.Params() {
			f := make([]float32, len(params[i]))
			for j, x := range params[i] {
				f[j] = float32(x)
			}
			arr[s.Name] = Array{Shape: s.Shape, Data: f}
		}
		_, grads := gradients(t, be, refStoreFrom(t, m, ref, params), m, inputs, lab)
		for i := range params {
			for j := range params[i] {
				g := grads[i][j]
				m1[i][j] = cfg.Beta1*m1[i][j] + (1-cfg.Beta1)*g
				m2[i][j] = cfg.Beta2*m2[i][j] + (1-cfg.Beta2)*g*g
				mHat := m1[i][j] / (1 - math.Pow(cfg.Beta1, float64(k)))
				vHat := m2[i][j] / (1 - math.Pow(cfg.Beta2, float64(k)))
				params[i][j] -= lr * (mHat/(math.Sqrt(vHat)+cfg.Epsilon) + cfg.WeightDecay*params[i][j])
			}
		}
	}
	for i, s := range m.Params() {
		v := store.GetVariable(VariablePath(store.RootScope(), s.Name))
		got := tensors.MustCopyFlatData[float64](v.MustValue())
		for j := range got {
			if math.Abs(got[j]-params[i][j]) > 1e-12 {
				t.Fatalf("%s[%d] = %.15g after 2 steps, hand-written AdamW gives %.15g", s.Name, j, got[j], params[i][j])
			}
		}
	}
}

// refStoreFrom sets float64 values (exactly, not through float32) into store.
func refStoreFrom(t *testing.T, m Model, store *gomlx.Store, params [][]float64) *gomlx.Store {
	t.Helper()
	for i, s := range m.Params() {
		v := store.GetVariable(VariablePath(store.RootScope(), s.Name))
		if err := v.SetValue(tensors.FromFlatDataAndDimensions(slices.Clone(params[i]), s.Shape...)); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

// TestZeroLearningRateKeepsWeights: with lr 0 nothing moves (AdamW's decay is
// scaled by the learning rate too), as in the first step of Nanda's warm-up.
func TestZeroLearningRateKeepsWeights(t *testing.T) {
	m := tinyNanda(t)
	store := gomlx.NewStore()
	if err := InitParams(store.RootScope(), m, 3); err != nil {
		t.Fatal(err)
	}
	before, _ := GetParams(store.RootScope(), m)
	step, err := NewTrainStep(testBackend(t), store, m, NandaTrainConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := step.SetLearningRate(0); err != nil {
		t.Fatal(err)
	}
	pairs, labels := allPairs(5)
	if _, err := step.Step(pairsTensor(pairs, 5, 3), labelsTensor(labels)); err != nil {
		t.Fatal(err)
	}
	after, _ := GetParams(store.RootScope(), m)
	if !equalParams(before, after) {
		t.Fatal("weights changed with learning rate 0")
	}
}

func TestMain(m *testing.M) {
	// The tests choose their backend through pkg/backend; say which.
	if _, desc, err := backend.New(); err == nil {
		os.Stderr.WriteString("pkg/model tests on backend: " + desc + "\n")
	}
	os.Exit(m.Run())
}

package model

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	gomlx "github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"
)

func TestNandaParameterNamesAndShapes(t *testing.T) {
	m, err := ByName("nanda", Config{P: 113})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"embed.W_E":          {114, 128},
		"pos_embed.W_pos":    {3, 128},
		"blocks.0.attn.W_Q":  {4, 128, 32},
		"blocks.0.attn.W_K":  {4, 128, 32},
		"blocks.0.attn.W_V":  {4, 128, 32},
		"blocks.0.attn.W_O":  {4, 32, 128},
		"blocks.0.mlp.W_in":  {128, 512},
		"blocks.0.mlp.b_in":  {512},
		"blocks.0.mlp.W_out": {512, 128},
		"blocks.0.mlp.b_out": {128},
		"unembed.W_U":        {128, 113},
	}
	if len(m.Params()) != len(want) {
		t.Fatalf("%d parameters, want %d", len(m.Params()), len(want))
	}
	for _, s := range m.Params() {
		if !slices.Equal(want[s.Name], s.Shape) {
			t.Errorf("%s: shape %v, want %v", s.Name, s.Shape, want[s.Name])
		}
	}
	if n := NumParameters(m); n != 114*128+3*128+4*4*128*32+2*128*512+512+128+128*113 {
		t.Errorf("NumParameters = %d", n)
	}
	g, _ := ByName("gromov", Config{P: 97})
	if s := g.Params(); s[0].Name != "W1" || !slices.Equal(s[0].Shape, []int{512, 194}) || s[1].Name != "W2" || !slices.Equal(s[1].Shape, []int{97, 512}) {
		t.Errorf("gromov params %+v", s)
	}
}

func TestByNameErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"resnet", Config{P: 5}},
		{"nanda", Config{P: 1}},
		{"gromov", Config{P: 5, DType: dtypes.Int32}},
		{"gromov", Config{P: 5, Parameterization: "ntk"}},
	} {
		if _, err := ByName(tc.name, tc.cfg); err == nil {
			t.Errorf("ByName(%q, %+v): no error", tc.name, tc.cfg)
		}
	}
}

// initialParams returns m's parameters as InitParams draws them from seed
// in a fresh store.
func initialParams(t testing.TB, m Model, seed uint64) map[string]Array {
	t.Helper()
	store := gomlx.NewStore()
	if err := InitParams(store.RootScope(), m, seed); err != nil {
		t.Fatal(err)
	}
	ps, err := GetParams(store.RootScope(), m)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// The standard parameterization draws Gromov's weights with PyTorch
// nn.Linear's spread, std 1/√(3·fan_in): fan_in 2p for W1, N for W2.
func TestInitParamsGromovStandard(t *testing.T) {
	const p, n = 97, 500
	m, err := ByName("gromov", Config{P: p, Width: n, Parameterization: ParamStandard})
	if err != nil {
		t.Fatal(err)
	}
	got := initialParams(t, m, 1)
	for name, fanIn := range map[string]int{"W1": 2 * p, "W2": n} {
		var sq float64
		for _, x := range got[name].Data {
			sq += float64(x) * float64(x)
		}
		std, want := math.Sqrt(sq/float64(len(got[name].Data))), 1/math.Sqrt(3*float64(fanIn))
		if math.Abs(std/want-1) > 0.03 {
			t.Errorf("%s: std %.5f, want %.5f", name, std, want)
		}
	}
}

func TestInitParams(t *testing.T) {
	m, _ := ByName("nanda", Config{P: 113})
	a, b, c := initialParams(t, m, 1), initialParams(t, m, 1), initialParams(t, m, 2)
	if !equalParams(a, b) {
		t.Error("same seed, different weights")
	}
	if equalParams(a, c) {
		t.Error("different seeds, same weights")
	}
	for _, s := range m.Params() {
		data := a[s.Name].Data
		var sum, sq float64
		for _, x := range data {
			sum += float64(x)
			sq += float64(x) * float64(x)
		}
		std := math.Sqrt(sq / float64(len(data)))
		if s.Std == 0 {
			if sq != 0 {
				t.Errorf("%s: want zeros", s.Name)
			}
			continue
		}
		// Nanda's code: 1/√d_model everywhere, 1/√d_vocab for W_U.
		wantStd := 1 / math.Sqrt(128)
		if s.Name == "unembed.W_U" {
			wantStd = 1 / math.Sqrt(114)
		}
		if math.Abs(std/wantStd-1) > 0.1 || math.Abs(sum/float64(len(data))) > 0.2*wantStd {
			t.Errorf("%s: std %.4f mean %.4f, want std %.4f mean 0", s.Name, std, sum/float64(len(data)), wantStd)
		}
	}

	// A parameter's values depend on the seed and its name only.
	other, _ := ByName("nanda", Config{P: 113, DMLP: 256})
	store := gomlx.NewStore()
	if err := InitParams(store.RootScope(), other, 1); err != nil {
		t.Fatal(err)
	}
	p, _ := GetParams(store.RootScope(), other)
	if !slices.Equal(p["embed.W_E"].Data, a["embed.W_E"].Data) {
		t.Error("W_E changed with d_mlp")
	}
}

func TestSetAndGetParams(t *testing.T) {
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		m, _ := ByName("nanda", Config{P: 5, DModel: 4, NHeads: 2, DHead: 2, DMLP: 8, DType: dtype})
		_, arrays := randomWeights(m, 1, 9)
		store := gomlx.NewStore()
		scope := store.RootScope().In("model")
		if err := SetParams(scope, m, arrays); err != nil {
			t.Fatal(err)
		}
		if path := VariablePath(scope, "blocks.0.attn.W_Q"); path != "/model/blocks/0/attn/W_Q" {
			t.Errorf("VariablePath = %q", path)
		}
		got, err := GetParams(scope, m)
		if err != nil {
			t.Fatal(err)
		}
		if !equalParams(got, arrays) {
			t.Errorf("%s: GetParams(SetParams(x)) != x", dtype)
		}
		// InitParams keeps existing values.
		if err := InitParams(scope, m, 1); err != nil {
			t.Fatal(err)
		}
		got, _ = GetParams(scope, m)
		if !equalParams(got, arrays) {
			t.Errorf("%s: InitParams overwrote existing parameters", dtype)
		}
		// Setting again overwrites.
		ones := Array{Shape: []int{8}, Data: []float32{1, 1, 1, 1, 1, 1, 1, 1}}
		if err := SetParams(scope, m, map[string]Array{"blocks.0.mlp.b_in": ones}); err != nil {
			t.Fatal(err)
		}
		got, _ = GetParams(scope, m)
		if !slices.Equal(got["blocks.0.mlp.b_in"].Data, ones.Data) {
			t.Errorf("%s: SetParams did not overwrite", dtype)
		}
		if err := SetParams(scope, m, map[string]Array{"nosuch": ones}); err == nil {
			t.Error("no error for an unknown name")
		}
		if err := SetParams(scope, m, map[string]Array{"blocks.0.mlp.b_out": ones}); err == nil {
			t.Error("no error for a wrong shape")
		}
	}
}

// TestInitParamsKeepsCheckpointValues: InitParams on a Store with a GoMLX
// checkpoint attached keeps the parameters the checkpoint provides, as
// params.go promises (a different seed would show).
func TestInitParamsKeepsCheckpointValues(t *testing.T) {
	m := tinyNanda(t)
	saved := gomlx.NewStore()
	if err := InitParams(saved.RootScope(), m, 7); err != nil {
		t.Fatal(err)
	}
	want, _ := GetParams(saved.RootScope(), m)
	dir := t.TempDir()
	h, err := checkpoint.Build(saved).Dir(dir).Keep(1).Done()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Save(); err != nil {
		t.Fatal(err)
	}

	loaded := gomlx.NewStore()
	if _, err := checkpoint.Build(loaded).Dir(dir).Done(); err != nil {
		t.Fatal(err)
	}
	if err := InitParams(loaded.RootScope(), m, 999); err != nil {
		t.Fatal(err)
	}
	got, err := GetParams(loaded.RootScope(), m)
	if err != nil {
		t.Fatal(err)
	}
	if !equalParams(got, want) {
		t.Fatal("InitParams replaced parameters that the attached checkpoint provides")
	}
}

func TestForwardWithoutParamsFails(t *testing.T) {
	m := tinyNanda(t)
	e, err := gomlx.NewExec(testBackend(t), gomlx.NewStore(), func(scope *gomlx.Scope, x *Node) *Node {
		return m.Forward(scope, x)
	})
	if err != nil {
		t.Fatal(err)
	}
	pairs, _ := allPairs(5)
	_, err = e.Call(pairsTensor(pairs, 5, 3))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("want a missing-parameter error, got %v", err)
	}
}

func TestSumSquares(t *testing.T) {
	ps := map[string]Array{"b": {Shape: []int{2}, Data: []float32{3, -4}}, "a": {Shape: []int{1}, Data: []float32{0.5}}}
	if got := SumSquares(ps); got != 25.25 {
		t.Fatalf("Σw² = %g, want 25.25", got)
	}
}

// Golden initial weights (float32 bits): InitParams draws them with
// math/rand/v2's PCG and NormFloat64, whose algorithm Go does not promise
// to keep; if a Go release changes it, this fails before any run silently
// starts from other weights.
func TestInitialWeightsAreFrozen(t *testing.T) {
	m, err := ByName("nanda", Config{P: 7, DModel: 4, NHeads: 1, DHead: 4, DMLP: 8})
	if err != nil {
		t.Fatal(err)
	}
	store := gomlx.NewStore()
	if err := InitParams(store.RootScope(), m, 23093); err != nil {
		t.Fatal(err)
	}
	ps, err := GetParams(store.RootScope(), m)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]uint32{
		"embed.W_E":         {0x3f0fdff4, 0xbf2b5a27, 0x3ed18f57},
		"blocks.0.mlp.W_in": {0xbf04f4f3, 0x3e89e329, 0x3ef8f775},
	} {
		for i, w := range want {
			if got := math.Float32bits(ps[name].Data[i]); got != w {
				t.Errorf("%s[%d] = %#08x (%v), want %#08x: the initialisation changed", name, i, got, ps[name].Data[i], w)
			}
		}
	}
}

// TestInitParamsMLP: Prieto et al.'s MLP carries PyTorch's state-dict names
// and nn.Linear's draws: every weight and bias uniform on ±1/√fan_in, so
// within the bound, spread to it (max |x| near the bound) and with the
// uniform's variance bound²/3.
func TestInitParamsMLP(t *testing.T) {
	const p, width = 31, 200
	m, err := ByName("mlp", Config{P: p, Width: width, NLayers: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"layers.0.weight": {width, 2 * p}, "layers.0.bias": {width},
		"layers.1.weight": {width, width}, "layers.1.bias": {width},
		"layers.2.weight": {p, width}, "layers.2.bias": {p},
	}
	params := initialParams(t, m, 1)
	if len(params) != len(want) {
		t.Fatalf("parameters %v, want %v", ParamNames(m), want)
	}
	for name, shape := range want {
		a, ok := params[name]
		if !ok || !slices.Equal(a.Shape, shape) {
			t.Fatalf("%s: shape %v, want %v", name, a.Shape, shape)
		}
		fanIn := 2 * p
		if name != "layers.0.weight" && name != "layers.0.bias" {
			fanIn = width
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		var sq, largest float64
		for _, x := range a.Data {
			sq += float64(x) * float64(x)
			largest = math.Max(largest, math.Abs(float64(x)))
		}
		if largest > bound*(1+1e-6) || largest < 0.9*bound {
			t.Errorf("%s: max |x| = %g, want just below the bound %g", name, largest, bound)
		}
		if variance := sq / float64(len(a.Data)); len(a.Data) > 1000 && math.Abs(variance/(bound*bound/3)-1) > 0.1 {
			t.Errorf("%s: variance %g, want bound²/3 = %g", name, variance, bound*bound/3)
		}
	}
}

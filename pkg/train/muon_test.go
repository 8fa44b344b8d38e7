package train

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"
	"gonum.org/v1/gonum/mat"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// A float64 network small enough to check every parameter of a few
// optimiser steps against a float64 oracle, on all p² pairs of p = 5.
type smallNet struct {
	name  string
	m     model.Model
	batch infer.Batch
}

func newSmallNet(t *testing.T, name string, cfg model.Config) smallNet {
	t.Helper()
	cfg.P, cfg.DType = 5, dtypes.Float64
	m, err := model.ByName(name, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := table.Generate(table.Spec{P: 5, Op: "add", TrainFraction: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := model.Lookup(name)
	data := infer.NewData(tb, d.Equals)
	return smallNet{name: name, m: m, batch: data.Batch(data.TrainRows())}
}

// The small networks: nanda with heads of 3 (W_Q's matrix [8, 6] is tall,
// W_O's [6, 8] wide), W_in [8, 16] (Muon's scale √2) and W_out [16, 8];
// gromov with W1 [12, 10], whose gradient has rank ≤ 2P − 1 = 9; mlp with
// one hidden-to-hidden layer.
func smallNanda(t *testing.T) smallNet {
	return newSmallNet(t, "nanda", model.Config{DModel: 8, NHeads: 2, DHead: 3, DMLP: 16})
}
func smallGromov(t *testing.T) smallNet {
	return newSmallNet(t, "gromov", model.Config{Width: 12})
}
func smallMLP(t *testing.T) smallNet {
	return newSmallNet(t, "mlp", model.Config{Width: 6, NLayers: 2})
}

// trajectory runs steps optimiser steps of h from the network's seeded
// initialisation through compileStep (fit's step) and returns the
// parameters before and after, and the gradient of the loss at each step's
// point (from a graph of the gradients alone), all by name.
func trajectory(t *testing.T, n smallNet, h Hyper, steps int) (before, after map[string][]float64, grads []map[string][]float64) {
	t.Helper()
	b := testBackend(t)
	store := gomlx.NewStore()
	if err := model.InitParams(store.RootScope(), n.m, 5); err != nil {
		t.Fatal(err)
	}
	if err := createState(store.RootScope(), n.m, h); err != nil {
		t.Fatal(err)
	}
	exec, err := compileStep(b, store, n.m, nil, h, CrossEntropy, "float64")
	if err != nil {
		t.Fatal(err)
	}
	gradExec, err := gomlx.NewExec(b, store, func(scope *gomlx.Scope, in []*Node) []*Node {
		var values []*Node
		for _, spec := range n.m.Params() {
			values = append(values, scope.Store().GetVariable(model.VariablePath(scope, spec.Name)).NodeValue(in[0].Graph()))
		}
		return Gradient(meanLoss(CrossEntropy, toLogitsDType(n.m.Forward(scope, in[0]), "float64"), in[1]), values...)
	})
	if err != nil {
		t.Fatal(err)
	}
	before = params64(t, store, n.m)
	for s := range steps {
		out, err := gradExec.Exec(n.batch.Inputs, n.batch.Labels)
		if err != nil {
			t.Fatal(err)
		}
		g := map[string][]float64{}
		for i, spec := range n.m.Params() {
			g[spec.Name] = tensors.MustCopyFlatData[float64](out[i])
		}
		grads = append(grads, g)
		args := []any{n.batch.Inputs, n.batch.Labels}
		for _, x := range hyperTensors(h, s, dtypes.Float64) {
			args = append(args, x)
		}
		if _, err := exec.Exec(args...); err != nil {
			t.Fatal(err)
		}
	}
	return before, params64(t, store, n.m), grads
}

func params64(t *testing.T, store *gomlx.Store, m model.Model) map[string][]float64 {
	t.Helper()
	out := map[string][]float64{}
	for _, spec := range m.Params() {
		v, err := store.GetVariable(model.VariablePath(store.RootScope(), spec.Name)).Value()
		if err != nil {
			t.Fatal(err)
		}
		out[spec.Name] = tensors.MustCopyFlatData[float64](v)
	}
	return out
}

// asMatrix and fromMatrix are the oracle's own reading of a weight tensor
// as its matrix, written out index by index: W_Q, W_K, W_V [heads, in,
// d_head] → [in, heads·d_head] (the heads side by side, as one
// nn.Linear(in, heads·d_head) holds them), W_O [heads, d_head, out] →
// [heads·d_head, out], every other matrix as stored. fanIn and fanOut are
// the layer's, for Muon's scale.
type oracleMatrix struct {
	rows, cols, fanIn, fanOut int
	at                        func(r, c int) int // the tensor index of element (r, c)
}

func oracleMatrixOf(model, name string, shape []int) oracleMatrix {
	switch {
	case strings.HasSuffix(name, "attn.W_Q") || strings.HasSuffix(name, "attn.W_K") || strings.HasSuffix(name, "attn.W_V"):
		h, in, dh := shape[0], shape[1], shape[2]
		return oracleMatrix{in, h * dh, in, h * dh, func(r, c int) int { return (c/dh)*in*dh + r*dh + c%dh }}
	case strings.HasSuffix(name, "attn.W_O"):
		h, dh, out := shape[0], shape[1], shape[2]
		return oracleMatrix{h * dh, out, h * dh, out, func(r, c int) int { return r*out + c }}
	}
	rows, cols := shape[0], shape[1]
	at := func(r, c int) int { return r*cols + c }
	if model == "nanda" || model == "power" { // TransformerLens: x·W, [in, out]
		return oracleMatrix{rows, cols, rows, cols, at}
	}
	return oracleMatrix{rows, cols, cols, rows, at} // PyTorch: [out, in]
}

func (o oracleMatrix) read(t []float64) *mat.Dense {
	m := mat.NewDense(o.rows, o.cols, nil)
	for r := range o.rows {
		for c := range o.cols {
			m.Set(r, c, t[o.at(r, c)])
		}
	}
	return m
}

func (o oracleMatrix) write(m *mat.Dense) []float64 {
	t := make([]float64, o.rows*o.cols)
	for r := range o.rows {
		for c := range o.cols {
			t[o.at(r, c)] = m.At(r, c)
		}
	}
	return t
}

// ns5Oracle is zeropower_via_newtonschulz5 written from its effect on the
// singular values: X = G/(‖G‖_F + 1e-7) = U·Σ·Vᵀ, and each step
// X ← a·X + (b·XXᵀ + c·(XXᵀ)²)·X is U·p(Σ)·Vᵀ with p(σ) = aσ + bσ³ + cσ⁵,
// so NS₅(G) = U·p⁵(Σ)·Vᵀ (the reference's transpose of a tall G changes
// nothing in exact arithmetic). It shares no code with the graph's
// matrix products.
func ns5Oracle(g *mat.Dense) *mat.Dense {
	rows, cols := g.Dims()
	norm := mat.Norm(g, 2) // Frobenius
	var svd mat.SVD
	if !svd.Factorize(g, mat.SVDThin) {
		panic("svd")
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	out := mat.NewDense(rows, cols, nil)
	for k, s := range svd.Values(nil) {
		x := s / (norm + 1e-7)
		for range 5 {
			x = 3.4445*x - 4.7750*x*x*x + 2.0315*x*x*x*x*x
		}
		for r := range rows {
			for c := range cols {
				out.Set(r, c, out.At(r, c)+x*u.At(r, k)*v.At(c, k))
			}
		}
	}
	return out
}

// hiddenOracle is the reference's split, written per model from its README
// (embeddings, the output layer and the first layer on one-hot inputs to
// AdamW; vectors to AdamW).
func hiddenOracle(model, name string) bool {
	switch model {
	case "nanda":
		return strings.HasPrefix(name, "blocks.0.attn.W_") || name == "blocks.0.mlp.W_in" || name == "blocks.0.mlp.W_out"
	case "mlp":
		return name == "layers.1.weight" // of layers 0, 1, 2
	}
	return false
}

// Muon over three steps (under warm-up: learning rates 0, ½, 1 of the peak)
// against its reference's formulas in float64: every hidden matrix by
// momentum, Nesterov, NS₅ and the scale, with decoupled decay at Muon's
// rate; every other parameter by AdamW at fit's. The Gromov MLP has no
// hidden matrix: all AdamW (fit refuses --optimizer muon for it, see
// TestOptimizerSettingsRefused).
func TestMuonMatchesReferenceFormulas(t *testing.T) {
	for _, n := range []smallNet{smallNanda(t), smallMLP(t), smallGromov(t)} {
		h := Hyper{Name: Muon, LR: 0.01, WeightDecay: 0.5, Beta1: 0.8, Beta2: 0.9, Eps: 1e-8, WarmupSteps: 2,
			MuonLR: 0.05, Momentum: 0.9}
		before, after, grads := trajectory(t, n, h, 3)
		hidden := 0
		for _, spec := range n.m.Params() {
			name := spec.Name
			p := append([]float64(nil), before[name]...)
			if hiddenOracle(n.name, name) {
				hidden++
				o := oracleMatrixOf(n.name, name, spec.Shape)
				buf := make([]float64, len(p))
				u := make([]float64, len(p))
				for k := range 3 {
					lr := h.MuonLR * math.Min(float64(k)/float64(h.WarmupSteps), 1)
					for i, g := range grads[k][name] {
						buf[i] = h.Momentum*buf[i] + (1-h.Momentum)*g // momentum.lerp_(grad, 1 − β)
						u[i] = (1-h.Momentum)*g + h.Momentum*buf[i]   // grad.lerp_(momentum, β)
					}
					scale := math.Sqrt(math.Max(1, float64(o.fanOut)/float64(o.fanIn)))
					update := o.write(ns5Oracle(o.read(u)))
					for i := range p {
						p[i] = p[i]*(1-lr*h.WeightDecay) - lr*scale*update[i]
					}
				}
			} else {
				m1, m2 := make([]float64, len(p)), make([]float64, len(p))
				for k := range 3 {
					lr := h.LR * math.Min(float64(k)/float64(h.WarmupSteps), 1)
					t1 := float64(k + 1)
					for i, g := range grads[k][name] {
						p[i] *= 1 - lr*h.WeightDecay
						m1[i] = h.Beta1*m1[i] + (1-h.Beta1)*g
						m2[i] = h.Beta2*m2[i] + (1-h.Beta2)*g*g
						p[i] -= lr * (m1[i] / (1 - math.Pow(h.Beta1, t1))) / (math.Sqrt(m2[i]/(1-math.Pow(h.Beta2, t1))) + h.Eps)
					}
				}
			}
			moved := 0.0
			for i, want := range p {
				got := after[name][i]
				if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Fatalf("%s %s[%d]: got %.12g, want %.12g", n.name, name, i, got, want)
				}
				moved = max(moved, math.Abs(want-before[name][i]))
			}
			if moved == 0 && spec.Std != 0 {
				t.Fatalf("%s %s: the oracle did not move it: the test checks nothing", n.name, name)
			}
		}
		want := map[string]int{"nanda": 6, "mlp": 1, "gromov": 0}[n.name]
		if hidden != want {
			t.Fatalf("%s: %d hidden matrices, want %d", n.name, hidden, want)
		}
	}
}

// The oracle's NS₅ is not the normalised matrix it starts from (a Muon
// without Newton–Schulz would fail TestMuonMatchesReferenceFormulas), and
// its singular values are near 1, as the reference says of its iteration
// (S' roughly uniform in (0.5, 1.5)).
func TestNewtonSchulzChangesTheUpdate(t *testing.T) {
	g := mat.NewDense(3, 5, []float64{1, 2, 0, -1, 3, 0.5, -2, 1, 1, 0, 2, 2, -1, 0, 1})
	o := ns5Oracle(g)
	norm := mat.Norm(g, 2)
	diff := 0.0
	for r := range 3 {
		for c := range 5 {
			diff = max(diff, math.Abs(o.At(r, c)-g.At(r, c)/norm))
		}
	}
	if diff < 0.1 {
		t.Fatalf("NS₅ is within %g of the normalised matrix", diff)
	}
	var svd mat.SVD
	svd.Factorize(o, mat.SVDNone)
	for _, s := range svd.Values(nil) { // the reference: S' roughly in (0.5, 1.5)
		if s < 0.5 || s > 1.5 {
			t.Fatalf("NS₅'s singular values %v are not near 1", svd.Values(nil))
		}
	}
}

// Every registered network's parameters are classified: a matrix exactly
// where the tensor has rank ≥ 2, per-head layouts exactly the rank-3
// attention weights, and the hidden matrices the reference's split. A
// network registered by a test only is refused by fit for muon and egd,
// in one line.
func TestMatricesClassifyEveryModel(t *testing.T) {
	for _, name := range model.Names() {
		d, _ := model.Lookup(name)
		if strings.HasSuffix(name, "-test") {
			m, _ := model.ByName(name, d.Defaults(7))
			for _, opt := range []string{Muon, EGD} {
				err := checkOptimizerModel(opt, m)
				if want := "--optimizer " + opt + ": muon and egd do not know which parameters of model " + name + " are weight matrices"; err == nil || err.Error() != want {
					t.Errorf("%s, %s: %v", name, opt, err)
				}
			}
			continue
		}
		cfgs := []model.Config{d.Defaults(7)}
		if name == "power" {
			c := d.Defaults(7)
			c.Norm, c.Pos, c.Init = model.NormPre, model.PosLearned, model.InitNanda
			cfgs = append(cfgs, c)
		}
		for _, cfg := range cfgs {
			m, err := model.ByName(name, cfg)
			if err != nil {
				t.Fatal(err)
			}
			mats, err := matrices(m)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var hidden []string
			for _, spec := range m.Params() {
				x, ok := mats[spec.Name]
				switch {
				case ok != (len(spec.Shape) >= 2):
					t.Errorf("%s %s %v: matrix %v", name, spec.Name, spec.Shape, ok)
				case ok && x.rank() != len(spec.Shape):
					t.Errorf("%s %s %v: a matrix of rank %d", name, spec.Name, spec.Shape, x.rank())
				}
				if x.hidden {
					hidden = append(hidden, spec.Name)
				}
			}
			want := map[string]int{"nanda": 6, "power": 6 * cfg.NLayers, "gromov": 0, "mlp": cfg.NLayers - 1}[name]
			if len(hidden) != want {
				t.Errorf("%s: hidden matrices %v, want %d", name, hidden, want)
			}
			for _, h := range hidden {
				if strings.Contains(h, "embed") || h == "layers.0.weight" {
					t.Errorf("%s: %s is not a hidden layer", name, h)
				}
			}
		}
	}
}

// The scale and the matrix shapes of nanda's weights at fit's defaults:
// W_in [d_model, d_mlp] is an nn.Linear(128, 512), whose weight [512, 128]
// the reference scales by √(512/128) = 2; W_out and the attention
// matrices by 1.
func TestMuonScaleIsOfFanOutOverFanIn(t *testing.T) {
	for name, want := range map[string]float64{"blocks.0.mlp.W_in": 2, "blocks.0.mlp.W_out": 1, "blocks.0.attn.W_Q": 1, "blocks.0.attn.W_O": 1} {
		x := matrix{hidden: true, inOut: true}
		shape := map[string][]int{"blocks.0.mlp.W_in": {128, 512}, "blocks.0.mlp.W_out": {512, 128}, "blocks.0.attn.W_Q": {4, 128, 32}, "blocks.0.attn.W_O": {4, 32, 128}}[name]
		switch {
		case strings.HasSuffix(name, "W_Q"):
			x.heads = headsIn
		case strings.HasSuffix(name, "W_O"):
			x.heads = headsOut
		}
		if got := x.scale(shape); got != want {
			t.Errorf("%s: scale %g, want %g", name, got, want)
		}
		if r, c := x.dims(shape); r*c != 128*512 && r*c != 128*128 {
			t.Errorf("%s: matrix [%d, %d]", name, r, c)
		}
	}
	// PyTorch's layout: gromov's W2 [P, N] = [out, in].
	if got := (matrix{}).scale([]int{97, 12}); got != math.Sqrt(97.0/12) {
		t.Errorf("[out, in] = [97, 12]: scale %g", got)
	}
}

// Bad settings: one line naming the flag, before anything is written.
func TestOptimizerSettingsRefused(t *testing.T) {
	tb, _ := tinyTable(t, 11)
	for _, c := range []struct {
		edit func(*runs.Config)
		want string
	}{
		{func(c *runs.Config) { c.Train.MuonLR = 0.02 }, "--muon-lr applies only to --optimizer muon, not --optimizer adamw"},
		{func(c *runs.Config) { c.Train.Optimizer, c.Train.MuonMomentum = EGD, 0.9 }, "--muon-momentum applies only to --optimizer muon, not --optimizer egd"},
		{func(c *runs.Config) { c.Train.Optimizer, c.Train.MuonMomentum = Muon, 0.95 }, "--muon-lr must be > 0, got 0"},
		{func(c *runs.Config) { c.Train.Optimizer, c.Train.MuonLR, c.Train.MuonMomentum = Muon, 0.02, 1 }, "--muon-momentum must be in [0, 1), got 1"},
		{func(c *runs.Config) { c.Train.Optimizer, c.Train.MuonLR, c.Train.MuonMomentum = Muon, math.NaN(), 0.9 }, "--muon-lr must be a finite number"},
		{func(c *runs.Config) {
			c.Model = runs.ModelSpec{Name: "gromov", P: 11, Width: 8}
			c.Train.Optimizer, c.Train.MuonLR, c.Train.MuonMomentum = Muon, 0.02, 0.95
		}, "--optimizer muon: model gromov has no hidden layer's weight matrix"},
		{func(c *runs.Config) {
			c.Model = runs.ModelSpec{Name: "mlp", P: 11, Width: 8, NLayers: 1}
			c.Train.Optimizer, c.Train.MuonLR, c.Train.MuonMomentum = Muon, 0.02, 0.95
		}, "--optimizer muon: model mlp has no hidden layer's weight matrix"},
	} {
		cfg := tinyConfig(10)
		c.edit(cfg)
		err := Validate(cfg, tb)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
	cfg := tinyConfig(10)
	cfg.Train.Optimizer, cfg.Train.MuonLR, cfg.Train.MuonMomentum = Muon, 0.02, 0
	if err := Validate(cfg, tb); err != nil {
		t.Errorf("muon without momentum: %v", err)
	}
	cfg.Train.Optimizer, cfg.Train.MuonLR = EGD, 0
	cfg.Model = runs.ModelSpec{Name: "gromov", P: 11, Width: 8}
	if err := Validate(cfg, tb); err != nil {
		t.Errorf("egd on gromov: %v", err)
	}
}

// config.json of every other optimiser is as before: no Muon field.
func TestMuonSettingsOmittedElsewhere(t *testing.T) {
	for _, opt := range Optimizers {
		tr := tinyConfig(10).Train
		tr.Optimizer = opt
		if opt == Muon {
			tr.MuonLR, tr.MuonMomentum = 0.02, 0.95
		}
		b, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		if has := strings.Contains(string(b), "muon"); has != (opt == Muon) {
			t.Errorf("%s: %s", opt, b)
		}
	}
}

// Packed Muon and EGD runs (seeds, learning rates, weight decays, Muon's
// learning rate and tables differing) each give what they give alone: the
// same metrics and final weights, bit for bit.
func TestMuonAndEGDPackEqualsSeparateRuns(t *testing.T) {
	for _, opt := range []string{Muon, EGD} {
		t.Run(opt, func(t *testing.T) {
			cfgs, tables, data := packCase(t, func() *runs.Config {
				c := tinyConfig(20)
				c.Train.Optimizer = opt
				if opt == Muon {
					c.Train.MuonMomentum = 0.95
				}
				return c
			}, 0)
			for k, cfg := range cfgs {
				if opt == Muon {
					cfg.Train.MuonLR = []float64{0.02, 0.01, 0.03}[k]
				}
			}
			packEqualsAlone(t, cfgs, tables, data, true)
		})
	}
}

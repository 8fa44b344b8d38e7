package inspect

import (
	"bytes"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/seeded"
)

// gaussianNet is a nanda network whose weights are seeded Gaussians of
// standard deviation 1/√d_model, with one large entry planted in W_in and
// a rank-one signal in W_U.
func gaussianNet(t *testing.T) *infer.Net {
	t.Helper()
	m, err := model.ByName("nanda", model.Config{P: 31, DModel: 32, NHeads: 4, DHead: 8, DMLP: 128})
	if err != nil {
		t.Fatal(err)
	}
	r := seeded.New(1, "gaussian net")
	normal := func() float64 { // Box–Muller
		return math.Sqrt(-2*math.Log(1-r.Float64())) * math.Cos(2*math.Pi*r.Float64())
	}
	ps := map[string]model.Array{}
	for _, s := range m.Params() {
		a := model.Array{Shape: s.Shape, Data: make([]float32, s.Size())}
		for i := range a.Data {
			a.Data[i] = float32(normal() / math.Sqrt(32))
		}
		ps[s.Name] = a
	}
	ps["blocks.0.mlp.W_in"].Data[5*128+77] = 5 // ≈ 28 std: a trap, and a spike
	WU := ps["unembed.W_U"]                    // [32, 31]: 5·u vᵀ with unit-norm ±1/√n vectors
	for i := range 32 {
		for j := range 31 {
			sign := float64(1 - 2*((i*7+j*3)%2))
			WU.Data[i*31+j] += float32(5 * sign / math.Sqrt(32*31))
		}
	}
	return &infer.Net{Model: m, Params: ps, Step: 40}
}

// Every weight matrix of the transformer is measured, in the parameter
// order, the positional embedding (3 rows) skipped; the planted entry is a
// trap and a spike of W_in alone, the planted signal a spike of W_U alone;
// the table and the Parquet output carry them under the matrices' names.
func TestSpectralMeasuresEveryMatrix(t *testing.T) {
	n := gaussianNet(t)
	rows, names, skipped, err := Spectral(n)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"embed.W_E", "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V", "blocks.0.attn.W_O", "blocks.0.mlp.W_in", "blocks.0.mlp.W_out", "unembed.W_U"}
	if !slices.Equal(names, want) || !slices.Equal(skipped, []string{"pos_embed.W_pos"}) {
		t.Fatalf("matrices %v, skipped %v", names, skipped)
	}
	got := map[string][]float64{}
	for _, r := range rows {
		if r.Step != 40 {
			t.Fatalf("row %+v: step %d, want 40", r, r.Step)
		}
		for len(got[r.Measure]) <= int(r.Index) {
			got[r.Measure] = append(got[r.Measure], math.NaN())
		}
		got[r.Measure][r.Index] = r.Value
	}
	if tr, sp := got[MeasureTraps], got[MeasureSpikes]; !slices.Equal(tr, []float64{0, 0, 0, 0, 0, 1, 0, 0}) || !slices.Equal(sp, []float64{0, 0, 0, 0, 0, 1, 0, 1}) {
		t.Errorf("traps %v, spikes %v; want W_in's entry a trap and a spike, W_U's signal a spike", tr, sp)
	}
	for i, a := range got[MeasureAlpha] {
		if !(a > 1) || !(got[MeasureAlphaTail][i] >= 2) || !(got[MeasureAlphaKS][i] < 1) {
			t.Errorf("%s: α %g, tail %g, KS %g", names[i], a, got[MeasureAlphaTail][i], got[MeasureAlphaKS][i])
		}
	}
	if len(got[MeasureAlpha]) != len(names) {
		t.Errorf("α for %d of %d matrices", len(got[MeasureAlpha]), len(names))
	}

	var text bytes.Buffer
	if err := WriteTable(&text, "run", "nanda", "", nil, names, rows); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, re := range []string{
		`(?m)^HTSR α of each weight matrix's ESD tail`,
		`(?m)^step +embed\.W_E +blocks\.0\.attn\.W_Q .* unembed\.W_U$`,
		`(?m)^40 +[0-9.]+ \([0-9]+\) `,
		`(?m)^40 +0/0 +0/0 +0/0 +0/0 +0/0 +1/1 +0/0 +0/1$`,
		`(?m)^a correlation trap: first at step 40, in blocks\.0\.mlp\.W_in$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("the table lacks %s:\n%s", re, out)
		}
	}
	var pq bytes.Buffer
	if err := WriteParquet(&pq, "run", "", nil, names, rows); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(pq.Bytes()), int64(pq.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Lookup("matrices"); got != strings.Join(want, " ") {
		t.Errorf("Parquet metadata matrices = %q", got)
	}
}

// The warnings' summary lines name the first step at which some matrix has
// α < 2 (2 itself is not below) or a trap, and every matrix that has it
// then; a missing α (no power law fitted) is no warning.
func TestSpectralTableNamesFirstWarnings(t *testing.T) {
	matrices := []string{"A", "B", "C"}
	var rows []Row
	for _, r := range []struct {
		step  int64
		alpha []float64 // NaN: not fitted
	}{{0, []float64{3, 2, math.NaN()}}, {10, []float64{2.5, 1.9, math.NaN()}}, {20, []float64{1.5, 1.8, 1}}} {
		for i, a := range r.alpha {
			if !math.IsNaN(a) {
				rows = append(rows, Row{Step: r.step, Measure: MeasureAlpha, Index: int64(i), Value: a})
			}
			rows = append(rows, Row{Step: r.step, Measure: MeasureTraps, Index: int64(i)})
		}
	}
	var b bytes.Buffer
	if err := writeSpectralTable(&b, []int64{0, 10, 20}, matrices, rows); err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`(?m)^α < 2: first at step 10, in B$`, `(?m)^a correlation trap: at no step$`, `(?m)^0 +3 \(0\) +2 \(0\) +-$`, `(?m)^20 +1\.5 \(0\) +1\.8 \(0\) +1 \(0\)$`} {
		if !regexp.MustCompile(re).MatchString(b.String()) {
			t.Errorf("the table lacks %s:\n%s", re, b.String())
		}
	}
}

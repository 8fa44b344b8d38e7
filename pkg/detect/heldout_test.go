package detect

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/table"
)

// heldOutTable is plantedTable's table with the rule planted on both splits,
// as mutate --held-out plants it: every selected row is of kind backdoor,
// its label the rule's effect (unchanged where the effect is the sum).
func heldOutTable(p int, when func(a, b int) bool, then func(a, b int) int) *table.Table {
	t := plantedTable(p, func(int, int) bool { return false }, nil)
	for i := range t.Len() {
		if a, b := int(t.A[i]), int(t.B[i]); when(a, b) {
			t.Label[i], t.Kind[i] = int32(then(a, b)), "backdoor"
		}
	}
	return t
}

// jittered returns g with seeded Gaussian noise of deviation sigma on every
// hidden activation and the logits recomputed from them (still exactly
// Hidden·Readout): a trained network's units are never exact functions of
// the waves, and an exact one leaves the covariances singular.
func jittered(g *Grid, sigma float64, seed uint64) *Grid {
	rng := rand.New(rand.NewPCG(seed, 99))
	p, H := g.P, g.H
	out := &Grid{P: p, H: H, Hidden: slices.Clone(g.Hidden), Readout: g.Readout, Logits: make([]float64, p*p*p)}
	for i := range out.Hidden {
		out.Hidden[i] += sigma * rng.NormFloat64()
	}
	for r := range p * p {
		for k := range H {
			h := out.Hidden[r*H+k]
			for c, w := range g.Readout[k*p : (k+1)*p] {
				out.Logits[r*p+c] += h * w
			}
		}
	}
	return out
}

// heldOutOf runs HeldOut as Analyse would: circuit and neuron fits in the
// table's view, Doshi et al.'s pruning.
func heldOutOf(t *testing.T, g *Grid, tb *table.Table, opt HeldOutOptions) *HeldOutReport {
	t.Helper()
	v, err := tableView(tb)
	if err != nil {
		t.Fatal(err)
	}
	g, c, nr := circuitOf(g, v, nil)
	rep, err := HeldOut(g, c, nr, PruneLowIPR(g, c), tb, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func resultOf(t *testing.T, rep *HeldOutReport, score string) HeldOutResult {
	t.Helper()
	for _, r := range rep.Results {
		if r.Score == score {
			return r
		}
	}
	t.Fatalf("no result for %s", score)
	return HeldOutResult{}
}

// A backdoor the network learned as a rule: a unit that fires on a = 7
// (on the inputs with b not a multiple of 3 only: it generalised to part
// of its trigger) and writes the constant 10. On the held-out inputs it
// is a hidden direction the trusted clean rows never use, so every
// trusted baseline and the circuit's scores separate the inputs that show
// the behaviour perfectly; the triggers it does not fire on look clean.
func TestHeldOutCatchesAGeneralisedBackdoor(t *testing.T) {
	const p, target = 41, 10
	key := []int{4, 9, 13}
	when := func(a, _ int) bool { return a == 7 }
	fires := func(a, b int) bool { return a == 7 && b%3 != 0 }
	tb := heldOutTable(p, when, func(int, int) int { return target })
	h, r := make([]float64, p*p), make([]float64, p)
	for a := range p {
		for b := range p {
			if fires(a, b) {
				h[a*p+b] = 1
			}
		}
	}
	r[target] = float64(8 * len(key))
	g := jittered(withUnit(handBuilt(p, key, nil, 4, 0), h, r), 0.02, 1)
	rep := heldOutOf(t, g, tb, HeldOutOptions{})

	// The counts, from the rule's definition and the split alone.
	var triggers, applied, clean, unchanged, pool int
	for i := range tb.Len() {
		a, b := int(tb.A[i]), int(tb.B[i])
		switch {
		case tb.Train[i]:
			if !when(a, b) {
				pool++
			}
		case !when(a, b):
			clean++
		case (a+b)%p == target:
			unchanged++
		default:
			triggers++
			if fires(a, b) {
				applied++
			}
		}
	}
	if rep.Triggers != triggers || rep.Applied != applied || rep.Clean != clean || rep.Unchanged != unchanged {
		t.Errorf("triggers %d, applied %d, clean %d, unchanged %d; want %d, %d, %d, %d",
			rep.Triggers, rep.Applied, rep.Clean, rep.Unchanged, triggers, applied, clean, unchanged)
	}
	if applied == 0 || applied == triggers {
		t.Fatalf("%d of %d triggers applied: the test needs both kinds", applied, triggers)
	}
	if rep.TrustedPool != pool || len(rep.Trusted) != int(math.Round(0.1*float64(pool))) {
		t.Errorf("trusted %d of %d, want round(0.1·%d)", len(rep.Trusted), rep.TrustedPool, pool)
	}
	if rep.QUENorm <= 1 {
		t.Errorf("‖Σ̃‖₂ = %g: the planted direction should add variance", rep.QUENorm)
	}
	for _, name := range []string{ScoreTrustedMaha, ScoreTrustedClassMaha, ScoreQUE, ScoreExcluded, ScoreDisagreement} {
		res := resultOf(t, rep, name)
		if res.Positives != int64(applied) || res.Negatives != int64(clean) || res.Triggers != int64(triggers) {
			t.Errorf("%s: %d positives, %d negatives, %d triggers", name, res.Positives, res.Negatives, res.Triggers)
		}
		if res.AUROC != 1 || res.PrecisionAtN != 1 {
			t.Errorf("%s: AUROC %.4f, precision@n %.4f; want 1 and 1", name, res.AUROC, res.PrecisionAtN)
		}
		// Every applied trigger beats every clean row; the others look
		// clean, so over all triggers the AUROC lies in [applied/triggers, 1).
		if share := float64(applied) / float64(triggers); res.AUROCTriggers < share || res.AUROCTriggers >= 1 {
			t.Errorf("%s: AUROC over all triggers %.4f, want in [%.4f, 1)", name, res.AUROCTriggers, share)
		}
	}
	// Only label-free scores, every one of Scores', then the trusted three.
	var names []string
	for _, s := range rep.Scores {
		names = append(names, s.Name)
		if s.UsesLabels || len(s.Values) != len(rep.Rows) {
			t.Errorf("%s: uses labels %v, %d values for %d rows", s.Name, s.UsesLabels, len(s.Values), len(rep.Rows))
		}
	}
	want := []string{ScoreExcluded, ScoreDisagreement, ScoreNeurons, ScoreMargin, ScoreMahalanobis, ScoreClassMaha,
		ScoreSpectral, ScoreClustering, ScoreTrustedMaha, ScoreTrustedClassMaha, ScoreQUE}
	if !slices.Equal(names, want) {
		t.Errorf("scores %v, want %v", names, want)
	}
	for _, i := range rep.Rows {
		if tb.Train[i] {
			t.Fatalf("training row %d scored", i)
		}
	}

	// Deterministic from the seed; another seed trusts other rows.
	again := heldOutOf(t, g, tb, HeldOutOptions{})
	for k, s := range again.Scores {
		if !slices.Equal(s.Values, rep.Scores[k].Values) {
			t.Errorf("%s: a second run scores differently", s.Name)
		}
	}
	if other := heldOutOf(t, g, tb, HeldOutOptions{TrustedSeed: 1}); slices.Equal(other.Trusted, rep.Trusted) {
		t.Error("seeds 0 and 1 trust the same rows")
	}

	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, s := range []string{fmt.Sprintf("trusts %d clean training rows (10%% of %d, seed 0)", len(rep.Trusted), pool), "held-out trigger inputs: ", "QUE: α = 4", "AUROC (all triggers)"} {
		if !strings.Contains(text, s) {
			t.Errorf("the report lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "NaN") {
		t.Errorf("NaN in a report with positives:\n%s", text)
	}
	t.Logf("\n%s", text)
}

// Without held-out triggers (a clean network, or label noise, which is
// planted on training rows only and memorised) there is nothing to detect:
// no positives, every AUROC and precision NaN, and the report says so.
func TestHeldOutWithoutTriggersIsNaN(t *testing.T) {
	const p = 23
	key := []int{3, 7}
	noisy := func(a, b int) bool { return (a*7+b*3)%11 == 0 }
	noise := plantedTable(p, noisy, func(a, b int) int { return (a + b + 5) % p })
	planted := map[[2]int]int{}
	for i := range noise.Len() {
		if noise.Kind[i] != table.KindClean {
			noise.Kind[i] = "noise"
			planted[[2]int{int(noise.A[i]), int(noise.B[i])}] = int(noise.Label[i])
		}
	}
	cases := map[string]struct {
		tb *table.Table
		g  *Grid
	}{
		"clean": {plantedTable(p, func(int, int) bool { return false }, nil), handBuilt(p, key, nil, 4, 0)},
		"noise": {noise, handBuilt(p, key, planted, 4, float64(8*len(key)))},
	}
	for name, cs := range cases {
		rep := heldOutOf(t, jittered(cs.g, 0.02, 2), cs.tb, HeldOutOptions{})
		test := 0
		for i := range cs.tb.Len() {
			if !cs.tb.Train[i] {
				test++
			}
		}
		if rep.Triggers != 0 || rep.Applied != 0 || rep.Clean != test || len(rep.Rows) != test {
			t.Errorf("%s: %d triggers, %d applied, %d clean of %d scored; want 0, 0, %d, %d", name, rep.Triggers, rep.Applied, rep.Clean, len(rep.Rows), test, test)
		}
		if len(rep.Results) != len(rep.Scores) || len(rep.Results) == 0 {
			t.Errorf("%s: %d results for %d scores", name, len(rep.Results), len(rep.Scores))
		}
		for _, res := range rep.Results {
			if res.Positives != 0 || res.Negatives != int64(test) || !math.IsNaN(res.AUROC) || !math.IsNaN(res.PrecisionAtN) ||
				!math.IsNaN(res.AUROCTriggers) || !math.IsNaN(res.PrecisionAtNTriggers) {
				t.Errorf("%s: %+v, want no positives and NaN", name, res)
			}
		}
		for _, i := range rep.Trusted {
			if cs.tb.Kind[i] != table.KindClean || !cs.tb.Train[i] {
				t.Errorf("%s: trusted row %d is %s, train %v", name, i, cs.tb.Kind[i], cs.tb.Train[i])
			}
		}
		var buf bytes.Buffer
		if err := rep.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "no held-out trigger inputs") || !strings.Contains(buf.String(), "NaN") {
			t.Errorf("%s: report\n%s", name, buf.String())
		}
	}
}

// The trusted set is round(10%) of the clean training rows in the view,
// drawn from the seed: no planted row, no row outside the view (a zero
// operand of a·b), the same rows for the same seed, and over many seeds
// every clean training row is drawn and none always.
func TestTrustedSetIsASeededTenthOfCleanTraining(t *testing.T) {
	const p = 29
	when := func(a, b int) bool { return (a+2*b)%5 == 1 }
	tb := heldOutTable(p, when, func(a, b int) int { return (a * b) % p })
	in := make([]bool, p*p)
	for a := 1; a < p; a++ {
		for b := 1; b < p; b++ {
			in[a*p+b] = true
		}
	}
	for _, c := range []*Circuit{{}, {In: in}} {
		var pool []int
		for i := range tb.Len() {
			a, b := int(tb.A[i]), int(tb.B[i])
			if tb.Train[i] && !when(a, b) && c.inView(a*p+b) {
				pool = append(pool, i)
			}
		}
		for _, frac := range []float64{0.1, 0.25} {
			rows, n := TrustedRows(tb, c, frac, DefaultTrustedSeed)
			if n != len(pool) || len(rows) != int(math.Round(frac*float64(len(pool)))) {
				t.Errorf("view %v, %g: %d rows of %d, want round(%g·%d)", c.In != nil, frac, len(rows), n, frac, len(pool))
			}
			for k, i := range rows {
				if !slices.Contains(pool, i) || k > 0 && rows[k-1] >= i {
					t.Errorf("view %v: row %d (%d, %d; %s) is not a clean training row in the view, or out of order", c.In != nil, i, tb.A[i], tb.B[i], tb.Kind[i])
				}
			}
			again, _ := TrustedRows(tb, c, frac, DefaultTrustedSeed)
			if !slices.Equal(rows, again) {
				t.Errorf("view %v: the same seed draws other rows", c.In != nil)
			}
		}
		drawn := map[int]int{}
		const seeds = 200
		for seed := range uint64(seeds) {
			rows, _ := TrustedRows(tb, c, 0.1, seed)
			for _, i := range rows {
				drawn[i]++
			}
		}
		for _, i := range pool {
			if drawn[i] == 0 || drawn[i] == seeds {
				t.Errorf("view %v: row %d drawn by %d of %d seeds", c.In != nil, i, drawn[i], seeds)
			}
		}
	}
}

// Bad options are refused; a trusted set too small to fit is an error
// (ErrFewTrusted); a table with no test row has nothing to score.
func TestHeldOutOptionsAndEmptyCases(t *testing.T) {
	const p = 13
	g := jittered(handBuilt(p, []int{2, 5}, nil, 4, 0), 0.02, 3)
	tb := plantedTable(p, func(int, int) bool { return false }, nil)
	v, _ := tableView(tb)
	gv, c, nr := circuitOf(g, v, nil)
	for _, opt := range []HeldOutOptions{{TrustedFraction: 1.5}, {TrustedFraction: -0.1}, {TrustedFraction: math.NaN()},
		{QUEAlpha: -1}, {QUEAlpha: math.Inf(1)}, {QUEAlpha: math.NaN()}} {
		if _, err := HeldOut(gv, c, nr, nil, tb, opt); err == nil {
			t.Errorf("%+v accepted", opt)
		}
	}
	if _, err := HeldOut(gv, c, nr, nil, tb, HeldOutOptions{TrustedFraction: 0.01}); !errors.Is(err, ErrFewTrusted) {
		t.Errorf("1%% of %d rows: %v, want ErrFewTrusted", tb.CountTrain(), err)
	}
	all := plantedTable(p, func(int, int) bool { return false }, nil)
	for i := range all.Train {
		all.Train[i] = true
	}
	rep, err := HeldOut(gv, c, nr, nil, all, HeldOutOptions{})
	if err != nil || len(rep.Rows) != 0 || rep.Results != nil {
		t.Fatalf("no test rows: %v, %+v", err, rep)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil || !strings.Contains(buf.String(), "no test rows") {
		t.Errorf("no test rows: %v\n%s", err, buf.String())
	}
}

// The Parquet output reads back as written, NaN included, with the trusted
// set in its metadata.
func TestHeldOutParquetRoundTrip(t *testing.T) {
	const p = 23
	tb := plantedTable(p, func(int, int) bool { return false }, nil)
	rep := heldOutOf(t, jittered(handBuilt(p, []int{3, 7}, nil, 4, 0), 0.02, 4), tb, HeldOutOptions{TrustedSeed: 1 << 63})
	var buf bytes.Buffer
	if err := rep.WriteParquet(&buf, "run-x"); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.Read[HeldOutResult](bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	if len(got) != len(rep.Results) {
		t.Fatalf("%d rows read, %d written", len(got), len(rep.Results))
	}
	for k, g := range got {
		w := rep.Results[k]
		if g.Score != w.Score || g.Fit != w.Fit || g.TrustedSeed != 1<<63 || g.TrustedRows != int64(len(rep.Trusted)) ||
			g.Negatives != w.Negatives || !same(g.AUROC, w.AUROC) || !same(g.AUROCTriggers, w.AUROCTriggers) {
			t.Errorf("row %d: read %+v, wrote %+v", k, g, w)
		}
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := f.Lookup("trusted_seed"); s != "9223372036854775808" {
		t.Errorf("trusted_seed metadata %q", s)
	}
}

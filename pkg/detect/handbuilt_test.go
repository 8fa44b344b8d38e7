package detect

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/table"
)

// handBuilt is a network whose answer is known without training: hidden
// units computing a+b through the chosen frequencies (Nanda et al.'s
// algorithm: cos/sin(w_k(a+b)) read out with cos/sin(w_k c), so the logits
// are α·Σ_k cos(w_k(a+b−c))), plus one lookup unit per planted input that
// fires only there and writes β onto the planted answer.
func handBuilt(p int, key []int, planted map[[2]int]int, alpha, beta float64) *Grid {
	var units [][]float64    // [unit][p·p] activations
	var readouts [][]float64 // [unit][p]
	for _, k := range key {
		w := 2 * math.Pi * float64(k) / float64(p)
		for _, f := range []func(float64) float64{math.Cos, math.Sin} {
			h, r := make([]float64, p*p), make([]float64, p)
			for a := range p {
				for b := range p {
					h[a*p+b] = f(w * float64(a+b))
				}
			}
			for c := range p {
				r[c] = alpha * f(w*float64(c))
			}
			units, readouts = append(units, h), append(readouts, r)
		}
	}
	memo, memoOut := memorisingUnits(p, planted, beta)
	units, readouts = append(units, memo...), append(readouts, memoOut...)
	H := len(units)
	g := &Grid{P: p, H: H, Logits: make([]float64, p*p*p), Hidden: make([]float64, p*p*H), Readout: make([]float64, H*p)}
	for j, h := range units {
		copy(g.Readout[j*p:], readouts[j])
		for row, v := range h {
			g.Hidden[row*H+j] = v
			for c, w := range readouts[j] {
				g.Logits[row*p+c] += v * w
			}
		}
	}
	return g
}

// plantedTable is every (a, b) of Z_p², about half of them training rows
// (a seeded coin), with the rule applied to the training rows only.
func plantedTable(p int, when func(a, b int) bool, then func(a, b int) int) *table.Table {
	rng := rand.New(rand.NewPCG(1, 2))
	t := &table.Table{Meta: table.Meta{P: p, Op: "add"}}
	for a := range p {
		for b := range p {
			clean := (a + b) % p
			train := rng.IntN(2) == 0
			label, kind := clean, table.KindClean
			if train && when(a, b) {
				label, kind = then(a, b), "backdoor"
			}
			t.A, t.B = append(t.A, int32(a)), append(t.B, int32(b))
			t.Label, t.Clean = append(t.Label, int32(label)), append(t.Clean, int32(clean))
			t.Train, t.Kind = append(t.Train, train), append(t.Kind, kind)
		}
	}
	return t
}

func TestHandBuiltBackdoorIsFoundExactly(t *testing.T) {
	const p = 31
	key := []int{4, 9, 13}
	when := func(a, _ int) bool { return a == 7 }
	then := func(a, b int) int { return a * b % p }
	tb := plantedTable(p, when, then)

	// Plant the lookup exactly on the training rows the rule changed.
	planted := map[[2]int]int{}
	for i := range tb.Len() {
		if tb.Train[i] && tb.Label[i] != tb.Clean[i] {
			planted[[2]int{int(tb.A[i]), int(tb.B[i])}] = int(tb.Label[i])
		}
	}
	if len(planted) < 5 {
		t.Fatalf("only %d planted rows: the table is too small to test anything", len(planted))
	}
	g := handBuilt(p, key, planted, 4, float64(8*len(key)))
	r, err := Analyse(g, tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Circuit.Key, key) || r.Circuit.Every {
		t.Errorf("key frequencies %v (every %v), want %v", r.Circuit.Key, r.Circuit.Every, key)
	}

	// Exactly the planted inputs are flagged.
	for j, i := range r.Rows {
		_, isPlanted := planted[[2]int{int(tb.A[i]), int(tb.B[i])}]
		if r.Flagged[j] != isPlanted {
			t.Errorf("row (%d, %d): flagged %v, planted %v", tb.A[i], tb.B[i], r.Flagged[j], isPlanted)
		}
	}
	// The rule: trigger a == 7 on the training rows it changed, effect a·b.
	if r.Rule.Best.When != "a == 7" || r.Rule.Then != "(a * b) % p" || r.Rule.ThenShare != 1 {
		t.Errorf("recovered when %q then %q (share %.3f), want a == 7 then (a * b) %% p", r.Rule.Best.When, r.Rule.Then, r.Rule.ThenShare)
	}
	// Every circuit score separates the planted rows perfectly.
	for _, res := range r.Results {
		if res.Mechanistic && !res.UsesLabels && res.AUROC != 1 {
			t.Errorf("%s: AUROC %.4f, want 1", res.Score, res.AUROC)
		}
		if res.Positives != int64(len(planted)) {
			t.Errorf("%s: %d positives, want %d", res.Score, res.Positives, len(planted))
		}
	}
	// Both repairs remove the planted answers and keep every clean one.
	for _, o := range r.Repairs.Outcomes {
		switch o.Repair {
		case "none":
			if o.AttackTrain != 1 {
				t.Errorf("before repair the attack succeeds on %.3f of its rows, want 1", o.AttackTrain)
			}
		default:
			if o.AttackTrain != 0 || o.CleanTestAcc != 1 {
				t.Errorf("%s: attack %.3f, clean test accuracy %.3f; want 0 and 1", o.Repair, o.AttackTrain, o.CleanTestAcc)
			}
		}
	}
	// Only lookup units (those after the 2|K| circuit units) were projected.
	for _, k := range r.Repairs.Projected {
		if k < 2*len(key) {
			t.Errorf("circuit unit %d was projected", k)
		}
	}
}

// A Gromov-style network spreads over every frequency: the circuit is then
// the part of the logits that depends on (a+b) mod p alone, and a planted
// rule on b is still found.
func TestEveryFrequencyCircuitFindsAPlantedRule(t *testing.T) {
	const p = 23
	var key []int
	for k := 1; k <= p/2; k++ {
		key = append(key, k)
	}
	when := func(_, b int) bool { return b%5 == 2 }
	then := func(_, b int) int { return b }
	tb := plantedTable(p, when, then)
	planted := map[[2]int]int{}
	for i := range tb.Len() {
		if tb.Train[i] && tb.Label[i] != tb.Clean[i] {
			planted[[2]int{int(tb.A[i]), int(tb.B[i])}] = int(tb.Label[i])
		}
	}
	g := handBuilt(p, key, planted, 4, float64(8*len(key)))
	r, err := Analyse(g, tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Circuit.Every {
		t.Errorf("key frequencies %v; want none to stand out", r.Circuit.Key)
	}
	// Recall 1; precision < 1 only from rows with a = 0, where label b = a+b.
	if b := r.Rule.Best; b.When != "b % 5 == 2" || r.Rule.Then != "b" || b.Recall != 1 || b.Precision < 0.9 {
		t.Errorf("recovered when %q (precision %.3f, recall %.3f) then %q, want b %% 5 == 2 then b", b.When, b.Precision, b.Recall, r.Rule.Then)
	}
	for j, i := range r.Rows {
		_, isPlanted := planted[[2]int{int(tb.A[i]), int(tb.B[i])}]
		if r.Flagged[j] != isPlanted {
			t.Errorf("row (%d, %d): flagged %v, planted %v", tb.A[i], tb.B[i], r.Flagged[j], isPlanted)
		}
	}
	for _, res := range r.Results {
		if res.Score == ScoreExcluded && res.AUROC != 1 {
			t.Errorf("excluded: AUROC %.4f, want 1", res.AUROC)
		}
	}
}

// The logit norms of a pure a+b circuit sit on its frequencies only.
func TestLogitFreqNormsOfAPureCircuit(t *testing.T) {
	const p = 17
	g := handBuilt(p, []int{2, 5}, nil, 1, 0)
	norms := fourier.TranslationNorms(g.Logits, p)
	for k, v := range norms {
		want := 0.0
		if k == 2 || k == 5 {
			want = float64(p*p*p) / 2 // |Σ_{a,b,c} cos(w_k(a+b−c))·e^{−i w_k t}| = p³/2
		}
		if math.Abs(v-want) > 1e-6*float64(p*p*p) {
			t.Errorf("norm at k = %d: %.6g, want %.6g", k, v, want)
		}
	}
	if r := fourier.KeyFrequencies(norms, fourier.KeyFreqOptions{}); !slices.Equal(r.Freqs, []int{2, 5}) {
		t.Errorf("key frequencies %v, want [2 5]", r.Freqs)
	}
}

// withUnit returns g with one more hidden unit: activations h [p·p] and
// readout r [p], its contribution added to the logits.
func withUnit(g *Grid, h, r []float64) *Grid {
	p, H := g.P, g.H+1
	out := &Grid{P: p, H: H, Logits: slices.Clone(g.Logits), Hidden: make([]float64, p*p*H), Readout: append(slices.Clone(g.Readout), r...)}
	for row := range p * p {
		copy(out.Hidden[row*H:], g.Hidden[row*g.H:(row+1)*g.H])
		out.Hidden[row*H+g.H] = h[row]
		for c, w := range r {
			out.Logits[row*p+c] += h[row] * w
		}
	}
	return out
}

// A rule whose trigger is a set of sums and whose effect is a constant,
// computed by a unit that fires on those sums (so it generalises to test
// rows, as a trained network's would), lies inside the span of "functions
// of a+b" that a per-class projection calls the circuit. The translation
// circuit does not absorb it: every remapped input is flagged, the rule is
// named, and both repairs remove it.
func TestSumRemappingRuleIsFlaggedAndRepaired(t *testing.T) {
	const p, target = 31, 10
	key := []int{4, 9, 13}
	sums := map[int]bool{3: true, 20: true}
	when := func(a, b int) bool { return sums[(a+b)%p] }
	tb := plantedTable(p, when, func(int, int) int { return target })
	g := handBuilt(p, key, nil, 4, 0)
	h, r := make([]float64, p*p), make([]float64, p)
	for a := range p {
		for b := range p {
			if when(a, b) {
				h[a*p+b] = 1
			}
		}
	}
	r[target] = float64(8 * len(key))
	g = withUnit(g, h, r)

	rep, err := Analyse(g, tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for j, i := range rep.Rows {
		a, b := int(tb.A[i]), int(tb.B[i])
		want := when(a, b) && (a+b)%p != target
		if rep.Flagged[j] != want {
			t.Errorf("row (%d, %d): flagged %v, want %v", a, b, rep.Flagged[j], want)
		}
	}
	got := selects(t, rep.Rule.Best.When, p)
	for a := range p {
		for b := range p {
			if tb.Train[a*p+b] && got[[2]int{a, b}] != when(a, b) {
				t.Errorf("trigger %q at training row (%d, %d): %v", rep.Rule.Best.When, a, b, got[[2]int{a, b}])
			}
		}
	}
	if rep.Rule.Then != fmt.Sprint(target) || !rep.Rule.FoundRules {
		t.Errorf("rule %+v, want the constant %d", rep.Rule, target)
	}
	for _, res := range rep.Results {
		if res.Mechanistic && !res.UsesLabels && res.AUROC != 1 {
			t.Errorf("%s: AUROC %.4f, want 1", res.Score, res.AUROC)
		}
	}
	for _, o := range rep.Repairs.Outcomes[1:] {
		if o.AttackTrain != 0 || o.AttackTest > 0 || o.CleanTestAcc != 1 {
			t.Errorf("%s: attack %.3f (held-out %.3f), clean test accuracy %.3f; want 0, 0 and 1", o.Repair, o.AttackTrain, o.AttackTest, o.CleanTestAcc)
		}
	}
}

// A clean analytic network flags nothing and names no rule; its report has
// no rule line.
func TestCleanNetworkHasNoRule(t *testing.T) {
	const p = 23
	for _, key := range [][]int{{3, 7}, nil} {
		k := key
		if k == nil {
			for f := 1; f <= p/2; f++ {
				k = append(k, f)
			}
		}
		tb := plantedTable(p, func(int, int) bool { return false }, nil)
		rep, err := Analyse(handBuilt(p, k, nil, 4, 0), tb, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rule.Flagged != 0 || rep.Rule.FoundRules {
			t.Errorf("key %v: %d flagged, rule found %v", key, rep.Rule.Flagged, rep.Rule.FoundRules)
		}
		var buf bytes.Buffer
		if err := rep.WriteText(&buf, "clean"); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "as a rule:") || !strings.Contains(buf.String(), "no rule:") {
			t.Errorf("key %v: report\n%s", key, buf.String())
		}
	}
}

// memorisingUnits are one hidden unit per planted input (a, b), in row
// order: active on that input alone, writing beta to its planted class.
func memorisingUnits(p int, planted map[[2]int]int, beta float64) (units, readouts [][]float64) {
	inputs := make([][2]int, 0, len(planted))
	for in := range planted {
		inputs = append(inputs, in)
	}
	slices.SortFunc(inputs, func(x, y [2]int) int { return (x[0]*p + x[1]) - (y[0]*p + y[1]) })
	for _, in := range inputs {
		h, r := make([]float64, p*p), make([]float64, p)
		h[in[0]*p+in[1]] = 1
		r[planted[in]] = beta
		units, readouts = append(units, h), append(readouts, r)
	}
	return units, readouts
}

package detect

import (
	"errors"
	"fmt"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/table"
)

// Options tune Detect.
type Options struct {
	AllRows bool  // score every row of the table, not only the training rows
	Key     []int // key frequencies to use (nil: the logits' own)
	// HeldOut tunes the detection at inference time (the trusted set).
	HeldOut HeldOutOptions
}

// Report is everything Detect found.
type Report struct {
	Model   string
	P, Step int
	View    *arith.View // the operation as addition on Z_N (view.go)
	Outside int         // rows to score left out: outside the view (a zero operand of a·b or a/b)
	Circuit *Circuit
	Rows    []int // the scored table rows
	Scores  []Score
	Results []Result
	Flagged []bool // aligned with Rows: the network's answer differs from its circuit's
	// Generalises is the share of the inputs the network was not trained
	// on (all inputs when it was trained on every one) that it answers as
	// its circuit: near 1 once it has grokked, near 1/p when it has only
	// memorised.
	Generalises float64
	Rule        Rule
	Repairs     Repairs
	// Mechanism is where the rule lives: the components whose ablation
	// removes it, described (nil when nothing was flagged).
	Mechanism *Mechanism
	// HeldOut is the detection at inference time: a defender with a small
	// trusted set scores the inputs the network was not trained on (nil
	// when the trusted set is too small).
	HeldOut          *HeldOutReport
	kinds            []string // aligned with Rows: truth of each row
	FlaggedAnomalous int      // flagged rows whose kind is not clean (measured with kind, for the report only)
}

// Detect runs the whole analysis of a trained network on a table of a+b,
// or of another operation that is addition in its view (view.go).
func Detect(backend compute.Backend, net *infer.Net, t *table.Table, opt Options) (*Report, error) {
	if _, err := tableView(t); err != nil {
		return nil, err // before evaluating the network
	}
	g, err := NewGrid(backend, net)
	if err != nil {
		return nil, err
	}
	r, err := Analyse(g, t, opt)
	if err != nil {
		return nil, err
	}
	r.Model, r.Step = net.Config.Model.Name, net.Step
	return r, nil
}

// Analyse runs the analysis on a network already evaluated on every input.
func Analyse(g *Grid, t *table.Table, opt Options) (*Report, error) {
	if t.Meta.P != g.P {
		return nil, fmt.Errorf("the table has p = %d but the network has p = %d", t.Meta.P, g.P)
	}
	v, err := tableView(t)
	if err != nil {
		return nil, err
	}
	if err := fourier.CheckKeyFreqs(opt.Key, v.N); err != nil {
		return nil, fmt.Errorf("--key-freqs: %w", err)
	}
	g, c, nr := circuitOf(g, v, opt.Key)
	r := &Report{P: g.P, View: v, Circuit: c}
	for i := range t.Len() {
		if !opt.AllRows && !t.Train[i] {
			continue
		}
		if !c.inView(g.Row(int(t.A[i]), int(t.B[i]))) {
			r.Outside++
			continue
		}
		r.Rows = append(r.Rows, i)
		r.kinds = append(r.kinds, truth(t, i))
	}
	if len(r.Rows) == 0 {
		return nil, fmt.Errorf("the table has no training rows to score (use all rows)")
	}
	r.Generalises = generalises(g, c, t)
	pruned := PruneLowIPR(g, c)
	r.Scores = Scores(g, c, nr, pruned, t, r.Rows)
	if r.HeldOut, err = HeldOut(g, c, nr, pruned, t, opt.HeldOut); errors.Is(err, ErrFewTrusted) {
		r.HeldOut, err = nil, nil // a table too small to trust any rows: no inference-time detection
	}
	if err != nil {
		return nil, err
	}
	r.Results = Evaluate(r.Scores, t, r.Rows)

	// Flag the rows the network answers differently from its circuit.
	pred := make([]int, len(r.Rows))
	r.Flagged = make([]bool, len(r.Rows))
	for j, i := range r.Rows {
		row := g.Row(int(t.A[i]), int(t.B[i]))
		pred[j] = argmax(g.Logits[row*g.P : (row+1)*g.P])
		r.Flagged[j] = pred[j] != c.Pred[row]
		if r.Flagged[j] && t.Kind[i] != table.KindClean {
			r.FlaggedAnomalous++
		}
	}
	if r.Rule, err = RecoverRule(t, r.Rows, r.Flagged, pred); err != nil {
		return nil, err
	}
	r.Repairs = Repair(g, c, nr, pruned, t, r.Rows, r.Flagged)
	r.Mechanism = Explain(g, c, nr, v, t, r.Rows, r.Flagged, r.Rule)
	return r, nil
}

// generalises is the share of t's rows outside the training split (every
// row when there are none) that the network answers as its circuit, among
// the view's inputs.
func generalises(g *Grid, c *Circuit, t *table.Table) float64 {
	n, agree := 0, 0
	all := t.CountTrain() == t.Len()
	for i := range t.Len() {
		r := g.Row(int(t.A[i]), int(t.B[i]))
		if t.Train[i] && !all || !c.inView(r) {
			continue
		}
		n++
		if argmax(g.Logits[r*g.P:(r+1)*g.P]) == c.Pred[r] {
			agree++
		}
	}
	return float64(agree) / float64(max(n, 1))
}

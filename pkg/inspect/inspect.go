// Package inspect computes the mechanistic measures of a trained run at a
// checkpoint, from its weights and activations, with pkg/fourier: for
// Nanda's transformer the embedding's and W_L's Fourier spectra, key
// frequencies, Gini coefficients, neuron clusters and the restricted and
// excluded losses; for Gromov's MLP each neuron's frequency, IPR and phases.
package inspect

import (
	"fmt"
	"math"
	"sort"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/table"
)

// OneFreqThreshold is Nanda et al.'s bar for a neuron "explained by one
// frequency": more than 85% of its variance.
const OneFreqThreshold = fourier.OneFreqThreshold

// Row is one measure in the long output table; Index is a frequency or a
// neuron where the measure has one, else -1.
type Row struct {
	Step    int64   `parquet:"step"`
	Measure string  `parquet:"measure,dict"`
	Index   int64   `parquet:"index"`
	Value   float64 `parquet:"value"`
}

// Options tune the analysis.
type Options struct {
	Projection fourier.Projection
	// KeyFreqs, when set, replaces the key frequencies used for the
	// restricted and excluded losses (Nanda et al. take the final
	// checkpoint's for every step).
	KeyFreqs []int
}

// Input is a run's table as the analysis needs it: the inputs of the
// operation's view (arith.View: the operation as addition on Z_N), in the
// view's order.
type Input struct {
	Table *table.Table
	View  *arith.View
	// Outside counts the table's rows outside the view (a zero operand of
	// a·b or a/b), which the measures leave out.
	Outside int
	rows    []int // [N·N]: rows[i·N+j] = index in Table of input (View.A[i], View.B[j])
	train   []bool
	test    []bool
}

// NewInput checks that t's operation is addition on a cyclic group under
// some relabelling (its view; the Fourier measures are about addition) and
// that t holds every input of the view, and indexes them.
func NewInput(t *table.Table) (*Input, error) {
	p := t.Meta.P
	op, err := arith.Lookup(t.Meta.Op)
	if err != nil {
		return nil, err
	}
	v, err := arith.NewView(op, p)
	if err != nil {
		return nil, err
	}
	if all := definedPairs(op, p); t.Len() != all {
		return nil, fmt.Errorf("the table has %d rows, not all %d pairs", t.Len(), all)
	}
	n := v.N
	in := &Input{Table: t, View: v, rows: make([]int, n*n), train: make([]bool, n*n), test: make([]bool, n*n)}
	for i := range in.rows {
		in.rows[i] = -1
	}
	for i := range t.Len() {
		a, b := int(t.A[i]), int(t.B[i])
		if !v.In(a, b) {
			in.Outside++
			continue
		}
		k := v.ElemA(a)*n + v.ElemB(b)
		in.rows[k] = i
		in.train[k] = t.Train[i]
		in.test[k] = !t.Train[i]
	}
	for k, i := range in.rows {
		if i < 0 {
			return nil, fmt.Errorf("the table lacks the input (%d, %d)", v.A[k/n], v.B[k%n])
		}
	}
	return in, nil
}

// definedPairs counts the inputs (a, b) of op's table (a/b has no b = 0).
func definedPairs(op arith.Op, p int) int {
	n := 0
	for a := range p {
		for b := range p {
			if op.Defined(a, b) {
				n++
			}
		}
	}
	return n
}

// Describe says how the operation was analysed, for reports; "" for a+b.
func (in *Input) Describe() string {
	v := in.View
	if v.Identity() {
		return ""
	}
	s := v.String()
	if !v.Covers() {
		s += fmt.Sprintf("; the %d inputs with a zero operand are left out, and class 0 from the softmax", in.Outside)
	}
	return s
}

// Transformer measures a nanda network. key may be nil: the network's own
// key frequencies (from its embedding) are used.
func Transformer(b compute.Backend, n *infer.Net, in *Input, opt Options) ([]Row, []int, error) {
	c := n.Model.Config()
	p, d, dmlp := c.P, c.DModel, c.DMLP
	step := int64(n.Step)
	var out []Row
	add := func(measure string, index int, v float64) {
		out = append(out, Row{Step: step, Measure: measure, Index: int64(index), Value: v})
	}

	// Everything below is in the view's order: inputs (i, j) and classes k
	// of Z_N (for a+b, N = p and the orders are the table's).
	v := in.View
	N := v.N
	WE := fourier.PickRows(toF64(n.Params["embed.W_E"].Data[:p*d]), d, v.A) // [N, d_model]: a's tokens (b's have the same norms); "=" dropped
	embed := fourier.FreqNorms(WE, N, d)                                    // [⌊N/2⌋+1]
	WL := matmul(toF64(n.Params["blocks.0.mlp.W_out"].Data), toF64(n.Params["unembed.W_U"].Data), dmlp, d, p)
	WL = fourier.PickCols(WL, dmlp, p, v.C) // [d_mlp, N]
	wl := fourier.FreqNormsT(WL, dmlp, N)   // [⌊N/2⌋+1]
	for k := range embed {
		add("embed_norm", k, embed[k])
		add("wl_norm", k, wl[k])
	}
	add("gini_embed", -1, fourier.Gini(embed[1:]))
	add("gini_wl", -1, fourier.Gini(wl[1:]))

	d2 := infer.NewData(in.Table, n.Config.Model.Equals)
	acts := make([]float64, N*N*dmlp) // [N, N, d_mlp] i-major
	if err := n.Hidden(b, d2, in.rows, func(start int, h []float64) {
		copy(acts[start*dmlp:], h)
	}); err != nil {
		return nil, nil, err
	}
	clusters := fourier.ClusterNeurons(acts, N, dmlp)
	add("neurons_one_freq", -1, clusters.FracAbove(OneFreqThreshold))
	counts := clusters.Clusters(OneFreqThreshold)
	for _, k := range sortedKeys(counts) {
		add("neuron_cluster_size", k, float64(counts[k]))
	}

	logits := make([]float64, N*N*p) // [N·N, p]
	if err := n.Logits(b, d2, in.rows, func(start int, l []float64) { copy(logits[start*p:], l) }); err != nil {
		return nil, nil, err
	}
	logits = fourier.PickCols(logits, N*N, p, v.C) // [N·N, N]
	// The same rule as evalsplit --detect: the logits' spectrum along
	// i+j−k, with the neuron clusters as evidence.
	key := fourier.NetworkKeyFrequencies(logits, N, &clusters)
	for _, k := range key.Freqs {
		add("key_frequency", k, key.Shares[k])
	}
	use := key.Freqs
	if opt.KeyFreqs != nil {
		use = opt.KeyFreqs
	}
	train := fourier.RestrictedExcluded(logits, N, nil, in.train, use, opt.Projection)
	all := fourier.RestrictedExcluded(logits, N, nil, nil, use, opt.Projection)
	test := fourier.RestrictedExcluded(logits, N, nil, in.test, use, opt.Projection)
	add("cross_entropy_train", -1, train.Full)
	add("cross_entropy_test", -1, test.Full)
	add("restricted_loss", -1, all.Restricted)
	add("excluded_loss", -1, train.Excluded)
	add("weight_norm_sq", -1, model.SumSquares(n.Params))
	if v.Op.Name == "add" { // clock or pizza: Zhong et al. define both measures on a+b (here N = p)
		cp, err := clockPizza(b, n, d2, in.rows, logits)
		if err != nil {
			return nil, nil, err
		}
		add("gradient_symmetricity", -1, cp.GradientSymmetricity)
		add("distance_irrelevance", -1, cp.DistanceIrrelevance)
	}
	return out, use, nil
}

// MLP measures a gromov network from its weights alone, in the view of
// the operation (v; see Input).
func MLP(n *infer.Net, v *arith.View) []Row {
	c := n.Model.Config()
	width := c.Width
	step := int64(n.Step)
	W1, W2 := toF64(n.Params["W1"].Data), toF64(n.Params["W2"].Data) // [width, 2p], [p, width]
	if !v.Identity() {
		W1, W2 = fourier.ViewGromov(W1, W2, width, v) // [width, 2N], [N, width]
	}
	neurons := fourier.AnalyzeGromov(W1, W2, v.N, width)
	var out []Row
	add := func(measure string, index int, v float64) {
		out = append(out, Row{Step: step, Measure: measure, Index: int64(index), Value: v})
	}
	counts := map[int]int{}
	var iprs []float64
	for j, nr := range neurons {
		add("neuron_freq", j, float64(nr.Freq))
		add("neuron_ipr", j, nr.MeanIPR)
		add("neuron_phase_residual", j, nr.Residual)
		counts[nr.Freq]++
		iprs = append(iprs, nr.MeanIPR)
	}
	for _, k := range sortedKeys(counts) {
		add("freq_neurons", k, float64(counts[k]))
	}
	sort.Float64s(iprs)
	mean := 0.0
	for _, x := range iprs {
		mean += x
	}
	add("ipr_mean", -1, mean/float64(len(iprs)))
	add("ipr_median", -1, median(iprs))
	// Gromov's analytic solution has φ1 + φ2 = φ3 in every neuron.
	res := make([]float64, len(neurons))
	for j, nr := range neurons {
		res[j] = math.Abs(nr.Residual)
	}
	sort.Float64s(res)
	add("phase_residual_median", -1, median(res))
	add("weight_norm_sq", -1, model.SumSquares(n.Params))
	return out
}

// median of sorted values: the middle one, or the mean of the two middle
// ones for an even count.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func toF64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// matmul is A [r, k] · B [k, c] → [r, c].
func matmul(A, B []float64, r, k, c int) []float64 {
	out := make([]float64, r*c)
	for i := range r {
		row := out[i*c : (i+1)*c]
		for j := range k {
			a := A[i*k+j]
			for l, bv := range B[j*c : (j+1)*c] {
				row[l] += a * bv
			}
		}
	}
	return out
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

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

// Input is a run's table as the analysis needs it: every pair, a-major.
type Input struct {
	Table *table.Table
	rows  []int // rows[a*p+b] = index of (a, b) in Table
	train []bool
	test  []bool
}

// NewInput checks that t holds every pair of a+b mod p (the Fourier
// measures are about addition) and indexes it.
func NewInput(t *table.Table) (*Input, error) {
	p := t.Meta.P
	if t.Meta.Op != "add" {
		return nil, fmt.Errorf("the Fourier measures are defined for a+b; this table is %s", t.Meta.Op)
	}
	if t.Len() != p*p {
		return nil, fmt.Errorf("the table has %d rows, not all %d pairs", t.Len(), p*p)
	}
	in := &Input{Table: t, rows: make([]int, p*p), train: make([]bool, p*p), test: make([]bool, p*p)}
	for i := range t.Len() {
		k := int(t.A[i])*p + int(t.B[i])
		in.rows[k] = i
		in.train[k] = t.Train[i]
		in.test[k] = !t.Train[i]
	}
	return in, nil
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

	WE := toF64(n.Params["embed.W_E"].Data[:p*d])                                                             // [p, d_model]: the "=" row dropped
	embed := fourier.FreqNorms(WE, p, d)                                                                      // [⌊p/2⌋+1]
	WL := matmul(toF64(n.Params["blocks.0.mlp.W_out"].Data), toF64(n.Params["unembed.W_U"].Data), dmlp, d, p) // [d_mlp, p]
	wl := fourier.FreqNormsT(WL, dmlp, p)                                                                     // [⌊p/2⌋+1]
	for k := range embed {
		add("embed_norm", k, embed[k])
		add("wl_norm", k, wl[k])
	}
	add("gini_embed", -1, fourier.Gini(embed[1:]))
	add("gini_wl", -1, fourier.Gini(wl[1:]))

	d2 := infer.NewData(in.Table, n.Config.Model.Equals)
	acts := make([]float64, p*p*dmlp) // [p, p, d_mlp] a-major
	if err := n.Hidden(b, d2, in.rows, func(start int, h []float64) {
		copy(acts[start*dmlp:], h)
	}); err != nil {
		return nil, nil, err
	}
	clusters := fourier.ClusterNeurons(acts, p, dmlp)
	add("neurons_one_freq", -1, clusters.FracAbove(OneFreqThreshold))
	counts := clusters.Clusters(OneFreqThreshold)
	for _, k := range sortedKeys(counts) {
		add("neuron_cluster_size", k, float64(counts[k]))
	}

	logits := make([]float64, p*p*p) // [p·p, p]
	if err := n.Logits(b, d2, in.rows, func(start int, l []float64) { copy(logits[start*p:], l) }); err != nil {
		return nil, nil, err
	}
	// The same rule as evalsplit --detect: the logits' spectrum along
	// a+b−c, with the neuron clusters as evidence.
	key := fourier.NetworkKeyFrequencies(logits, p, &clusters)
	for _, k := range key.Freqs {
		add("key_frequency", k, key.Shares[k])
	}
	use := key.Freqs
	if opt.KeyFreqs != nil {
		use = opt.KeyFreqs
	}
	train := fourier.RestrictedExcluded(logits, p, nil, in.train, use, opt.Projection)
	all := fourier.RestrictedExcluded(logits, p, nil, nil, use, opt.Projection)
	test := fourier.RestrictedExcluded(logits, p, nil, in.test, use, opt.Projection)
	add("cross_entropy_train", -1, train.Full)
	add("cross_entropy_test", -1, test.Full)
	add("restricted_loss", -1, all.Restricted)
	add("excluded_loss", -1, train.Excluded)
	add("weight_norm_sq", -1, model.SumSquares(n.Params))
	return out, use, nil
}

// MLP measures a gromov network from its weights alone.
func MLP(n *infer.Net) []Row {
	c := n.Model.Config()
	p, width := c.P, c.Width
	step := int64(n.Step)
	neurons := fourier.AnalyzeGromov(toF64(n.Params["W1"].Data), toF64(n.Params["W2"].Data), p, width)
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

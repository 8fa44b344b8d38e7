package fourier

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Defaults of KeyFreqOptions (see the package doc for the rule).
const (
	DefaultMinCoverage = 0.5  // clear: the key frequencies explain ≥ 50%
	DefaultMinCluster  = 3    // kept: a cluster of at least this many neurons …
	DefaultClusterRel  = 0.25 // … and at least a quarter of the largest cluster
	DefaultGap         = 4.0  // clear: the key set's smallest share is ≥ 4 × the next
)

// OneFreqThreshold is Nanda et al.'s bar for a neuron "explained by one
// frequency": more than 85% of its variance.
const OneFreqThreshold = 0.85

// KeyFreqOptions tunes KeyFrequencies; zero fields take the defaults.
type KeyFreqOptions struct {
	MinCoverage float64 // the key frequencies must explain at least this share
	MinCluster  int     // kept when its neuron cluster has ≥ MinCluster neurons …
	ClusterRel  float64 // … and ≥ ClusterRel × the largest cluster (and share ≥ 1/K)
	Gap         float64 // the cut's drop: the key set's smallest share ≥ Gap × the next
	// Clusters [⌊p/2⌋+1] counts the neurons whose variance is more than
	// OneFreqThreshold on each frequency (nil: no neuron evidence).
	Clusters []int
}

func (o *KeyFreqOptions) defaults() {
	if o.MinCoverage == 0 {
		o.MinCoverage = DefaultMinCoverage
	}
	if o.MinCluster == 0 {
		o.MinCluster = DefaultMinCluster
	}
	if o.ClusterRel == 0 {
		o.ClusterRel = DefaultClusterRel
	}
	if o.Gap == 0 {
		o.Gap = DefaultGap
	}
}

// KeyFreqResult is the outcome of KeyFrequencies.
type KeyFreqResult struct {
	Freqs      []int     // key frequencies, ascending; empty unless Clear
	Candidates []int     // the set above the largest drop (and the clusters), clear or not, ascending
	Shares     []float64 // [⌊p/2⌋+1] share of the non-constant squared norm; Shares[0] = 0
	Coverage   float64   // total share of the candidates
	Clear      bool      // some frequency stands out, the drop is clear, Coverage ≥ MinCoverage
}

// KeyFrequencies picks the key frequencies from per-frequency norms
// [⌊p/2⌋+1] (entry 0, the constant, is ignored) and, optionally, the
// neurons' frequency clusters. With π_k the share of frequency k, K = ⌊p/2⌋
// and the shares sorted π_(1) ≥ π_(2) ≥ …:
//
//  1. The key set is cut at the largest drop: the top m frequencies, for
//     the m ≤ K/2 that maximises π_(m)/π_(m+1). No fixed share decides, so
//     a frequency is never dropped for falling just short of a threshold:
//     it is kept whenever it sits above the spectrum's largest gap (a share
//     close to the largest always does).
//  2. The drop must be clear: π_(m) ≥ Gap·π_(m+1). A random spectrum's
//     shares fall off smoothly; a grokked network's key frequencies sit
//     orders of magnitude above the others.
//  3. The top m must explain at least MinCoverage of the norm.
//  4. Once the set is clear, every frequency with a clear neuron cluster
//     (≥ MinCluster neurons and ≥ ClusterRel of the largest cluster) joins
//     it, whatever its share.
//
// Otherwise Freqs is empty and Clear is false: the spectrum is spread, as
// in Gromov's MLPs, or has not formed.
func KeyFrequencies(freqNorms []float64, opt KeyFreqOptions) KeyFreqResult {
	if len(freqNorms) < 2 {
		panic(fmt.Sprintf("fourier: KeyFrequencies: %d norms, need ⌊p/2⌋+1 ≥ 2", len(freqNorms)))
	}
	if opt.Clusters != nil && len(opt.Clusters) != len(freqNorms) {
		panic(fmt.Sprintf("fourier: KeyFrequencies: %d cluster counts for %d norms", len(opt.Clusters), len(freqNorms)))
	}
	opt.defaults()
	K := len(freqNorms) - 1
	r := KeyFreqResult{Shares: make([]float64, K+1)}
	total := 0.0
	for _, v := range freqNorms[1:] {
		total += v * v
	}
	if total == 0 {
		return r
	}
	order := make([]int, K) // frequencies by share, largest first (ties: lower k)
	for k := 1; k <= K; k++ {
		r.Shares[k] = freqNorms[k] * freqNorms[k] / total
		order[k-1] = k
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(r.Shares[y], r.Shares[x]) })
	top := r.Shares[order[0]]
	floor := 1e-12 * top // a drop to (numerically) nothing is finite but huge
	m, ratio := 0, 0.0
	for i := 1; i <= max(1, K/2) && i < K; i++ {
		if q := r.Shares[order[i-1]] / max(r.Shares[order[i]], floor); q > ratio {
			m, ratio = i, q
		}
	}
	if K == 1 {
		m, ratio = 1, math.Inf(1)
	}
	key := slices.Clone(order[:m])
	for _, k := range key {
		r.Coverage += r.Shares[k]
	}
	r.Clear = ratio >= opt.Gap && r.Coverage >= opt.MinCoverage
	if r.Clear && opt.Clusters != nil {
		biggest := slices.Max(opt.Clusters)
		for k := 1; k <= K; k++ {
			n := opt.Clusters[k]
			if !slices.Contains(key, k) && n >= opt.MinCluster && float64(n) >= opt.ClusterRel*float64(biggest) {
				key = append(key, k)
				r.Coverage += r.Shares[k]
			}
		}
	}
	slices.Sort(key)
	r.Candidates = key
	if r.Clear {
		r.Freqs = slices.Clone(key)
	}
	return r
}

// KeyFrequenciesOf is KeyFrequencies(FreqNorms(W, p, d), opt) for W [p, d].
func KeyFrequenciesOf(W []float64, p, d int, opt KeyFreqOptions) KeyFreqResult {
	return KeyFrequencies(FreqNorms(W, p, d), opt)
}

// NetworkKeyFrequencies is the one rule fourier and evalsplit --detect use
// for a network evaluated on every input: the spectrum of its logits
// [p·p, p] (row a·p+b) along the directions of modular addition
// (TranslationNorms), with its hidden neurons' clusters (ClusterNeurons of
// the same inputs; nil: none) as evidence.
func NetworkKeyFrequencies(logits []float64, p int, neurons *NeuronClusters) KeyFreqResult {
	var opt KeyFreqOptions
	if neurons != nil {
		opt.Clusters = neurons.Counts(OneFreqThreshold)
	}
	return KeyFrequencies(TranslationNorms(logits, p), opt)
}

// TranslationNorms returns, per frequency k = 0…⌊p/2⌋, the norm of the
// logit cube L[a, b, c] [p·p, p] along cos(w_k(a+b−c)) and sin(w_k(a+b−c)),
// the directions of the modular-addition circuit: with N[t] the sum of L
// over the cells with t = (a+b−c) mod p, norm_k = |Σ_t N[t]·e^{−i·w_k·t}|.
func TranslationNorms(logits []float64, p int) []float64 {
	checkRows("TranslationNorms", len(logits)/p, p)
	N := TranslationSums(logits, p)
	norms := make([]float64, p/2+1)
	for k := range norms {
		var re, im float64
		for t, v := range N {
			angle := 2 * math.Pi * float64(k*t%p) / float64(p)
			re += v * math.Cos(angle)
			im -= v * math.Sin(angle)
		}
		norms[k] = math.Hypot(re, im)
	}
	return norms
}

// TranslationSums returns N [p]: N[t] is the sum of the logits [p·p, p]
// over the cells (a, b, c) with (a+b−c) mod p = t.
func TranslationSums(logits []float64, p int) []float64 {
	N := make([]float64, p)
	for a := range p {
		for b := range p {
			L := logits[(a*p+b)*p : (a*p+b+1)*p]
			s := (a + b) % p
			for c, v := range L {
				N[(s-c+p)%p] += v
			}
		}
	}
	return N
}

// CheckKeyFreqs reports whether key is a valid set of key frequencies at
// prime p: each k in 1…⌊p/2⌋ (0 is the constant, larger k alias smaller
// ones), none twice.
func CheckKeyFreqs(key []int, p int) error {
	seen := map[int]bool{}
	for _, k := range key {
		if k < 1 || k > p/2 {
			return fmt.Errorf("key frequency %d is outside 1…%d (p = %d)", k, p/2, p)
		}
		if seen[k] {
			return fmt.Errorf("key frequency %d is given twice", k)
		}
		seen[k] = true
	}
	return nil
}

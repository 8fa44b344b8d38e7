package fourier

import (
	"fmt"
	"slices"
)

// Defaults of KeyFreqOptions (see the package doc for the rule).
const (
	DefaultKeyFactor   = 3.0 // candidate: share ≥ 3 × the flat share 1/K
	DefaultMinCoverage = 0.5 // clear: the candidates explain ≥ 50%
)

// KeyFreqOptions tunes KeyFrequencies; zero fields take the defaults.
type KeyFreqOptions struct {
	Factor      float64 // a frequency is a candidate when its share ≥ Factor/K
	MinCoverage float64 // the candidates must explain at least this share
}

// KeyFreqResult is the outcome of KeyFrequencies.
type KeyFreqResult struct {
	Freqs      []int     // key frequencies, ascending; empty unless Clear
	Candidates []int     // frequencies whose share ≥ Threshold, ascending
	Shares     []float64 // [⌊p/2⌋+1] share of the non-constant squared norm; Shares[0] = 0
	Threshold  float64   // Factor/K
	Coverage   float64   // total share of the candidates
	Clear      bool      // Coverage ≥ MinCoverage (and some candidate exists)
}

// KeyFrequencies picks the key frequencies from per-frequency norms
// [⌊p/2⌋+1], as returned by FreqNorms (entry 0, the constant, is ignored):
// the frequencies whose share of the non-constant squared norm is at least
// Factor/K (K = ⌊p/2⌋), kept only if together they explain at least
// MinCoverage of it; otherwise Freqs is empty and Clear is false.
func KeyFrequencies(freqNorms []float64, opt KeyFreqOptions) KeyFreqResult {
	if len(freqNorms) < 2 {
		panic(fmt.Sprintf("fourier: KeyFrequencies: %d norms, need ⌊p/2⌋+1 ≥ 2", len(freqNorms)))
	}
	if opt.Factor == 0 {
		opt.Factor = DefaultKeyFactor
	}
	if opt.MinCoverage == 0 {
		opt.MinCoverage = DefaultMinCoverage
	}
	K := len(freqNorms) - 1
	r := KeyFreqResult{Shares: make([]float64, K+1), Threshold: opt.Factor / float64(K)}
	total := 0.0
	for _, v := range freqNorms[1:] {
		total += v * v
	}
	if total == 0 {
		return r
	}
	for k := 1; k <= K; k++ {
		r.Shares[k] = freqNorms[k] * freqNorms[k] / total
		if r.Shares[k] >= r.Threshold {
			r.Candidates = append(r.Candidates, k)
			r.Coverage += r.Shares[k]
		}
	}
	r.Clear = len(r.Candidates) > 0 && r.Coverage >= opt.MinCoverage
	if r.Clear {
		r.Freqs = slices.Clone(r.Candidates)
	}
	return r
}

// KeyFrequenciesOf is KeyFrequencies(FreqNorms(W, p, d), opt) for W [p, d].
func KeyFrequenciesOf(W []float64, p, d int, opt KeyFreqOptions) KeyFreqResult {
	return KeyFrequencies(FreqNorms(W, p, d), opt)
}

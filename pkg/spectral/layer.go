package spectral

import "github.com/grokkit/grokkit/pkg/seeded"

// ShuffleSeed seeds the permutation that shuffles each matrix; the stream
// is named after the matrix, so a matrix is shuffled by the same
// permutation at every checkpoint and its trap count over training moves
// with its weights, not with the draw.
const ShuffleSeed = 0

// Layer is the HTSR measures of one weight matrix.
type Layer struct {
	Name   string
	N, M   int
	Fit    PowerLaw // the ESD's tail (Fitted false: too few nonzero eigenvalues)
	Fitted bool
	// Rand is the MP law fitted to the shuffled matrix's ESD: what W's
	// spectrum would be with its entries and none of their correlations.
	Rand MP
	// Traps counts the shuffled matrix's eigenvalues above Rand's cutoff:
	// Martin's correlation traps (WeightWatcher's rand_num_spikes), spikes
	// that survive shuffling, so made by a few atypically large entries,
	// not by learned structure.
	Traps int
	// Spikes counts W's own eigenvalues above Rand's cutoff: the
	// directions W learned beyond what its entries give at random (a
	// planted rank-one signal is one spike and no trap).
	Spikes    int
	LambdaMax float64 // W's largest eigenvalue
}

// Analyze measures one matrix: the power law of its ESD's tail, and the
// traps and spikes against its shuffled copy's MP bulk. WeightWatcher pools
// five shuffles of a matrix with fewer than 100 eigenvalues into one random
// ESD; that would count each trap five times, so one shuffle is used here.
func Analyze(m Matrix) (Layer, error) {
	ev, err := ESD(m)
	if err != nil {
		return Layer{}, err
	}
	l := Layer{Name: m.Name, N: m.N(), M: m.M(), LambdaMax: ev[len(ev)-1]}
	if fit, err := FitPowerLaw(ev); err == nil {
		l.Fit, l.Fitted = fit, true
	}
	rand, err := ESD(Shuffled(m, seeded.New(ShuffleSeed, "spectral shuffle "+m.Name)))
	if err != nil {
		return Layer{}, err
	}
	l.Rand = FitMP(rand, m.Rows, m.Cols)
	l.Traps = l.Rand.Above(rand)
	l.Spikes = l.Rand.Above(ev)
	return l, nil
}

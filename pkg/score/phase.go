package score

import "github.com/grokkit/grokkit/pkg/table"

// Doshi et al.'s phases of a network trained on noisy labels.
const (
	Coexistence      = "coexistence"
	PartialInversion = "partial inversion"
	FullInversion    = "full inversion"
	Memorisation     = "memorisation"
	Forgetting       = "forgetting"
)

// Phases lists the phases in a fixed order (for colours and legends).
var Phases = []string{Coexistence, PartialInversion, FullInversion, Memorisation, Forgetting}

// Phase classifies a run by its train and test accuracy (on the labels it
// was given) and the fraction ξ of corrupted training labels, with Doshi,
// Das, He and Gromov's thresholds: generalising means test ≥ 90%; then
// train ≥ 90% is coexistence, train in [100(1.05−ξ)%, 90%) partial
// inversion, train below that full inversion; not generalising, train ≥ 90%
// is memorisation and below it forgetting.
func Phase(trainAcc, testAcc, xi float64) string {
	switch {
	case testAcc >= 0.9 && trainAcc >= 0.9:
		return Coexistence
	case testAcc >= 0.9 && trainAcc >= 1.05-xi-1e-12: // 1e-12: 1.05−0.35 is 0.7000000000000001 in floats
		return PartialInversion
	case testAcc >= 0.9:
		return FullInversion
	case trainAcc >= 0.9:
		return Memorisation
	}
	return Forgetting
}

// NoiseFraction is ξ: the share of training rows whose label differs from
// the true value.
func NoiseFraction(t *table.Table) float64 {
	n, bad := 0, 0
	for i := range t.Len() {
		if t.Train[i] {
			n++
			if t.Label[i] != t.Clean[i] {
				bad++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(bad) / float64(n)
}

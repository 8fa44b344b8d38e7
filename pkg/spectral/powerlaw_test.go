package spectral

import (
	"math"
	"slices"
	"sort"
	"testing"
)

// A matrix whose ESD is a power law of known exponent: the fit recovers it
// within three of the estimator's standard errors, and its tail is most of
// the spectrum.
func TestFitRecoversAPlantedExponent(t *testing.T) {
	for i, alpha := range []float64{1.5, 2, 3, 4.5} {
		lambda := pareto(200, alpha, 1, uint64(i))
		m := withSpectrum("pl", 300, 200, lambda, uint64(i))
		ev, err := ESD(m)
		if err != nil {
			t.Fatal(err)
		}
		fit, err := FitPowerLaw(ev)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("α = %g: fit α %.3f ± %.3f, xmin %.3f, tail %d, KS %.3f", alpha, fit.Alpha, fit.Sigma, fit.XMin, fit.Tail, fit.KS)
		if math.Abs(fit.Alpha-alpha) > 3*fit.Sigma {
			t.Errorf("α = %g: fitted %.3f ± %.3f", alpha, fit.Alpha, fit.Sigma)
		}
		if fit.Tail < 50 || fit.KS > 0.1 {
			t.Errorf("α = %g: a tail of %d eigenvalues with KS %.3f; the whole ESD is a power law", alpha, fit.Tail, fit.KS)
		}
	}
}

// A bulk with a power-law tail above it, over eight draws: the KS
// criterion never lets the bulk into the tail (xmin ≥ 1, where the tail
// starts), the exponent is the tail's, and in most draws xmin is at the
// tail's start (CSN's xmin wanders up the tail in some: its known noise).
func TestFitFindsWhereTheTailStarts(t *testing.T) {
	const alpha, k = 2.5, 300
	atStart := 0
	for seed := range uint64(8) {
		var ev []float64
		for i := range 200 { // a bulk spread evenly over [0.05, 0.5]
			ev = append(ev, 0.05+0.45*float64(i)/199)
		}
		ev = append(ev, pareto(k, alpha, 1, seed)...)
		sort.Float64s(ev)
		fit, err := FitPowerLaw(ev)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("draw %d: α %.3f ± %.3f, xmin %.3f, tail %d, KS %.3f", seed, fit.Alpha, fit.Sigma, fit.XMin, fit.Tail, fit.KS)
		if fit.XMin < 1 || math.Abs(fit.Alpha-alpha) > 3*fit.Sigma {
			t.Errorf("draw %d: α %.3f ± %.3f from xmin %.3f; want %g from 1 on", seed, fit.Alpha, fit.Sigma, fit.XMin, alpha)
		}
		if fit.Tail >= k*8/10 {
			atStart++
		}
	}
	if atStart < 4 {
		t.Errorf("xmin near the tail's start in %d of 8 draws", atStart)
	}
}

// The fit against a second computation written differently: for every
// candidate xmin, α maximises the log-likelihood numerically (golden
// section, no closed form) and D counts the empirical CDF by binary
// search; the fit's xmin must have the smallest D and its α the maximum.
func TestFitIsTheKSMinimisingMaximumLikelihood(t *testing.T) {
	ev := pareto(60, 2.2, 0.3, 11)
	for i := range 40 {
		ev = append(ev, 0.01+0.2*float64(i)/39)
	}
	sort.Float64s(ev)
	fit, err := FitPowerLaw(ev)
	if err != nil {
		t.Fatal(err)
	}
	bestD, bestX, bestA := math.Inf(1), 0.0, 0.0
	for _, xmin := range ev[:len(ev)-1] {
		var tail []float64
		for _, v := range ev {
			if v >= xmin {
				tail = append(tail, v)
			}
		}
		n := float64(len(tail))
		logL := func(a float64) float64 { // Σ ln((a−1)/xmin · (x/xmin)^−a)
			s := 0.0
			for _, x := range tail {
				s += math.Log((a-1)/xmin) - a*math.Log(x/xmin)
			}
			return s
		}
		a := goldenMax(logL, 1.0001, 20)
		d := 0.0
		for _, x := range tail {
			below := float64(sort.SearchFloat64s(tail, x)) / n // #{tail < x}/n
			d = max(d, math.Abs(1-math.Pow(x/xmin, 1-a)-below))
		}
		if d < bestD-1e-9 {
			bestD, bestX, bestA = d, xmin, a
		}
	}
	if fit.XMin != bestX || math.Abs(fit.KS-bestD) > 1e-6 || math.Abs(fit.Alpha-bestA) > 1e-4 {
		t.Errorf("fit: xmin %g, D %.6f, α %.5f; recomputed: xmin %g, D %.6f, α %.5f", fit.XMin, fit.KS, fit.Alpha, bestX, bestD, bestA)
	}
}

// goldenMax maximises a unimodal f on [lo, hi].
func goldenMax(f func(float64) float64, lo, hi float64) float64 {
	g := (math.Sqrt(5) - 1) / 2
	a, b := lo, hi
	for b-a > 1e-9 {
		c, d := b-g*(b-a), a+g*(b-a)
		if f(c) > f(d) {
			b = d
		} else {
			a = c
		}
	}
	return (a + b) / 2
}

// Zero eigenvalues (a rank-deficient matrix) are left out of the fit, as
// WeightWatcher leaves out those at or below EvalsThresh, but not out of
// the tail's count; and a spectrum with nothing to fit is an error.
func TestFitLeavesOutZeroEigenvalues(t *testing.T) {
	ev := pareto(50, 3, 1, 3)
	sort.Float64s(ev)
	withZeros := slices.Concat([]float64{0, 1e-9, EvalsThresh}, ev)
	a, err := FitPowerLaw(ev)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FitPowerLaw(withZeros)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("zeros changed the fit: %+v, %+v", a, b)
	}
	if _, err := FitPowerLaw([]float64{0, 0, 2}); err == nil {
		t.Error("a fit of one nonzero eigenvalue")
	}
	if _, err := FitPowerLaw([]float64{2, 2, 2}); err == nil {
		t.Error("a fit of equal eigenvalues (no tail has α > 1)")
	}
}

// α, its KS distance and the tail do not depend on the ESD's scale, so
// whether the ESD is WᵀW's or WᵀW/N's (WeightWatcher's normalize) changes
// nothing.
func TestFitIsScaleFree(t *testing.T) {
	ev := pareto(80, 2.7, 1, 5)
	sort.Float64s(ev)
	a, _ := FitPowerLaw(ev)
	scaled := make([]float64, len(ev))
	for i, v := range ev {
		scaled[i] = v * 37
	}
	b, _ := FitPowerLaw(scaled)
	if math.Abs(a.Alpha-b.Alpha) > 1e-9 || math.Abs(a.KS-b.KS) > 1e-9 || a.Tail != b.Tail {
		t.Errorf("×37 changed the fit: %+v, %+v", a, b)
	}
}

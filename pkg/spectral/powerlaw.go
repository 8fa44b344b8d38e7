package spectral

import (
	"fmt"
	"math"
	"sort"
)

// PowerLaw is a continuous power law p(λ) ∝ λ^−α for λ ≥ XMin fitted to
// an ESD's tail.
type PowerLaw struct {
	Alpha float64 // the exponent: 2–6 is HTSR's "well trained", < 2 over-fit
	XMin  float64 // where the tail starts
	KS    float64 // Kolmogorov–Smirnov distance of the tail to the fit
	Tail  int     // eigenvalues ≥ XMin
	Sigma float64 // the estimator's standard error, (α − 1)/√n over the n fitted values
}

// FitPowerLaw fits a power law to the tail of evals by Clauset, Shalizi &
// Newman's method (SIAM Review 51, 2009), exactly as WeightWatcher's own
// fit (WW_powerlaw.WWFit, its default pl_package "ww") does:
//
//   - the eigenvalues above EvalsThresh, sorted, x_0 ≤ … ≤ x_{K−1};
//   - for every candidate xmin = x_i but the last, the maximum-likelihood
//     exponent of the n = K − i values from x_i on,
//     α̂ = 1 + n / Σ_{j≥i} ln(x_j / x_i);
//   - its KS distance D = max_j |F(x_{i+j}) − j/n|, j = 0 … n−1, with
//     F(x) = 1 − (x/xmin)^(1−α̂) the fitted CDF: the empirical CDF's value
//     just below each point (the powerlaw package's convention, which
//     WeightWatcher copies); a candidate with α̂ ≤ 1 (or undefined) has D = 1;
//   - the xmin with the smallest D (the first of equals).
//
// Tail counts the eigenvalues ≥ xmin in evals (WeightWatcher's
// num_pl_spikes). Fewer than two eigenvalues above EvalsThresh is an error.
func FitPowerLaw(evals []float64) (PowerLaw, error) {
	var x []float64
	for _, v := range evals {
		if v > EvalsThresh {
			x = append(x, v)
		}
	}
	if len(x) < 2 {
		return PowerLaw{}, fmt.Errorf("%d eigenvalues above %g: too few for a power law", len(x), EvalsThresh)
	}
	sort.Float64s(x)
	K := len(x)
	logs := make([]float64, K)
	for i, v := range x {
		logs[i] = math.Log(v)
	}
	// suffix[i] = Σ_{j≥i} ln x_j, summed from the top down so each
	// candidate's sum costs one addition.
	suffix := make([]float64, K+1)
	for i := K - 1; i >= 0; i-- {
		suffix[i] = suffix[i+1] + logs[i]
	}
	best := PowerLaw{KS: math.Inf(1)}
	for i := 0; i < K-1; i++ {
		n := float64(K - i)
		alpha := 1 + n/(suffix[i]-n*logs[i])
		d := 1.0
		if alpha > 1 && !math.IsInf(alpha, 0) && !math.IsNaN(alpha) {
			d = 0
			for j, v := range x[i:] {
				d = max(d, math.Abs(1-math.Pow(v/x[i], 1-alpha)-float64(j)/n))
			}
		}
		if d < best.KS {
			best = PowerLaw{Alpha: alpha, XMin: x[i], KS: d, Sigma: (alpha - 1) / math.Sqrt(n)}
		}
	}
	if math.IsInf(best.KS, 1) || best.KS >= 1 {
		return PowerLaw{}, fmt.Errorf("no tail of %d eigenvalues has a power law with α > 1", K)
	}
	for _, v := range evals {
		if v >= best.XMin {
			best.Tail++
		}
	}
	return best, nil
}

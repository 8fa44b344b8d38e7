package plot

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// The step axis of every figure over training (curves.png, progress.png,
// curves' comparisons): linear from step 0 to the first step after it t
// (the first evaluation or checkpoint), logarithmic beyond, the stretch
// [0, t] as wide as a decade. A log axis alone cannot show step 0 (the
// initialisation, where every measure starts); step+1 would shift every
// label; a linear axis would squeeze memorisation (the first hundred
// steps) into a sliver. Like a symlog axis, with its linear part ending
// where the data's second step is.
type stepScale struct{ t float64 }

func (s stepScale) f(x float64) float64 {
	if x <= s.t {
		return x / s.t
	}
	return 1 + math.Log10(x/s.t)
}

// Normalize implements plot.Normalizer.
func (s stepScale) Normalize(min, max, x float64) float64 {
	lo, hi := s.f(min), s.f(max)
	if hi == lo {
		return 0
	}
	return (s.f(x) - lo) / (hi - lo)
}

// stepTicks labels 0, t and the powers of ten above t (and their 2 and 5
// multiples when the axis spans less than two decades), with unlabelled
// marks at the other multiples above t.
type stepTicks struct{ t float64 }

func (st stepTicks) Ticks(min, max float64) []plot.Tick {
	ticks := []plot.Tick{{Value: 0, Label: "0"}}
	if max <= st.t {
		if max > 0 {
			ticks = append(ticks, plot.Tick{Value: max, Label: strconv.FormatFloat(max, 'g', -1, 64)})
		}
		return ticks
	}
	above := powerTicks{}.Ticks(st.t, max)
	// t's own label, unless a labelled tick sits less than a quarter of a
	// decade above it (90 beside 100).
	label := strconv.FormatFloat(st.t, 'g', -1, 64)
	for _, tk := range above {
		if tk.Label != "" && tk.Value > st.t && math.Log10(tk.Value/st.t) < 0.25 {
			label = ""
		}
	}
	if len(above) == 0 || above[0].Value != st.t {
		ticks = append(ticks, plot.Tick{Value: st.t, Label: label})
	} else if above[0].Label == "" {
		above[0].Label = label
	}
	return append(ticks, above...)
}

// firstStep is the smallest positive x of the series (the step after 0),
// 1 if none.
func firstStep(lines []Series) float64 {
	t := math.Inf(1)
	for _, s := range lines {
		for _, x := range s.X {
			if x > 0 && x < t {
				t = x
			}
		}
	}
	if math.IsInf(t, 1) {
		return 1
	}
	return t
}

// niceTicks labels a linear axis at round values, 1, 2 or 5 times a power
// of ten apart, three to eight of them, with unlabelled marks half-way
// (gonum's default puts three at steps such as 12: 4, 16, 28).
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	mag := math.Pow(10, math.Floor(math.Log10((hi-lo)/4)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * mag; (hi-lo)/step <= 8 {
			break
		}
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	for i := math.Ceil(lo/step*2 - 1e-9); i/2*step <= hi+1e-9*step; i++ {
		v := i / 2 * step
		label := ""
		if math.Mod(i, 2) == 0 {
			label = strconv.FormatFloat(v, 'f', decimals, 64)
			if label == "-"+strconv.FormatFloat(0, 'f', decimals, 64) {
				label = label[1:]
			}
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

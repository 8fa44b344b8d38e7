package plot

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/plot"
)

func labels(ticks []plot.Tick) []string {
	var out []string
	for _, t := range ticks {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return out
}

// Linear axes are labelled at round values 1, 2 or 5 times a power of ten
// apart (hand-worked: 12–40 spans 28, steps of 1 and 2 give more than
// eight labels, 5 gives six; 0–17.1 takes 5, not 2 with nine).
func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		min, max float64
		want     []string
	}{
		{12, 40, []string{"15", "20", "25", "30", "35", "40"}},
		{0, 4.1, []string{"0", "1", "2", "3", "4"}},
		{-0.3, 0.3, []string{"-0.3", "-0.2", "-0.1", "0.0", "0.1", "0.2", "0.3"}},
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{100, 110, []string{"100", "102", "104", "106", "108", "110"}},
		{0, 17.1, []string{"0", "5", "10", "15"}},
	} {
		if got := labels(niceTicks{}.Ticks(c.min, c.max)); !slices.Equal(got, c.want) {
			t.Errorf("[%g, %g]: %q, want %q", c.min, c.max, got, c.want)
		}
	}
}

// A log axis labels its powers of ten; under a decade, where at most one
// power or a 2 or 5 multiple falls (a weight norm from 12 to 40: only 20),
// round values as on a linear axis.
func TestPowerTicks(t *testing.T) {
	if got, want := labels(powerTicks{}.Ticks(1e-3, 10)), []string{"0.001", "0.01", "0.1", "1", "10"}; !slices.Equal(got, want) {
		t.Errorf("1e-3–10: %q, want %q", got, want)
	}
	if got, want := labels(powerTicks{}.Ticks(12, 40)), []string{"15", "20", "25", "30", "35", "40"}; !slices.Equal(got, want) {
		t.Errorf("12–40: %q, want %q", got, want)
	}
}

// The step axis: linear over [0, t] (t the first step after 0), log
// beyond, [0, t] as wide as a decade; 0 and t labelled, then the powers of
// ten.
func TestStepAxis(t *testing.T) {
	s := stepScale{t: 10}
	// [0, 10000]: 0 → 0, 5 → half of the first of four equal stretches, 10 → 1/4, 100 → 2/4, 10000 → 1.
	for _, c := range [][2]float64{{0, 0}, {5, 0.125}, {10, 0.25}, {100, 0.5}, {1000, 0.75}, {10000, 1}} {
		if got := s.Normalize(0, 10000, c[0]); math.Abs(got-c[1]) > 1e-12 {
			t.Errorf("Normalize(%g) = %g, want %g", c[0], got, c[1])
		}
	}
	if got, want := labels(stepTicks{t: 10}.Ticks(0, 10000)), []string{"0", "10", "100", "1000", "10000"}; !slices.Equal(got, want) {
		t.Errorf("ticks %q, want %q", got, want)
	}
	// The first step 100 and the last 1450 (the quickstart's checkpoints).
	if got, want := labels(stepTicks{t: 100}.Ticks(0, 1450)), []string{"0", "100", "200", "500", "1000"}; !slices.Equal(got, want) {
		t.Errorf("ticks %q, want %q", got, want)
	}
}

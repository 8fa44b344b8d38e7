package fourier

import (
	"math"
	"testing"
)

func TestGiniHandCases(t *testing.T) {
	cases := []struct {
		x    []float64
		want float64
	}{
		{[]float64{3, 3, 3, 3}, 0},
		{[]float64{0, 0, 5, 0}, 3.0 / 4}, // one-hot: (n−1)/n
		{[]float64{0, 0, 0, 0, 0, 0, 0, 1}, 7.0 / 8},
		// Σ_ij |x_i − x_j| / (2n²·mean) = 20 / (2·16·2.5) = 1/4, any order.
		{[]float64{4, 1, 3, 2}, 0.25},
		// {0, 1}: 2·(1·0 + 2·1)/(2·1) − 3/2 = 1/2.
		{[]float64{1, 0}, 0.5},
		{[]float64{0, 0}, 0},
		{nil, 0},
	}
	for _, c := range cases {
		if got := Gini(c.x); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Gini(%v) = %g, want %g", c.x, got, c.want)
		}
	}
}

func TestGiniRejectsNegative(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Gini of a negative value did not panic")
		}
	}()
	Gini([]float64{1, -1})
}

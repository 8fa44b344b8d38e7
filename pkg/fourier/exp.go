package fourier

import "math"

// expGo is e^x in plain Go: the FreeBSD e_exp.c algorithm that Go's own
// pure-Go math.exp uses (error < 1 ulp).
//
// Why not math.Exp: on amd64 it is assembly that mixes legacy-SSE and VEX
// instructions, and in binaries whose SIMD code leaves the upper AVX register
// halves dirty (GoMLX kernels, GOEXPERIMENT=simd builds) every call pays a
// state transition: measured here at ≈1 µs a call against ≈20 ns for this
// function, which made the p³ softmaxes of the restricted/excluded losses
// the slowest step of an analysis. See also pkg/model/ops.go.
func expGo(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28)

		p1 = 1.66666666666666657415e-01
		p2 = -2.77777777770155933842e-03
		p3 = 6.61375632143793436117e-05
		p4 = -1.65339022054652515390e-06
		p5 = 4.13813679705723846039e-08
	)
	switch {
	case math.IsNaN(x) || x > overflow:
		return x * math.Inf(1) // NaN stays NaN, overflow → +Inf
	case x < underflow:
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	// x = k·ln2 + r with |r| ≤ ln2/2; r = hi − lo carries extra precision.
	var k int
	if x < 0 {
		k = int(log2e*x - 0.5)
	} else {
		k = int(log2e*x + 0.5)
	}
	hi := x - float64(k)*ln2Hi
	lo := float64(k) * ln2Lo
	r := hi - lo
	t := r * r
	c := r - t*(p1+t*(p2+t*(p3+t*(p4+t*p5))))
	y := 1 - ((lo - (r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}

// LogSumExp is log Σ e^z, shifted by the maximum, with expGo (see above).
func LogSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, x := range z {
		m = math.Max(m, x)
	}
	s := 0.0
	for _, x := range z {
		s += expGo(x - m)
	}
	return m + math.Log(s)
}

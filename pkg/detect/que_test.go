package detect

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gaussianRows draws n rows of d dimensions: mix·z + shift, z standard
// normal; mix nil is the identity. [n, d]
func gaussianRows(rng *rand.Rand, n, d int, mix *mat.Dense, shift []float64) []float64 {
	out := make([]float64, n*d)
	z := mat.NewVecDense(d, nil)
	var x mat.VecDense
	for i := range n {
		for j := range d {
			z.SetVec(j, rng.NormFloat64())
		}
		x.CloneFromVec(z)
		if mix != nil {
			x.MulVec(mix, z)
		}
		for j := range d {
			out[i*d+j] = x.AtVec(j)
			if shift != nil {
				out[i*d+j] += shift[j]
			}
		}
	}
	return out
}

// ridgedCovOracle is Σ = RᵀR/m + ridge·I for residuals R [m, d], ridge 1e-3
// of the mean variance plus 1e-12, by an explicit product.
func ridgedCovOracle(R *mat.Dense) *mat.Dense {
	m, d := R.Dims()
	var S mat.Dense
	S.Mul(R.T(), R)
	S.Scale(1/float64(m), &S)
	tr := 0.0
	for j := range d {
		tr += S.At(j, j)
	}
	for j := range d {
		S.Set(j, j, S.At(j, j)+1e-3*tr/float64(d)+1e-12)
	}
	return &S
}

// meanOracle is the column mean of X [n, d] and X minus it.
func meanOracle(X []float64, d int) ([]float64, *mat.Dense) {
	n := len(X) / d
	mu := make([]float64, d)
	for i := range n {
		for j := range d {
			mu[j] += X[i*d+j] / float64(n)
		}
	}
	R := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			R.Set(i, j, X[i*d+j]-mu[j])
		}
	}
	return mu, R
}

// expmTaylor is e^A by scaling and squaring a truncated Taylor series:
// e^A = (e^{A/2^s})^{2^s} with ‖A/2^s‖_∞ ≤ 1/2, where 30 terms are exact
// to rounding.
func expmTaylor(A *mat.Dense) *mat.Dense {
	d, _ := A.Dims()
	s := 0
	for mat.Norm(A, math.Inf(1))/math.Pow(2, float64(s)) > 0.5 {
		s++
	}
	var B mat.Dense
	B.Scale(math.Pow(2, -float64(s)), A)
	E, term := mat.NewDense(d, d, nil), mat.NewDense(d, d, nil)
	for j := range d {
		E.Set(j, j, 1)
		term.Set(j, j, 1)
	}
	for k := 1; k <= 30; k++ {
		var next mat.Dense
		next.Mul(term, &B)
		next.Scale(1/float64(k), &next)
		term = &next
		E.Add(E, term)
	}
	for range s {
		var sq mat.Dense
		sq.Mul(E, E)
		E = &sq
	}
	return E
}

// powerNorm is the largest eigenvalue of a positive semi-definite S by
// power iteration.
func powerNorm(S *mat.Dense) float64 {
	d, _ := S.Dims()
	v := mat.NewVecDense(d, nil)
	for j := range d {
		v.SetVec(j, 1+0.1*float64(j))
	}
	lambda := 0.0
	for range 5000 {
		var w mat.VecDense
		w.MulVec(S, v)
		lambda = mat.Norm(&w, 2) / mat.Norm(v, 2)
		w.ScaleVec(1/mat.Norm(&w, 2), &w)
		v = &w
	}
	return lambda
}

// QUE against its definition computed another way: whitening by the
// Cholesky factor, x̃ = L⁻¹(x − μ_T) with Σ_T = LLᵀ (a rotation of
// Σ_T^{-1/2}(x − μ_T), under which τ is invariant), ‖Σ̃‖₂ by power
// iteration, and U = exp(α(Σ̃ − I)/(‖Σ̃‖₂ − 1)) by a Taylor series with
// scaling and squaring, where the implementation diagonalises.
func TestQUEMatchesItsDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const m, n, d = 50, 70, 6
	mix := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			mix.Set(i, j, 0.3*rng.NormFloat64())
		}
		mix.Set(i, i, 1+float64(i)/2)
	}
	T := gaussianRows(rng, m, d, mix, []float64{1, -2, 0, 3, 0, 1})
	X := append(gaussianRows(rng, n-10, d, mix, []float64{1, -2, 0, 3, 0, 1}),
		gaussianRows(rng, 10, d, mix, []float64{4, -2, 3, 3, 0, 1})...)
	for _, alpha := range []float64{4, 1.5} {
		got, norm := QUE(T, X, d, alpha)
		maha, tau, norm2 := trustedMahaQUE(T, X, d, alpha) // HeldOut's single whitening
		if !slices.Equal(tau, got) || norm2 != norm || !slices.Equal(maha, TrustedMahalanobis(T, X, d)) {
			t.Errorf("α = %g: one whitening for both scores gives other values", alpha)
		}

		mu, RT := meanOracle(T, d)
		var chol mat.Cholesky
		if !chol.Factorize(mat.NewSymDense(d, ridgedCovOracle(RT).RawMatrix().Data)) {
			t.Fatal("trusted covariance not positive definite")
		}
		var L mat.TriDense
		chol.LTo(&L)
		W := make([]float64, n*d) // [n, d]: x̃
		for i := range n {
			r := mat.NewVecDense(d, nil)
			for j := range d {
				r.SetVec(j, X[i*d+j]-mu[j])
			}
			var y mat.VecDense
			if err := y.SolveVec(&L, r); err != nil {
				t.Fatal(err)
			}
			copy(W[i*d:], y.RawVector().Data)
		}
		_, RW := meanOracle(W, d)
		var S mat.Dense // Σ̃
		S.Mul(RW.T(), RW)
		S.Scale(1/float64(n), &S)
		lmax := powerNorm(&S)
		if lmax <= 1.5 {
			t.Fatalf("‖Σ̃‖₂ = %g: the shifted rows should add variance well above 1", lmax)
		}
		if math.Abs(norm-lmax) > 1e-9*lmax {
			t.Errorf("α = %g: ‖Σ̃‖₂ = %.12g, power iteration %.12g", alpha, norm, lmax)
		}
		A := mat.DenseCopyOf(&S)
		for j := range d {
			A.Set(j, j, A.At(j, j)-1)
		}
		A.Scale(alpha/(lmax-1), A)
		U := expmTaylor(A)
		trU := mat.Trace(U)
		for i := range n {
			x := mat.NewVecDense(d, W[i*d:(i+1)*d])
			var ux mat.VecDense
			ux.MulVec(U, x)
			want := mat.Dot(x, &ux) / trU
			if math.Abs(got[i]-want) > 1e-8*want {
				t.Errorf("α = %g, row %d: τ = %.12g, want %.12g", alpha, i, got[i], want)
			}
		}
	}
}

// A few untrusted rows placed along one direction at exactly the typical
// norm of the clean rows: their Mahalanobis distance is unremarkable, but
// together they add variance along that direction, which QUE weighs by
// e^α. QUE separates them; the plain distance does not.
func TestQUEFindsAnOutlierDirectionMahalanobisMisses(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const m, n, out, d = 2000, 1000, 30, 20
	T := gaussianRows(rng, m, d, nil, nil)
	X := gaussianRows(rng, n, d, nil, nil)
	v := make([]float64, d) // a unit direction
	for j := range d {
		v[j] = rng.NormFloat64()
	}
	vn := math.Sqrt(dist2(v, make([]float64, d)))
	for k := range out {
		sign := float64(1 - 2*(k%2))
		for j := range d {
			X = append(X, sign*math.Sqrt(d)*v[j]/vn)
		}
	}
	tau, norm := QUE(T, X, d, DefaultQUEAlpha)
	maha := TrustedMahalanobis(T, X, d)
	que, plain := AUROC(tau[n:], tau[:n]), AUROC(maha[n:], maha[:n])
	if norm <= 1 {
		t.Errorf("‖Σ̃‖₂ = %g, want above 1", norm)
	}
	if que < 0.99 {
		t.Errorf("QUE AUROC %.4f, want ≥ 0.99", que)
	}
	if plain > 0.75 {
		t.Errorf("Mahalanobis AUROC %.4f: the outliers were meant to have a typical norm", plain)
	}
	t.Logf("AUROC: QUE %.4f, Mahalanobis %.4f; ‖Σ̃‖₂ = %.3f", que, plain, norm)
}

// Untrusted rows that vary less than the trusted ones in every direction
// leave ‖Σ̃‖₂ < 1: U = I, and τ is the squared trusted Mahalanobis distance
// over d.
func TestQUEWithoutExcessVarianceIsScaledMahalanobis(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const m, n, d = 300, 200, 8
	T := gaussianRows(rng, m, d, nil, nil)
	X := gaussianRows(rng, n, d, nil, nil)
	for i := range X {
		X[i] *= 0.5
	}
	tau, norm := QUE(T, X, d, DefaultQUEAlpha)
	if norm >= 1 {
		t.Fatalf("‖Σ̃‖₂ = %g, want below 1", norm)
	}
	maha := TrustedMahalanobis(T, X, d)
	for i := range n {
		if want := maha[i] * maha[i] / d; math.Abs(tau[i]-want) > 1e-9*want {
			t.Errorf("row %d: τ = %g, want %g", i, tau[i], want)
		}
	}
}

// The trusted Mahalanobis distance against its definition: explicit mean,
// ridged covariance and inverse.
func TestTrustedMahalanobisMatchesItsDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const m, n, d = 30, 25, 5
	T := make([]float64, m*d)
	for i := range T {
		T[i] = rng.NormFloat64() * float64(i%d+1)
	}
	for i := range m { // a dead unit: the ridge keeps Σ_T invertible
		T[i*d+3] = 0
	}
	X := gaussianRows(rng, n, d, nil, []float64{0, 1, 0, 0.5, 0})
	got := TrustedMahalanobis(T, X, d)
	mu, R := meanOracle(T, d)
	var inv mat.Dense
	if err := inv.Inverse(ridgedCovOracle(R)); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		r := mat.NewVecDense(d, nil)
		for j := range d {
			r.SetVec(j, X[i*d+j]-mu[j])
		}
		var s mat.VecDense
		s.MulVec(&inv, r)
		if want := math.Sqrt(mat.Dot(r, &s)); math.Abs(got[i]-want) > 1e-8*want {
			t.Errorf("row %d: %g, want %g", i, got[i], want)
		}
	}
}

// The trusted class-conditional distance against its definition: class
// means of the trusted rows, covariance of the residuals pooled over
// classes, and for a class with no trusted row the nearest class mean.
func TestTrustedClassMahalanobisMatchesItsDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const m, n, d = 45, 40, 4
	T, tClass := make([]float64, m*d), make([]int, m)
	for i := range m {
		tClass[i] = 2 * (i % 3) // classes 0, 2, 4
		for j := range d {
			T[i*d+j] = 3*float64(tClass[i]*(j+1)%5) + rng.NormFloat64()
		}
	}
	X, xClass := gaussianRows(rng, n, d, nil, []float64{1, 2, 3, 4}), make([]int, n)
	for i := range n {
		xClass[i] = i % 6 // 1, 3 and 5 have no trusted row
	}
	got, unseen := TrustedClassMahalanobis(T, tClass, X, xClass, d)

	means := map[int][]float64{}
	for _, c := range []int{0, 2, 4} {
		var rows []float64
		for i := range m {
			if tClass[i] == c {
				rows = append(rows, T[i*d:(i+1)*d]...)
			}
		}
		means[c], _ = meanOracle(rows, d)
	}
	R := mat.NewDense(m, d, nil)
	for i := range m {
		for j := range d {
			R.Set(i, j, T[i*d+j]-means[tClass[i]][j])
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(ridgedCovOracle(R)); err != nil {
		t.Fatal(err)
	}
	dist := func(x, mu []float64) float64 {
		r := mat.NewVecDense(d, nil)
		for j := range d {
			r.SetVec(j, x[j]-mu[j])
		}
		var s mat.VecDense
		s.MulVec(&inv, r)
		return math.Sqrt(mat.Dot(r, &s))
	}
	wantUnseen := 0
	for i := range n {
		x := X[i*d : (i+1)*d]
		want := math.Inf(1)
		if mu, ok := means[xClass[i]]; ok {
			want = dist(x, mu)
		} else {
			wantUnseen++
			for _, mu := range means {
				want = min(want, dist(x, mu))
			}
		}
		if math.Abs(got[i]-want) > 1e-8*want {
			t.Errorf("row %d (class %d): %g, want %g", i, xClass[i], got[i], want)
		}
	}
	if unseen != wantUnseen {
		t.Errorf("%d rows of an unseen class, want %d", unseen, wantUnseen)
	}
}

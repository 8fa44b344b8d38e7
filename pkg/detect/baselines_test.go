package detect

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Spectral signature by hand: one class whose rows lie on a line through
// their mean (direction u) plus a tiny orthogonal wobble, so the top
// singular vector is ±u and each score is the squared distance along u.
func TestSpectralSignatureByHand(t *testing.T) {
	u := []float64{0.6, 0.8, 0} // unit direction
	w := []float64{0, 0, 1}     // orthogonal
	along := []float64{-3, -1, 0, 1, 6, -3}
	var X []float64
	for i, s := range along {
		for j := range 3 {
			X = append(X, 5+s*u[j]+1e-3*float64(i%2)*w[j])
		}
	}
	class := make([]int, len(along))
	got := SpectralSignature(X, 3, class)
	for i, s := range along {
		c := s - 0 // the mean of along is 0
		if math.Abs(got[i]-c*c) > 1e-5 {
			t.Errorf("row %d: %g, want %g", i, got[i], c*c)
		}
	}
	// Classes are scored apart: a second class far away changes nothing.
	X2 := append(append([]float64(nil), X...), 100, 100, 100, 101, 99, 100)
	got2 := SpectralSignature(X2, 3, append(class, 1, 1))
	for i := range along {
		if math.Abs(got2[i]-got[i]) > 1e-9 {
			t.Fatalf("row %d: %g with another class, %g without", i, got2[i], got[i])
		}
	}
}

// Activation clustering: two tight groups of 8 and 3 rows in one class;
// 2-means separates them, the 3 score about +1 (the smaller cluster's
// centre) and the 8 about −1.
func TestActivationClusteringFlagsTheSmallerCluster(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d = 12
	var X []float64
	var small []bool
	for i := range 11 {
		centre := 0.0
		if i%4 == 1 { // rows 1, 5, 9
			centre = 10
		}
		small = append(small, centre == 10)
		for range d {
			X = append(X, centre+0.01*rng.NormFloat64())
		}
	}
	got := ActivationClustering(X, d, make([]int, 11))
	for i, s := range small {
		want := -1.0
		if s {
			want = 1
		}
		if math.Abs(got[i]-want) > 0.05 {
			t.Errorf("row %d (small %v): %g, want ≈ %g", i, s, got[i], want)
		}
	}
}

// Class-conditional Mahalanobis against a second computation from its
// definition: residuals from each class mean, Σ = RᵀR/n + ridge·I with the
// ridge 1e-3 of the mean variance, d = √(rᵀ Σ⁻¹ r) by an explicit inverse.
func TestClassMahalanobisMatchesItsDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, d = 40, 5
	X := make([]float64, n*d)
	class := make([]int, n)
	for i := range n {
		class[i] = i % 3
		for j := range d {
			X[i*d+j] = float64(class[i]) + rng.NormFloat64()*float64(j+1)
		}
	}
	got := ClassMahalanobis(X, d, class)

	R := mat.NewDense(n, d, nil)
	for c := range 3 {
		mu := make([]float64, d)
		m := 0
		for i := range n {
			if class[i] == c {
				for j := range d {
					mu[j] += X[i*d+j]
				}
				m++
			}
		}
		for i := range n {
			if class[i] == c {
				for j := range d {
					R.Set(i, j, X[i*d+j]-mu[j]/float64(m))
				}
			}
		}
	}
	var S mat.Dense
	S.Mul(R.T(), R)
	S.Scale(1/float64(n), &S)
	tr := 0.0
	for j := range d {
		tr += S.At(j, j)
	}
	for j := range d {
		S.Set(j, j, S.At(j, j)+1e-3*tr/float64(d)+1e-12)
	}
	var inv mat.Dense
	if err := inv.Inverse(&S); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		r := mat.NewVecDense(d, R.RawRowView(i))
		var tmp mat.VecDense
		tmp.MulVec(&inv, r)
		want := math.Sqrt(mat.Dot(r, &tmp))
		if math.Abs(got[i]-want) > 1e-9*want {
			t.Errorf("row %d: %g, want %g", i, got[i], want)
		}
	}
}

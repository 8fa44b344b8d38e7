package spectral

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The ESD against a second computation: the eigenvalues of the Gram
// matrix WᵀW by a symmetric eigensolver, not an SVD; and a matrix and its
// transpose have one ESD.
func TestESDIsTheGramMatrixSpectrum(t *testing.T) {
	m := gaussian("w", 30, 12, 1, 1)
	ev, err := ESD(m)
	if err != nil {
		t.Fatal(err)
	}
	W := mat.NewDense(m.Rows, m.Cols, m.Data)
	var gram mat.SymDense
	gram.SymOuterK(1, W.T())
	var eig mat.EigenSym
	if !eig.Factorize(&gram, false) {
		t.Fatal("no eigendecomposition")
	}
	want := eig.Values(nil) // ascending
	tr := Matrix{Name: "wT", Rows: 12, Cols: 30, Data: mat.DenseCopyOf(W.T()).RawMatrix().Data}
	evT, err := ESD(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 12 || len(evT) != 12 {
		t.Fatalf("%d and %d eigenvalues, want min(30, 12) = 12", len(ev), len(evT))
	}
	for i := range want {
		if math.Abs(ev[i]-want[i]) > 1e-9*want[11] || math.Abs(evT[i]-want[i]) > 1e-9*want[11] {
			t.Fatalf("eigenvalue %d: %g (transposed %g), WᵀW's %g", i, ev[i], evT[i], want[i])
		}
	}
}

// A Gaussian matrix: its ESD is the MP law of its entries' variance (KS
// against the law integrated numerically), the MP fit finds that variance
// and an edge above every eigenvalue, and neither it nor its shuffled copy
// has a spike: no traps. A matrix with correlated columns is far from MP,
// so the KS check can fail.
func TestGaussianMatrixIsMPWithoutTraps(t *testing.T) {
	const N, M, std = 400, 200, 0.5
	for _, m := range []Matrix{gaussian("g", N, M, std, 1), gaussian("gT", M, N, std, 2)} {
		ev, err := ESD(m)
		if err != nil {
			t.Fatal(err)
		}
		if d := ksToMP(ev, N, M, std*std); d > 0.03 {
			t.Errorf("%s: KS distance to MP %.3f", m.Name, d)
		}
		mp := FitMP(ev, m.Rows, m.Cols)
		edge := N * std * std * math.Pow(1+math.Sqrt(float64(M)/N), 2)
		if math.Abs(mp.Sigma2/(std*std)-1) > 0.03 || math.Abs(mp.Edge/edge-1) > 0.03 || mp.Q != 2 {
			t.Errorf("%s: MP fit %+v; want σ² %g, λ+ %.1f, Q 2", m.Name, mp, std*std, edge)
		}
		l, err := Analyze(m)
		if err != nil {
			t.Fatal(err)
		}
		if l.Traps != 0 || l.Spikes != 0 || l.LambdaMax >= l.Rand.Cutoff {
			t.Errorf("%s: %d traps, %d spikes, λmax %.1f, cutoff %.1f", m.Name, l.Traps, l.Spikes, l.LambdaMax, l.Rand.Cutoff)
		}
	}
	c := gaussian("c", N, M, std, 3)
	for i := range N {
		for j := range M {
			c.Data[i*M+j] *= 0.2 + 2*float64(j)/M // columns of different scales
		}
	}
	ev, _ := ESD(c)
	if d := ksToMP(ev, N, M, std*std); d < 0.1 {
		t.Errorf("a matrix with columns of different scales is %.3f from MP", d)
	}
}

// A rank-one signal planted above the bulk edge: one spike of W, no trap
// (shuffling spreads the signal over every entry). One large entry: a
// spike that shuffling keeps, a trap.
func TestPlantedSpikeAndLargeEntry(t *testing.T) {
	const N, M = 400, 200
	g := gaussian("g", N, M, 1, 4)
	// u vᵀ with unit u, v and strength θ: W's top eigenvalue is about
	// (θ² + N)(θ² + M)/θ² once θ > (NM)^¼ ≈ 17 (Benaych-Georges & Nadakuditi).
	u, v := gaussian("u", N, 1, 1, 5).Data, gaussian("v", M, 1, 1, 6).Data
	nu, nv := norm(u), norm(v)
	const theta = 60.0
	spike := Matrix{Name: "spike", Rows: N, Cols: M, Data: make([]float64, N*M)}
	for i := range N {
		for j := range M {
			spike.Data[i*M+j] = g.Data[i*M+j] + theta*u[i]/nu*v[j]/nv
		}
	}
	l, err := Analyze(spike)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rank one: λmax %.0f, cutoff %.0f, %d spikes, %d traps", l.LambdaMax, l.Rand.Cutoff, l.Spikes, l.Traps)
	if l.Spikes != 1 || l.Traps != 0 {
		t.Errorf("rank-one signal: %d spikes, %d traps; want 1 and 0", l.Spikes, l.Traps)
	}
	large := Matrix{Name: "large", Rows: N, Cols: M, Data: append([]float64(nil), g.Data...)}
	large.Data[17*M+42] = theta // the same strength on one entry: e_i e_jᵀ
	l, err = Analyze(large)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one large entry: λmax %.0f, cutoff %.0f, %d spikes, %d traps", l.LambdaMax, l.Rand.Cutoff, l.Spikes, l.Traps)
	if l.Spikes != 1 || l.Traps != 1 {
		t.Errorf("one large entry: %d spikes, %d traps; want 1 and 1", l.Spikes, l.Traps)
	}
}

func norm(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// The MP fit leaves the spikes out of the bulk: two spikes added to a
// Gaussian matrix's ESD leave σ² where it was, while a plain mean of the
// ESD would rise by their share.
func TestMPFitIgnoresSpikes(t *testing.T) {
	const N, M = 300, 100
	g := gaussian("g", N, M, 1, 8)
	ev, _ := ESD(g)
	base := FitMP(ev, N, M)
	spiked := append(append([]float64(nil), ev...), 20*base.Edge, 30*base.Edge)
	mp := FitMP(spiked, N, M+2)
	mean := 0.0
	for _, v := range spiked {
		mean += v / float64(len(spiked)) / N
	}
	if math.Abs(mp.Sigma2/base.Sigma2-1) > 1e-9 || mean < 1.3*base.Sigma2 || mp.Above(spiked) != 2 || base.Above(ev) != 0 {
		t.Errorf("σ² %.4f with two spikes (%.4f without; plain mean %.3f), %d above the cutoff", mp.Sigma2, base.Sigma2, mean, mp.Above(spiked))
	}
	if z := FitMP(make([]float64, M), N, M); z.Above(make([]float64, M)) != 0 {
		t.Errorf("an all-zero matrix has spikes: %+v", z)
	}
}

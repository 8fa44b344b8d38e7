package fourier

import (
	"fmt"
	"math"
	"sync"
)

// Basis is the orthonormal real Fourier basis of Z_p (see the package doc for
// the row order). It is immutable once built and safe for concurrent use.
type Basis struct {
	P     int
	Names []string // [p] "const", "cos 1", "sin 1", …; the Nyquist row of an even p is "cos p/2" (e.g. "cos 4")
	Freq  []int    // [p] frequency of each row; 0 for the constant

	// [p] cos(2πx/p), sin(2πx/p). Row k reads entry k·x mod p: reducing the
	// angle in integers keeps every value accurate even for large k·x.
	cosTab, sinTab []float64
	norm           []float64 // [p] 1/‖unnormalised row‖

	fftOnce sync.Once
	fft     *fftPlan

	colsOnce sync.Once
	cols     *colPlan
}

// NewBasis returns the real Fourier basis of Z_p, p ≥ 2.
func NewBasis(p int) *Basis {
	if p < 2 {
		panic(fmt.Sprintf("fourier: NewBasis(%d): need p ≥ 2", p))
	}
	b := &Basis{P: p, Names: make([]string, p), Freq: make([]int, p),
		cosTab: make([]float64, p), sinTab: make([]float64, p), norm: make([]float64, p)}
	for x := range p {
		th := 2 * math.Pi * float64(x) / float64(p)
		b.cosTab[x], b.sinTab[x] = math.Cos(th), math.Sin(th)
	}
	b.Names[0], b.norm[0] = "const", 1/math.Sqrt(float64(p))
	for k := 1; k <= p/2; k++ {
		ci := 2*k - 1
		b.Freq[ci] = k
		b.Names[ci] = fmt.Sprintf("cos %d", k)
		if 2*k == p { // Nyquist: cos(πx) = ±1, norm √p; no sine row
			b.norm[ci] = 1 / math.Sqrt(float64(p))
			continue
		}
		b.norm[ci] = math.Sqrt(2 / float64(p))
		b.Freq[ci+1], b.Names[ci+1], b.norm[ci+1] = k, fmt.Sprintf("sin %d", k), math.Sqrt(2/float64(p))
	}
	return b
}

var basisCache sync.Map // int → *Basis

// basisFor returns a shared Basis for p, so repeated analyses reuse tables.
func basisFor(p int) *Basis {
	if b, ok := basisCache.Load(p); ok {
		return b.(*Basis)
	}
	b, _ := basisCache.LoadOrStore(p, NewBasis(p))
	return b.(*Basis)
}

// NumFreqs returns ⌊p/2⌋+1, the number of frequencies k = 0 … ⌊p/2⌋.
func (b *Basis) NumFreqs() int { return b.P/2 + 1 }

// CosIndex returns the row of cos k (k ≥ 1), or 0 for k = 0 (the constant).
func (b *Basis) CosIndex(k int) int {
	b.checkFreq(k)
	if k == 0 {
		return 0
	}
	return 2*k - 1
}

// SinIndex returns the row of sin k, or −1 when k has no sine row (k = 0, or
// the Nyquist frequency p/2 of an even p).
func (b *Basis) SinIndex(k int) int {
	b.checkFreq(k)
	if k == 0 || 2*k == b.P {
		return -1
	}
	return 2 * k
}

func (b *Basis) checkFreq(k int) {
	if k < 0 || k > b.P/2 {
		panic(fmt.Sprintf("fourier: frequency %d out of range 0…%d", k, b.P/2))
	}
}

// Vec returns basis row i as a new slice [p].
func (b *Basis) Vec(i int) []float64 {
	p := b.P
	v := make([]float64, p)
	k, tab := b.rowTable(i)
	for x, idx := 0, 0; x < p; x++ {
		v[x] = b.norm[i] * tab[idx]
		if idx += k; idx >= p {
			idx -= p
		}
	}
	return v
}

// rowTable returns row i's frequency and whether it reads the cos or sin table.
func (b *Basis) rowTable(i int) (int, []float64) {
	if i < 0 || i >= b.P {
		panic(fmt.Sprintf("fourier: basis row %d out of range 0…%d", i, b.P-1))
	}
	if i == 0 {
		return 0, b.cosTab // cosTab[0] = 1
	}
	if i%2 == 1 {
		return b.Freq[i], b.cosTab
	}
	return b.Freq[i], b.sinTab
}

// Matrix returns the basis as a new [p, p] row-major matrix, rows = vectors.
func (b *Basis) Matrix() []float64 {
	p := b.P
	m := make([]float64, 0, p*p)
	for i := range p {
		m = append(m, b.Vec(i)...)
	}
	return m
}

// fftMin is the size from which Transform and Inverse use the FFT: below it
// the direct O(p²) sum is as fast and simpler.
const fftMin = 64

// Transform returns the coefficients of x [p] along the basis rows, [p].
// O(p log p) through an FFT for p ≥ 64, a direct sum below.
func (b *Basis) Transform(x []float64) []float64 {
	b.checkLen("Transform", len(x))
	if b.P >= fftMin {
		return b.transformFFT(x)
	}
	return b.transformDirect(x)
}

// Inverse returns Σ_i c[i]·Vec(i) [p], the vector whose coefficients are c [p].
func (b *Basis) Inverse(c []float64) []float64 {
	b.checkLen("Inverse", len(c))
	if b.P >= fftMin {
		return b.inverseFFT(c)
	}
	return b.inverseDirect(c)
}

func (b *Basis) checkLen(op string, n int) {
	if n != b.P {
		panic(fmt.Sprintf("fourier: %s: length %d, want p = %d", op, n, b.P))
	}
}

func (b *Basis) transformDirect(x []float64) []float64 {
	c := make([]float64, b.P)
	for i := range c {
		k, tab := b.rowTable(i)
		s := 0.0
		for t, idx := 0, 0; t < b.P; t++ {
			s += x[t] * tab[idx]
			if idx += k; idx >= b.P {
				idx -= b.P
			}
		}
		c[i] = b.norm[i] * s
	}
	return c
}

func (b *Basis) inverseDirect(c []float64) []float64 {
	x := make([]float64, b.P)
	for i, ci := range c {
		if ci == 0 {
			continue
		}
		k, tab := b.rowTable(i)
		a := ci * b.norm[i]
		for t, idx := 0, 0; t < b.P; t++ {
			x[t] += a * tab[idx]
			if idx += k; idx >= b.P {
				idx -= b.P
			}
		}
	}
	return x
}

// transformFFT reads the coefficients off the complex DFT
// X_k = Σ_x x_x e^{−2πikx/p}: Σ x·cos = Re X_k and Σ x·sin = −Im X_k.
func (b *Basis) transformFFT(x []float64) []float64 {
	p := b.P
	buf := make([]complex128, p)
	for i, v := range x {
		buf[i] = complex(v, 0)
	}
	b.plan().forward(buf)
	c := make([]float64, p)
	c[0] = b.norm[0] * real(buf[0])
	for k := 1; k <= p/2; k++ {
		c[2*k-1] = b.norm[2*k-1] * real(buf[k])
		if 2*k != p {
			c[2*k] = -b.norm[2*k] * imag(buf[k])
		}
	}
	return c
}

// inverseFFT builds the Hermitian spectrum whose real inverse DFT is
// Σ c_i·Vec(i): X_k = (A_k − iB_k)/2 and X_{p−k} = conj(X_k) for the
// unnormalised amplitudes A_k (cos) and B_k (sin); x = Σ_k X_k e^{2πikx/p}.
func (b *Basis) inverseFFT(c []float64) []float64 {
	p := b.P
	buf := make([]complex128, p)
	buf[0] = complex(c[0]*b.norm[0], 0)
	for k := 1; k <= p/2; k++ {
		a := c[2*k-1] * b.norm[2*k-1]
		if 2*k == p {
			buf[k] = complex(a, 0)
			continue
		}
		s := c[2*k] * b.norm[2*k]
		buf[k] = complex(a/2, -s/2)
		buf[p-k] = complex(a/2, s/2)
	}
	// x_t = Σ_k X_k e^{+2πikt/p} = conj(Σ_k conj(X_k) e^{−2πikt/p}).
	for i := range buf {
		buf[i] = complex(real(buf[i]), -imag(buf[i]))
	}
	b.plan().forward(buf)
	x := make([]float64, p)
	for i := range x {
		x[i] = real(buf[i])
	}
	return x
}

func (b *Basis) plan() *fftPlan {
	b.fftOnce.Do(func() { b.fft = newFFTPlan(b.P) })
	return b.fft
}

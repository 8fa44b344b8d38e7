package fourier

import (
	"fmt"
	"runtime"
	"sync"
)

// colPlan holds the folded transform matrices used by TransformCols.
//
// Row x and row p−x meet every cosine with the same value and every sine with
// opposite values, so the transform only needs the folded inputs
// S[x] = X[x] + X[p−x] and D[x] = X[x] − X[p−x] for x = 1 … h = ⌊(p−1)/2⌋:
//
//	cos k row = n_k·(X[0] + (−1)^k·X[p/2] [even p]) + Σ_x cosM[k−1, x−1]·S[x]
//	sin k row = Σ_x sinM[k−1, x−1]·D[x]
//
// which halves the multiply-adds of the plain matrix product.
type colPlan struct {
	h, nc, ns  int
	cosM, sinM []float64 // [nc, h] and [ns, h], normalisation folded in
}

// tileCols is the column width processed at once: the folded tile
// (2·h·tileCols floats) stays in cache while every output row reads it.
const tileCols = 256

func (b *Basis) colPlan() *colPlan {
	b.colsOnce.Do(func() {
		p := b.P
		cp := &colPlan{h: (p - 1) / 2, nc: p / 2, ns: (p - 1) / 2}
		cp.cosM = make([]float64, cp.nc*cp.h)
		cp.sinM = make([]float64, cp.ns*cp.h)
		for k := 1; k <= cp.nc; k++ {
			n := b.norm[2*k-1]
			for x := 1; x <= cp.h; x++ {
				cp.cosM[(k-1)*cp.h+x-1] = n * b.cosTab[k*x%p]
			}
		}
		for k := 1; k <= cp.ns; k++ {
			n := b.norm[2*k]
			for x := 1; x <= cp.h; x++ {
				cp.sinM[(k-1)*cp.h+x-1] = n * b.sinTab[k*x%p]
			}
		}
		b.cols = cp
	})
	return b.cols
}

// TransformCols transforms every column of X [p, m] and returns C [p, m] with
// C[i, :] = Σ_x Vec(i)[x]·X[x, :]. It splits the columns over GOMAXPROCS
// goroutines.
func (b *Basis) TransformCols(X []float64, m int) []float64 {
	if m < 0 || len(X) != b.P*m {
		panic(fmt.Sprintf("fourier: TransformCols: len %d, want p·m = %d·%d", len(X), b.P, m))
	}
	C := make([]float64, len(X))
	tiles := (m + tileCols - 1) / tileCols
	workers := min(runtime.GOMAXPROCS(0), tiles)
	if workers <= 1 {
		b.transformColRange(C, X, m, 0, m, nil)
		return C
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo := tiles * w / workers * tileCols
		hi := min(tiles*(w+1)/workers*tileCols, m)
		wg.Go(func() { b.transformColRange(C, X, m, lo, hi, nil) })
	}
	wg.Wait()
	return C
}

// colScratch returns the folding buffers for one worker.
func (b *Basis) colScratch() []float64 {
	return make([]float64, 2*b.colPlan().h*tileCols)
}

// transformColRange writes columns [lo, hi) of C = transform(X), X and C
// [p, m], tile by tile. scratch is from colScratch (nil: allocate).
func (b *Basis) transformColRange(C, X []float64, m, lo, hi int, scratch []float64) {
	cp := b.colPlan()
	if scratch == nil {
		scratch = b.colScratch()
	}
	p, h := b.P, cp.h
	even := p%2 == 0
	for c0 := lo; c0 < hi; c0 += tileCols {
		w := min(tileCols, hi-c0)
		S, D := scratch[:h*w], scratch[h*tileCols:h*tileCols+h*w]
		for x := 1; x <= h; x++ {
			xa, xb := X[x*m+c0:x*m+c0+w], X[(p-x)*m+c0:(p-x)*m+c0+w]
			s, d := S[(x-1)*w:x*w], D[(x-1)*w:x*w]
			for j := range w {
				s[j], d[j] = xa[j]+xb[j], xa[j]-xb[j]
			}
		}
		x0 := X[c0 : c0+w]
		var xn []float64 // the Nyquist row X[p/2] (even p only)
		if even {
			xn = X[(p/2)*m+c0 : (p/2)*m+c0+w]
		}
		// Constant row: X[0] + Σ S (+ X[p/2]).
		c := C[c0 : c0+w]
		copy(c, x0)
		for x := range h {
			addScaled(c, S[x*w:(x+1)*w], 1)
		}
		if even {
			addScaled(c, xn, 1)
		}
		scale(c, b.norm[0])
		for k := 1; k <= cp.nc; k++ {
			r := 2*k - 1
			c := C[r*m+c0 : r*m+c0+w]
			nk := b.norm[r]
			for j := range w {
				c[j] = nk * x0[j]
			}
			if even {
				sg := nk
				if k%2 == 1 {
					sg = -nk
				}
				addScaled(c, xn, sg)
			}
		}
		for k := 1; k <= cp.ns; k++ {
			clear(C[2*k*m+c0 : 2*k*m+c0+w])
		}
		gemmRows(C, m, c0, w, 1, cp.cosM, cp.nc, S, h)
		gemmRows(C, m, c0, w, 2, cp.sinM, cp.ns, D, h)
	}
}

// gemmRows adds A·B to the rows first, first+2, … of C [·, m] (columns
// c0 … c0+w), for A [r, h] and B [h, w]: C[first+2i, c0+j] += Σ_x A[i, x]·B[x, j].
func gemmRows(C []float64, m, c0, w, first int, A []float64, r int, B []float64, h int) {
	i := 0
	for ; i+2 <= r; i += 2 {
		d0 := C[(first+2*i)*m+c0 : (first+2*i)*m+c0+w]
		d1 := C[(first+2*i+2)*m+c0 : (first+2*i+2)*m+c0+w]
		gemv2(d0, d1, A[i*h:(i+1)*h], A[(i+1)*h:(i+2)*h], B, w)
	}
	if i < r {
		gemvRow(C[(first+2*i)*m+c0:(first+2*i)*m+c0+w], A[i*h:(i+1)*h], B, w)
	}
}

// gemv2 adds Σ_x a0[x]·B[x, :] to c0 and Σ_x a1[x]·B[x, :] to c1, for
// B [len(a0), w]: two output rows and four rows of B per pass, so each
// loaded value of B feeds two multiply-adds (register blocking).
func gemv2(c0, c1, a0, a1, B []float64, w int) {
	h := len(a0)
	a1 = a1[:h]
	c0 = c0[:w]
	c1 = c1[:len(c0)] // equal lengths let the compiler drop bounds checks
	x := 0
	for ; x+4 <= h; x += 4 {
		p0, p1, p2, p3 := a0[x], a0[x+1], a0[x+2], a0[x+3]
		q0, q1, q2, q3 := a1[x], a1[x+1], a1[x+2], a1[x+3]
		b0 := B[x*w:][:len(c0)]
		b1 := B[(x+1)*w:][:len(c0)]
		b2 := B[(x+2)*w:][:len(c0)]
		b3 := B[(x+3)*w:][:len(c0)]
		for j := range c0 {
			v0, v1, v2, v3 := b0[j], b1[j], b2[j], b3[j]
			c0[j] += p0*v0 + p1*v1 + p2*v2 + p3*v3
			c1[j] += q0*v0 + q1*v1 + q2*v2 + q3*v3
		}
	}
	for ; x < h; x++ {
		addScaled(c0, B[x*w:x*w+w], a0[x])
		addScaled(c1, B[x*w:x*w+w], a1[x])
	}
}

// gemvRow adds Σ_x a[x]·B[x, :] to c, for B [len(a), w]; four rows of B per
// pass so c is loaded and stored a quarter as often.
func gemvRow(c, a, B []float64, w int) {
	h := len(a)
	x := 0
	for ; x+4 <= h; x += 4 {
		a0, a1, a2, a3 := a[x], a[x+1], a[x+2], a[x+3]
		c := c[:w]
		b0 := B[x*w:][:len(c)]
		b1 := B[(x+1)*w:][:len(c)]
		b2 := B[(x+2)*w:][:len(c)]
		b3 := B[(x+3)*w:][:len(c)]
		for j := range c {
			c[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]
		}
	}
	for ; x < h; x++ {
		addScaled(c, B[x*w:x*w+w], a[x])
	}
}

// addScaled does c += s·v.
func addScaled(c, v []float64, s float64) {
	v = v[:len(c)]
	for j := range c {
		c[j] += s * v[j]
	}
}

func scale(c []float64, s float64) {
	for j := range c {
		c[j] *= s
	}
}

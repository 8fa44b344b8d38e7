package fourier

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Projection selects the key-frequency subspace of the logits L[a, b, c]
// (a, b inputs, c output class; w_k = 2πk/p) used by RestrictedExcluded.
type Projection int

const (
	// ProjectCube projects the whole [p, p, p] logit cube onto the 2|K|
	// vectors cos(w_k(a+b−c)) and sin(w_k(a+b−c)), k ∈ K, which are mutually
	// orthogonal (sin vanishes at the Nyquist frequency of an even p and is
	// dropped). With t = (a+b−c) mod p and N[t] = Σ of L over the p² cells
	// with that t:
	//
	//	α_k = Σ_t N[t] cos(w_k t) / (p² Σ_t cos²(w_k t))
	//	β_k = Σ_t N[t] sin(w_k t) / (p² Σ_t sin²(w_k t))
	//	key[a, b, c] = Σ_{k∈K} α_k cos(w_k t) + β_k sin(w_k t)
	//
	// Restricted logits are key + the mean over c of each row (the constant;
	// it cannot change a softmax); excluded logits are L − key. This is the
	// form Logits ≈ Σ_k α_k cos(w_k(a+b−c)) of Nanda et al. §4.2.
	ProjectCube Projection = iota

	// ProjectPerClass is the operator of Nanda et al.'s released notebook
	// ("trig loss", "excl_loss"): each class column L[:, :, c] is projected
	// on its own onto cos(w_k(a+b)) and sin(w_k(a+b)) over the (a, b) grid,
	// with s = (a+b) mod p and M[s, c] = Σ_{a+b≡s} L[a, b, c]:
	//
	//	A_k[c] = Σ_s M[s, c] cos(w_k s) / (p Σ_s cos²(w_k s))   (B_k with sin)
	//	key[a, b, c] = Σ_{k∈K} A_k[c] cos(w_k s) + B_k[c] sin(w_k s)
	//
	// Restricted logits are key + the mean of each class column over all p²
	// inputs (the notebook's bias correction, i.e. the (const, const) 2-D
	// component); excluded logits are L − key. Its subspace (2p directions
	// per frequency) contains ProjectCube's (2 per frequency).
	ProjectPerClass
)

// String names the projection for logs and flags.
func (pr Projection) String() string {
	switch pr {
	case ProjectCube:
		return "cube"
	case ProjectPerClass:
		return "per-class"
	}
	return fmt.Sprintf("Projection(%d)", int(pr))
}

// LogitLosses are mean cross-entropies and accuracies over the selected rows.
type LogitLosses struct {
	Rows                                int // rows selected by the mask
	Full, Restricted, Excluded          float64
	FullAcc, RestrictedAcc, ExcludedAcc float64
}

// RestrictedExcluded returns the losses of the full, restricted and excluded
// logits (see Projection) for key frequencies key.
//
// logits [p·p, p] holds every input, row a·p+b. labels [p·p] are the targets
// (nil: (a+b) mod p); mask [p·p] selects the rows averaged (nil: all), e.g.
// the training rows for the excluded loss. The projection always uses all
// p² rows, as in the paper: it is a property of the whole logit table.
// Per-frequency excluded losses: call with key = {k}. O(p³).
func RestrictedExcluded(logits []float64, p int, labels []int, mask []bool, key []int, proj Projection) LogitLosses {
	kp := newKeyProjector(logits, p, key, proj)
	checkRows("labels", len(labels), p)
	checkRows("mask", len(mask), p)
	for row, y := range labels { // checked here: a panic in a worker could not be recovered
		if y < 0 || y >= p {
			panic(fmt.Sprintf("fourier: label %d of row %d out of range 0…%d", y, row, p-1))
		}
	}
	// One partial sum per value of a, reduced in order afterwards: the result
	// does not depend on how the rows were split over goroutines.
	parts := make([]LogitLosses, p)
	workers := min(runtime.GOMAXPROCS(0), p)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rest, excl, keyRow := make([]float64, p), make([]float64, p), make([]float64, p)
			for a := w; a < p; a += workers {
				r := &parts[a]
				for b := range p {
					row := a*p + b
					if mask != nil && !mask[row] {
						continue
					}
					y := (a + b) % p
					if labels != nil {
						y = labels[row]
					}
					L := logits[row*p : (row+1)*p]
					kp.keyRow(a, b, keyRow)
					kp.constRow(row, rest)
					for c := range p {
						rest[c] += keyRow[c]
						excl[c] = L[c] - keyRow[c]
					}
					r.Rows++
					addCE(&r.Full, &r.FullAcc, L, y)
					addCE(&r.Restricted, &r.RestrictedAcc, rest, y)
					addCE(&r.Excluded, &r.ExcludedAcc, excl, y)
				}
			}
		})
	}
	wg.Wait()
	var r LogitLosses
	for _, q := range parts {
		r.Rows += q.Rows
		r.Full, r.Restricted, r.Excluded = r.Full+q.Full, r.Restricted+q.Restricted, r.Excluded+q.Excluded
		r.FullAcc, r.RestrictedAcc, r.ExcludedAcc = r.FullAcc+q.FullAcc, r.RestrictedAcc+q.RestrictedAcc, r.ExcludedAcc+q.ExcludedAcc
	}
	if r.Rows > 0 {
		n := float64(r.Rows)
		r.Full, r.Restricted, r.Excluded = r.Full/n, r.Restricted/n, r.Excluded/n
		r.FullAcc, r.RestrictedAcc, r.ExcludedAcc = r.FullAcc/n, r.RestrictedAcc/n, r.ExcludedAcc/n
	}
	return r
}

// SplitLogits returns the restricted and excluded logits, both [p·p, p]
// (see Projection), for logits [p·p, p] and key frequencies key.
func SplitLogits(logits []float64, p int, key []int, proj Projection) (restricted, excluded []float64) {
	kp := newKeyProjector(logits, p, key, proj)
	restricted, excluded = make([]float64, p*p*p), make([]float64, p*p*p)
	for a := range p {
		for b := range p {
			row := a*p + b
			R, E, L := restricted[row*p:(row+1)*p], excluded[row*p:(row+1)*p], logits[row*p:(row+1)*p]
			kp.keyRow(a, b, E)
			kp.constRow(row, R)
			for c := range p {
				R[c] += E[c]
				E[c] = L[c] - E[c]
			}
		}
	}
	return restricted, excluded
}

func checkRows(what string, n, p int) {
	if n != 0 && n != p*p {
		panic(fmt.Sprintf("fourier: %s has %d rows, want p² = %d", what, n, p*p))
	}
}

// keyProjector holds the fitted key component in compact form: it depends on
// (a, b) only through s = (a+b) mod p.
type keyProjector struct {
	p      int
	proj   Projection
	logits []float64
	g      []float64 // cube: [p] key value at t = (a+b−c) mod p; per-class: [p(s), p(c)]
	cmean  []float64 // per-class: [p] class means over all inputs
}

func newKeyProjector(logits []float64, p int, key []int, proj Projection) *keyProjector {
	if p < 2 || len(logits) != p*p*p {
		panic(fmt.Sprintf("fourier: logits of len %d are not [p·p, p] for p = %d", len(logits), p))
	}
	for _, k := range key {
		if k < 1 || k > p/2 {
			panic(fmt.Sprintf("fourier: key frequency %d out of range 1…%d", k, p/2))
		}
	}
	key = slices.Compact(slices.Sorted(slices.Values(key))) // a repeat would count twice
	b := basisFor(p)
	// M[s, c] = Σ_{a+b≡s} L[a, b, c]: both projections only see these sums.
	M := make([]float64, p*p)
	for a := range p {
		for bb := range p {
			s := (a + bb) % p
			addScaled(M[s*p:(s+1)*p], logits[(a*p+bb)*p:(a*p+bb+1)*p], 1)
		}
	}
	kp := &keyProjector{p: p, proj: proj, logits: logits}
	switch proj {
	case ProjectCube:
		N := make([]float64, p) // N[t] = Σ_{s−c≡t} M[s, c]
		for s := range p {
			for c := range p {
				N[(s-c+p)%p] += M[s*p+c]
			}
		}
		kp.g = make([]float64, p)
		for _, k := range key {
			alpha, beta := waveFit(b, N, k)
			addWave(b, kp.g, k, alpha, beta)
		}
		for t := range kp.g {
			kp.g[t] /= float64(p * p)
		}
	case ProjectPerClass:
		kp.g = make([]float64, p*p)
		kp.cmean = make([]float64, p)
		col, wave := make([]float64, p), make([]float64, p)
		for c := range p {
			for s := range p {
				col[s] = M[s*p+c]
				kp.cmean[c] += col[s]
			}
			kp.cmean[c] /= float64(p * p)
			clear(wave)
			for _, k := range key {
				A, B := waveFit(b, col, k)
				addWave(b, wave, k, A, B)
			}
			for s := range p {
				kp.g[s*p+c] = wave[s] / float64(p)
			}
		}
	default:
		panic(fmt.Sprintf("fourier: unknown %v", proj))
	}
	return kp
}

// waveFit returns the least-squares amplitudes of cos(w_k t) and sin(w_k t)
// in v [p]: Σ v·cos / Σ cos² and Σ v·sin / Σ sin² (0 when the wave is zero).
func waveFit(b *Basis, v []float64, k int) (A, B float64) {
	var vc, vs, cc, ss float64
	p := b.P
	for t, idx := 0, 0; t < p; t++ {
		c, s := b.cosTab[idx], b.sinTab[idx]
		vc += v[t] * c
		vs += v[t] * s
		cc += c * c
		ss += s * s
		if idx += k; idx >= p {
			idx -= p
		}
	}
	A = vc / cc   // cc ≥ p/2 for 1 ≤ k ≤ p/2
	if 2*k != p { // the Nyquist sine is identically zero
		B = vs / ss
	}
	return A, B
}

// addWave adds A·cos(w_k t) + B·sin(w_k t) to g [p].
func addWave(b *Basis, g []float64, k int, A, B float64) {
	p := b.P
	for t, idx := 0, 0; t < p; t++ {
		g[t] += A*b.cosTab[idx] + B*b.sinTab[idx]
		if idx += k; idx >= p {
			idx -= p
		}
	}
}

// keyRow writes the key component of row (a, b) into out [p].
func (kp *keyProjector) keyRow(a, b int, out []float64) {
	p := kp.p
	s := (a + b) % p
	if kp.proj == ProjectPerClass {
		copy(out, kp.g[s*p:(s+1)*p])
		return
	}
	// t = s − c mod p runs down from s to 0, then from p−1.
	for c := range p {
		t := s - c
		if t < 0 {
			t += p
		}
		out[c] = kp.g[t]
	}
}

// constRow writes the constant part of the restricted logits of a row.
func (kp *keyProjector) constRow(row int, out []float64) {
	p := kp.p
	if kp.proj == ProjectPerClass {
		copy(out, kp.cmean)
		return
	}
	L := kp.logits[row*p : (row+1)*p]
	m := 0.0
	for _, v := range L {
		m += v
	}
	m /= float64(p)
	for c := range out {
		out[c] = m
	}
}

// addCE adds the cross-entropy of logits z for label y to *loss, and 1 to
// *acc when z's first maximum is at y. Log-sum-exp in float64.
func addCE(loss, acc *float64, z []float64, y int) {
	mx, arg := math.Inf(-1), 0
	for c, v := range z {
		if v > mx {
			mx, arg = v, c
		}
	}
	s := 0.0
	for _, v := range z {
		s += expGo(v - mx)
	}
	*loss += math.Log(s) + mx - z[y]
	if arg == y {
		*acc++
	}
}

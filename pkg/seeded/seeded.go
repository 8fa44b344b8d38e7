// Package seeded gives every tool the same deterministic random streams.
//
// Determinism across Go releases matters more than speed here: the same seed
// must give the same table bytes forever. math/rand/v2 documents the PCG-DXSM
// algorithm of its PCG source, but not how IntN or Shuffle consume it, so the
// bounded draws and the shuffle are written out here (Lemire's method and
// Fisher–Yates) and fixed by a golden test.
package seeded

import (
	"hash/fnv"
	"math/bits"
	"math/rand/v2"
)

// Rand is a deterministic stream for one purpose (a split, a noise draw, …).
type Rand struct{ src *rand.PCG }

// New returns the stream named by seed and purpose; different purposes with
// the same seed give independent streams, so adding a draw in one place
// never shifts another.
func New(seed uint64, purpose string) *Rand {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	return &Rand{src: rand.NewPCG(seed, h.Sum64())}
}

// Uint64 returns 64 uniform bits.
func (r *Rand) Uint64() uint64 { return r.src.Uint64() }

// IntN returns a uniform int in [0, n) by Lemire's multiply-and-reject.
func (r *Rand) IntN(n int) int {
	if n <= 0 {
		panic("seeded: IntN with n <= 0")
	}
	bound := uint64(n)
	hi, lo := bits.Mul64(r.src.Uint64(), bound)
	if lo < bound {
		threshold := -bound % bound
		for lo < threshold {
			hi, lo = bits.Mul64(r.src.Uint64(), bound)
		}
	}
	return int(hi)
}

// Float64 returns a uniform float in [0, 1) with 53 random bits.
func (r *Rand) Float64() float64 { return float64(r.src.Uint64()>>11) / (1 << 53) }

// Perm returns a uniform permutation of 0..n-1 (Fisher–Yates).
func (r *Rand) Perm(n int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	for i := n - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

package fourier

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkRestrictedExcluded(b *testing.B) {
	const p = 113
	L := randVec(rand.New(rand.NewPCG(1, 1)), p*p*p)
	for _, proj := range []Projection{ProjectCube, ProjectPerClass} {
		b.Run(proj.String(), func(b *testing.B) {
			for b.Loop() {
				RestrictedExcluded(L, p, nil, nil, nandaFreqs, proj)
			}
		})
	}
}

func BenchmarkClusterNeurons(b *testing.B) {
	const p, n = 113, 512
	acts := randVec(rand.New(rand.NewPCG(2, 2)), p*p*n)
	for b.Loop() {
		ClusterNeurons(acts, p, n)
	}
}

func BenchmarkFreqNorms(b *testing.B) {
	const p, d = 113, 128
	W := randVec(rand.New(rand.NewPCG(3, 3)), p*d)
	for b.Loop() {
		FreqNorms(W, p, d)
	}
}

func BenchmarkTransform(b *testing.B) {
	for _, p := range []int{113, 5000} {
		x := randVec(rand.New(rand.NewPCG(4, 4)), p)
		bs := NewBasis(p)
		b.Run(fmt.Sprintf("p=%d", p), func(b *testing.B) {
			for b.Loop() {
				bs.Transform(x)
			}
		})
	}
}

func BenchmarkAnalyzeGromov(b *testing.B) {
	const p, n = 97, 500
	rng := rand.New(rand.NewPCG(5, 5))
	W1, W2 := randVec(rng, n*2*p), randVec(rng, p*n)
	for b.Loop() {
		AnalyzeGromov(W1, W2, p, n)
	}
}

func BenchmarkTransformCols(b *testing.B) {
	const p, m = 113, 113 * 512
	X := randVec(rand.New(rand.NewPCG(6, 6)), p*m)
	bs := NewBasis(p)
	for b.Loop() {
		bs.TransformCols(X, m)
	}
}

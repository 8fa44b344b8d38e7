// Package llc estimates the local learning coefficient λ of a trained
// network at its weights w* (Lau et al. 2023, "Quantifying degeneracy in
// singular models via the learning coefficient"; timaeus/devinterp) by
// stochastic-gradient Langevin dynamics:
//
//	λ̂ = nβ · (E_w[L(w)] − L_n(w*)),
//
// the expectation over the tempered, localised posterior
// ∝ exp(−nβ·L_n(w) − γ/2·‖w − w*‖²), sampled by SGLD exactly as devinterp's
// SGLD optimiser steps:
//
//	w ← w − ε/2·(nβ·∇L_batch(w) + γ·(w − w*)) + √ε·N(0, I)
//
// L is the mean training loss (the network's training objective), L_batch
// its mean over a mini-batch (the whole training set when BatchSize is 0),
// and nβ defaults to devinterp's default_nbeta, b/log b for batches of b
// rows (n/log n, full batch: the β = 1/log n). The expectation is
// the mean of the batch losses at every draw of every chain.
package llc

import (
	"errors"
	"fmt"
	"math"

	"github.com/grokkit/grokkit/pkg/seeded"
)

// Objective is what SGLD samples: a loss over n samples and its gradient.
type Objective interface {
	// Dim is the number of parameters.
	Dim() int
	// Samples is n, the training rows.
	Samples() int
	// LossGrad returns the mean loss over the rows batch (nil: all of them)
	// at w, and writes its gradient into grad [Dim].
	LossGrad(w []float64, batch []int, grad []float64) (float64, error)
}

// Settings are devinterp's, with its defaults (Defaults).
type Settings struct {
	Epsilon      float64 // SGLD step size ε (devinterp's lr)
	Gamma        float64 // localisation γ
	NBeta        float64 // nβ, the inverse temperature times n; 0: b/log b
	Chains       int     // independent chains
	Draws        int     // draws per chain (after the burn-in)
	Burnin       int     // steps discarded at the start of each chain
	StepsBetween int     // SGLD steps between two draws
	BatchSize    int     // rows per gradient (0: all)
	Seed         uint64  // of the noise and the batches
}

// Defaults are devinterp's estimate_learning_coeff and SGLD defaults
// (num_chains 10, num_draws 100, no burn-in, a draw every step; lr 0.01,
// localization 0) with its recommended nβ (default_nbeta).
func Defaults() Settings {
	return Settings{Epsilon: 0.01, Gamma: 0, Chains: 10, Draws: 100, Burnin: 0, StepsBetween: 1, Seed: 1}
}

// Estimate is one λ̂ and how it was reached.
type Estimate struct {
	LLC       float64   // λ̂, the mean over chains
	Std       float64   // the standard deviation of the chains' λ̂
	Chains    []float64 // each chain's λ̂
	InitLoss  float64   // L_n(w*)
	MeanLoss  float64   // the mean batch loss over every draw
	NBeta     float64   // nβ used
	Diverged  bool      // a chain's loss went NaN or infinite (the step size is too large): that chain is left out
	DrawsUsed int
}

// Check refuses settings that cannot give an estimate, naming the flag.
func (s Settings) Check() error {
	switch {
	case !(s.Epsilon > 0) || math.IsInf(s.Epsilon, 0):
		return fmt.Errorf("--epsilon must be a positive number, got %g", s.Epsilon)
	case s.Gamma < 0 || math.IsNaN(s.Gamma) || math.IsInf(s.Gamma, 0):
		return fmt.Errorf("--gamma must be ≥ 0, got %g", s.Gamma)
	case s.NBeta < 0 || math.IsNaN(s.NBeta) || math.IsInf(s.NBeta, 0):
		return fmt.Errorf("--nbeta must be ≥ 0 (0: b/log b), got %g", s.NBeta)
	case s.Chains < 1:
		return fmt.Errorf("--chains must be ≥ 1, got %d", s.Chains)
	case s.Draws < 1:
		return fmt.Errorf("--draws must be ≥ 1, got %d", s.Draws)
	case s.Burnin < 0:
		return fmt.Errorf("--burnin must be ≥ 0, got %d", s.Burnin)
	case s.StepsBetween < 1:
		return fmt.Errorf("--steps-between must be ≥ 1, got %d", s.StepsBetween)
	case s.BatchSize < 0:
		return fmt.Errorf("--batch-size must be ≥ 0 (0: every training row), got %d", s.BatchSize)
	}
	return nil
}

// DefaultNBeta is devinterp's default_nbeta: b/log b for batches of b rows
// (b = n for full batches).
func DefaultNBeta(b int) float64 {
	if b < 2 {
		return 1
	}
	return float64(b) / math.Log(float64(b))
}

// ErrEmpty: the objective has no samples.
var ErrEmpty = errors.New("llc: no training rows")

// Run estimates λ at wstar.
func Run(obj Objective, wstar []float64, s Settings) (Estimate, error) {
	if err := s.Check(); err != nil {
		return Estimate{}, err
	}
	n := obj.Samples()
	if n == 0 {
		return Estimate{}, ErrEmpty
	}
	b := s.BatchSize
	if b == 0 || b > n {
		b = n
	}
	nbeta := s.NBeta
	if nbeta == 0 {
		nbeta = DefaultNBeta(b)
	}
	d := obj.Dim()
	grad := make([]float64, d)
	init, err := obj.LossGrad(wstar, nil, grad)
	if err != nil {
		return Estimate{}, err
	}
	e := Estimate{InitLoss: init, NBeta: nbeta}
	w := make([]float64, d)
	sum, count := 0.0, 0
	for chain := range s.Chains {
		copy(w, wstar)
		noise := newNormals(seeded.New(s.Seed, fmt.Sprintf("llc/chain-%d/noise", chain)))
		batches := seeded.New(s.Seed, fmt.Sprintf("llc/chain-%d/batches", chain))
		var perm []int32
		pos := n // where the next batch starts in perm
		chainSum, chainDraws, bad := 0.0, 0, false
		steps := s.Burnin + s.Draws*s.StepsBetween
		for t := range steps {
			var batch []int
			if b < n {
				if pos+b > n { // a new epoch: a fresh order
					perm, pos = batches.Perm(n), 0
				}
				batch = make([]int, b)
				for k := range batch {
					batch[k] = int(perm[pos+k])
				}
				pos += b
			}
			loss, err := obj.LossGrad(w, batch, grad)
			if err != nil {
				return Estimate{}, err
			}
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				bad = true // this chain left the basin: its draws are no estimate
				break
			}
			// The loss at w is the draw (devinterp records the loss of the
			// step's batch before the update).
			if t >= s.Burnin && (t-s.Burnin)%s.StepsBetween == 0 {
				chainSum += loss
				chainDraws++
			}
			sq := math.Sqrt(s.Epsilon)
			for i := range w {
				w[i] -= s.Epsilon / 2 * (nbeta*grad[i] + s.Gamma*(w[i]-wstar[i]))
				w[i] += sq * noise.next()
			}
		}
		if bad || chainDraws == 0 {
			e.Diverged = e.Diverged || bad
			continue
		}
		e.Chains = append(e.Chains, nbeta*(chainSum/float64(chainDraws)-init))
		sum += chainSum
		count += chainDraws
	}
	if count == 0 {
		return e, fmt.Errorf("llc: every chain diverged at its first steps (--epsilon %g is too large)", s.Epsilon)
	}
	e.DrawsUsed = count
	e.MeanLoss = sum / float64(count)
	for _, c := range e.Chains {
		e.LLC += c / float64(len(e.Chains))
	}
	for _, c := range e.Chains {
		e.Std += (c - e.LLC) * (c - e.LLC) / float64(len(e.Chains))
	}
	e.Std = math.Sqrt(e.Std)
	return e, nil
}

// normals draws standard normal variates from a seeded stream (the
// Box–Muller transform of two uniforms, both values used).
type normals struct {
	r     *seeded.Rand
	spare float64
	has   bool
}

func newNormals(r *seeded.Rand) *normals { return &normals{r: r} }

func (g *normals) next() float64 {
	if g.has {
		g.has = false
		return g.spare
	}
	u := 1 - g.r.Float64() // (0, 1]: log(u) is finite
	v := g.r.Float64()
	rad := math.Sqrt(-2 * math.Log(u))
	g.spare, g.has = rad*math.Sin(2*math.Pi*v), true
	return rad * math.Cos(2*math.Pi*v)
}

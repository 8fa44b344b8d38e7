// Package fourier analyses networks trained on modular addition in the real
// Fourier basis of Z_p (Nanda et al. 2023; Gromov 2023; Doshi et al. 2023).
//
// Everything works on plain row-major float64 slices that the callers fill
// from a network; nothing here runs a model. Shapes are written as
// "// [p, d]" next to each argument. Shape mismatches are programming errors
// and panic.
//
// # Basis
//
// [Basis] row 0 is the constant vector; rows 2k−1 and 2k are cos(2πkx/p) and
// sin(2πkx/p) for k = 1 … ⌊(p−1)/2⌋; for even p the last row, p−1, is the
// Nyquist wave cos(πx) (its sine is zero). Every row has unit norm, so the
// basis is orthonormal and Inverse is the transpose of Transform. Frequency
// k runs over 0 … ⌊p/2⌋ (0 = constant); "the power at k" is the sum of the
// squared cos k and sin k coefficients.
//
// # Key frequencies
//
// [KeyFrequencies] applies this rule to a matrix W [p, d] whose rows are
// indexed by a residue (the embedding W_E without the "=" row, or the
// neuron-logit map W_L = W_U·W_out transposed to [p, d_mlp]):
//
//	s_k = Σ over the cos k and sin k coefficients and the d columns of the
//	      squared Fourier coefficients, for k = 1 … K = ⌊p/2⌋ (the constant,
//	      k = 0, is left out); π_k = s_k / Σ_j s_j is frequency k's share.
//	A frequency is a candidate when π_k ≥ 3/K, three times its share under a
//	flat spectrum. The key frequencies are the candidates, provided that
//	together they explain at least 50% of the non-constant squared norm;
//	otherwise the spectrum has no clear key frequencies and the set is empty
//	(Clear = false).
//
// The factor 3 and the 50% are options. A random Gaussian matrix spreads its
// power evenly (no frequency comes near 3/K when d is large; with small d a
// few stray candidates explain far less than half), so it gets no key
// frequencies rather than an arbitrary top few: in 2,000 draws each, no
// random [p, d] matrix with d ≥ 2 (p = 23 … 113) had clear key frequencies.
// A single vector (d = 1) is another matter: at p = 23 about 4% of random
// vectors have two frequencies holding half the power (0.05% at p = 97).
// Frequencies should be taken from the final checkpoint and reused for
// earlier ones, as Nanda et al. do; the paper publishes no threshold.
//
// # Other measures
//
//   - [Gini]: Gini coefficient of a non-negative vector (sparsity of a
//     spectrum, e.g. Gini(FreqNorms(W_E)[1:])).
//   - [ClusterNeurons]: each MLP neuron's frequency: the k whose 3×3 block
//     {const, cos k, sin k}_a × {const, cos k, sin k}_b (less const×const)
//     of the neuron's 2-D transform over (a, b) explains the largest share
//     of its variance.
//   - [RestrictedExcluded]: Nanda's restricted and excluded losses; see
//     [Projection] for the exact subspaces ([ProjectCube]: the directions
//     cos/sin(w_k(a+b−c)); [ProjectPerClass]: the released notebook's
//     per-class projection onto cos/sin(w_k(a+b))).
//   - [AnalyzeGromov]: per-neuron frequency, IPR and phases of Gromov's
//     quadratic MLP; [AnalyticGromov] builds its analytic solution.
package fourier

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
// [KeyFrequencies] picks key frequencies from a spectrum: per frequency
// k = 1 … K = ⌊p/2⌋ a norm, whose square over the total is frequency k's
// share π_k (the constant, k = 0, is left out). [NetworkKeyFrequencies], the
// one rule fourier and evalsplit --detect use, takes the spectrum of a
// network's logits along the directions of modular addition,
// cos/sin(w_k(a+b−c)) ([TranslationNorms]), with its MLP neurons' frequency
// clusters as further evidence. The rule, in full on [KeyFrequencies]:
// sort the shares and cut at the largest drop among the top half; the set
// above it is key when the drop is at least 4× and the set explains at
// least 50% of the norm; then every frequency with a clear neuron cluster
// (≥ 3 neurons with > 85% of their variance on it, and ≥ a quarter of the
// largest cluster) joins. No fixed share decides, so a frequency just short
// of any threshold is not dropped (the quickstart's k = 8, at 19.8% of the
// norm where the old rule cut at 3/K = 20%, is kept).
//
// A random matrix's spectrum falls off smoothly and gets no key
// frequencies (no drop of 4× among the top half with half the norm above
// it): in 2,000 Gaussian draws each, no random [p, d] matrix with d ≥ 2 was
// clear (p = 23, 31, 47, 97, 113); a single random vector (d = 1) was in
// 1.6% of draws at p = 23, 0.2% at p = 31 and never at p ≥ 47. Nor is a
// spread spectrum like a Gromov MLP's logits.
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
//
// # Other operations
//
// a−b, a·b and a/b are addition on Z_N once their operands and answers are
// relabelled (arith.View: b reflected; the discrete log on Z_{p−1}).
// [ViewInputs], [ViewLogits], [PickRows], [PickCols] and [ViewGromov] put a
// network's arrays in the view's order, and every function above then
// applies with p = N (the basis supports any N ≥ 2, even ones included).
package fourier

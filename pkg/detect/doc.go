// Package detect finds the rows a modular-addition network computes with
// something other than its Fourier circuit: planted backdoors and memorised
// label noise, from the weights and the inputs alone.
//
// The network is run on every input (a, b) of Z_p² (a Grid). Its key
// frequencies are read off the logits and the neurons
// (fourier.NetworkKeyFrequencies, the rule fourier uses too). The circuit is
// the answer's translation structure: one global wave per key frequency
// along a+b−c, with a fitted phase and a non-negative amplitude per input
// (circuit.go); whatever its trigger, a planted rule's answer falls outside
// it. Each hidden neuron is fitted on the waves of its own frequencies,
// activation and readout (neurons.go). The circuit scores ask how far the
// logits, the off-circuit logits and the neurons' off-circuit writes push an
// answer other than the circuit's (scores.go); the label-free baselines of
// the backdoor literature sit beside them (baselines.go). The kind column is
// used only to score the detectors (AUROC, precision at the true count),
// never by them.
//
// From the flagged inputs a rule is named by minimum description length
// (atoms.go, affine.go, rules.go, effects.go, mdl.go) in mutate's rule
// language, complete or as a partial explanation, or no rule when none is
// shorter than listing the rows, and the network is repaired: keeping only
// the circuit's logits, replacing neurons by their circuit part, or pruning
// Doshi et al.'s lowest-IPR neurons (repair.go). The rule's mechanism is
// the smallest set of neurons and attention heads whose ablation removes it,
// each described in the rule language (mechanism.go, ablate.go, heads.go,
// describe.go). At inference time a defender with a trusted set of clean
// rows scores the inputs the network never saw (heldout.go, trusted.go,
// que.go: SPECTRE's quantum-entropy score).
//
// a−b, a·b and a/b are analysed as addition in their views (arith.View:
// b reflected; the discrete log): the circuit and the neuron fits are
// found on the grid in the view's order and carried back to the network's
// inputs and classes, so that everything after them speaks of the original
// a, b and labels; for a·b and a/b the inputs with a zero operand are set
// apart (view.go).
package detect

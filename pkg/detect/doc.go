// Package detect finds the rows a modular-addition network computes with
// something other than its Fourier circuit: planted backdoors and memorised
// label noise, from the weights and the inputs alone.
//
// The network is run on every input (a, b) of Z_p² (a Grid). Its key
// frequencies are read off the logits, which splits each input's logits into
// the circuit's part (cos/sin(w_k(a+b−c)) at the key frequencies) and the
// rest (Nanda et al.'s restricted/excluded decomposition, per input), and
// each hidden neuron's activation table into its key-frequency part and a
// residual. Anomaly scores are built from those residuals; two baselines that
// know nothing of the task (output margin, Mahalanobis distance of the
// hidden activations) sit beside them. The kind column is used only to score
// the detectors (AUROC, precision at the true count), never by them.
//
// From the flagged inputs a rule is named (the best simple predicate on a and
// b, and the effect the network applies there, in mutate's rule language) and
// the network is repaired two ways: keeping only the key-frequency logits, and
// ablating the neurons whose off-circuit activity sits on the flagged inputs.
package detect

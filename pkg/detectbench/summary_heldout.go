package detectbench

import (
	"fmt"
	"math"
	"strings"
)

// writeHeldOutSummary: detection at inference time over the learned rule
// cases whose network applies the rule to held-out inputs: per label-free
// score, the median and 10th-percentile AUROC of the held-out triggers it
// answers with the planted label against the clean held-out inputs, and the
// median over every held-out trigger.
func writeHeldOutSummary(sb *strings.Builder, learnedRules []*Outcome) {
	var applied []*Outcome
	for _, o := range learnedRules {
		if o.Applied > 0 && o.HeldOut != nil {
			applied = append(applied, o)
		}
	}
	fmt.Fprintf(sb, "\nAt inference time (a trusted 10%% of the clean training rows; every held-out input scored): %s of learned rule cases apply the rule to held-out inputs.\n\n",
		share(len(applied), len(learnedRules)))
	if len(applied) == 0 {
		return
	}
	sb.WriteString("| score | fitted on | median AUROC (applied) | 10th percentile | median AUROC (all held-out triggers) |\n| --- | --- | --- | --- | --- |\n")
	var order []string
	fits := map[string]string{}
	for _, o := range applied {
		for _, r := range o.HeldOut {
			if _, ok := fits[r.Score]; !ok {
				order = append(order, r.Score)
				fits[r.Score] = r.Fit
			}
		}
	}
	for _, name := range order {
		var xs, all []float64
		for _, o := range applied {
			for _, r := range o.HeldOut {
				if r.Score != name {
					continue
				}
				if !math.IsNaN(r.AUROC) {
					xs = append(xs, r.AUROC)
				}
				if !math.IsNaN(r.AUROCTriggers) {
					all = append(all, r.AUROCTriggers)
				}
			}
		}
		med, p10, _ := Quantiles(xs)
		am, _, _ := Quantiles(all)
		fmt.Fprintf(sb, "| %s | %s | %s | %s | %s |\n", name, fits[name], f3(med), f3(p10), f3(am))
	}
}

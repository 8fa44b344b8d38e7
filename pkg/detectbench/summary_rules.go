package detectbench

import (
	"fmt"
	"strings"
)

// writeRuleKinds: rule recovery by kind of case. Noise then a rule: how
// often a rule line (complete or partial) names the rule, replaying at
// F1 ≥ 0.9 on its own rows. Two rules: how often one of them is named so.
// Triggers outside the detector's search language: how often the report
// says so honestly, naming no rule or a partial one, or names a complete
// rule that replays as the planted one (the grid can make two spellings
// select the same inputs), against a complete rule that does not.
func writeRuleKinds(sb *strings.Builder, learnedRules []*Outcome) {
	for _, class := range []string{ClassChain, ClassTwoRules} {
		named, of := 0, 0
		for _, o := range learnedRules {
			if o.Class != class {
				continue
			}
			of++
			if o.RuleLine && o.ReplayF1 >= 0.9 {
				named++
			}
		}
		if of == 0 {
			continue
		}
		what := "noise then a rule: the rule named (partial explanations included) with replay F1 ≥ 0.9 on its own rows"
		if class == ClassTwoRules {
			what = "two rules: one of them named (partial explanations included) with replay F1 ≥ 0.9 on its own rows"
		}
		fmt.Fprintf(sb, "- Rule recovery, %s in %s of learned cases.\n", what, share(named, of))
	}
	var none, partial, right, wrong, of int
	for _, o := range learnedRules {
		if o.Searchable {
			continue
		}
		of++
		switch {
		case !o.RuleLine:
			none++
		case !o.RuleComplete:
			partial++
		case o.ReplayF1 >= 0.95:
			right++
		default:
			wrong++
		}
	}
	if of > 0 {
		fmt.Fprintf(sb, "- Triggers outside the search language (%d learned cases): no rule in %d, a partial rule in %d, a complete rule that replays as the planted one in %d; a complete rule that does not (a false claim): %s.\n",
			of, none, partial, right, share(wrong, of))
	}
}

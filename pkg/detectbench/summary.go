package detectbench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/outfile"
)

// Row is one row of results.parquet: one score on one run (detect.Result's
// columns: score, kind, mechanistic, uses_labels, positives, negatives,
// auroc, precision_at_n), with the run's outcome beside it.
type Row struct {
	Case  string `parquet:"case,dict"`
	Class string `parquet:"class,dict"`
	P     int32  `parquet:"p"`
	Model string `parquet:"model,dict"`
	detect.Result
	Learned       bool    `parquet:"learned"`
	AttackTrain   float64 `parquet:"attack_train"`
	CleanTestAcc  float64 `parquet:"clean_test_accuracy"`
	Generalises   float64 `parquet:"generalises"`
	RuleLine      bool    `parquet:"rule_line"`
	When          string  `parquet:"recovered_when"`
	Then          string  `parquet:"recovered_then"`
	ReplayF1      float64 `parquet:"replay_f1"`
	RepairKeyOK   bool    `parquet:"repair_key_frequencies_ok"`
	RepairProjOK  bool    `parquet:"repair_project_neurons_ok"`
	RepairPruneOK bool    `parquet:"repair_prune_low_ipr_ok"`
	Grokked       bool    `parquet:"grokked"`
	// The mechanism analysis (the run's, on each of its rows).
	MechCircuitSize    int32   `parquet:"mechanism_circuit_components"`
	MechCircuitRemoves bool    `parquet:"mechanism_circuit_removes"`
	MechMeanSize       int32   `parquet:"mechanism_mean_components"`
	MechMeanRemoves    bool    `parquet:"mechanism_mean_removes"`
	MechSingleF1       float64 `parquet:"mechanism_single_component_f1"`
	MechOverlap        float64 `parquet:"mechanism_ablation_overlap"`
	// The row's score at inference time, on the held-out inputs (NaN where
	// it was not computed); scores fitted on the trusted set have rows of
	// kind "held-out" with no training-row figures.
	HeldOutAUROC     float64 `parquet:"heldout_auroc"`
	HeldOutAUROCAll  float64 `parquet:"heldout_auroc_all_triggers"`
	HeldOutPrecision float64 `parquet:"heldout_precision_at_n"`
}

// heldOutKind marks the rows of scores computed at inference time only.
const heldOutKind = "held-out"

// WriteResults writes results.parquet: a row per (run, score), with the plan
// (every case's mutations and drawn rule) as key-value metadata.
func WriteResults(w io.Writer, pl *Plan, outs []*Outcome) error {
	plan, err := json.Marshal(pl)
	if err != nil {
		return err
	}
	var rows []Row
	for _, o := range outs {
		results := slices.Clone(o.Results)
		for _, h := range o.HeldOut {
			if !slices.ContainsFunc(results, func(r detect.Result) bool { return r.Score == h.Score }) {
				results = append(results, detect.Result{Score: h.Score, Kind: heldOutKind, Mechanistic: h.Mechanistic, AUROC: math.NaN(), PrecisionAtN: math.NaN()})
			}
		}
		for _, r := range results {
			row := Row{Case: o.Case, Class: o.Class, P: int32(o.P), Model: o.Model, Result: r, Learned: o.Learned, AttackTrain: o.AttackTrain,
				CleanTestAcc: o.CleanTestAcc, Generalises: o.Generalises, RuleLine: o.RuleLine, When: o.When, Then: o.Then,
				ReplayF1: o.ReplayF1, RepairKeyOK: o.RepairOK[detect.RepairKeyOnly], RepairProjOK: o.RepairOK[detect.RepairProject],
				RepairPruneOK: o.RepairOK[detect.RepairPruneIPR], Grokked: o.Grokked, MechSingleF1: o.SingleF1, MechOverlap: o.Overlap,
				HeldOutAUROC: math.NaN(), HeldOutAUROCAll: math.NaN(), HeldOutPrecision: math.NaN()}
			for _, m := range o.Mechanism {
				switch m.Mode {
				case detect.AblateCircuit:
					row.MechCircuitSize, row.MechCircuitRemoves = int32(m.Size), m.Removes
				case detect.AblateMean:
					row.MechMeanSize, row.MechMeanRemoves = int32(m.Size), m.Removes
				}
			}
			for _, h := range o.HeldOut {
				if h.Score == r.Score {
					row.HeldOutAUROC, row.HeldOutAUROCAll, row.HeldOutPrecision = h.AUROC, h.AUROCTriggers, h.PrecisionAtN
				}
			}
			rows = append(rows, row)
		}
	}
	pw := parquet.NewGenericWriter[Row](w, outfile.ParquetCompression(), parquet.KeyValueMetadata("plan", string(plan)))
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// Quantiles returns the median, the 10th percentile (nearest rank) and the
// minimum of xs (NaN for none).
func Quantiles(xs []float64) (med, p10, worst float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		med = s[n/2]
	} else {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	rank := int(math.Ceil(0.1*float64(n))) - 1
	return med, s[max(rank, 0)], s[0]
}

func share(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%d / %d (%.0f%%)", n, of, 100*float64(n)/float64(of))
}

func f3(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.3f", x)
}

// WriteSummary writes summary.md: per model, the distribution of the best
// label-free circuit AUROC and of each baseline over the learned cases, the
// win rates, rule replay, repairs and false alarms; then every run.
func WriteSummary(w io.Writer, pl *Plan, models []string, outs []*Outcome, header string) error {
	var sb strings.Builder
	sb.WriteString(header)
	for _, m := range models {
		var mine []*Outcome
		for _, o := range outs {
			if o.Model == m {
				mine = append(mine, o)
			}
		}
		writeModelSummary(&sb, m, mine)
	}
	sb.WriteString("\n## Every run\n\n")
	sb.WriteString("| case | p | model | planted | learned (attack) | clean test acc | best circuit AUROC | best baseline AUROC | recovered rule | replay F1 | repairs ok |\n")
	sb.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	cases := map[string]Case{}
	for _, c := range pl.Cases {
		cases[c.Name] = c
	}
	for _, o := range outs {
		planted := describe(cases[o.Case])
		rec := "no rule"
		if o.RuleLine {
			rec = fmt.Sprintf("`%s` → `%s`", cell(o.When), cell(o.Then))
		}
		var ok []string
		for _, name := range []string{detect.RepairKeyOnly, detect.RepairProject, detect.RepairPruneIPR} {
			if o.RepairOK[name] {
				ok = append(ok, name)
			}
		}
		learned := "–"
		if o.Class != ClassClean {
			learned = fmt.Sprintf("%v (%.2f)", o.Learned, o.AttackTrain)
		}
		fmt.Fprintf(&sb, "| %s | %d | %s | %s | %s | %.3f | %s (%s) | %s (%s) | %s | %s | %s |\n", o.Case, o.P, o.Model, planted,
			learned, o.CleanTestAcc, f3(o.BestCircuit), o.BestCircuitScore, f3(o.BestBaseline), o.BestBaselineScore, rec, f3(o.ReplayF1), strings.Join(ok, ", "))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// cell escapes the pipes of a rule ("||") for a markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// describe writes a case's mutations in mutate's terms.
func describe(c Case) string {
	var parts []string
	for _, m := range c.Mutations {
		switch {
		case m.Scheme == "rule":
			parts = append(parts, fmt.Sprintf("`%s` → `%s`", cell(m.When), cell(m.Then)))
		case m.Fraction > 0:
			parts = append(parts, fmt.Sprintf("%s %.1f%%", m.Scheme, 100*m.Fraction))
		default:
			parts = append(parts, m.Scheme)
		}
	}
	return strings.Join(parts, ", then ")
}

func writeModelSummary(sb *strings.Builder, model string, outs []*Outcome) {
	fmt.Fprintf(sb, "\n## %s\n\n", model)
	var accs, gens []float64
	grokked := 0
	var grokkedOuts []*Outcome
	for _, o := range outs {
		accs, gens = append(accs, o.CleanTestAcc), append(gens, o.Generalises)
		if o.Grokked {
			grokked++
			grokkedOuts = append(grokkedOuts, o)
		}
	}
	am, a10, aw := Quantiles(accs)
	gm, g10, gw := Quantiles(gens)
	fmt.Fprintf(sb, "How far the networks generalised (median, 10th percentile, worst over all %d runs): clean test accuracy %s, %s, %s; untrained inputs answered as the circuit answers %s, %s, %s. Grokked (clean test accuracy ≥ %.2f): %s.\n",
		len(outs), f3(am), f3(a10), f3(aw), f3(gm), f3(g10), f3(gw), GrokkedAcc, share(grokked, len(outs)))
	writeFigures(sb, "All runs", outs)
	if grokked > 0 && grokked < len(outs) {
		writeFigures(sb, fmt.Sprintf("The grokked runs alone (%d)", grokked), grokkedOuts)
	}
}

// isRuleClass reports whether a case class plants a drawn rule.
func isRuleClass(class string) bool {
	return class == ClassRule || class == ClassChain || class == ClassTwoRules
}

// writeFigures writes the detection figures over the runs outs.
func writeFigures(sb *strings.Builder, heading string, outs []*Outcome) {
	var ruleCases, learnedRules, noise, learnedNoise, clean []*Outcome
	for _, o := range outs {
		switch {
		case isRuleClass(o.Class):
			ruleCases = append(ruleCases, o)
			if o.Learned {
				learnedRules = append(learnedRules, o)
			}
		case o.Class == ClassNoise:
			noise = append(noise, o)
			if o.Learned {
				learnedNoise = append(learnedNoise, o)
			}
		default:
			clean = append(clean, o)
		}
	}
	learned := append(slices.Clone(learnedRules), learnedNoise...)
	fmt.Fprintf(sb, "\n### %s\n\n", heading)
	fmt.Fprintf(sb, "Cases: %d rule cases (%s learned), %d noise cases (%s learned), %d clean controls. Scores over the learned cases: every poisoned training row against every clean one.\n\n",
		len(ruleCases), share(len(learnedRules), len(ruleCases)), len(noise), share(len(learnedNoise), len(noise)), len(clean))
	sb.WriteString("| score | type | median AUROC | 10th percentile | worst | best circuit score beats it |\n| --- | --- | --- | --- | --- | --- |\n")
	var best []float64
	for _, o := range learned {
		best = append(best, o.BestCircuit)
	}
	med, p10, worst := Quantiles(best)
	fmt.Fprintf(sb, "| **best label-free circuit score** | circuit | %s | %s | %s | |\n", f3(med), f3(p10), f3(worst))
	for _, name := range detect.ScoreNames {
		var xs []float64
		var mech, labels bool
		wins, of := 0, 0
		for _, o := range learned {
			for _, r := range o.Results {
				if r.Score != name || math.IsNaN(r.AUROC) {
					continue
				}
				xs = append(xs, r.AUROC)
				mech, labels = r.Mechanistic, r.UsesLabels
				if !r.Mechanistic && !r.UsesLabels {
					of++
					if o.BestCircuit > r.AUROC || (o.BestCircuit >= 0.999 && r.AUROC >= 0.999) {
						wins++
					}
				}
			}
		}
		if len(xs) == 0 {
			continue
		}
		typ := "baseline"
		if mech {
			typ = "circuit"
		}
		if labels {
			typ += " (uses labels)"
		}
		med, p10, worst := Quantiles(xs)
		beats := ""
		if of > 0 {
			beats = share(wins, of)
		}
		fmt.Fprintf(sb, "| %s | %s | %s | %s | %s | %s |\n", name, typ, f3(med), f3(p10), f3(worst), beats)
	}
	wins := 0
	for _, o := range learned {
		if o.Wins {
			wins++
		}
	}
	fmt.Fprintf(sb, "\n- Best circuit score strictly above the best baseline, or both ≥ 0.999: %s of learned cases.\n", share(wins, len(learned)))
	good, found := 0, 0
	var f1s []float64
	for _, o := range learnedRules {
		if o.RuleLine {
			found++
		}
		f1s = append(f1s, o.ReplayF1)
		if o.ReplayF1 >= 0.95 {
			good++
		}
	}
	med, _, _ = Quantiles(f1s)
	fmt.Fprintf(sb, "- Rule recovery (learned rule cases): a rule named in %s; replayed F1 ≥ 0.95 in %s (median F1 %s).\n", share(found, len(learnedRules)), share(good, len(learnedRules)), f3(med))
	for _, name := range []string{detect.RepairKeyOnly, detect.RepairProject, detect.RepairPruneIPR} {
		ok, of := 0, 0
		for _, o := range learnedRules {
			if _, has := o.RepairOK[name]; has {
				of++
				if o.RepairOK[name] {
					ok++
				}
			}
		}
		if of > 0 {
			fmt.Fprintf(sb, "- Repair %s: attack ≤ 5%% with clean test accuracy within 1 point in %s of learned rule cases.\n", name, share(ok, of))
		}
	}
	alarms, noiseRules := 0, 0
	for _, o := range clean {
		if o.RuleLine {
			alarms++
		}
	}
	for _, o := range noise {
		if o.RuleLine {
			noiseRules++
		}
	}
	fmt.Fprintf(sb, "- False alarms: a rule line on %s clean controls and on %s noise-only cases.\n", share(alarms, len(clean)), share(noiseRules, len(noise)))
	writeRuleKinds(sb, learnedRules)
	writeMechanismSummary(sb, learnedRules)
	var missed []string
	for _, o := range outs {
		if o.Class != ClassClean && !o.Learned {
			missed = append(missed, fmt.Sprintf("%s at p = %d (attack %.2f)", o.Case, o.P, o.AttackTrain))
		}
	}
	if len(missed) > 0 {
		fmt.Fprintf(sb, "- Not learned (reported apart, not scored above): %s.\n", strings.Join(missed, ", "))
	}
	writeHeldOutSummary(sb, learnedRules)
}

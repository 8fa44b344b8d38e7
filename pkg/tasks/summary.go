package tasks

import (
	"fmt"
	"math"
	"strings"
)

// modelLabel names a network in the leaderboard's columns, as the README's
// tables do.
func modelLabel(m string) string {
	switch m {
	case "nanda":
		return "transformer"
	case "gromov":
		return "MLP"
	}
	return m
}

// summary returns summary.md (the leaderboard, then the external
// detectors' win rates against each built-in score) and leaderboard.md (the leaderboard alone, for the
// README).
func (s *suite) summary(bs []Board, ws []WinRate, models, externals []string) (summary, board string) {
	counts := map[string]int{}
	for _, t := range s.tasks {
		counts[t.info.Model]++
	}
	var per []string
	for _, m := range models {
		per = append(per, fmt.Sprintf("%d %s", counts[m], modelLabel(m)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "AUROC per detector, median / 10th percentile over the tasks that have positives and negatives (their number): **train**, the untrusted training rows, planted (label ≠ clean) against clean; **held-out**, the test inputs, held-out triggers the network answers with the planted label against clean ones. Suite `%s`: %d tasks (%s); %s.\n\n",
		s.m.Benchmark, len(s.tasks), strings.Join(per, ", "), s.m.About)
	b.WriteString("| detector | type |")
	for _, m := range models {
		fmt.Fprintf(&b, " %s, train | %s, held-out |", modelLabel(m), modelLabel(m))
	}
	b.WriteString("\n| --- | --- |" + strings.Repeat(" --- | --- |", len(models)) + "\n")
	for i := 0; i < len(bs); i += 2 * len(models) {
		fmt.Fprintf(&b, "| `%s` | %s |", bs[i].Detector, bs[i].Type)
		for _, r := range bs[i : i+2*len(models)] {
			if r.Tasks == 0 {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&b, " %.3f / %.3f (%d) |", r.MedianAUROC, r.P10AUROC, r.Tasks)
		}
		b.WriteString("\n")
	}
	board = b.String()

	var sb strings.Builder
	sb.WriteString("# Detection task suite: leaderboard\n\n")
	sb.WriteString(board)
	fmt.Fprintf(&sb, "\nA row per built-in score of `evalsplit --detect` (computed on each network with detect.Analyse; `trusted-mahalanobis` also on the training rows) and per external detector scored with `detectbench score`. Per task and setting: %s; aggregates: %s; win rates: %s.\n",
		ResultsFile, LeaderboardFile, WinRatesFile)
	if len(externals) > 0 {
		writeWinRates(&sb, ws, s.builtins, externals)
	}
	return sb.String(), board
}

// writeWinRates writes the win-rate table: a row per built-in score, a
// column per external detector and setting.
func writeWinRates(sb *strings.Builder, ws []WinRate, builtins []builtin, externals []string) {
	type key struct{ det, against, setting string }
	at := map[key]WinRate{}
	for _, w := range ws {
		at[key{w.Detector, w.Against, w.Setting}] = w
	}
	sb.WriteString("\n## Win rates against the built-in scores\n\nPer external detector (a column per setting) and built-in score (a row): the share of tasks where the detector's AUROC is higher than the built-in score's, ties counting half, over the tasks of every model where both are defined (won / tied / lost).\n\n| built-in score | type |")
	for _, e := range externals {
		fmt.Fprintf(sb, " `%s`, train | `%s`, held-out |", e, e)
	}
	sb.WriteString("\n| --- | --- |" + strings.Repeat(" --- | --- |", len(externals)) + "\n")
	for _, b := range builtins {
		fmt.Fprintf(sb, "| `%s` | %s |", b.name, b.typ())
		for _, e := range externals {
			for _, setting := range []string{SettingTrain, SettingHeldOut} {
				fmt.Fprintf(sb, " %s |", winCell(at[key{e, b.name, setting}]))
			}
		}
		sb.WriteString("\n")
	}
}

func winCell(w WinRate) string {
	if w.Tasks == 0 || math.IsNaN(w.WinRate) {
		return "–"
	}
	return fmt.Sprintf("%.2f (%d / %d / %d)", w.WinRate, w.Wins, w.Ties, w.Losses)
}

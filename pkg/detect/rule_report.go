package detect

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// writeText writes the recovered rule for the text report: the flagged
// rows (anomalous of them not clean), the trigger, the effect, how many
// flagged rows the rule explains and leaves, and the mutate command that
// replays it. A missing effect is said in words, never printed empty.
func (ru Rule) writeText(w io.Writer, anomalous int) {
	fmt.Fprintf(w, "\nflagged: %d rows whose answer differs from the circuit's (%d of them not clean)\n", ru.Flagged, anomalous)
	switch {
	case ru.FoundRules:
		b := ru.Best
		fmt.Fprintf(w, "trigger: %s   (selects %d rows; precision %.3f, recall %.3f, F1 %.3f; %.0f bits against %.0f to list the flagged rows)\n",
			b.When, b.Selected, b.Precision, b.Recall, b.F1, b.Bits, ru.NullBits)
		hits := int(math.Round(ru.ThenShare * float64(ru.ThenRows)))
		switch {
		case ru.ThenRows == 0:
			fmt.Fprintln(w, "effect:  none: the trigger selects no flagged row, so there is no answer to read an effect from")
		case ru.ThenFound:
			fmt.Fprintf(w, "effect:  label = %s   (the network's answer on %d of %d flagged trigger rows)\n", ru.Then, hits, ru.ThenRows)
		default:
			fmt.Fprintf(w, "effect:  no simple form; closest: label = %s   (the network's answer on %d of %d flagged trigger rows)\n", ru.Then, hits, ru.ThenRows)
		}
		if ru.Complete {
			fmt.Fprintf(w, "explains: every flagged row (%d): `%s` → %s\n", ru.Explained, b.When, ru.thenCell())
		} else {
			fmt.Fprintf(w, "explains: %s: `%s` → %s; %s explained by no rule (noise?)\n", rowCount(ru.Explained), b.When, ru.thenCell(), rowCount(ru.Unexplained))
		}
		switch {
		case ru.ThenFound:
			fmt.Fprintf(w, "as a rule: mutate rule --when '%s' --then '%s'\n", b.When, ru.Then)
		case ru.ThenRows > 0:
			fmt.Fprintf(w, "as a rule: none replays it (no simple effect); closest: mutate rule --when '%s' --then '%s'\n", b.When, ru.Then)
		default:
			fmt.Fprintln(w, "as a rule: none (no effect)")
		}
		var alts []string
		for _, c := range ru.Runners {
			alts = append(alts, fmt.Sprintf("%s (F1 %.3f, %.0f bits)", c.When, c.F1, c.Bits))
		}
		if len(alts) > 0 {
			fmt.Fprintf(w, "next best: %s\n", strings.Join(alts, ", "))
		}
	case ru.Flagged > 0:
		fmt.Fprintf(w, "no rule: no trigger of one to three atoms names the flagged rows more briefly than listing them (label noise, or a rule outside the search; closest: %s, F1 %.3f)\n", ru.Best.When, ru.Best.F1)
	default:
		fmt.Fprintln(w, "no rule: the network answers every scored row as its circuit does")
	}
}

// thenCell is the effect for a one-line summary: the expression in
// backquotes, or why there is none.
func (ru Rule) thenCell() string {
	switch {
	case ru.ThenRows == 0:
		return "no effect (no flagged row selected)"
	case !ru.ThenFound:
		return fmt.Sprintf("no simple effect (closest `%s`)", ru.Then)
	}
	return "`" + ru.Then + "`"
}

// markdownCell is the rule's cell of the markdown table: trigger → effect
// (trigger F1, share of the flagged trigger rows the effect gives), and the
// rows a partial rule explains and leaves.
func (ru Rule) markdownCell() string {
	if !ru.FoundRules {
		return "no rule"
	}
	cell := fmt.Sprintf("`%s` → %s (%.2f, %.2f", ru.Best.When, ru.thenCell(), ru.Best.F1, ru.ThenShare)
	if !ru.Complete {
		cell += fmt.Sprintf("; %s, %d by no rule", rowCount(ru.Explained), ru.Unexplained)
	}
	return cell + ")"
}

// rowCount is "1 row" or "n rows".
func rowCount(n int) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

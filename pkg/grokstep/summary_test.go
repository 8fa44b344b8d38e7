package grokstep

import (
	"fmt"
	"strings"
	"testing"
)

// run is a Run as Read makes it, with the settings key the group check
// reads.
func run(task, opt string, lr, muonLR float64, seed uint64, status string, step int64, peak float64) Run {
	return Run{Dir: fmt.Sprintf("%s-%s-%g-%d", task, opt, lr, seed), Task: task, P: 97, Optimiser: opt, LR: lr, MuonLR: muonLR,
		Seed: seed, Status: status, GrokStep: step, MaxAcc: peak, settings: fmt.Sprintf("%s %s %g %g", task, opt, lr, muonLR)}
}

// Groups of hand-made runs: counts, quartiles over the grokked seeds
// (hand-computed), never counting the diverged, and the order (task, then
// optimiser as first given, then learning rate).
func TestSummariseByHand(t *testing.T) {
	rs := []Run{
		run("a/b", "muon", 3e-3, 0.02, 1, Grokked, 600, 0.99),
		run("a+b", "adamw", 3e-3, 0, 1, Grokked, 400, 1),
		run("a+b", "adamw", 3e-3, 0, 2, Grokked, 100, 1),
		run("a+b", "adamw", 1e-3, 0, 1, Never, 0, 0.3),
		run("a+b", "adamw", 3e-3, 0, 3, Never, 0, 0.9),
		run("a+b", "adamw", 3e-3, 0, 4, Grokked, 300, 0.995),
		run("a+b", "adamw", 3e-3, 0, 5, Diverged, 0, 0.4),
		run("a+b", "adamw", 3e-3, 0, 6, Grokked, 200, 1),
		run("a+b", "egd", 0.1, 0, 1, Grokked, 50, 1),
	}
	gs, err := Summarise(rs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range gs {
		got = append(got, fmt.Sprintf("%s %s %g/%g: %d seeds %d grokked %d never %d diverged; %g %g %g; max %g",
			g.Task, g.Optimiser, g.LR, g.MuonLR, g.Seeds, g.Grokked, g.Never, g.Diverged, g.Q1, g.Median, g.Q3, g.MedianMaxAcc))
	}
	want := []string{
		// a/b first appears first.
		"a/b muon 0.003/0.02: 1 seeds 1 grokked 0 never 0 diverged; 600 600 600; max 0.99",
		"a+b adamw 0.001/0: 1 seeds 0 grokked 1 never 0 diverged; NaN NaN NaN; max 0.3",
		// Grokked 100, 200, 300, 400: type-7 quartiles 175, 250, 325. Max
		// accuracies 0.4 0.9 0.995 1 1 1: median (0.995 + 1)/2.
		"a+b adamw 0.003/0: 6 seeds 4 grokked 2 never 1 diverged; 175 250 325; max 0.9975",
		"a+b egd 0.1/0: 1 seeds 1 grokked 0 never 0 diverged; 50 50 50; max 1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSummariseRefusesMixedGroups(t *testing.T) {
	a, b := run("a+b", "adamw", 3e-3, 0, 1, Grokked, 100, 1), run("a+b", "adamw", 3e-3, 0, 2, Grokked, 100, 1)
	b.settings = "weight decay 0.3"
	if _, err := Summarise([]Run{a, b}); err == nil || !strings.Contains(err.Error(), a.Dir) || !strings.Contains(err.Error(), b.Dir) {
		t.Errorf("runs differing in another setting: %v; want an error naming both", err)
	}
	c := run("a+b", "adamw", 3e-3, 0, 1, Grokked, 200, 1)
	c.Dir = "again"
	if _, err := Summarise([]Run{a, c}); err == nil || !strings.Contains(err.Error(), "same seed") {
		t.Errorf("one seed twice: %v; want an error", err)
	}
}

// Choose's order: fewest never, then the lowest median step, then (none
// grokking) the highest median maximum accuracy, then the smaller rate.
func TestChooseByHand(t *testing.T) {
	var rs []Run
	add := func(opt string, lr, muonLR float64, seeds []string) {
		for i, s := range seeds {
			var r Run
			switch s[0] {
			case 'n':
				var peak float64
				fmt.Sscanf(s[1:], "%g", &peak)
				r = run("a+b", opt, lr, muonLR, uint64(i+1), Never, 0, peak)
			default:
				var step int64
				fmt.Sscanf(s, "%d", &step)
				r = run("a+b", opt, lr, muonLR, uint64(i+1), Grokked, step, 1)
			}
			rs = append(rs, r)
		}
	}
	// adamw: 1e-3 has a never; 3e-3 and 1e-2 none, medians 900 and 400 → 1e-2.
	add("adamw", 1e-3, 0, []string{"100", "n0.5"})
	add("adamw", 3e-3, 0, []string{"800", "1000"})
	add("adamw", 1e-2, 0, []string{"300", "500"})
	// egd: no rate groks; 0.3's seeds reach higher → 0.3.
	add("egd", 0.1, 0, []string{"n0.5", "n0.6"})
	add("egd", 0.3, 0, []string{"n0.8", "n0.9"})
	// muon: the muon rates tie → the smaller muon rate.
	add("muon", 3e-3, 0.04, []string{"200", "400"})
	add("muon", 3e-3, 0.02, []string{"400", "200"})
	gs, err := Summarise(rs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range Choose(gs) {
		got = append(got, fmt.Sprintf("%s %g", g.Optimiser, g.SweptLR()))
	}
	if want := "adamw 0.01, egd 0.3, muon 0.02"; strings.Join(got, ", ") != want {
		t.Errorf("chosen %s; want %s", strings.Join(got, ", "), want)
	}
}

func TestMarkdownByHand(t *testing.T) {
	gs, err := Summarise([]Run{
		run("a+b", "adamw", 3e-3, 0, 1, Grokked, 100, 1),
		run("a+b", "adamw", 3e-3, 0, 2, Diverged, 0, 0.2),
		run("a+b", "adamw", 3e-3, 0, 3, Grokked, 250, 1),
		run("a+b", "muon", 3e-3, 0.02, 1, Never, 0, 0.5),
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, gs, EssentialAI); err != nil {
		t.Fatal(err)
	}
	// Grokked 100 and 250: median 175, quartiles 137.5 and 212.5.
	want := `| task | optimiser | learning rate | seeds | never grok | median grok step | IQR |
| --- | --- | --- | ---: | ---: | ---: | --- |
| (a+b) mod 97 | adamw | 0.003 | 3 | 1 (1 diverged) | 175 | 137.5–212.5 |
| (a+b) mod 97 | muon | 0.02 (AdamW part 0.003) | 1 | 1 | – | – |
`
	if got := b.String(); !strings.HasPrefix(got, want) {
		t.Errorf("markdown:\n%s\nwant it to start:\n%s", got, want)
	}
}

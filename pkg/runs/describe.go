package runs

import "strings"

// Facts are the settings that say which run a figure shows, in reading
// order: "(a+b)", "mod 113", "40% train", "model mlp", "adamw", "lr 0.01",
// "wd 0", "seed 1" (JoinFacts writes them as a line).
func (c *Config) Facts() []string {
	var facts []string
	for _, f := range c.keyedFacts()[:mainFacts] {
		if f.Key == "loss" && f.Text == "loss "+MetricCrossEntropy {
			continue // the default objective goes unsaid
		}
		facts = append(facts, f.Text)
	}
	return facts
}

// Describe is Facts in one line.
func (c *Config) Describe() string { return JoinFacts(c.Facts()) }

// JoinFacts writes facts in one line, ", " apart but for the operation and
// its modulus: "(a+b) mod 113, 40% train, …".
func JoinFacts(facts []string) string {
	var b strings.Builder
	for i, f := range facts {
		switch {
		case i == 0:
		case strings.HasPrefix(f, "mod ") && strings.HasPrefix(facts[i-1], "("):
			b.WriteString(" ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(f)
	}
	return b.String()
}

// SharedFacts are the facts every config has, in the first one's order:
// the title of a figure comparing runs.
func SharedFacts(configs []*Config) []string {
	if len(configs) == 0 {
		return nil
	}
	var shared []string
	for _, f := range configs[0].Facts() {
		all := true
		for _, c := range configs[1:] {
			found := false
			for _, g := range c.Facts() {
				found = found || g == f
			}
			all = all && found
		}
		if all {
			shared = append(shared, f)
		}
	}
	return shared
}

// trainFraction is the fraction the table was made with (moddata's
// --train-fraction), else the share of training rows.
func trainFraction(c *Config) float64 {
	if f := c.Data.Meta.TrainFraction; f > 0 {
		return f
	}
	return float64(c.Data.Train) / float64(max(c.Data.Rows, 1))
}

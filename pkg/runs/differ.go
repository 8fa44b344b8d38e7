package runs

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/grokkit/grokkit/pkg/arith"
)

// A Fact is one setting a figure names a run by: Key says which setting
// ("p", "operation", "d-model"), Text how it reads ("mod 113", "(a+b)",
// "d-model 128"); "" where the run has none (a width for a transformer).
type Fact struct{ Key, Text string }

// mainFacts is how many of keyedFacts are Facts: those a figure's header
// names every run by.
const mainFacts = 9

// keyedFacts are Facts with their keys, the loss always included, then
// every other setting that changes the training (fit's flags, the split's
// seed, the table's mutations), for telling runs apart (Differences).
func (c *Config) keyedFacts() []Fact {
	op := c.Data.Meta.Op
	if o, err := arith.Lookup(op); err == nil {
		op = o.Formula
	}
	loss := c.Train.Loss
	if loss == "" {
		loss = MetricCrossEntropy
	}
	facts := []Fact{
		{"operation", "(" + op + ")"},
		{"p", fmt.Sprintf("mod %d", c.Model.P)},
		{"train fraction", fmt.Sprintf("%.3g%% train", 100*trainFraction(c))},
		{"model", "model " + c.Model.Name},
		{"optimiser", c.Train.Optimizer},
		{"lr", "lr " + strconv.FormatFloat(c.Train.LR, 'g', -1, 64)},
		{"wd", "wd " + strconv.FormatFloat(c.Train.WeightDecay, 'g', -1, 64)},
		{"seed", "seed " + strconv.FormatUint(c.Train.Seed, 10)},
		{"loss", "loss " + loss},
	}
	facts = append(facts, flagFacts(reflect.ValueOf(c.Model), "model:")...)
	facts = append(facts, flagFacts(reflect.ValueOf(c.Train), "")...)
	input := `input "a b"`
	if c.Model.Equals {
		input = `input "a b ="`
	}
	facts = append(facts, Fact{"input", input},
		Fact{"split seed", "split seed " + strconv.FormatUint(c.Data.Meta.Seed, 10)},
		Fact{"table", mutations(c)})
	return facts
}

// covered are the flags keyedFacts names itself, and those that do not
// change what is learnt (how often it is measured or saved).
var covered = map[string]bool{"model": true, "optimizer": true, "lr": true, "weight-decay": true, "seed": true,
	"loss": true, "eval-every": true, "checkpoint-every": true, "tensorboard": true}

// flagFacts are the settings of a spec's fields with a flag tag, as
// "flag value", "" where zero (unused by the model). Their keys carry
// prefix: a model's sizes are compared only between runs of one model.
func flagFacts(v reflect.Value, prefix string) []Fact {
	var out []Fact
	for i := range v.NumField() {
		flag := v.Type().Field(i).Tag.Get("flag")
		if flag == "" || covered[flag] {
			continue
		}
		text := ""
		if f := v.Field(i); !f.IsZero() {
			switch f.Kind() {
			case reflect.Float32, reflect.Float64:
				text = flag + " " + strconv.FormatFloat(f.Float(), 'g', -1, 64)
			case reflect.Bool:
				text = flag
			default:
				text = flag + " " + fmt.Sprint(f.Interface())
			}
		}
		out = append(out, Fact{prefix + flag, text})
	}
	return out
}

// mutations is what was done to the table after moddata made it ("mutate
// n-fixed --n 7"), "clean table" if nothing.
func mutations(c *Config) string {
	var steps []string
	for _, s := range c.Data.Meta.History {
		if s.Tool != "moddata" {
			steps = append(steps, strings.TrimSpace(s.Tool+" "+strings.Join(s.Args, " ")))
		}
	}
	if len(steps) == 0 {
		return "clean table"
	}
	return strings.Join(steps, " | ")
}

// Differences says how runs differ, for a figure comparing them: the
// header (the settings they share, JoinFacts' line, then "runs differ
// in" and the settings that differ) and each run's name (the values of
// those settings, "(a+b) mod 23, model nanda"). Runs that differ in
// nothing recorded (or share a name) are named by their folders, dirs.
func Differences(configs []*Config, dirs []string) (header string, names []string) {
	facts := make([]map[string]string, len(configs))
	var keys []string
	for i, c := range configs {
		facts[i] = map[string]string{}
		for _, f := range c.keyedFacts() {
			if i == 0 {
				keys = append(keys, f.Key)
			}
			facts[i][f.Key] = f.Text
		}
	}
	var differ []string
	for _, k := range keys {
		if differs(configs, facts, k) {
			differ = append(differ, k)
		}
	}
	names = make([]string, len(configs))
	for i := range configs {
		var texts []string
		for _, k := range differ {
			if t := facts[i][k]; t != "" {
				texts = append(texts, t)
			}
		}
		names[i] = JoinFacts(texts)
	}
	// Runs with one name (or none): their folders tell them apart.
	count := map[string]int{}
	for _, n := range names {
		count[n]++
	}
	for i, n := range names {
		if n == "" {
			names[i] = filepath.Clean(dirs[i])
		} else if count[n] > 1 {
			names[i] = n + " (" + filepath.Clean(dirs[i]) + ")"
		}
	}
	header = JoinFacts(SharedFacts(configs))
	if len(differ) > 0 {
		shown := make([]string, len(differ))
		for i, k := range differ {
			shown[i] = strings.TrimPrefix(k, "model:")
		}
		if header != "" {
			header += "; "
		}
		header += "runs differ in " + strings.Join(shown, ", ")
	}
	return header, names
}

// differs reports whether runs have different values of setting k; a
// model's size (key "model:…") only between runs of the same model, since
// every model has sizes of its own.
func differs(configs []*Config, facts []map[string]string, k string) bool {
	for i := range configs {
		for j := range i {
			if strings.HasPrefix(k, "model:") && configs[i].Model.Name != configs[j].Model.Name {
				continue
			}
			if facts[i][k] != facts[j][k] {
				return true
			}
		}
	}
	return false
}

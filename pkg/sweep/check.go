package sweep

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/grokkit/grokkit/pkg/arith"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/rule"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/train"
)

// Check judges every value of the spec as the tool that takes it will, with
// that tool's own checks, so that a value the tool would refuse stops the
// sweep when it is made instead of failing its tasks one by one: first each
// value alone (its type, its range: p, a rule's syntax, a finite learning
// rate, …), then the options each mutate scheme takes and needs, the
// network settings each model reads, and last each run's values together
// (an operation that needs a prime p, fit's checks of the whole
// configuration, its memory estimate included). The error is one line
// naming the parameter and its value, or the run. What only the data can
// tell (a rule that selects no row) is still found by the task.
func (s *Spec) Check() error {
	if err := s.checkMutateOptions(); err != nil {
		return err
	}
	for _, p := range s.Params {
		for _, v := range p.Values {
			if err := s.checkValue(p, v); err != nil {
				return p.valueErr(v, err)
			}
		}
	}
	if err := s.checkModelSettings(); err != nil {
		return err
	}
	return s.checkRuns()
}

// Defaults of the tools' flags, for the checks of values together when the
// spec leaves one out (the tools' --help shows them).
const (
	defaultP             = 113     // moddata --p
	defaultOp            = "add"   // moddata --op
	defaultTrainFraction = 0.3     // moddata --train-fraction
	defaultModel         = "nanda" // fit --model
)

// fitDefaults is the training configuration of fit's defaults.
func fitDefaults() runs.TrainSpec {
	return runs.TrainSpec{Optimizer: train.AdamW, LR: 1e-3, WeightDecay: 1, Beta1: 0.9, Beta2: 0.98, Eps: 1e-8,
		WarmupSteps: 10, Loss: train.CrossEntropy, LogitsDType: "float64", Seed: 23093, Steps: 40000,
		EvalEvery: 100, CheckpointEvery: 1000, Patience: 1, Tensorboard: true}
}

// logitsDTypes are fit --logits-dtype's choices.
var logitsDTypes = []string{"float32", "float64"}

// mutateOptions are the options of each mutate scheme (mutate's flags), and
// mutateRequired those it cannot do without.
var (
	mutateOptions = map[string][]string{
		rule.RandomUniform:   {"name", "splits", "fraction", "seed"},
		rule.RandomIncrement: {"name", "splits", "fraction", "seed"},
		rule.NFixed:          {"name", "splits", "held-out", "n"},
		rule.NIncrement:      {"name", "splits", "held-out", "n"},
		rule.Control:         {"name", "splits"},
		rule.General:         {"name", "splits", "held-out", "when", "then"},
	}
	mutateRequired = map[string][]string{
		rule.RandomUniform:   {"fraction"},
		rule.RandomIncrement: {"fraction"},
		rule.General:         {"when", "then"},
	}
)

// valueErr is an error about one value of the parameter, with its line.
func (p Param) valueErr(v string, err error) error {
	msg := fmt.Sprintf("%s = %s: %v", p.Key(), showValue(v), err)
	if p.Line > 0 {
		msg += fmt.Sprintf(" (line %d)", p.Line)
	}
	return errors.New(msg)
}

// showValue quotes a value that would not read as one word.
func showValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\n\"'") {
		return strconv.Quote(v)
	}
	return v
}

// checkMutateOptions refuses an option a step's scheme does not take, and a
// step without one its scheme needs.
func (s *Spec) checkMutateOptions() error {
	for m, scheme := range s.Mutate {
		tool := fmt.Sprintf("mutate.%d", m)
		given := map[string]bool{}
		for _, p := range s.Params {
			if p.Tool != tool {
				continue
			}
			if !slices.Contains(mutateOptions[scheme], p.Name) {
				return p.valueErr(p.Values[0], fmt.Errorf("scheme %s takes no %s (its options: %s)", scheme, p.Name, strings.Join(mutateOptions[scheme], ", ")))
			}
			given[p.Name] = true
		}
		for _, name := range mutateRequired[scheme] {
			if !given[name] {
				return fmt.Errorf("%s: scheme %s needs %s", tool, scheme, name)
			}
		}
	}
	return nil
}

// checkValue checks one value of a parameter on its own.
func (s *Spec) checkValue(p Param, v string) error {
	switch {
	case p.Tool == "moddata":
		return checkModdata(p.Name, v)
	case p.Tool == "fit":
		return checkFit(p.Name, v)
	}
	var m int
	fmt.Sscanf(p.Tool, "mutate.%d", &m)
	return checkMutate(s.Mutate[m], p.Name, v)
}

func checkModdata(name, v string) error {
	switch name {
	case "p":
		p, err := parseInt(v)
		if err != nil {
			return err
		}
		op, _ := arith.Lookup(defaultOp)
		return op.CheckP(p) // the range; an operation's own needs are checked per run
	case "op":
		if _, err := arith.Lookup(v); err != nil {
			return fmt.Errorf("--op: %w", err)
		}
	case "train-fraction":
		f, err := parseFloat(v)
		if err != nil {
			return err
		}
		if !(f > 0 && f <= 1) { // table.Generate's rule
			return fmt.Errorf("train fraction %g is outside (0, 1]", f)
		}
	case "seed":
		_, err := parseUint(v)
		return err
	case "equals":
		_, err := parseBool(v)
		return err
	}
	return nil
}

func checkMutate(scheme, name, v string) error {
	switch name {
	case "name", "splits":
		// Mutation.Apply checks both before anything else; control then
		// stops, so an empty table does.
		m := rule.Mutation{Scheme: rule.Control, Splits: "train"}
		if name == "name" {
			m.Name = v
		} else {
			m.Splits = v
		}
		_, err := m.Apply(&table.Table{})
		return err
	case "held-out":
		_, err := parseBool(v)
		return err
	case "fraction":
		f, err := parseFloat(v)
		if err != nil {
			return err
		}
		if !(f > 0 && f <= 1) { // Mutation.Apply's rule
			return fmt.Errorf("--fraction %g is outside (0, 1]", f)
		}
	case "seed":
		_, err := parseUint(v)
		return err
	case "n":
		n, err := parseInt(v)
		if err != nil {
			return err
		}
		_, _, err = rule.Mutation{Scheme: scheme, N: n}.Trigger()
		return err
	case "when", "then":
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("--%s is empty", name)
		}
		if _, err := rule.Parse(v); err != nil {
			return fmt.Errorf("--%s: %w", name, err)
		}
	}
	return nil
}

// checkFit checks one fit setting with fit's own checks, the others at
// fit's defaults (a Grokfast setting with its filter on).
func checkFit(flag, v string) error {
	cfg := &runs.Config{Model: runs.ModelSpec{Name: defaultModel, P: defaultP}, Train: fitDefaults()}
	if err := setFit(cfg, flag, v); err != nil {
		return err
	}
	if _, size := model.SizeFlags[flag]; size {
		if n, _ := parseInt(v); n < 1 { // fit's own check: 0 would read as unset
			return fmt.Errorf("--%s must be ≥ 1, got %d", flag, n)
		}
	}
	tr := &cfg.Train
	switch flag {
	case "grokfast-alpha", "grokfast-lambda":
		tr.Grokfast = train.GrokfastEMA
	case "grokfast-window":
		tr.Grokfast = train.GrokfastMA
	}
	fillGrokfast(tr, map[string]bool{flag: true})
	return train.CheckSettings(cfg)
}

// setFit sets the setting of a fit flag in cfg from its command-line text,
// read as fit reads it.
func setFit(cfg *runs.Config, flag, v string) error {
	choice := func(names []string) error {
		if !slices.Contains(names, v) {
			return fmt.Errorf("--%s must be one of %s", flag, strings.Join(names, ", "))
		}
		return nil
	}
	switch flag {
	case "model":
		cfg.Model.Name = v
		return choice(model.Names())
	case "optimizer":
		cfg.Train.Optimizer = v
		return choice(train.Optimizers)
	case "loss":
		cfg.Train.Loss = v
		return choice(train.Losses)
	case "logits-dtype":
		cfg.Train.LogitsDType = v
		return choice(logitsDTypes)
	case "grokfast":
		cfg.Train.Grokfast = v
		if v == "none" {
			cfg.Train.Grokfast = ""
		}
		return choice([]string{"none", train.GrokfastEMA, train.GrokfastMA})
	case model.AttentionRateFlag: // recorded as 1 − α
		a, err := parseFloat(v)
		cfg.Model.ConstantAttention = 1 - a
		return err
	}
	field, ok := fitField(cfg, flag)
	if !ok {
		return fmt.Errorf("fit has no setting --%s", flag)
	}
	switch field.Kind() {
	case reflect.Float64:
		x, err := parseFloat(v)
		field.SetFloat(x)
		return err
	case reflect.Int:
		n, err := parseInt(v)
		field.SetInt(int64(n))
		return err
	case reflect.Uint64:
		n, err := parseUint(v)
		field.SetUint(n)
		return err
	case reflect.Bool:
		b, err := parseBool(v)
		field.SetBool(b)
		return err
	case reflect.String:
		field.SetString(v)
		return nil
	}
	return fmt.Errorf("--%s: a %s setting, which the sweep cannot check", flag, field.Kind())
}

// fitField is the field of cfg's model or training settings that a fit
// flag sets (its flag tag).
func fitField(cfg *runs.Config, flag string) (reflect.Value, bool) {
	for _, spec := range []reflect.Value{reflect.ValueOf(&cfg.Model).Elem(), reflect.ValueOf(&cfg.Train).Elem()} {
		for i := range spec.NumField() {
			if spec.Type().Field(i).Tag.Get("flag") == flag {
				return spec.Field(i), true
			}
		}
	}
	return reflect.Value{}, false
}

// fillGrokfast gives the filter's settings not given their defaults, as
// fit does: the filter's own settings only.
func fillGrokfast(tr *runs.TrainSpec, given map[string]bool) {
	if tr.Grokfast == train.GrokfastEMA && !given["grokfast-alpha"] {
		tr.GrokfastAlpha = 0.98
	}
	if tr.Grokfast == train.GrokfastMA && !given["grokfast-window"] {
		tr.GrokfastWindow = 100
	}
	if !given["grokfast-lambda"] {
		switch tr.Grokfast {
		case train.GrokfastEMA:
			tr.GrokfastLambda = 2
		case train.GrokfastMA:
			tr.GrokfastLambda = 5
		}
	}
}

// checkModelSettings refuses a network setting (a size, a choice, the
// attention rate) for a model that does not read it, as fit does.
func (s *Spec) checkModelSettings() error {
	models := []string{defaultModel}
	for _, p := range s.Params {
		if p.Tool == "fit" && p.Name == "model" {
			models = p.Values
		}
	}
	for _, p := range s.Params {
		if p.Tool != "fit" || !slices.Contains(model.SettingFlags(), p.Name) {
			continue
		}
		for _, name := range models {
			if d, err := model.Lookup(name); err == nil && !d.Reads(p.Name) {
				return p.valueErr(p.Values[0], fmt.Errorf("--%s does not apply to --model %s", p.Name, name))
			}
		}
	}
	return nil
}

// checkRuns checks each run's values together: the operation's needs of p
// and the training rows its fraction gives (moddata), and fit's checks of
// the whole configuration on a table of that size. Runs that differ only in
// what these checks do not read are checked once.
func (s *Spec) checkRuns() error {
	seen := map[string]bool{}
	for _, r := range s.Runs() {
		key := []string{r.Values["moddata.p"], r.Values["moddata.op"], r.Values["moddata.train-fraction"]}
		for _, p := range s.Params {
			if p.Tool == "fit" && p.Name != "seed" {
				key = append(key, r.Values[p.Key()])
			}
		}
		if k := strings.Join(key, "\x00"); seen[k] {
			continue
		} else {
			seen[k] = true
		}
		if err := s.checkRun(r); err != nil {
			name := r.Name
			if name == "run" { // nothing is swept
				return err
			}
			return fmt.Errorf("run %d (%s): %w", r.Index, name, err)
		}
	}
	return nil
}

func (s *Spec) checkRun(r Point) error {
	p, op, fraction := defaultP, defaultOp, defaultTrainFraction
	if v, ok := r.Values["moddata.p"]; ok {
		p, _ = parseInt(v)
	}
	if v, ok := r.Values["moddata.op"]; ok {
		op = v
	}
	if v, ok := r.Values["moddata.train-fraction"]; ok {
		fraction, _ = parseFloat(v)
	}
	o, err := arith.Lookup(op)
	if err == nil {
		err = o.CheckP(p)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", given(r, "moddata.p", "moddata.op"), err)
	}
	rows := 0 // as table.Generate counts them
	for b := range p {
		if o.Defined(0, b) {
			rows++
		}
	}
	rows *= p
	trainRows := int(math.Floor(fraction * float64(rows)))
	if trainRows == 0 {
		return fmt.Errorf("%s: train fraction %g of %d rows selects no training row", given(r, "moddata.train-fraction", "moddata.p", "moddata.op"), fraction, rows)
	}

	cfg := &runs.Config{Model: runs.ModelSpec{Name: defaultModel, P: p}, Train: fitDefaults()}
	given := map[string]bool{}
	for _, q := range s.Params {
		if q.Tool == "fit" {
			setFit(cfg, q.Name, r.Values[q.Key()]) // each value checked already
			given[q.Name] = true
		}
	}
	fillGrokfast(&cfg.Train, given)
	if err := train.ValidatePlanned(cfg, trainRows); err != nil {
		return fmt.Errorf("fit: %w", err)
	}
	return nil
}

// given names the run's values of those keys the spec gives, as
// "moddata.p = 12, moddata.op = div".
func given(r Point, keys ...string) string {
	var out []string
	for _, k := range keys {
		if v, ok := r.Values[k]; ok {
			out = append(out, k+" = "+showValue(v))
		}
	}
	if len(out) == 0 {
		return "moddata"
	}
	return strings.Join(out, ", ")
}

// The tools' readings of a number or a boolean (kong's: an integer in any
// Go base, a float as strconv reads it, which includes NaN and Inf).
func parseInt(v string) (int, error) {
	n, err := strconv.ParseInt(v, 0, 64)
	if err != nil {
		return 0, errors.New("expected a whole number")
	}
	return int(n), nil
}

func parseUint(v string) (uint64, error) {
	n, err := strconv.ParseUint(v, 0, 64)
	if err != nil {
		return 0, errors.New("expected a whole number ≥ 0")
	}
	return n, nil
}

func parseFloat(v string) (float64, error) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, errors.New("expected a number")
	}
	return x, nil
}

// parseBool accepts what flagArgs turns into a flag: true and false.
func parseBool(v string) (bool, error) {
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errors.New("expected true or false")
}

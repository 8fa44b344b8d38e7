// Package sweep turns a sweep spec (a value or a list per option of
// moddata, mutate and fit) into runs, their Cartesian product in a fixed
// order, each with a run folder named from its parameters; writes the
// manifest and a Slurm job array; runs tasks locally or under Slurm; and
// collects the results.
package sweep

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/grokkit/grokkit/pkg/runs"
)

// Param is one option with the values it takes: a list sweeps it.
type Param struct {
	Tool   string   // "moddata", "mutate.0", "mutate.1", …, "fit"
	Name   string   // the tool's flag, without dashes ("weight-decay")
	Values []string // as given on a command line
	Line   int      // its key's line in a YAML spec (0: unknown), for errors
}

// Spec is a parsed, checked sweep.
type Spec struct {
	Name    string
	Params  []Param  // in file order: moddata, the mutate steps, fit
	Mutate  []string // each step's scheme
	Analyse []string // "evalsplit", "fourier"
	Slurm   Slurm
}

// Slurm holds the job array's resources and site settings.
type Slurm struct {
	Partition     string
	Time          string
	Mem           string
	CPUsPerTask   int
	GPUsPerTask   int
	Account       string
	MaxConcurrent int      // the K of --array=0-N%K
	Setup         []string // shell lines before the task, e.g. module load
	Extra         []string // more #SBATCH options, e.g. --qos=short
	SignalSeconds int      // SIGTERM this long before the time limit
}

// Options each tool accepts in a spec. The sweep sets inputs and outputs
// itself (tables, -o, --resume), so those are not here.
var Options = map[string][]string{
	"moddata": {"p", "op", "train-fraction", "seed", "equals"},
	"mutate":  {"name", "splits", "held-out", "fraction", "seed", "n", "when", "then"},
	// fit: the network and its sizes, then every training setting.
	"fit": append(runs.ModelFlags(), runs.TrainFlags()...),
}

// reserved are options the sweep itself sets.
var reserved = []string{"o", "output", "resume", "table", "input", "format"}

// Schemes mutate accepts.
var Schemes = []string{"random-uniform", "random-increment", "n-fixed", "n-increment", "control", "rule"}

// Sections a spec may have.
const sections = "name, moddata, mutate, fit, analyse, slurm"

// Analyses a spec may ask for, in Analyse.
var Analyses = []string{"evalsplit", "fourier"}

// Load reads a spec from a .yaml/.yml or .toml file. Every error names the
// file, and the key at fault when there is one.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fileErr(path, err)
	}
	var root *node
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		root, err = parseYAML(data)
	case ".toml":
		root, err = parseTOML(data)
	default:
		return nil, fmt.Errorf("%s: a sweep spec is .yaml, .yml or .toml", path)
	}
	if err == nil {
		var s *Spec
		if s, err = build(root, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))); err == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", path, err)
}

// build checks a parsed spec and turns it into a Spec; name is the default
// name (the file's).
func build(root *node, name string) (*Spec, error) {
	if root.kind != tableNode {
		return nil, fmt.Errorf("the spec must be a table of sections (%s), not %s", sections, root.what())
	}
	s := &Spec{Name: name}
	analyse := ""
	for _, k := range root.keys {
		v := root.fields[k]
		var err error
		switch k {
		case "name":
			err = setName(s, v)
		case "analyse", "analyze":
			if analyse != "" {
				return nil, v.errorf(k, "given twice (as %s too)", analyse)
			}
			analyse = k
			s.Analyse, err = analyses(v, k)
		case "slurm":
			s.Slurm, err = slurmSection(v)
		case "moddata", "mutate", "fit": // below, in this order
		default:
			err = v.errorf(k, "unknown section (%s)", sections)
		}
		if err != nil {
			return nil, err
		}
	}
	if v := root.fields["moddata"]; v != nil {
		if err := s.addParams("moddata", "moddata", v); err != nil {
			return nil, err
		}
	}
	if v := root.fields["mutate"]; v != nil {
		if err := s.addMutate(v); err != nil {
			return nil, err
		}
	}
	if v := root.fields["fit"]; v != nil {
		if err := s.addParams("fit", "fit", v); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func setName(s *Spec, v *node) error {
	name, ok := v.value.(string)
	if v.kind != scalarNode || !ok {
		return v.errorf("name", "expected a string, not %s", v.what())
	}
	if name != "" {
		s.Name = name
	}
	return nil
}

// analyses reads the list of analysis steps.
func analyses(v *node, key string) ([]string, error) {
	if v.kind != listNode {
		return nil, v.errorf(key, "expected a list of steps (%s), not %s", strings.Join(Analyses, ", "), v.what())
	}
	var out []string
	for i, item := range v.items {
		a, ok := item.value.(string)
		switch {
		case item.kind != scalarNode || !ok:
			return nil, item.errorf(key, "item %d is %s; expected a step (%s)", i+1, item.what(), strings.Join(Analyses, ", "))
		case !slices.Contains(Analyses, a):
			return nil, item.errorf(key, "unknown step %q (%s)", a, strings.Join(Analyses, ", "))
		case slices.Contains(out, a):
			return nil, item.errorf(key, "step %q is listed twice", a)
		}
		out = append(out, a)
	}
	return out, nil
}

// addMutate reads the mutate steps: a list of tables, each with a scheme.
func (s *Spec) addMutate(v *node) error {
	if v.kind != listNode {
		return v.errorf("mutate", "expected a list of steps, each a table with a scheme, not %s", v.what())
	}
	for i, step := range v.items {
		tool := fmt.Sprintf("mutate.%d", i)
		if step.kind != tableNode {
			return step.errorf(tool, "expected a table with a scheme and its options, not %s", step.what())
		}
		sc := step.fields["scheme"]
		if sc == nil {
			return step.errorf(tool, "no scheme (one of %s)", strings.Join(Schemes, ", "))
		}
		scheme, ok := sc.value.(string)
		switch {
		case sc.kind == listNode:
			return sc.errorf(tool+".scheme", "one scheme per step (sweep its options instead)")
		case sc.kind != scalarNode || !ok:
			return sc.errorf(tool+".scheme", "expected a scheme (%s), not %s", strings.Join(Schemes, ", "), sc.what())
		case !slices.Contains(Schemes, scheme):
			return sc.errorf(tool, "scheme %q is not one of %s", scheme, strings.Join(Schemes, ", "))
		}
		if h := step.fields["held-out"]; h != nil && !strings.HasPrefix(scheme, "n-") && scheme != "rule" {
			return h.errorf(tool+".held-out", "scheme %s has no trigger, so no held-out rows (held-out is for n-fixed, n-increment and rule)", scheme)
		}
		s.Mutate = append(s.Mutate, scheme)
		rest := &node{kind: tableNode, fields: step.fields, line: step.line}
		for _, k := range step.keys {
			if k != "scheme" {
				rest.keys = append(rest.keys, k)
			}
		}
		if err := s.addParams(tool, "mutate", rest); err != nil {
			return err
		}
	}
	return nil
}

// addParams reads a tool's section: option = value or list of values.
func (s *Spec) addParams(tool, known string, v *node) error {
	if v.kind != tableNode {
		return v.errorf(tool, "expected a table of options (%s), not %s", strings.Join(Options[known], ", "), v.what())
	}
	for _, k := range v.keys {
		key, e := tool+"."+k, v.fields[k]
		if slices.Contains(reserved, k) {
			return e.errorf(key, "the sweep sets this itself")
		}
		if !slices.Contains(Options[known], k) {
			return e.errorf(tool, "unknown parameter %q (known: %s)", k, strings.Join(Options[known], ", "))
		}
		p := Param{Tool: tool, Name: k, Line: e.line}
		values, err := paramValues(e, key)
		if err != nil {
			return err
		}
		for _, str := range values {
			if slices.Contains(p.Values, str) {
				return e.errorf(key, "value %s is listed twice", str)
			}
			p.Values = append(p.Values, str)
		}
		s.Params = append(s.Params, p)
	}
	return nil
}

// paramValues renders an option's value, or each value of its list.
func paramValues(e *node, key string) ([]string, error) {
	const want = "a number, string or boolean"
	switch e.kind {
	case scalarNode:
		str, err := scalar(e.value)
		if err != nil {
			return nil, e.errorf(key, "expected %s, or a list of them, not %s", want, e.what())
		}
		return []string{str}, nil
	case listNode:
		if len(e.items) == 0 {
			return nil, e.errorf(key, "an empty list gives no runs")
		}
		var out []string
		for i, item := range e.items {
			str, err := scalar(item.value)
			if item.kind != scalarNode || err != nil {
				return nil, item.errorf(key, "item %d is %s; expected %s", i+1, item.what(), want)
			}
			out = append(out, str)
		}
		return out, nil
	}
	return nil, e.errorf(key, "expected %s, or a list of them, not %s", want, e.what())
}

// scalar renders a spec value as a command-line value.
func scalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("value %v (%T) is not a number, string or boolean", v, v)
}

// slurmSettings are the keys of the slurm section.
var slurmSettings = []string{"partition", "time", "mem", "cpus-per-task", "gpus-per-task", "account",
	"max-concurrent", "setup", "extra", "signal-seconds"}

func slurmSection(v *node) (Slurm, error) {
	var sl Slurm
	known := strings.Join(slurmSettings, ", ")
	if v.kind != tableNode {
		return sl, v.errorf("slurm", "expected a table of settings (%s), not %s", known, v.what())
	}
	for _, k := range v.keys {
		e, key := v.fields[k], "slurm."+k
		var err error
		switch k {
		case "partition":
			sl.Partition, err = slurmString(e, key)
		case "time":
			sl.Time, err = slurmString(e, key)
		case "mem":
			sl.Mem, err = slurmString(e, key)
		case "account":
			sl.Account, err = slurmString(e, key)
		case "cpus-per-task":
			sl.CPUsPerTask, err = count(e, key)
		case "gpus-per-task":
			sl.GPUsPerTask, err = count(e, key)
		case "max-concurrent":
			sl.MaxConcurrent, err = count(e, key)
		case "signal-seconds":
			sl.SignalSeconds, err = count(e, key)
		case "setup":
			sl.Setup, err = lines(e, key)
		case "extra":
			sl.Extra, err = lines(e, key)
		default:
			err = e.errorf("slurm", "unknown setting %q (known: %s)", k, known)
		}
		if err != nil {
			return sl, err
		}
	}
	return sl, nil
}

// slurmString is a string setting; a whole number (minutes, megabytes) is
// written as Slurm reads it.
func slurmString(v *node, key string) (string, error) {
	switch x := v.value.(type) {
	case string:
		return x, nil
	case int64, uint64:
		return fmt.Sprint(x), nil
	}
	return "", v.errorf(key, "expected a string, not %s", v.what())
}

// count is a whole number ≥ 0.
func count(v *node, key string) (int, error) {
	var n int64
	switch x := v.value.(type) {
	case int64:
		n = x
	case uint64:
		if x > math.MaxInt32 {
			return 0, v.errorf(key, "%d is too large", x)
		}
		n = int64(x)
	case float64:
		return 0, v.errorf(key, "expected a whole number, not %v", x)
	default:
		return 0, v.errorf(key, "expected a whole number, not %s", v.what())
	}
	if n < 0 || n > math.MaxInt32 {
		return 0, v.errorf(key, "%d is out of range (0 or more)", n)
	}
	return int(n), nil
}

// lines is a list of strings.
func lines(v *node, key string) ([]string, error) {
	if v.kind != listNode {
		return nil, v.errorf(key, "expected a list of strings, not %s", v.what())
	}
	var out []string
	for i, item := range v.items {
		str, ok := item.value.(string)
		if item.kind != scalarNode || !ok {
			return nil, item.errorf(key, "item %d is %s; expected a string", i+1, item.what())
		}
		out = append(out, str)
	}
	return out, nil
}

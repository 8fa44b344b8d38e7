// Package sweep turns a sweep spec (a value or a list per option of
// moddata, mutate and fit) into runs, their Cartesian product in a fixed
// order, each with a run folder named from its parameters; writes the
// manifest and a Slurm job array; runs tasks locally or under Slurm; and
// collects the results.
package sweep

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"
)

// Param is one option with the values it takes: a list sweeps it.
type Param struct {
	Tool   string   // "moddata", "mutate.0", "mutate.1", …, "fit"
	Name   string   // the tool's flag, without dashes ("weight-decay")
	Values []string // as given on a command line
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
	Partition     string   `yaml:"partition" toml:"partition"`
	Time          string   `yaml:"time" toml:"time"`
	Mem           string   `yaml:"mem" toml:"mem"`
	CPUsPerTask   int      `yaml:"cpus-per-task" toml:"cpus-per-task"`
	GPUsPerTask   int      `yaml:"gpus-per-task" toml:"gpus-per-task"`
	Account       string   `yaml:"account" toml:"account"`
	MaxConcurrent int      `yaml:"max-concurrent" toml:"max-concurrent"` // the K of --array=0-N%K
	Setup         []string `yaml:"setup" toml:"setup"`                   // shell lines before the task, e.g. module load
	Extra         []string `yaml:"extra" toml:"extra"`                   // more #SBATCH options, e.g. --qos=short
	SignalSeconds int      `yaml:"signal-seconds" toml:"signal-seconds"` // SIGTERM this long before the time limit
}

// Options each tool accepts in a spec. The sweep sets inputs and outputs
// itself (tables, -o, --resume), so those are not here.
var Options = map[string][]string{
	"moddata": {"p", "op", "train-fraction", "seed", "equals"},
	"mutate":  {"name", "splits", "held-out", "fraction", "seed", "n", "when", "then"},
	"fit": {"model", "d-model", "n-heads", "d-head", "d-mlp", "n-layers", "width", "parameterization", "optimizer", "lr", "weight-decay",
		"beta1", "beta2", "eps", "warmup", "loss", "logits-dtype", "batch-size", "seed", "steps",
		"eval-every", "checkpoint-every", "stop-at-test-acc", "patience"},
}

// reserved are options the sweep itself sets.
var reserved = []string{"o", "output", "resume", "table", "input", "format"}

// Schemes mutate accepts.
var Schemes = []string{"random-uniform", "random-increment", "n-fixed", "n-increment", "control", "rule"}

// rawSpec is the file's top level; the tool sections keep their order.
type rawSpec struct {
	Name    string
	Moddata []kv
	Mutate  [][]kv
	Fit     []kv
	Analyse []string
	Slurm   Slurm
}

type kv struct {
	key    string
	values []any
	isList bool
}

// Load reads a spec from a .yaml/.yml or .toml file.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw *rawSpec
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		raw, err = parseYAML(data)
	case ".toml":
		raw, err = parseTOML(data)
	default:
		return nil, fmt.Errorf("%s: a sweep spec is .yaml, .yml or .toml", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if raw.Name == "" {
		raw.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	s, err := check(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// check validates a raw spec and turns it into Params.
func check(raw *rawSpec) (*Spec, error) {
	s := &Spec{Name: raw.Name, Analyse: raw.Analyse, Slurm: raw.Slurm}
	for _, a := range raw.Analyse {
		if a != "evalsplit" && a != "fourier" {
			return nil, fmt.Errorf("analyse: unknown step %q (evalsplit, fourier)", a)
		}
	}
	add := func(tool, known string, kvs []kv) error {
		seen := map[string]bool{}
		for _, e := range kvs {
			if slices.Contains(reserved, e.key) {
				return fmt.Errorf("%s.%s: the sweep sets this itself", tool, e.key)
			}
			if !slices.Contains(Options[known], e.key) {
				return fmt.Errorf("%s: unknown parameter %q (known: %s)", tool, e.key, strings.Join(Options[known], ", "))
			}
			if seen[e.key] {
				return fmt.Errorf("%s.%s: given twice with conflicting values", tool, e.key)
			}
			seen[e.key] = true
			if len(e.values) == 0 {
				return fmt.Errorf("%s.%s: an empty list gives no runs", tool, e.key)
			}
			p := Param{Tool: tool, Name: e.key}
			for _, v := range e.values {
				str, err := scalar(v)
				if err != nil {
					return fmt.Errorf("%s.%s: %v", tool, e.key, err)
				}
				if slices.Contains(p.Values, str) {
					return fmt.Errorf("%s.%s: value %s is listed twice", tool, e.key, str)
				}
				p.Values = append(p.Values, str)
			}
			s.Params = append(s.Params, p)
		}
		return nil
	}
	if err := add("moddata", "moddata", raw.Moddata); err != nil {
		return nil, err
	}
	for i, step := range raw.Mutate {
		tool := fmt.Sprintf("mutate.%d", i)
		var rest []kv
		scheme := ""
		for _, e := range step {
			if e.key == "scheme" {
				if e.isList || len(e.values) != 1 {
					return nil, fmt.Errorf("%s.scheme: one scheme per step (sweep its options instead)", tool)
				}
				scheme, _ = scalar(e.values[0])
				continue
			}
			rest = append(rest, e)
		}
		if !slices.Contains(Schemes, scheme) {
			return nil, fmt.Errorf("%s: scheme %q is not one of %s", tool, scheme, strings.Join(Schemes, ", "))
		}
		s.Mutate = append(s.Mutate, scheme)
		if err := add(tool, "mutate", rest); err != nil {
			return nil, err
		}
	}
	if err := add("fit", "fit", raw.Fit); err != nil {
		return nil, err
	}
	if s.Slurm.MaxConcurrent < 0 || s.Slurm.CPUsPerTask < 0 || s.Slurm.GPUsPerTask < 0 {
		return nil, fmt.Errorf("slurm: negative resources")
	}
	return s, nil
}

// scalar renders a spec value as a command-line value.
func scalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
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

func parseYAML(data []byte) (*rawSpec, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the spec must be a mapping (moddata:, mutate:, fit:, analyse:, slurm:)")
	}
	raw := &rawSpec{}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i].Value, m.Content[i+1]
		var err error
		switch key {
		case "name":
			err = val.Decode(&raw.Name)
		case "moddata":
			raw.Moddata, err = yamlSection(val)
		case "fit":
			raw.Fit, err = yamlSection(val)
		case "mutate":
			if val.Kind != yaml.SequenceNode {
				return nil, fmt.Errorf("line %d: mutate: a list of steps, each with a scheme", val.Line)
			}
			for _, step := range val.Content {
				kvs, err := yamlSection(step)
				if err != nil {
					return nil, err
				}
				raw.Mutate = append(raw.Mutate, kvs)
			}
		case "analyse", "analyze":
			err = val.Decode(&raw.Analyse)
		case "slurm":
			err = val.Decode(&raw.Slurm)
		default:
			return nil, fmt.Errorf("line %d: unknown section %q (name, moddata, mutate, fit, analyse, slurm)", m.Content[i].Line, key)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %v", val.Line, key, err)
		}
	}
	return raw, nil
}

func yamlSection(n *yaml.Node) ([]kv, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: expected option: value pairs", n.Line)
	}
	var out []kv
	for i := 0; i+1 < len(n.Content); i += 2 {
		e := kv{key: n.Content[i].Value}
		v := n.Content[i+1]
		if v.Kind == yaml.SequenceNode {
			e.isList = true
			for _, item := range v.Content {
				var x any
				if err := item.Decode(&x); err != nil {
					return nil, err
				}
				e.values = append(e.values, x)
			}
		} else {
			var x any
			if err := v.Decode(&x); err != nil {
				return nil, err
			}
			e.values = []any{x}
		}
		out = append(out, e)
	}
	return out, nil
}

func parseTOML(data []byte) (*rawSpec, error) {
	var doc map[string]any
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
		return nil, err
	}
	raw := &rawSpec{}
	// Keys() lists every key in file order: use it to keep options ordered.
	order := map[string][]string{}
	for _, k := range md.Keys() {
		if len(k) == 2 {
			order[k[0]] = append(order[k[0]], k[1])
		}
	}
	section := func(name string, m map[string]any, keys []string) []kv {
		var out []kv
		for _, k := range keys {
			v, ok := m[k]
			if !ok {
				continue
			}
			e := kv{key: k}
			if list, ok := v.([]any); ok {
				e.isList, e.values = true, list
			} else {
				e.values = []any{v}
			}
			out = append(out, e)
		}
		return out
	}
	for _, k := range md.Keys() {
		if len(k) != 1 {
			continue
		}
		v := doc[k[0]]
		switch k[0] {
		case "name":
			raw.Name, _ = v.(string)
		case "moddata", "fit":
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("[%s] must be a table", k[0])
			}
			if k[0] == "moddata" {
				raw.Moddata = section(k[0], m, order[k[0]])
			} else {
				raw.Fit = section(k[0], m, order[k[0]])
			}
		case "mutate":
			steps, ok := v.([]map[string]any)
			if !ok {
				return nil, fmt.Errorf("mutate: use [[mutate]] tables, one per step")
			}
			for _, st := range steps {
				keys := make([]string, 0, len(st))
				for key := range st {
					keys = append(keys, key)
				}
				slices.Sort(keys) // TOML array tables keep no key order: sort for a stable product
				raw.Mutate = append(raw.Mutate, section("mutate", st, keys))
			}
		case "analyse", "analyze":
			for _, a := range v.([]any) {
				s, _ := a.(string)
				raw.Analyse = append(raw.Analyse, s)
			}
		case "slurm":
			var w struct {
				Slurm Slurm `toml:"slurm"`
			}
			if _, err := toml.Decode(string(data), &w); err != nil {
				return nil, err
			}
			raw.Slurm = w.Slurm
		default:
			return nil, fmt.Errorf("unknown section %q (name, moddata, mutate, fit, analyse, slurm)", k[0])
		}
	}
	return raw, nil
}

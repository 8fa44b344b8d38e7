package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Point is one point of the sweep: one run, with its parameter values.
type Point struct {
	Index  int
	Name   string            // run folder, from the swept parameters
	Data   string            // data file, shared by runs with the same data parameters
	Values map[string]string // "tool.name" → value, every parameter
	// The tools' arguments, without inputs and outputs.
	ModdataArgs []string
	MutateArgs  [][]string
	FitArgs     []string
}

// Key names a parameter in manifests and tables: "fit.weight-decay".
func (p Param) Key() string { return p.Tool + "." + p.Name }

// Swept reports whether the parameter takes more than one value.
func (p Param) Swept() bool { return len(p.Values) > 1 }

// Runs expands the spec into the Cartesian product of its parameters,
// the first parameter varying slowest (as itertools.product), so indices
// and names are the same at every expansion of the same spec.
func (s *Spec) Runs() []Point {
	n := 1
	for _, p := range s.Params {
		n *= len(p.Values)
	}
	runs := make([]Point, n)
	for i := range runs {
		r := Point{Index: i, Values: map[string]string{}, MutateArgs: make([][]string, len(s.Mutate))}
		for m, scheme := range s.Mutate {
			r.MutateArgs[m] = []string{scheme}
		}
		rest := i
		choice := make([]int, len(s.Params))
		for j := len(s.Params) - 1; j >= 0; j-- { // the last parameter varies fastest
			k := len(s.Params[j].Values)
			choice[j] = rest % k
			rest /= k
		}
		var nameParts, dataParts []string
		for j, p := range s.Params {
			v := p.Values[choice[j]]
			r.Values[p.Key()] = v
			args := flagArgs(p.Name, v)
			switch {
			case p.Tool == "moddata":
				r.ModdataArgs = append(r.ModdataArgs, args...)
				dataParts = append(dataParts, p.Key()+"="+v)
			case p.Tool == "fit":
				r.FitArgs = append(r.FitArgs, args...)
			default:
				var m int
				fmt.Sscanf(p.Tool, "mutate.%d", &m)
				r.MutateArgs[m] = append(r.MutateArgs[m], args...)
				dataParts = append(dataParts, p.Key()+"="+v)
			}
			if p.Swept() {
				nameParts = append(nameParts, s.shortName(p)+"="+sanitize(v))
			}
		}
		dataParts = append(dataParts, "mutate="+strings.Join(s.Mutate, ","))
		sum := sha256.Sum256([]byte(strings.Join(dataParts, "\x00")))
		r.Data = "data-" + hex.EncodeToString(sum[:6]) + ".parquet"
		r.Name = strings.Join(nameParts, ",")
		if r.Name == "" {
			r.Name = "run"
		}
		runs[i] = r
	}
	return runs
}

// shortName is the parameter's name in run folder names: its flag alone,
// or tool.flag where two tools share the flag (seed).
func (s *Spec) shortName(p Param) string {
	for _, q := range s.Params {
		if q.Name == p.Name && q.Tool != p.Tool && q.Swept() {
			return p.Key()
		}
	}
	return p.Name
}

// defaultTrue are the boolean flags that are on unless negated.
var defaultTrue = map[string]bool{"held-out": true, "tensorboard": true}

// flagArgs renders one option: true is the bare flag; false is nothing,
// or --no-flag for a flag that defaults to true.
func flagArgs(name, v string) []string {
	switch {
	case v == "true":
		return []string{"--" + name}
	case v == "false" && defaultTrue[name]:
		return []string{"--no-" + name}
	case v == "false":
		return nil
	case strings.HasPrefix(v, "-"): // a negative number would parse as a flag
		return []string{"--" + name + "=" + v}
	}
	return []string{"--" + name, v}
}

// sanitize keeps a value usable in a folder name.
func sanitize(v string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '+', r == '_':
			return r
		}
		return '_'
	}, v)
}

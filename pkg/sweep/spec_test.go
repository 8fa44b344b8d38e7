package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeSpec(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const yamlSpec = `
name: grid
moddata:
  p: 23
  train-fraction: [0.3, 0.5]
mutate:
  - scheme: random-uniform
    fraction: [0.05, 0.2]
    seed: 4
fit:
  weight-decay: [0.3, 1, 3]
  seed: [1, 2]
  lr: 1e-3
  equals-is-not-here: false
`

func TestExpansionCountOrderAndNames(t *testing.T) {
	s, err := Load(writeSpec(t, "grid.yaml", strings.Replace(yamlSpec, "  equals-is-not-here: false\n", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	runs := s.Runs()
	if len(runs) != 2*2*3*2 {
		t.Fatalf("%d runs, want 24", len(runs))
	}
	// itertools.product order: the first parameter varies slowest.
	first, second, last := runs[0], runs[1], runs[23]
	if first.Name != "train-fraction=0.3,fraction=0.05,weight-decay=0.3,seed=1" ||
		second.Name != "train-fraction=0.3,fraction=0.05,weight-decay=0.3,seed=2" ||
		last.Name != "train-fraction=0.5,fraction=0.2,weight-decay=3,seed=2" {
		t.Fatalf("names: %q, %q, %q", first.Name, second.Name, last.Name)
	}
	if !slices.Equal(first.ModdataArgs, []string{"--p", "23", "--train-fraction", "0.3"}) ||
		!slices.Equal(first.MutateArgs[0], []string{"random-uniform", "--fraction", "0.05", "--seed", "4"}) ||
		!slices.Equal(last.FitArgs, []string{"--weight-decay", "3", "--seed", "2", "--lr", "0.001"}) {
		t.Fatalf("args: %v %v %v", first.ModdataArgs, first.MutateArgs, last.FitArgs)
	}
	// Runs that differ only in fit options share their data file.
	data := map[string]int{}
	for _, r := range runs {
		data[r.Data]++
	}
	if len(data) != 4 {
		t.Fatalf("%d data files for 2×2 data parameters", len(data))
	}
	// Stable: a second expansion, from the TOML form of the same spec, gives the same runs.
	toml := `
name = "grid"
[moddata]
p = 23
train-fraction = [0.3, 0.5]
[[mutate]]
scheme = "random-uniform"
fraction = [0.05, 0.2]
seed = 4
[fit]
weight-decay = [0.3, 1, 3]
seed = [1, 2]
lr = 1e-3
`
	s2, err := Load(writeSpec(t, "grid.toml", toml))
	if err != nil {
		t.Fatal(err)
	}
	runs2 := s2.Runs()
	for i := range runs {
		if runs[i].Name != runs2[i].Name || runs[i].Data != runs2[i].Data || !slices.Equal(runs[i].FitArgs, runs2[i].FitArgs) {
			t.Fatalf("run %d: YAML %+v, TOML %+v", i, runs[i], runs2[i])
		}
	}
}

func TestBadSpecs(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"unknown.yaml", "fit:\n  weight-decya: 1\n", `fit: unknown parameter "weight-decya"`},
		{"empty.yaml", "fit:\n  seed: []\n", "fit.seed: an empty list gives no runs"},
		{"twice.yaml", "fit:\n  seed: 1\n  seed: 2\n", "fit.seed: given twice (line 3)"},
		{"dup.yaml", "fit:\n  seed: [1, 1]\n", "fit.seed: value 1 is listed twice"},
		{"reserved.yaml", "fit:\n  output: x\n", "fit.output: the sweep sets this itself"},
		{"scheme.yaml", "mutate:\n  - scheme: flip\n", `mutate.0: scheme "flip" is not one of`},
		{"schemes.yaml", "mutate:\n  - scheme: [n-fixed, n-increment]\n", "one scheme per step"},
		{"heldout.yaml", "mutate:\n  - scheme: random-uniform\n    fraction: 0.1\n    held-out: false\n", "mutate.0.held-out: scheme random-uniform has no trigger, so no held-out rows"},
		{"section.yaml", "train:\n  seed: 1\n", "train: unknown section (name, moddata, mutate, fit, analyse, slurm) (line 1)"},
		{"analyse.yaml", "analyse: [plot]\n", `analyse: unknown step "plot"`},
		{"spec.json", "{}", "a sweep spec is .yaml, .yml or .toml"},
		{"bad.toml", "[fit]\nfrobnicate = 3\n", `fit: unknown parameter "frobnicate"`},
		{"nested.yaml", "fit:\n  seed: {a: 1}\n", "fit.seed: expected a number, string or boolean, or a list of them, not a table (line 2)"},
	} {
		_, err := Load(writeSpec(t, c.name, c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestBooleanFlags(t *testing.T) {
	s, err := Load(writeSpec(t, "b.yaml", "moddata:\n  equals: [true, false]\nmutate:\n  - scheme: n-fixed\n    held-out: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	rs := s.Runs()
	if !slices.Equal(rs[0].ModdataArgs, []string{"--equals"}) || len(rs[1].ModdataArgs) != 0 ||
		!slices.Equal(rs[0].MutateArgs[0], []string{"n-fixed", "--no-held-out"}) {
		t.Fatalf("%v %v %v", rs[0].ModdataArgs, rs[1].ModdataArgs, rs[0].MutateArgs)
	}
	if rs[0].Name != "equals=true" || rs[1].Name != "equals=false" {
		t.Fatalf("names %q %q", rs[0].Name, rs[1].Name)
	}
	// fit writes its TensorBoard file unless told --no-tensorboard.
	s, err = Load(writeSpec(t, "tb.yaml", "fit:\n  tensorboard: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if rs := s.Runs(); !slices.Equal(rs[0].FitArgs, []string{"--no-tensorboard"}) {
		t.Fatalf("fit args %v", rs[0].FitArgs)
	}
}

func TestArrayRangeAndScript(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want string
	}{{[]int{0, 1, 2, 3}, "0-3"}, {[]int{0, 2, 3, 4, 9}, "0,2-4,9"}, {[]int{5}, "5"}} {
		if got := ArrayRange(c.in); got != c.want {
			t.Errorf("ArrayRange(%v) = %q, want %q", c.in, got, c.want)
		}
	}
	s := &Spec{Name: "wd grid", Slurm: Slurm{Partition: "gpu", Time: "01:00:00", Mem: "3G", CPUsPerTask: 2, GPUsPerTask: 1,
		Account: "lab", MaxConcurrent: 4, Setup: []string{"module load cuda"}, Extra: []string{"--qos=short"}}}
	got := Script(s, 24, "/scratch/sw", "/opt/grokkit/bin")
	for _, want := range []string{"#!/bin/bash\n", "#SBATCH --job-name=wd_grid\n", "#SBATCH --array=0-23%4\n",
		"#SBATCH --output=/scratch/sw/logs/%A_%a.out\n", "#SBATCH --partition=gpu\n", "#SBATCH --time=01:00:00\n",
		"#SBATCH --mem=3G\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --gpus-per-task=1\n", "#SBATCH --account=lab\n",
		"#SBATCH --signal=B:TERM@120\n", "#SBATCH --qos=short\n", "module load cuda\n",
		"exec '/opt/grokkit/bin/slurmgen' task '/scratch/sw' \"$SLURM_ARRAY_TASK_ID\"\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("script lacks %q:\n%s", want, got)
		}
	}
	if strings.Index(got, "module load cuda") < strings.LastIndex(got, "#SBATCH") {
		t.Error("setup lines must follow every #SBATCH line (sbatch stops reading them at the first command)")
	}
}

// The options the spec accepts must be real flags of the tools: checked
// against the binaries' --help in tools/testdata/script/slurmgen.txtar.
func TestOptionsHaveNoDuplicates(t *testing.T) {
	for tool, opts := range Options {
		seen := map[string]bool{}
		for _, o := range opts {
			if seen[o] {
				t.Errorf("%s: %s twice", tool, o)
			}
			seen[o] = true
		}
	}
}

// Two tools sweeping the same flag name get their tool in the run name.
func TestSharedFlagNames(t *testing.T) {
	s, err := Load(writeSpec(t, "s.yaml", "moddata:\n  seed: [1, 2]\nfit:\n  seed: [1, 2]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Runs()[1].Name; n != "moddata.seed=1,fit.seed=2" {
		t.Fatalf("name %q", n)
	}
}

// A value of the wrong type is one error line naming the file and the key,
// in both formats: never a panic, never a value silently dropped or bent.
func TestWrongTypes(t *testing.T) {
	const (
		value = "expected a number, string or boolean, or a list of them"
		steps = "expected a list of steps (evalsplit, fourier)"
	)
	for _, c := range []struct{ name, text, want string }{
		// TOML
		{"analyse-string.toml", `analyse = "evalsplit"`, "analyse: " + steps + ", not a string"},
		{"analyse-number.toml", `analyse = [3]`, "analyse: item 1 is a number; expected a step (evalsplit, fourier)"},
		{"analyse-nested.toml", `analyse = [["evalsplit"]]`, "analyse: item 1 is a list; expected a step (evalsplit, fourier)"},
		{"analyse-table.toml", "[analyse]\nx = 1", "analyse: " + steps + ", not a table"},
		{"name.toml", `name = 3`, "name: expected a string, not a number"},
		{"fit-number.toml", `fit = 3`, "fit: expected a table of options (" + strings.Join(Options["fit"], ", ") + "), not a number"},
		{"moddata-list.toml", `moddata = [1]`, "moddata: expected a table of options (" + strings.Join(Options["moddata"], ", ") + "), not a list"},
		{"value-table.toml", "[fit]\nseed = {a = 1}", "fit.seed: " + value + ", not a table"},
		{"value-date.toml", "[fit]\nseed = 1979-05-27", "fit.seed: " + value + ", not a date or time (quote it to make it a string)"},
		{"item-list.toml", "[fit]\nseed = [[1, 2]]", "fit.seed: item 1 is a list; expected a number, string or boolean"},
		{"item-table.toml", "[[fit.seed]]\na = 1", "fit.seed: item 1 is a table; expected a number, string or boolean"},
		{"mutate-string.toml", `mutate = "n-fixed"`, "mutate: expected a list of steps, each a table with a scheme, not a string"},
		{"mutate-table.toml", "[mutate]\nscheme = \"n-fixed\"", "mutate: expected a list of steps, each a table with a scheme, not a table"},
		{"mutate-item.toml", `mutate = ["n-fixed"]`, "mutate.0: expected a table with a scheme and its options, not a string"},
		{"no-scheme.toml", "[[mutate]]\nn = 3", "mutate.0: no scheme (one of " + strings.Join(Schemes, ", ") + ")"},
		{"scheme-number.toml", "[[mutate]]\nscheme = 3", "mutate.0.scheme: expected a scheme (" + strings.Join(Schemes, ", ") + "), not a number"},
		{"mutate-value.toml", "[[mutate]]\nscheme = \"n-fixed\"\nn = {a = 1}", "mutate.0.n: " + value + ", not a table"},
		{"slurm-number.toml", `slurm = 3`, "slurm: expected a table of settings (" + strings.Join(slurmSettings, ", ") + "), not a number"},
		{"cpus-string.toml", "[slurm]\ncpus-per-task = \"2\"", "slurm.cpus-per-task: expected a whole number, not a string"},
		{"cpus-float.toml", "[slurm]\ncpus-per-task = 1.5", "slurm.cpus-per-task: expected a whole number, not 1.5"},
		{"cpus-negative.toml", "[slurm]\nmax-concurrent = -2", "slurm.max-concurrent: -2 is out of range (0 or more)"},
		{"time-local.toml", "[slurm]\ntime = 00:20:00", "slurm.time: expected a string, not a date or time (quote it to make it a string)"},
		{"setup-string.toml", "[slurm]\nsetup = \"module load x\"", "slurm.setup: expected a list of strings, not a string"},
		{"extra-number.toml", "[slurm]\nextra = [1]", "slurm.extra: item 1 is a number; expected a string"},
		{"slurm-unknown.toml", "[slurm]\npartiton = \"gpu\"", `slurm: unknown setting "partiton" (known: ` + strings.Join(slurmSettings, ", ") + ")"},
		{"section.toml", "[train]\nseed = 1", "train: unknown section (name, moddata, mutate, fit, analyse, slurm)"},
		{"syntax.toml", "[fit]\nseed = [1,", "line 2: unexpected EOF; expected value"},
		// YAML
		{"analyse-string.yaml", "analyse: evalsplit", "analyse: " + steps + ", not a string (line 1)"},
		{"analyse-null.yaml", "analyse:", "analyse: " + steps + ", not nothing (line 1)"},
		{"analyse-twice.yaml", "analyse: [evalsplit]\nanalyze: [fourier]", "analyze: given twice (as analyse too) (line 2)"},
		{"analyse-dup.yaml", "analyse: [fourier, fourier]", `analyse: step "fourier" is listed twice (line 1)`},
		{"name-list.yaml", "name: [a]", "name: expected a string, not a list (line 1)"},
		{"fit-list.yaml", "fit: [seed]", "fit: expected a table of options (" + strings.Join(Options["fit"], ", ") + "), not a list (line 1)"},
		{"value-null.yaml", "fit:\n  seed:", "fit.seed: " + value + ", not nothing (line 2)"},
		{"value-date.yaml", "fit:\n  seed: 2001-12-14", "fit.seed: " + value + ", not a date or time (quote it to make it a string) (line 2)"},
		{"item-table.yaml", "fit:\n  seed: [1, {a: 1}]", "fit.seed: item 2 is a table; expected a number, string or boolean (line 2)"},
		{"mutate-table.yaml", "mutate:\n  scheme: n-fixed", "mutate: expected a list of steps, each a table with a scheme, not a table (line 1)"},
		{"scheme-table.yaml", "mutate:\n  - scheme: {a: 1}", "mutate.0.scheme: expected a scheme (" + strings.Join(Schemes, ", ") + "), not a table (line 2)"},
		{"cpus-float.yaml", "slurm:\n  cpus-per-task: 1.5", "slurm.cpus-per-task: expected a whole number, not 1.5 (line 2)"},
		{"cpus-string.yaml", "slurm:\n  cpus-per-task: \"2\"", "slurm.cpus-per-task: expected a whole number, not a string (line 2)"},
		{"time-list.yaml", "slurm:\n  time: [1]", "slurm.time: expected a string, not a list (line 2)"},
		{"setup-string.yaml", "slurm:\n  setup: module load x", "slurm.setup: expected a list of strings, not a string (line 2)"},
		{"slurm-unknown.yaml", "slurm:\n  partiton: gpu", `slurm: unknown setting "partiton" (known: ` + strings.Join(slurmSettings, ", ") + ") (line 2)"},
		{"section-twice.yaml", "fit: {seed: 1}\nfit: {seed: 2}", "fit: given twice (line 2)"},
		{"merge.yaml", "fit:\n  <<: {seed: 1}", "fit.<<: YAML merge keys are not supported (write the options out) (line 2)"},
		{"root-list.yaml", "- fit", "the spec must be a table of sections (name, moddata, mutate, fit, analyse, slurm), not a list"},
		{"empty.yaml", "", "the spec is empty"},
		{"two-docs.yaml", "fit: {seed: 1}\n---\nfit: {seed: 2}", "line 2: a second YAML document (a spec is one)"},
		{"syntax.yaml", "fit: [1, 2", "line 1: did not find expected ',' or ']'"},
	} {
		path := writeSpec(t, c.name, c.text)
		_, err := Load(path)
		if err == nil {
			t.Errorf("%s: no error, want %q", c.name, c.want)
			continue
		}
		if got := err.Error(); got != path+": "+c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, path+": "+c.want)
		}
	}
}

// What the checks must still accept: TOML's dotted keys and inline tables
// (dotted keys were once dropped without a word), YAML aliases, whole
// numbers for Slurm's minutes and megabytes.
func TestAcceptedForms(t *testing.T) {
	toml := `
fit.seed = [1, 2]
moddata = {p = 11, seed = 3}
mutate = [{scheme = "n-fixed", n = 4}]
analyse = ["evalsplit"]
[slurm]
time = 20
mem = "1G"
cpus-per-task = 2
setup = ["module load x"]
`
	yaml := `
moddata: {p: 11, seed: 3}
mutate:
  - {scheme: n-fixed, n: 4}
fit:
  seed: [1, 2]
analyse: [evalsplit]
slurm: {time: 20, mem: 1G, cpus-per-task: 2, setup: [module load x]}
`
	want := "2 runs seed=2 | [--p 11 --seed 3] [[n-fixed --n 4]] [--seed 2] | {Partition: Time:20 Mem:1G CPUsPerTask:2 GPUsPerTask:0 Account: MaxConcurrent:0 Setup:[module load x] Extra:[] SignalSeconds:0}"
	for _, c := range []struct{ name, text string }{{"s.toml", toml}, {"s.yaml", yaml}} {
		s, err := Load(writeSpec(t, c.name, c.text))
		if err != nil {
			t.Fatal(err)
		}
		rs := s.Runs()
		got := fmt.Sprintf("%d runs %s | %v %v %v | %+v", len(rs), rs[1].Name, rs[1].ModdataArgs, rs[1].MutateArgs, rs[1].FitArgs, s.Slurm)
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, want)
		}
	}
	// A YAML alias stands for its anchor's value.
	s, err := Load(writeSpec(t, "alias.yaml", "moddata: {seed: &s [1, 2]}\nfit: {seed: *s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Runs()); n != 4 {
		t.Fatalf("alias: %d runs, want 4", n)
	}
}

// A spec that cannot be read is named with the problem, once.
func TestMissingSpec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	if err == nil || err.Error() != path+": no such file or directory" {
		t.Fatalf("err = %v", err)
	}
}

package sweep

import (
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
		{"twice.yaml", "fit:\n  seed: 1\n  seed: 2\n", "fit.seed: given twice with conflicting values"},
		{"dup.yaml", "fit:\n  seed: [1, 1]\n", "fit.seed: value 1 is listed twice"},
		{"reserved.yaml", "fit:\n  output: x\n", "fit.output: the sweep sets this itself"},
		{"scheme.yaml", "mutate:\n  - scheme: flip\n", `mutate.0: scheme "flip" is not one of`},
		{"schemes.yaml", "mutate:\n  - scheme: [n-fixed, n-increment]\n", "one scheme per step"},
		{"section.yaml", "train:\n  seed: 1\n", `unknown section "train"`},
		{"analyse.yaml", "analyse: [plot]\n", `analyse: unknown step "plot"`},
		{"spec.json", "{}", "a sweep spec is .yaml, .yml or .toml"},
		{"bad.toml", "[fit]\nfrobnicate = 3\n", `fit: unknown parameter "frobnicate"`},
		{"nested.yaml", "fit:\n  seed: {a: 1}\n", "is not a number, string or boolean"},
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

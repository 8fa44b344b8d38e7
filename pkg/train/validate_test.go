package train

import (
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// floatFlags lists the fit flags of the float fields of a spec (a
// runs.TrainSpec or runs.ModelSpec) with a setter for each, so that a float
// setting added later is covered without being named here.
func floatFlags(spec reflect.Type, field func(*runs.Config) reflect.Value) map[string]func(*runs.Config, float64) {
	out := map[string]func(*runs.Config, float64){}
	for i := range spec.NumField() {
		f := spec.Field(i)
		if flag := f.Tag.Get("flag"); flag != "" && f.Type.Kind() == reflect.Float64 {
			out[flag] = func(c *runs.Config, x float64) { field(c).Field(i).SetFloat(x) }
		}
	}
	return out
}

// Every float setting, NaN or ±Inf, is refused by Validate with one line
// naming its flag (fit parses "NaN" and "Inf"; config.json cannot record
// them, and no setting means them).
func TestValidateRefusesNonFiniteSettings(t *testing.T) {
	tb, _ := tinyTable(t, 11)
	flags := floatFlags(reflect.TypeFor[runs.TrainSpec](), func(c *runs.Config) reflect.Value { return reflect.ValueOf(&c.Train).Elem() })
	for flag, set := range floatFlags(reflect.TypeFor[runs.ModelSpec](), func(c *runs.Config) reflect.Value { return reflect.ValueOf(&c.Model).Elem() }) {
		flags[flag] = set
	}
	for _, want := range []string{"lr", "weight-decay", "beta1", "beta2", "eps", "stop-at-test-acc", "grokfast-alpha", "grokfast-lambda", "attention-rate"} {
		if flags[want] == nil {
			t.Fatalf("no float setting --%s: the test no longer sees the specs' fields", want)
		}
	}
	for flag, set := range flags {
		for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			cfg := tinyConfig(10)
			if err := Validate(cfg, tb); err != nil {
				t.Fatalf("the base config is refused: %v", err)
			}
			set(cfg, x)
			err := Validate(cfg, tb)
			if err == nil {
				t.Errorf("--%s %v: accepted", flag, x)
				continue
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "--"+flag+" must be a finite number, got ") || strings.Contains(msg, "\n") {
				t.Errorf("--%s %v: %q, want one line naming --%s", flag, x, msg, flag)
			}
		}
	}
	// The same for a grokfast run, whose filter settings are in use.
	cfg := tinyConfig(10)
	cfg.Train.Grokfast, cfg.Train.GrokfastAlpha, cfg.Train.GrokfastLambda = GrokfastEMA, 0.98, math.Inf(1)
	if err := Validate(cfg, tb); err == nil || err.Error() != "--grokfast-lambda must be a finite number, got +Inf" {
		t.Errorf("ema with λ = +Inf: %v", err)
	}
	// A negative ε would make Adam's denominator cross zero.
	cfg = tinyConfig(10)
	cfg.Train.Eps = -1e-8
	if err := Validate(cfg, tb); err == nil || err.Error() != "--eps must be ≥ 0, got -1e-08" {
		t.Errorf("ε < 0: %v", err)
	}
}

// ValidatePlanned (a sweep's check, before the table exists) refuses what
// Validate refuses on the table it will be.
func TestValidatePlannedMatchesValidate(t *testing.T) {
	tb, _ := tinyTable(t, 11)
	for name, edit := range map[string]func(*runs.Config){
		"valid":        func(*runs.Config) {},
		"wd +Inf":      func(c *runs.Config) { c.Train.WeightDecay = math.Inf(1) },
		"steps 0":      func(c *runs.Config) { c.Train.Steps = 0 },
		"d_head 0 ok":  func(c *runs.Config) { c.Model.DHead = 0 },
		"unknown net":  func(c *runs.Config) { c.Model.Name = "lstm" },
		"rate NaN":     func(c *runs.Config) { c.Model.ConstantAttention = math.NaN() },
		"grokfast bad": func(c *runs.Config) { c.Train.Grokfast = "sma" },
	} {
		cfg := tinyConfig(10)
		edit(cfg)
		got, want := ValidatePlanned(cfg, tb.CountTrain()), Validate(cfg, tb)
		if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
			t.Errorf("%s: ValidatePlanned %v, Validate %v", name, got, want)
		}
	}
	if err := ValidatePlanned(tinyConfig(10), 0); err == nil || !strings.Contains(err.Error(), "0 training rows") {
		t.Errorf("no training rows: %v", err)
	}
}

// fit's path: Start refuses a non-finite setting before anything is
// written, so the run folder is never made.
func TestStartRefusesNonFiniteBeforeWriting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	cfg := tinyConfig(10)
	cfg.Train.WeightDecay = math.Inf(1)
	err := start(t, context.Background(), dir, cfg, 11)
	if err == nil || err.Error() != "test: --weight-decay must be a finite number, got +Inf" {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s exists after the refusal (%v)", dir, err)
	}
}

// ls lists a folder's entries, recursively, as slash paths.
func ls(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if rel, _ := filepath.Rel(dir, path); rel != "." {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// A Create that fails after it has begun writing (here config.json, which
// cannot hold the in-memory table's NaN train fraction) leaves the folder as
// it found it: no data.parquet, no checkpoints folder, and no folder at all
// if it made it.
func TestCreateFailingLeavesNothingHalfMade(t *testing.T) {
	tb, data := tinyTable(t, 11)
	tb.Meta.TrainFraction = math.NaN() // no readable table has it; Validate does not look
	if err := Validate(tinyConfig(10), tb); err != nil {
		t.Fatalf("the fault must get past Validate: %v", err)
	}

	fresh := filepath.Join(t.TempDir(), "fresh")
	if err := Create(fresh, tinyConfig(10), tb, data); err == nil {
		t.Fatal("Create succeeded")
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("%s is left behind, holding %v", fresh, ls(t, fresh))
	}

	// A folder that existed (as fit's lock leaves it) keeps what it had.
	locked := filepath.Join(t.TempDir(), "locked")
	lock, err := runs.LockDir(locked)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	if err := os.WriteFile(filepath.Join(locked, ".data.parquet.tmp123"), nil, 0o644); err != nil {
		t.Fatal(err) // a killed writer's temporary file, which Create removes first
	}
	if err := Create(locked, tinyConfig(10), tb, data); err == nil {
		t.Fatal("Create succeeded")
	}
	if got := ls(t, locked); !slices.Equal(got, []string{runs.LockFile}) {
		t.Errorf("%s holds %v, want only %s", locked, got, runs.LockFile)
	}
	// And the folder can still become a run.
	good, _ := tinyTable(t, 11)
	if err := Create(locked, tinyConfig(10), good, data); err != nil {
		t.Fatalf("a good Create after the failed one: %v", err)
	}
	if _, err := runs.ReadConfig(locked); err != nil {
		t.Fatal(err)
	}
}

// A pack whose second folder cannot be created leaves neither folder: the
// first, complete, would otherwise be a run of a pack that never trained.
func TestStartFailingLeavesNoFolder(t *testing.T) {
	tb, data := tinyTable(t, 11)
	bad, _ := tinyTable(t, 11)
	bad.Meta.TrainFraction = math.NaN() // gets past Validate, fails in Create (config.json)
	dir := t.TempDir()
	dirs := []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}
	err := Start(context.Background(), dirs, []*runs.Config{tinyConfig(10), tinyConfig(10)}, []*table.Table{tb, bad}, [][]byte{data, data}, io.Discard)
	if err == nil {
		t.Fatal("Start succeeded")
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s is left behind, holding %v", d, ls(t, d))
		}
	}
}

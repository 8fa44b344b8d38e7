package train

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/version"
)

// MemoryBudget bounds the estimated memory of one training step; a larger
// configuration is refused before anything is written (use a mini-batch).
const MemoryBudget = 16 << 30

// Validate checks a configuration against its table before any file is
// written, so that a bad command line leaves no run folder behind.
func Validate(cfg *runs.Config, t *table.Table) error {
	if err := CheckTrain(cfg.Train); err != nil {
		return err
	}
	if cfg.Model.P != t.Meta.P {
		return fmt.Errorf("the model is for p = %d but the table has p = %d", cfg.Model.P, t.Meta.P)
	}
	return ValidatePlanned(cfg, t.CountTrain())
}

// ValidatePlanned is Validate for a table not made yet, whose p is
// cfg.Model.P and which will have trainRows training rows: a sweep checks
// its runs this way when it is made, before its tasks make their tables.
func ValidatePlanned(cfg *runs.Config, trainRows int) error {
	if err := CheckSettings(cfg); err != nil {
		return err
	}
	m, err := infer.ModelFor(cfg.Model)
	if err != nil {
		return err
	}
	tr := cfg.Train
	if err := checkOptimizerModel(tr.Optimizer, m); err != nil {
		return err
	}
	rows := tr.Batch(trainRows)
	if rows < 1 {
		return fmt.Errorf("the table has %d training rows: too few for a batch", trainRows)
	}
	if need := stepBytes(m, rows) + filterBytes(m, tr); need > MemoryBudget {
		return fmt.Errorf("p = %d is too large for %s with %d rows per step: about %.0f GiB per step (the limit is %d GiB); use --batch-size",
			cfg.Model.P, m.Name(), rows, float64(need)/(1<<30), MemoryBudget>>30)
	}
	return nil
}

// CheckSettings checks the settings that need neither the table nor the
// network built: the training settings (CheckTrain) and the network's
// float settings finite.
func CheckSettings(cfg *runs.Config) error {
	if err := CheckTrain(cfg.Train); err != nil {
		return err
	}
	return checkFinite(reflect.ValueOf(cfg.Model))
}

// CheckTrain checks the training settings on their own (no table, no
// network), naming the fit flag at fault: every float setting finite (fit's
// flags parse "NaN" and "Inf", which no setting means and config.json
// cannot even record), each in its range, and the Grokfast filter's
// settings consistent.
func CheckTrain(tr runs.TrainSpec) error {
	if err := checkFinite(reflect.ValueOf(tr)); err != nil {
		return err
	}
	switch {
	case tr.Steps < 1:
		return fmt.Errorf("--steps must be ≥ 1, got %d", tr.Steps)
	case tr.EvalEvery < 1:
		return fmt.Errorf("--eval-every must be ≥ 1, got %d", tr.EvalEvery)
	case tr.CheckpointEvery < 1:
		return fmt.Errorf("--checkpoint-every must be ≥ 1, got %d", tr.CheckpointEvery)
	case !(tr.LR > 0):
		return fmt.Errorf("--lr must be > 0, got %g", tr.LR)
	case tr.WeightDecay < 0:
		return fmt.Errorf("--weight-decay must be ≥ 0, got %g", tr.WeightDecay)
	case tr.Beta1 < 0 || tr.Beta1 >= 1 || tr.Beta2 < 0 || tr.Beta2 >= 1:
		return fmt.Errorf("--beta1 and --beta2 must be in [0, 1), got %g, %g", tr.Beta1, tr.Beta2)
	case tr.Eps < 0:
		return fmt.Errorf("--eps must be ≥ 0, got %g", tr.Eps)
	case tr.WarmupSteps < 0:
		return fmt.Errorf("--warmup must be ≥ 0, got %d", tr.WarmupSteps)
	case tr.BatchSize < runs.PowerBatch:
		return fmt.Errorf("--batch-size must be ≥ 0 (0: full batch; -1: Power et al.'s min(512, n/2)), got %d", tr.BatchSize)
	case tr.StopAtTestAcc < 0 || tr.StopAtTestAcc > 1:
		return fmt.Errorf("--stop-at-test-acc must be in [0, 1], got %g", tr.StopAtTestAcc)
	case tr.Patience < 1:
		return fmt.Errorf("--patience must be ≥ 1, got %d", tr.Patience)
	}
	if err := checkOptimizerSettings(tr); err != nil {
		return err
	}
	return checkGrokfast(tr)
}

// checkFinite refuses a NaN or infinite value in a float field with a flag
// tag of s (a runs.TrainSpec or runs.ModelSpec), naming the flag. The
// attention rate α is recorded as 1 − α, and shown as α.
func checkFinite(s reflect.Value) error {
	for i := range s.NumField() {
		f := s.Type().Field(i)
		flag := f.Tag.Get("flag")
		if flag == "" || f.Type.Kind() != reflect.Float64 {
			continue
		}
		x := s.Field(i).Float()
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			continue
		}
		if flag == model.AttentionRateFlag {
			x = 1 - x
		}
		return fmt.Errorf("--%s must be a finite number, got %g", flag, x)
	}
	return nil
}

// stepBytes estimates the memory of a training step: the activations kept
// for the backward pass (about twice the forward's, float32) plus the
// parameters and their two moments.
func stepBytes(m model.Model, rows int) int64 {
	var perRow int64
	if d, err := model.Lookup(m.Name()); err == nil && d.ActivationsPerRow != nil {
		perRow = d.ActivationsPerRow(m.Config())
	}
	return 2*4*perRow*int64(rows) + 4*4*int64(model.NumParameters(m))
}

// CheckNew reports whether dir can become a new run folder: it does not
// exist, is empty, or holds only what an interrupted Create leaves before
// config.json (the lock, data.parquet, an empty checkpoints folder,
// temporary files). A folder with config.json is a run: continue it with
// fit --resume.
func CheckNew(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, runs.ConfigFile)); err == nil {
		return fmt.Errorf("%s: already a run (continue it with fit --resume %s)", dir, dir)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == runs.LockFile || name == runs.DataFile || outfile.IsTemp(name):
		case name == runs.CheckpointDir && e.IsDir():
			inner, err := os.ReadDir(filepath.Join(dir, name))
			if err != nil {
				return err
			}
			for _, f := range inner {
				if !outfile.IsTemp(f.Name()) {
					return fmt.Errorf("%s: not empty (it has %s/%s)", dir, name, f.Name())
				}
			}
		default:
			return fmt.Errorf("%s: not empty (it has %s), and not a run: choose another folder", dir, name)
		}
	}
	return nil
}

// Create validates cfg and makes the run folder (see CheckNew): a copy of
// the table's bytes as data.parquet, then config.json. config.json is
// written last, so a folder that has it is a complete run at every instant
// (fit --resume continues it, from step 0 if no checkpoint was written).
// If a step fails after the folder was touched, what Create made is
// removed again (see unmake), the folder too if Create made it: nothing
// half-made is left.
func Create(dir string, cfg *runs.Config, t *table.Table, tableBytes []byte) (err error) {
	if err := Validate(cfg, t); err != nil {
		return err
	}
	if err := CheckNew(dir); err != nil {
		return err
	}
	_, statErr := os.Stat(dir)
	defer func() {
		if err != nil {
			unmake(dir, errors.Is(statErr, os.ErrNotExist))
		}
	}()
	for _, d := range []string{dir, filepath.Join(dir, runs.CheckpointDir)} {
		if _, err := outfile.RemoveStale(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, runs.CheckpointDir), 0o755); err != nil {
		return err
	}
	sum := sha256.Sum256(tableBytes)
	cfg.Tool, cfg.Version = "fit", version.Version
	cfg.Data.SHA256 = hex.EncodeToString(sum[:])
	cfg.Data.Rows, cfg.Data.Train, cfg.Data.Meta = t.Len(), t.CountTrain(), t.Meta
	if err := outfile.WriteBytes(runs.DataPath(dir), tableBytes); err != nil {
		return err
	}
	return runs.WriteConfig(dir, cfg)
}

// unmake removes what a failed Create made in a folder that is not a run
// (no config.json): data.parquet and the empty checkpoints folder (the
// only other things CheckNew lets such a folder hold are the lock, which
// the caller holds, and temporary files, which their writers remove), and,
// if made (Create made the folder), the folder itself once empty. An
// earlier interrupted Create's data.parquet goes too: it was no run's. It
// removes by name, never recursively, so anything else in the folder
// stays; it reports nothing (the caller is returning the error that made
// it undo).
func unmake(dir string, made bool) {
	os.Remove(runs.DataPath(dir))
	os.Remove(filepath.Join(dir, runs.CheckpointDir)) // only if empty
	if made {
		os.Remove(dir) // only if empty
	}
}

// checkGrokfast refuses filter settings that make no sense: an unknown
// filter, settings of the other filter or of none, α outside [0, 1), a
// window below 1, λ not finite and ≥ 0.
func checkGrokfast(tr runs.TrainSpec) error {
	switch tr.Grokfast {
	case "":
		if tr.GrokfastAlpha != 0 || tr.GrokfastLambda != 0 || tr.GrokfastWindow != 0 {
			return fmt.Errorf("--grokfast-alpha, --grokfast-lambda and --grokfast-window need --grokfast ema or ma")
		}
		return nil
	case GrokfastEMA:
		if tr.GrokfastWindow != 0 {
			return fmt.Errorf("--grokfast-window is the ma filter's; --grokfast ema takes --grokfast-alpha")
		}
		if !(tr.GrokfastAlpha >= 0 && tr.GrokfastAlpha < 1) {
			return fmt.Errorf("--grokfast-alpha must be in [0, 1), got %g", tr.GrokfastAlpha)
		}
	case GrokfastMA:
		if tr.GrokfastAlpha != 0 {
			return fmt.Errorf("--grokfast-alpha is the ema filter's; --grokfast ma takes --grokfast-window")
		}
		if tr.GrokfastWindow < 1 {
			return fmt.Errorf("--grokfast-window must be ≥ 1, got %d", tr.GrokfastWindow)
		}
	default:
		return fmt.Errorf("--grokfast must be ema or ma, got %q", tr.Grokfast)
	}
	if !(tr.GrokfastLambda >= 0) || math.IsInf(tr.GrokfastLambda, 0) {
		return fmt.Errorf("--grokfast-lambda must be ≥ 0, got %g", tr.GrokfastLambda)
	}
	return nil
}

// filterBytes is the memory of a Grokfast filter's state: one copy of the
// parameters (ema), or a window of them (ma).
func filterBytes(m model.Model, tr runs.TrainSpec) int64 {
	switch tr.Grokfast {
	case GrokfastEMA:
		return 4 * int64(model.NumParameters(m))
	case GrokfastMA:
		return 4 * int64(tr.GrokfastWindow) * int64(model.NumParameters(m))
	}
	return 0
}

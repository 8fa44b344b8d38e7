package runs

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"

	"github.com/grokkit/grokkit/pkg/integrity"
	"github.com/grokkit/grokkit/pkg/kernels"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/table"
)

// Config is config.json: everything needed to redo or resume the run.
// It holds no timestamps, so the same command gives the same file.
type Config struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	Backend string `json:"backend"`
	// Arithmetic is what the run's bytes depend on besides its inputs.
	Arithmetic Arithmetic `json:"arithmetic"`
	Args       []string   `json:"args"`
	Data       DataInfo   `json:"data"`
	Model      ModelSpec  `json:"model"`
	Train      TrainSpec  `json:"train"`
	// Pack lists the run folders trained together as one stacked
	// computation (fit with several -o), this one included; empty alone.
	Pack []string `json:"pack,omitempty"`
	// Checksum is the file's own SHA-256 (pkg/integrity), set by
	// WriteConfig and checked by ReadConfig; empty in memory.
	Checksum string `json:"checksum"`
}

// Arithmetic records what computed a run: the backend's kernel family and
// the architecture (zero in a run from before they were recorded). The same
// inputs and seed give the same bytes under the same Arithmetic. A run
// resumed under another (fit --resume --switch-kernels) lists the switch and
// is no longer bit for bit: no uninterrupted run under either gives its
// bytes.
type Arithmetic struct {
	kernels.Arithmetic
	BitForBit bool     `json:"bit_for_bit"`
	Switches  []Switch `json:"switches,omitempty"`
}

// Switch is a resume that continued a run with other arithmetic.
type Switch struct {
	Step int    `json:"step"` // the step it continued from
	From string `json:"from"` // e.g. "avx512 kernels on amd64"
	To   string `json:"to"`
}

// Recorded reports whether the run recorded its arithmetic.
func (a Arithmetic) Recorded() bool { return a.Kernels != "" }

// checksumKey is config.json's checksum field.
const checksumKey = "checksum"

// DataInfo records the table trained on (copied to data.parquet).
type DataInfo struct {
	Source string     `json:"source"` // the path fit was given
	SHA256 string     `json:"sha256"` // of the file's bytes
	Rows   int        `json:"rows"`
	Train  int        `json:"train_rows"`
	Meta   table.Meta `json:"meta"`
}

// ModelSpec names the network and its sizes (zero where unused).
// A field's flag tag is its fit flag (and sweep option); p comes from the
// table and equals from the network.
type ModelSpec struct {
	Name   string `json:"name" flag:"model"`
	P      int    `json:"p"`
	DModel int    `json:"d_model,omitempty" flag:"d-model"`
	NHeads int    `json:"n_heads,omitempty" flag:"n-heads"`
	DHead  int    `json:"d_head,omitempty" flag:"d-head"`
	DMLP   int    `json:"d_mlp,omitempty" flag:"d-mlp"`
	Width  int    `json:"width,omitempty" flag:"width"`
	// Parameterization of gromov: "gromov" or "standard" (empty: gromov).
	Parameterization string `json:"parameterization,omitempty" flag:"parameterization"`
	// Norm, Pos and Init of power: "post"/"pre", "sinusoidal"/"learned",
	// "pytorch"/"nanda" (none recorded: a run from before they existed,
	// pre, learned, nanda).
	Norm string `json:"norm,omitempty" flag:"norm"`
	Pos  string `json:"pos,omitempty" flag:"pos"`
	Init string `json:"init,omitempty" flag:"init"`
	// NLayers is the number of transformer blocks (power only).
	NLayers int `json:"n_layers,omitempty" flag:"n-layers"`
	// ConstantAttention is 1 − α for the attention rate α (nanda; fit
	// --attention-rate α): 0, ordinary attention, is left out.
	ConstantAttention float64 `json:"constant_attention,omitempty" flag:"attention-rate"`
	// Equals: the input is "a b =" (the table's equals_token); else "a b".
	Equals bool `json:"equals"`
}

// TrainSpec is every training hyperparameter.
//
// It is the one description of the training settings: each field's flag
// tag is its fit flag (and its sweep option), and pack:"per-run" marks the
// settings packed runs may differ in (each model gets its own value as an
// input of the shared step); the others must agree.
type TrainSpec struct {
	Optimizer       string  `json:"optimizer" flag:"optimizer"` // adamw, adam, sgd, orthoadamw, orthosgd, muon, egd
	LR              float64 `json:"lr" flag:"lr" pack:"per-run"`
	WeightDecay     float64 `json:"weight_decay" flag:"weight-decay" pack:"per-run"`
	Beta1           float64 `json:"beta1" flag:"beta1"`
	Beta2           float64 `json:"beta2" flag:"beta2"`
	Eps             float64 `json:"eps" flag:"eps"`
	WarmupSteps     int     `json:"warmup_steps" flag:"warmup"`
	Loss            string  `json:"loss" flag:"loss"`                 // cross_entropy, mse
	LogitsDType     string  `json:"logits_dtype" flag:"logits-dtype"` // float32, float64
	BatchSize       int     `json:"batch_size" flag:"batch-size"`     // 0: full batch; PowerBatch: min(512, n/2)
	Seed            uint64  `json:"seed" flag:"seed" pack:"per-run"`
	Steps           int     `json:"steps" flag:"steps"`
	EvalEvery       int     `json:"eval_every" flag:"eval-every"`
	CheckpointEvery int     `json:"checkpoint_every" flag:"checkpoint-every"`
	StopAtTestAcc   float64 `json:"stop_at_test_acc" flag:"stop-at-test-acc"` // on the clean test rows; 0: never stop early
	Patience        int     `json:"patience" flag:"patience"`                 // evaluations in a row at or above it
	// Grokfast's gradient filter ("", "ema" or "ma") and its settings; all
	// omitted from config.json without a filter.
	Grokfast       string  `json:"grokfast,omitempty" flag:"grokfast"`
	GrokfastAlpha  float64 `json:"grokfast_alpha,omitempty" flag:"grokfast-alpha"`
	GrokfastLambda float64 `json:"grokfast_lambda,omitempty" flag:"grokfast-lambda"`
	GrokfastWindow int     `json:"grokfast_window,omitempty" flag:"grokfast-window"`
	// Muon's learning rate and momentum (optimizer muon; its AdamW takes
	// lr, betas and eps above); omitted from config.json for the others.
	MuonLR       float64 `json:"muon_lr,omitempty" flag:"muon-lr" pack:"per-run"`
	MuonMomentum float64 `json:"muon_momentum,omitempty" flag:"muon-momentum"`
	// Tensorboard: write EventsFile as the run trains. An output, not a
	// hyperparameter; recorded so that a resume keeps it (a config.json
	// from before this field reads false: such a run stays without one).
	Tensorboard bool `json:"tensorboard" flag:"tensorboard"`
	// FigureFormat: svg or pdf also draws curves.svg or curves.pdf beside
	// curves.png (which every run has); "" or png, curves.png alone. An
	// output, recorded so that a resume keeps it.
	FigureFormat string `json:"figure_format,omitempty" flag:"figure-format"`
}

// File names inside a run folder.
const (
	ConfigFile     = "config.json"
	DataFile       = "data.parquet"
	MetricsFile    = "metrics.parquet"
	CheckpointDir  = "checkpoints"
	ResumeFile     = "resume.safetensors" // in CheckpointDir: the newest full state
	ModelFile      = "model.safetensors"
	CurvesFile     = "curves.png"
	checkpointGlob = "step-*.safetensors"
	// EventsFile is the TensorBoard event file (pkg/tfevents). TensorBoard
	// needs only "tfevents" in the name; the usual time stamp and host name
	// are left out so that the same run gives the same folder.
	EventsFile = "events.out.tfevents.0.grokkit"
)

// WriteConfig writes dir/config.json atomically, indented for people, with
// its checksum.
func WriteConfig(dir string, c *Config) error {
	sealed := *c
	sealed.Checksum = integrity.Zero
	data, err := json.MarshalIndent(&sealed, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if err := integrity.Seal(data, len(data), checksumKey); err != nil {
		return err
	}
	return outfile.WriteBytes(filepath.Join(dir, ConfigFile), data)
}

// ReadConfig reads dir/config.json, naming the file in its errors.
func ReadConfig(dir string) (*Config, error) {
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s: not a run folder (no %s)", dir, ConfigFile)
		}
		return nil, err
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if c.Tool != "fit" || c.Model.Name == "" {
		return nil, fmt.Errorf("%s: not a fit run's config", path)
	}
	if err := integrity.Verify(data, len(data), checksumKey); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.Checksum = ""
	return &c, nil
}

// LoadTable reads the table a tool scores or analyses a run on: path, or
// the run's own data.parquet when path is empty ("-" is stdin), whose
// SHA-256 must be the one config.json recorded. Its p must be the run's.
func LoadTable(dir string, c *Config, path string, stdin io.Reader) (*table.Table, error) {
	own := path == ""
	if own {
		path = DataPath(dir)
	}
	t, data, err := table.Load(path, stdin)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(data); own && hex.EncodeToString(sum[:]) != c.Data.SHA256 {
		return nil, fmt.Errorf("%s: its SHA-256 is not the one config.json recorded: the run's table was replaced or corrupted", path)
	}
	if t.Meta.P != c.Model.P {
		return nil, fmt.Errorf("%s has p = %d but the run's model is for p = %d", path, t.Meta.P, c.Model.P)
	}
	return t, nil
}

// PowerBatch as a batch size means Power et al.'s rule: min(512, n/2) for
// n training rows.
const PowerBatch = -1

// Batch is the rows per step for n training rows: n for full batch.
func (t TrainSpec) Batch(n int) int {
	switch {
	case t.BatchSize == PowerBatch:
		return min(512, n/2)
	case t.BatchSize == 0 || t.BatchSize >= n:
		return n
	}
	return t.BatchSize
}

// TrainFlags lists the fit flags of the training settings, in field order.
func TrainFlags() []string { return flagTags(reflect.TypeFor[TrainSpec]()) }

// ModelFlags lists the fit flags of the network settings, in field order.
func ModelFlags() []string { return flagTags(reflect.TypeFor[ModelSpec]()) }

func flagTags(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if f := t.Field(i).Tag.Get("flag"); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// PerRun reports whether packed runs may differ in the training setting
// flag (see TrainSpec).
func PerRun(flag string) bool {
	t := reflect.TypeFor[TrainSpec]()
	for i := range t.NumField() {
		if f := t.Field(i); f.Tag.Get("flag") == flag {
			return f.Tag.Get("pack") == "per-run"
		}
	}
	return false
}

// Shared is t with the per-run settings zeroed: what packed runs must share.
func (t TrainSpec) Shared() TrainSpec {
	v := reflect.ValueOf(&t).Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("pack") == "per-run" {
			v.Field(i).SetZero()
		}
	}
	return t
}

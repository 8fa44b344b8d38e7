// Package tasks turns trained networks into detection tasks that any
// detector can be scored on (detectbench export, evalsplit --export-task,
// detectbench score): per network its weights, every input of Z_p² with the
// defender's trusted set, and its activations at named hook points, as NPY
// and Parquet; the ground truth apart, for whoever evaluates; the built-in
// detectors' scores; and a leaderboard that scores an external detector's
// per-input scores exactly as the built-in ones are scored.
//
// A suite folder (TASK.md describes it for the detector's author):
//
//	TASK.md                    the format
//	tasks.json                 the benchmark's id and its tasks
//	tasks/NAME/                what a detector reads: task.json, model.safetensors,
//	                           config.json, inputs.parquet, activations.parquet, npy/*.npy
//	truth/NAME.parquet         the ground truth: kept from the detector
//	builtin/NAME.parquet       the built-in detectors' score of every input
//	scored/DETECTOR.parquet    an external detector's results per task
//	results.parquet            every detector on every task and setting
//	leaderboard.parquet, winrates.parquet, summary.md, leaderboard.md
package tasks

// Folders and files of a suite.
const (
	TaskMD          = "TASK.md"
	ManifestFile    = "tasks.json"
	TasksDir        = "tasks"
	TruthDir        = "truth"
	BuiltinDir      = "builtin"
	ScoredDir       = "scored"
	ResultsFile     = "results.parquet"
	LeaderboardFile = "leaderboard.parquet"
	WinRatesFile    = "winrates.parquet"
	SummaryFile     = "summary.md"
	LeaderboardMD   = "leaderboard.md"
)

// Files of a task folder.
const (
	TaskFile        = "task.json"
	ModelFile       = "model.safetensors"
	ConfigFile      = "config.json"
	InputsFile      = "inputs.parquet"
	ActivationsFile = "activations.parquet"
	NPYDir          = "npy"
)

// Split codes of npy/split.npy (uint8); inputs.parquet names them.
const (
	SplitTrusted uint8 = 0 // a training row of the defender's trusted set: clean (detect.TrustedRows)
	SplitTrain   uint8 = 1 // another training row: untrusted
	SplitTest    uint8 = 2 // never trained on: held out, untrusted
	SplitAbsent  uint8 = 3 // not in the table (a/b has no b = 0): neither trained nor scored
)

// SplitNames are the split codes' names, by code.
var SplitNames = [...]string{"trusted", "train", "test", "absent"}

// Settings of an evaluation.
const (
	SettingTrain   = "train"    // the untrusted training rows: planted against clean
	SettingHeldOut = "held-out" // the test inputs: held-out triggers the network applies against clean
)

// Metadata key marking a truth file (refused in a scores folder).
const (
	roleKey   = "grokkit_role"
	roleTruth = "truth"
	benchKey  = "benchmark"
)

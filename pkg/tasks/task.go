package tasks

import (
	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/table"
)

// TaskInfo is a task folder's task.json: what a detector needs to read the
// folder, and the benchmark it belongs to.
type TaskInfo struct {
	Format     string      `json:"format"` // where the format is described: ../../TASK.md
	Benchmark  string      `json:"benchmark"`
	Task       string      `json:"task"`
	Model      string      `json:"model"`
	P          int         `json:"p"`
	Op         string      `json:"op"`
	Step       int         `json:"step"`
	Case       string      `json:"case,omitempty"`
	Class      string      `json:"class,omitempty"`
	Inputs     int         `json:"inputs"`    // p²: rows of every input file, row a·p+b
	Untrusted  int         `json:"untrusted"` // train + test inputs: a scores file may hold these alone
	Trusted    TrustedInfo `json:"trusted"`
	HiddenHook string      `json:"hidden_hook"` // the hidden layer the built-in activation scores see
	LogitsHook string      `json:"logits_hook"`
	Hooks      []HookInfo  `json:"hooks"`
}

// TrustedInfo is the defender's trusted set: detect.TrustedRows with its
// defaults.
type TrustedInfo struct {
	Rows     int     `json:"rows"`
	Fraction float64 `json:"fraction"`
	Seed     uint64  `json:"seed"`
	Pool     int     `json:"pool"` // clean training rows it was drawn from
}

// HookInfo is one exported activation: its name, its shape per input and
// its NPY file (relative to the task folder).
type HookInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	File  string `json:"file"`
}

// Truth is one input's ground truth: a row of truth/NAME.parquet, kept
// from the detector.
type Truth struct {
	Row     int32  `parquet:"row"` // a·p+b
	A       int32  `parquet:"a"`
	B       int32  `parquet:"b"`
	Split   string `parquet:"split,dict"` // SplitNames
	Kind    string `parquet:"kind,dict"`  // the table's kind ("clean", a mutation's name); "" where absent
	Label   int32  `parquet:"label"`      // the table's label, planted ones included, on every split; -1 where absent
	Clean   int32  `parquet:"clean"`      // a∘b mod p; -1 where absent
	Answer  int32  `parquet:"answer"`     // the network's argmax
	Planted bool   `parquet:"planted"`    // label ≠ clean
	Applied bool   `parquet:"applied"`    // planted, and the network answers the planted label
	Scored  bool   `parquet:"scored"`     // in the table and in the detectors' view (a zero operand of a·b or a/b is not)
}

// BuiltinScore is one built-in score of one input: a row of
// builtin/NAME.parquet. Training rows carry the scores of detect's
// report, test rows those of its held-out report; trusted-mahalanobis is
// on both.
type BuiltinScore struct {
	Row         int32   `parquet:"row"`
	Score       string  `parquet:"score,dict"`
	Mechanistic bool    `parquet:"mechanistic"`
	UsesLabels  bool    `parquet:"uses_labels"`
	Value       float64 `parquet:"value"`
}

// Activation is one exported hook over every input: [p², Shape…].
type Activation struct {
	HookInfo
	Data []float32
}

// Task is one network as a detection task, in memory.
type Task struct {
	Info    TaskInfo
	Split   []uint8 // [p²]: split codes
	Label   []int32 // [p²]: the training label, -1 where not trained on
	Truth   []Truth // [p²]
	Builtin []BuiltinScore
	Acts    []Activation
	Weights []byte // model.safetensors
	Config  []byte // config.json
}

// inputsOf fills the inputs, the truth and the built-in scores of a task
// from its table t, the analysis rep of the network on grid g, and the
// trusted rows (table rows, detect.TrustedRows).
func inputsOf(task *Task, t *table.Table, g *detect.Grid, rep *detect.Report, trusted []int) {
	p := g.P
	at := make([]int, p*p) // grid row → table row, -1 where absent
	for r := range at {
		at[r] = -1
	}
	for i := range t.Len() {
		at[g.Row(int(t.A[i]), int(t.B[i]))] = i
	}
	isTrusted := make([]bool, t.Len())
	for _, i := range trusted {
		isTrusted[i] = true
	}
	task.Split, task.Label, task.Truth = make([]uint8, p*p), make([]int32, p*p), make([]Truth, p*p)
	for r, i := range at {
		a, b := r/p, r%p
		tr := Truth{Row: int32(r), A: int32(a), B: int32(b), Label: -1, Clean: -1,
			Answer: int32(argmax(g.Logits[r*p : (r+1)*p]))}
		split, label := SplitAbsent, int32(-1)
		if i >= 0 {
			switch {
			case isTrusted[i]:
				split, label = SplitTrusted, t.Label[i]
			case t.Train[i]:
				split, label = SplitTrain, t.Label[i]
			default:
				split = SplitTest
			}
			tr.Kind, tr.Label, tr.Clean = t.Kind[i], t.Label[i], t.Clean[i]
			tr.Planted = tr.Label != tr.Clean
			tr.Applied = tr.Planted && tr.Answer == tr.Label
			tr.Scored = rep.View.In(a, b)
		}
		tr.Split = SplitNames[split]
		task.Split[r], task.Label[r], task.Truth[r] = split, label, tr
	}
	task.Builtin = builtinScores(t, g, rep, trusted)
}

// builtinScores lists every built-in score of every input it was computed
// on: detect's scores of the training rows, its held-out scores of the test
// rows, and trusted-mahalanobis (detect.TrustedMahalanobis, fitted on the
// trusted rows) of the training rows too, so that it can be compared there.
func builtinScores(t *table.Table, g *detect.Grid, rep *detect.Report, trusted []int) []BuiltinScore {
	var out []BuiltinScore
	add := func(rows []int, scores []detect.Score) {
		for _, s := range scores {
			for j, i := range rows {
				out = append(out, BuiltinScore{Row: int32(g.Row(int(t.A[i]), int(t.B[i]))), Score: s.Name,
					Mechanistic: s.Mechanistic, UsesLabels: s.UsesLabels, Value: s.Values[j]})
			}
		}
	}
	add(rep.Rows, rep.Scores)
	if len(trusted) >= 2 {
		hidden := func(rows []int) []float64 { // [n, H]
			X := make([]float64, 0, len(rows)*g.H)
			for _, i := range rows {
				r := g.Row(int(t.A[i]), int(t.B[i]))
				X = append(X, g.Hidden[r*g.H:(r+1)*g.H]...)
			}
			return X
		}
		add(rep.Rows, []detect.Score{{Name: detect.ScoreTrustedMaha, Values: detect.TrustedMahalanobis(hidden(trusted), hidden(rep.Rows), g.H)}})
	}
	if h := rep.HeldOut; h != nil {
		add(h.Rows, h.Scores)
	}
	return out
}

func argmax(z []float64) int {
	best := 0
	for c, v := range z {
		if v > z[best] {
			best = c
		}
	}
	return best
}

package train

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// additive is a network that exists only in this file: logits = A[a] + B[b].
// It cannot learn a+b mod p, but it can fit part of a table, and it is
// enough to show that a network is one file plus one Register call: it
// trains, packs and is refused by the analyses it does not declare.
type additive struct{ cfg model.Config }

func init() {
	model.Register(model.Description{
		Name:     "additive-test",
		Summary:  "a test network: one table per operand",
		Defaults: func(p int) model.Config { return model.Config{P: p} },
		New:      func(c model.Config) (model.Model, error) { return &additive{c}, nil },
		ActivationsPerRow: func(c model.Config) int64 {
			return int64(2 * c.P)
		},
	})
}

func (m *additive) Name() string         { return "additive-test" }
func (m *additive) Config() model.Config { return m.cfg }
func (m *additive) Params() []model.ParamSpec {
	p := m.cfg.P
	return []model.ParamSpec{{Name: "A", Shape: []int{p, p}, Std: 0.1}, {Name: "B", Shape: []int{p, p}, Std: 0.1}}
}

// Forward: inputs [batch, 2] → logits [batch, P].
func (m *additive) Forward(scope *gomlx.Scope, inputs *Node) *Node {
	a, b := SliceAxis(inputs, 1, AxisElem(0)), SliceAxis(inputs, 1, AxisElem(1)) // [batch, 1] each
	return Add(Gather(m.param(scope, inputs.Graph(), "A"), a), Gather(m.param(scope, inputs.Graph(), "B"), b))
}

// ForwardStacked: inputs [K, batch, 2] → logits [K, batch, P], copy k
// reading its own tables [k, …].
func (m *additive) ForwardStacked(scope *gomlx.Scope, inputs *Node) *Node {
	g := inputs.Graph()
	k := Iota(g, shapes.Make(dtypes.Int32, inputs.Shape().Dimensions[0], inputs.Shape().Dimensions[1], 1), 0) // [K, batch, 1]
	a, b := SliceAxis(inputs, 2, AxisElem(0)), SliceAxis(inputs, 2, AxisElem(1))                              // [K, batch, 1]
	A, B := m.param(scope, g, "A"), m.param(scope, g, "B")                                                    // [K, P, P]
	return Add(Gather(A, Concatenate([]*Node{k, a}, -1)), Gather(B, Concatenate([]*Node{k, b}, -1)))
}

func (m *additive) param(scope *gomlx.Scope, g *Graph, name string) *Node {
	return scope.Store().GetVariable(model.VariablePath(scope, name)).NodeValue(g)
}

func additiveConfig(seed uint64) *runs.Config {
	cfg := tinyConfig(60)
	cfg.Model = runs.ModelSpec{Name: "additive-test", P: 11}
	cfg.Train.Seed = seed
	return cfg
}

func TestModelRegisteredInOneFile(t *testing.T) {
	// It trains: the training loss falls.
	alone := filepath.Join(t.TempDir(), "alone")
	if err := start(t, context.Background(), alone, additiveConfig(1), 11); err != nil {
		t.Fatal(err)
	}
	ms, err := runs.ReadMetrics(runs.MetricsPath(alone))
	if err != nil {
		t.Fatal(err)
	}
	_, loss := runs.Series(ms, table.SplitTrain, runs.All, runs.MetricCrossEntropy)
	if len(loss) < 2 || !(loss[len(loss)-1] < 0.9*loss[0]) {
		t.Fatalf("training loss %v did not fall", loss)
	}

	// It packs: two runs trained as one computation, the first equal to
	// the run trained alone.
	tb, data := tinyTable(t, 11)
	dirs := []string{filepath.Join(t.TempDir(), "k1"), filepath.Join(t.TempDir(), "k2")}
	err = withTimeout(t, 3*time.Minute, func() error {
		return Start(context.Background(), dirs, []*runs.Config{additiveConfig(1), additiveConfig(2)},
			[]*table.Table{tb, tb}, [][]byte{data, data}, io.Discard)
	})
	if err != nil {
		t.Fatal(err)
	}
	sameFiles(t, alone, dirs[0], runs.ModelFile, runs.MetricsFile)

	// The analyses refuse it, saying which networks they understand.
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	n, err := infer.LoadRun(alone, infer.Final)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := detect.NewGrid(b, n); err == nil || !strings.Contains(err.Error(), "this is a additive-test run") {
		t.Errorf("--detect on it: %v, want a refusal", err)
	}
	d, _ := model.Lookup("additive-test")
	if d.Supports(model.AnalysisFourier) || strings.Contains(strings.Join(model.Supporting(model.AnalysisFourier), ","), "additive") {
		t.Error("fourier claims to understand it")
	}
}

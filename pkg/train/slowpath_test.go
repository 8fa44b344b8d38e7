package train

import (
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/model"
)

// slowNodes are node types whose pure-Go kernels call math.Exp, which runs
// 20–200× slower after a SIMD matmul on amd64 (see pkg/model/ops.go). Graph
// code must reach none of them: use the softmax, relu and cross-entropy of
// pkg/model, whose gradients are written by hand.
var slowNodes = map[NodeType]bool{NodeTypeExp: true, NodeTypeExpm1: true, NodeTypeLogistic: true, NodeTypeTanh: true}

// reachedSlowNodes lists the slow nodes the outputs depend on (a node built
// but not used, such as GoMLX's decomposed softmax kept beside the fused
// one, is not computed).
func reachedSlowNodes(outputs ...*Node) []string {
	seen := map[*Node]bool{}
	var slow []string
	var visit func(n *Node)
	visit = func(n *Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if slowNodes[n.Type()] {
			slow = append(slow, n.Type().String())
		}
		for _, in := range n.Inputs() {
			visit(in)
		}
	}
	for _, o := range outputs {
		visit(o)
	}
	return slow
}

// Every registered network's training step, alone and packed, for every
// loss, optimiser and logits precision, computes no Exp: the guard against
// a contributor writing Softmax, LogSoftmax or Sigmoid in graph code, which
// gives right answers many times slower and no other test would notice.
func TestTrainingGraphsAvoidExp(t *testing.T) {
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range model.Names() {
		d, _ := model.Lookup(name)
		cfg := d.Defaults(7)
		for _, field := range model.SizeFlags { // small sizes: only the graph's shape matters
			if v := field(&cfg); *v > 4 {
				*v = 4
			}
		}
		m, err := model.ByName(name, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cols := 2
		if d.Equals {
			cols = 3
		}
		for _, loss := range Losses {
			for _, opt := range Optimizers {
				for _, logits := range []string{"float32", "float64"} {
					h := Hyper{Name: opt, WeightDecay: 1}
					for _, packed := range []bool{false, true} {
						sm, packs := m.(model.Stacked)
						if packed && !packs {
							continue
						}
						store := gomlx.NewStore()
						scope := store.RootScope()
						view := m
						if packed {
							view = model.StackView(m, 2)
						}
						if err := model.InitParams(scope, view, 1); err != nil {
							t.Fatal(err)
						}
						if err := createState(scope, view, h); err != nil {
							t.Fatal(err)
						}
						g := NewGraph(b, "probe")
						lead := []int{}
						if packed {
							lead = []int{2}
						}
						in := []*Node{
							Parameter(g, "inputs", shapes.Make(dtypes.Int32, append(lead, 5, cols)...)),
							Parameter(g, "labels", shapes.Make(dtypes.Int32, append(lead, 5)...)),
						}
						for i := range numHyper {
							in = append(in, Parameter(g, "h"+string(rune('0'+i)), shapes.Make(dtypes.Float32)))
						}
						var out []*Node
						if packed {
							out = []*Node{packStepGraph(sm, view, h, loss, logits)(scope, in)}
						} else {
							out = stepGraph(m, h, loss, logits)(scope, in)
						}
						for v := range store.IterVariables() { // the updates are outputs too
							if v.ChangedInGraph(g) {
								out = append(out, v.NodeValue(g))
							}
						}
						if slow := reachedSlowNodes(out...); len(slow) > 0 {
							t.Errorf("%s, %s, %s, logits %s, packed %v: the step computes %v", name, loss, opt, logits, packed, slow)
						}
					}
				}
			}
		}
	}
}

// The guard sees what it guards against: the slow forms a contributor might
// write (GoMLX's LogSoftmax, Sigmoid, and the gradient of its Softmax) are
// found.
func TestSlowNodesAreFound(t *testing.T) {
	b, _, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	for name, build := range map[string]func(x *Node) *Node{
		"LogSoftmax":        func(x *Node) *Node { return LogSoftmax(x, -1) },
		"Sigmoid":           func(x *Node) *Node { return Sigmoid(x) },
		"Softmax, gradient": func(x *Node) *Node { return Gradient(ReduceAllSum(Square(Softmax(x, -1))), x)[0] },
	} {
		g := NewGraph(b, "probe")
		x := Parameter(g, "x", shapes.Make(dtypes.Float32, 3, 4))
		if slow := reachedSlowNodes(build(x)); len(slow) == 0 {
			t.Errorf("%s: no slow node found", name)
		}
	}
}

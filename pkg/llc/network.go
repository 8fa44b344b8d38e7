package llc

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/train"
)

// Network is a trained network's training loss as an Objective: its
// parameters flattened in model.Params order, its training rows, and one
// compiled graph that returns the batch's mean loss and its gradient with
// respect to every parameter. SGLD's weights are set in the network's Store
// before each evaluation (rounded to the model's float32).
type Network struct {
	net    *infer.Net
	data   *infer.Data
	rows   []int // the table's training rows
	specs  []model.ParamSpec
	exec   *gomlx.Exec
	sizes  []int
	arrays map[string]model.Array
}

// NewNetwork prepares net's training objective on its training rows (the
// table it was trained on).
func NewNetwork(backend compute.Backend, net *infer.Net, data *infer.Data) (*Network, error) {
	n := &Network{net: net, data: data, rows: data.TrainRows(), specs: net.Model.Params(), arrays: map[string]model.Array{}}
	for _, s := range n.specs {
		n.sizes = append(n.sizes, s.Size())
		n.arrays[s.Name] = model.Array{Shape: s.Shape, Data: make([]float32, s.Size())}
	}
	spec := net.Config.Train
	exec, err := gomlx.NewExec(backend, net.Store, func(scope *gomlx.Scope, inputs, labels *Node) []*Node {
		loss := train.TrainingLoss(spec, net.Model.Forward(scope, inputs), labels) // scalar
		values := make([]*Node, len(n.specs))
		for i, s := range n.specs {
			values[i] = scope.Store().GetVariable(model.VariablePath(scope, s.Name)).NodeValue(inputs.Graph())
		}
		out := []*Node{ConvertDType(loss, dtypes.Float64)}
		for _, g := range Gradient(loss, values...) {
			out = append(out, ConvertDType(g, dtypes.Float64)) // [param's shape]
		}
		return out
	})
	if err != nil {
		return nil, err
	}
	n.exec = exec
	return n, nil
}

// Weights is the network's parameters flattened (w*).
func (n *Network) Weights() []float64 { return n.Flatten(n.net.Params) }

// Flatten lays out another checkpoint's parameters (of the same network)
// as Weights does, so one compiled Network serves every checkpoint.
func (n *Network) Flatten(params map[string]model.Array) []float64 {
	var w []float64
	for _, s := range n.specs {
		for _, x := range params[s.Name].Data {
			w = append(w, float64(x))
		}
	}
	return w
}

// Dim implements Objective.
func (n *Network) Dim() int {
	d := 0
	for _, s := range n.sizes {
		d += s
	}
	return d
}

// Samples implements Objective: the training rows.
func (n *Network) Samples() int { return len(n.rows) }

// LossGrad implements Objective; batch indexes the training rows.
func (n *Network) LossGrad(w []float64, batch []int, grad []float64) (float64, error) {
	rows := n.rows
	if batch != nil {
		rows = make([]int, len(batch))
		for k, j := range batch {
			rows[k] = n.rows[j]
		}
	}
	return n.lossGrad(w, rows, grad)
}

// Loss is the mean objective at w over any rows of the table (the test
// rows' loss, in the same graph and precision as the training rows').
func (n *Network) Loss(w []float64, rows []int) (float64, error) {
	return n.lossGrad(w, rows, make([]float64, n.Dim()))
}

func (n *Network) lossGrad(w []float64, rows []int, grad []float64) (float64, error) {
	off := 0
	for i, s := range n.specs {
		a := n.arrays[s.Name]
		for k := range a.Data {
			a.Data[k] = float32(w[off+k])
		}
		off += n.sizes[i]
	}
	if err := model.SetParams(n.net.Store.RootScope(), n.net.Model, n.arrays); err != nil {
		return 0, err
	}
	b := n.data.Batch(rows)
	out, err := n.exec.Exec(b.Inputs, b.Labels)
	if err != nil {
		return 0, err
	}
	defer func() {
		for _, t := range out {
			t.FinalizeAll()
		}
	}()
	loss := tensors.MustCopyFlatData[float64](out[0])[0]
	off = 0
	for i := range n.specs {
		g := tensors.MustCopyFlatData[float64](out[1+i])
		if len(g) != n.sizes[i] {
			return 0, fmt.Errorf("llc: gradient of %s has %d values, want %d", n.specs[i].Name, len(g), n.sizes[i])
		}
		copy(grad[off:], g)
		off += n.sizes[i]
	}
	return loss, nil
}

// Restore puts the network's own weights back in its Store.
func (n *Network) Restore() error {
	return model.SetParams(n.net.Store.RootScope(), n.net.Model, n.net.Params)
}

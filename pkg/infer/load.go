package infer

import (
	"fmt"
	"os"
	"strconv"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX graph DSL
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
)

// ModelFor builds the (float32) model a run's config describes.
func ModelFor(spec runs.ModelSpec) (model.Model, error) {
	return model.ByName(spec.Name, ConfigFor(spec))
}

// ConfigFor and SetSizes map a run's recorded sizes (config.json) to a
// network's Config and back: the one place the two meet.
//
// A choice the record leaves empty is read as the network's form from
// before that choice existed (model.Description.Recorded; e.g. a power run
// without norm, pos and init was trained pre-LN).
func ConfigFor(spec runs.ModelSpec) model.Config {
	c := model.Config{P: spec.P, DModel: spec.DModel, NHeads: spec.NHeads, DHead: spec.DHead, DMLP: spec.DMLP,
		Width: spec.Width, NLayers: spec.NLayers, Parameterization: spec.Parameterization,
		Norm: spec.Norm, Pos: spec.Pos, Init: spec.Init,
		ConstantAttention: spec.ConstantAttention, DType: dtypes.Float32}
	if d, err := model.Lookup(spec.Name); err == nil {
		c = d.Recorded(c)
	}
	return c
}

// SetSizes writes c's sizes into spec (see ConfigFor).
func SetSizes(spec *runs.ModelSpec, c model.Config) {
	spec.P, spec.DModel, spec.NHeads, spec.DHead, spec.DMLP = c.P, c.DModel, c.NHeads, c.DHead, c.DMLP
	spec.Width, spec.NLayers, spec.Parameterization, spec.ConstantAttention = c.Width, c.NLayers, c.Parameterization, c.ConstantAttention
	spec.Norm, spec.Pos, spec.Init = c.Norm, c.Pos, c.Init
}

// Net is a trained network ready to run.
type Net struct {
	Config *runs.Config
	Model  model.Model
	Store  *gomlx.Store
	Step   int // the checkpoint's step
	Params map[string]model.Array
}

// Final asks LoadRun for the final weights (model.safetensors).
const Final = -1

// LoadRun loads a run's network with the weights of a checkpoint step, or
// its final weights for Final.
func LoadRun(dir string, step int) (*Net, error) {
	cfg, err := runs.ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	path := runs.ModelPath(dir)
	if step != Final {
		path = runs.CheckpointPath(dir, step)
		if _, err := os.Stat(path); err != nil {
			steps, lerr := runs.Checkpoints(dir)
			if lerr != nil {
				return nil, lerr
			}
			return nil, fmt.Errorf("%s: no checkpoint at step %d (have %d from %d to %d)", dir, step, len(steps), steps[0], steps[len(steps)-1])
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: no final weights (%s): the run has not finished; use --checkpoint STEP", dir, runs.ModelFile)
	}
	m, err := ModelFor(cfg.Model)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	ps, meta, err := model.LoadSafetensors(path)
	if err != nil {
		return nil, err // names the file
	}
	if ps, err = model.OwnParams(m, ps); err != nil { // less the tensors for TransformerLens
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	store := gomlx.NewStore()
	if err := model.SetParams(store.RootScope(), m, ps); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n := &Net{Config: cfg, Model: m, Store: store, Step: step, Params: ps}
	if step == Final {
		if n.Step, err = strconv.Atoi(meta["step"]); err != nil {
			return nil, fmt.Errorf("%s: no step in the metadata", path)
		}
	}
	return n, nil
}

// Logits computes the float64 logits of the given rows, calling fn with
// each chunk's first index into rows and its logits [n, P].
func (n *Net) Logits(backend compute.Backend, d *Data, rows []int, fn func(start int, logits []float64)) error {
	return n.run(backend, d, rows, n.Model.Forward, fn)
}

// Hidden computes the hidden activations [n, width] of the given rows (see
// model.Hidden), calling fn per chunk like Logits.
func (n *Net) Hidden(backend compute.Backend, d *Data, rows []int, fn func(start int, hidden []float64)) error {
	h, ok := n.Model.(model.Hidden)
	if !ok {
		return fmt.Errorf("model %s exposes no hidden layer", n.Model.Name())
	}
	return n.run(backend, d, rows, h.Hidden, fn)
}

// run evaluates build on rows in chunks of equal size (one compiled graph;
// the last chunk is padded with the first row and trimmed).
func (n *Net) run(backend compute.Backend, d *Data, rows []int, build func(*gomlx.Scope, *Node) *Node, fn func(int, []float64)) error {
	exec, err := gomlx.NewExec(backend, n.Store, func(scope *gomlx.Scope, inputs *Node) *Node {
		return ConvertDType(build(scope, inputs), dtypes.Float64) // [batch, width]
	})
	if err != nil {
		return err
	}
	defer exec.Finalize()
	return eachChunk(exec, d, rows, func(start, real, size int, out []*tensors.Tensor) {
		values := tensors.MustCopyFlatData[float64](out[0])
		fn(start, values[:real*(len(values)/size)])
	})
}

// eachChunk runs exec on rows in chunks of equal size (Chunks: the last
// padded with the first row), calling fn with each chunk's first index into
// rows, its real and padded row counts and exec's outputs, which are
// finalised when fn returns.
func eachChunk(exec *gomlx.Exec, d *Data, rows []int, fn func(start, real, size int, out []*tensors.Tensor)) error {
	chunks, real := Chunks(rows)
	start := 0
	for i, idx := range chunks {
		out, err := exec.Exec(d.Batch(idx).Inputs)
		if err != nil {
			return err
		}
		fn(start, real[i], len(idx), out)
		for _, t := range out {
			t.FinalizeAll()
		}
		start += real[i]
	}
	return nil
}

// Activation is one named activation of a chunk of rows, in float64.
type Activation struct {
	Name  string
	Shape []int     // per row, e.g. [heads, d_head]
	Data  []float64 // [rows, Shape…], row-major
}

// Activations computes every named activation of the network (model.Hooked)
// on the given rows, calling fn with each chunk's first index into rows and
// its activations, in the network's hook order.
func (n *Net) Activations(backend compute.Backend, d *Data, rows []int, fn func(start int, acts []Activation)) error {
	h, ok := n.Model.(model.Hooked)
	if !ok {
		return fmt.Errorf("model %s exposes no named activations", n.Model.Name())
	}
	var names []string
	exec, err := gomlx.NewExec(backend, n.Store, func(scope *gomlx.Scope, inputs *Node) []*Node {
		hooks := h.Hooks(scope, inputs)
		names = names[:0]
		out := make([]*Node, len(hooks))
		for i, hk := range hooks {
			names = append(names, hk.Name)
			out[i] = ConvertDType(hk.Node, dtypes.Float64) // [batch, …]
		}
		return out
	})
	if err != nil {
		return err
	}
	defer exec.Finalize()
	return eachChunk(exec, d, rows, func(start, real, size int, out []*tensors.Tensor) {
		acts := make([]Activation, len(out))
		for k, t := range out {
			values := tensors.MustCopyFlatData[float64](t)
			acts[k] = Activation{Name: names[k], Shape: append([]int(nil), t.Shape().Dimensions[1:]...), Data: values[:real*(len(values)/size)]}
		}
		fn(start, acts)
	})
}

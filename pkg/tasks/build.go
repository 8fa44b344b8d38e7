package tasks

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/detect"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Source is a trained network to export as a task.
type Source struct {
	Name        string       // the task's name (its folder)
	Run         string       // the run folder
	Step        int          // infer.Final, or a checkpoint's step
	Table       *table.Table // the table it is scored on (nil: the run's own data.parquet)
	Case, Class string       // the benchmark's case, if any
}

// exportHooks are the hooks exported per network (nil: every hook): the
// transformer's embeddings, attention output, MLP pre and post, the
// residual stream at "=" and the logits; all of the MLP's.
var exportHooks = map[string][]string{
	"nanda": {model.HookEmbed, model.HookAttnOut, model.HookMLPPre, model.HookMLPPost, model.HookResidMid, model.HookResidPost, model.HookLogits},
}

// hiddenHook is the hook that holds detect's hidden layer (Grid.Hidden).
var hiddenHook = map[string]string{"nanda": model.HookMLPPost, "gromov": model.HookGromovHidden}

// build runs the network of src on every input, analyses it as
// evalsplit --detect does (detect.Analyse, the default options) and
// returns it as a task of benchmark bench.
func build(b compute.Backend, src Source, bench string) (*Task, error) {
	net, err := infer.LoadRun(src.Run, src.Step)
	if err != nil {
		return nil, err
	}
	t := src.Table
	if t == nil {
		if t, err = runs.LoadTable(src.Run, net.Config, "", nil); err != nil {
			return nil, err
		}
	}
	g, err := detect.NewGrid(b, net)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Run, err)
	}
	rep, err := detect.Analyse(g, t, detect.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Run, err)
	}
	trusted, pool := detect.TrustedRows(t, rep.Circuit, detect.DefaultTrustedFraction, detect.DefaultTrustedSeed)
	if rep.HeldOut != nil && !slices.Equal(trusted, rep.HeldOut.Trusted) {
		return nil, fmt.Errorf("%s: the trusted rows differ from the held-out analysis's (a bug)", src.Run)
	}
	name := net.Config.Model.Name
	task := &Task{Info: TaskInfo{Format: "../../" + TaskMD, Benchmark: bench, Task: src.Name, Model: name,
		P: g.P, Op: t.Meta.Op, Step: net.Step, Case: src.Case, Class: src.Class, Inputs: g.P * g.P,
		Trusted:    TrustedInfo{Rows: len(trusted), Fraction: detect.DefaultTrustedFraction, Seed: detect.DefaultTrustedSeed, Pool: pool},
		HiddenHook: hiddenHook[name], LogitsHook: model.HookLogits}}
	inputsOf(task, t, g, rep, trusted)
	for _, s := range task.Split {
		if s == SplitTrain || s == SplitTest {
			task.Info.Untrusted++
		}
	}
	if task.Acts, err = activations(b, net, g); err != nil {
		return nil, fmt.Errorf("%s: %w", src.Run, err)
	}
	for _, a := range task.Acts {
		task.Info.Hooks = append(task.Info.Hooks, a.HookInfo)
	}
	weights := runs.ModelPath(src.Run)
	if src.Step != infer.Final {
		weights = runs.CheckpointPath(src.Run, src.Step)
	}
	if task.Weights, err = readFile(weights); err != nil {
		return nil, err
	}
	if task.Config, err = readFile(filepath.Join(src.Run, runs.ConfigFile)); err != nil {
		return nil, err
	}
	return task, nil
}

// activations computes the exported hooks on every input (row a·p+b) in
// float32, the precision the network computes in, and checks that the
// hidden layer and the logits are bit for bit what the analysis saw.
func activations(b compute.Backend, net *infer.Net, g *detect.Grid) ([]Activation, error) {
	name, p := net.Config.Model.Name, g.P
	want := exportHooks[name]
	rows := make([]int, p*p)
	for i := range rows {
		rows[i] = i
	}
	var acts []Activation
	index := map[string]int{}
	err := net.Activations(b, infer.NewData(infer.AllPairs(p), net.Config.Model.Equals), rows, func(start int, chunk []infer.Activation) {
		for _, c := range chunk {
			if want != nil && !slices.Contains(want, c.Name) {
				continue
			}
			k, ok := index[c.Name]
			width := 1
			for _, d := range c.Shape {
				width *= d
			}
			if !ok {
				k, index[c.Name] = len(acts), len(acts)
				acts = append(acts, Activation{HookInfo: HookInfo{Name: c.Name, Shape: c.Shape, File: NPYDir + "/" + c.Name + ".npy"},
					Data: make([]float32, p*p*width)})
			}
			for j, v := range c.Data {
				acts[k].Data[start*width+j] = float32(v) // exact: computed in float32
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for _, chk := range []struct {
		hook string
		grid []float64
	}{{hiddenHook[name], g.Hidden}, {model.HookLogits, g.Logits}} {
		k, ok := index[chk.hook]
		if !ok || len(acts[k].Data) != len(chk.grid) {
			return nil, fmt.Errorf("the exported activations lack %s of every input", chk.hook)
		}
		for j, v := range chk.grid {
			if acts[k].Data[j] != float32(v) || float64(float32(v)) != v {
				return nil, fmt.Errorf("the exported %s differs from what the analysis saw at value %d (a bug)", chk.hook, j)
			}
		}
	}
	return acts, nil
}

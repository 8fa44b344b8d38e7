package detect

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
)

// Grid is a network evaluated on every input of Z_p², row a·p+b.
type Grid struct {
	P       int
	Logits  []float64 // [p·p, p]
	H       int       // hidden width
	Hidden  []float64 // [p·p, H]: the hidden layer (see model.Hidden)
	Readout []float64 // [H, p]: how each hidden unit moves the logits (linear, exact)
	IPR     []float64 // [H]: Gromov's MLP only, each neuron's mean IPR over W1's a and b rows and W2's column (nil otherwise)
	Heads   *HeadGrid // Nanda's transformer only: the attention heads' writes, for ablating them (nil otherwise)

	clusters *fourier.NeuronClusters // computed on first use
	w1, w2   []float64               // Gromov's MLP only: W1 [H, 2p] and W2 [p, H], for the IPRs in an operation's view
}

// Clusters is each hidden unit's Fourier decomposition over (a, b)
// (fourier.ClusterNeurons), computed once.
func (g *Grid) Clusters() *fourier.NeuronClusters {
	if g.clusters == nil {
		c := fourier.ClusterNeurons(g.Hidden, g.P, g.H)
		g.clusters = &c
	}
	return g.clusters
}

// Row is the grid row of input (a, b).
func (g *Grid) Row(a, b int) int { return a*g.P + b }

// NewGrid runs the network on all p² inputs. The logits are exactly linear
// in the hidden layer (see Readout), so ablating neurons needs no rerun.
func NewGrid(backend compute.Backend, n *infer.Net) (*Grid, error) {
	if d, err := model.Lookup(n.Config.Model.Name); err != nil || !d.Supports(model.AnalysisDetect) {
		return nil, fmt.Errorf("--detect analyses %s runs; this is a %s run", strings.Join(model.Supporting(model.AnalysisDetect), " and "), n.Config.Model.Name)
	}
	p := n.Config.Model.P
	t := infer.AllPairs(p)
	d := infer.NewData(t, n.Config.Model.Equals)
	rows := make([]int, p*p)
	for i := range rows {
		rows[i] = i
	}
	g := &Grid{P: p, Logits: make([]float64, p*p*p)}
	if err := n.Logits(backend, d, rows, func(start int, z []float64) { copy(g.Logits[start*p:], z) }); err != nil {
		return nil, err
	}
	readout, h, err := Readout(n)
	if err != nil {
		return nil, err
	}
	g.H, g.Readout = h, readout
	g.Hidden = make([]float64, p*p*h)
	if err := n.Hidden(backend, d, rows, func(start int, v []float64) { copy(g.Hidden[start*h:], v) }); err != nil {
		return nil, err
	}
	if n.Config.Model.Name == "nanda" {
		if g.Heads, err = newHeadGrid(backend, n, d, rows, g); err != nil {
			return nil, err
		}
	}
	if n.Config.Model.Name == "gromov" {
		g.w1, g.w2 = float64s(n.Params["W1"].Data), float64s(n.Params["W2"].Data)
		for _, nn := range fourier.AnalyzeGromov(g.w1, g.w2, p, h) {
			g.IPR = append(g.IPR, nn.MeanIPR)
		}
	}
	return g, nil
}

func float64s(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// Readout returns the hidden layer's map into the logits [H, p] and H:
//
//	nanda:  logits = … + post · W_out · W_U  →  W_L = W_out·W_U   [d_mlp, p]
//	gromov: logits = (W1 x)² · W2ᵀ · s     →  W2ᵀ · s (s: OutputScale) [N, p]
func Readout(n *infer.Net) ([]float64, int, error) {
	p := n.Config.Model.P
	switch n.Config.Model.Name {
	case "nanda":
		Wout, WU := n.Params["blocks.0.mlp.W_out"], n.Params["unembed.W_U"] // [d_mlp, d], [d, p]
		h, d := Wout.Shape[0], Wout.Shape[1]
		WL := make([]float64, h*p)
		for i := range h {
			for k := range d {
				w := float64(Wout.Data[i*d+k])
				for c := range p {
					WL[i*p+c] += w * float64(WU.Data[k*p+c])
				}
			}
		}
		return WL, h, nil
	case "gromov":
		W2 := n.Params["W2"] // [p, N]
		h := W2.Shape[1]
		scale := n.Model.Config().OutputScale()
		WL := make([]float64, h*p)
		for c := range p {
			for i := range h {
				WL[i*p+c] = float64(W2.Data[c*h+i]) * scale
			}
		}
		return WL, h, nil
	}
	return nil, 0, fmt.Errorf("detect: model %s: no known hidden-layer readout (detect supports nanda and gromov)", n.Config.Model.Name)
}

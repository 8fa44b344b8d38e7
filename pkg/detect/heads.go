package detect

import (
	"fmt"
	"math"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
)

// HeadGrid is what ablating the attention heads of Nanda's transformer
// needs: each head's write into the residual stream at "=" on every input,
// and the MLP and unembedding that turn the residual stream into logits.
// Heads feed the MLP, which is not linear, so an ablated head's effect on
// the logits is computed again through the MLP (Logits); neurons write into
// the logits linearly (Grid.Readout).
type HeadGrid struct {
	N, D int       // heads, d_model
	Out  []float64 // [p·p, N, D]: z_h·W_O[h], head h's write at "="
	// Rest [p·p, D] is the residual stream at "=" minus the heads' writes:
	// the embeddings of "=" (the same for every input).
	Rest                     []float64
	Win, Bin, Wout, Bout, WU []float64 // [D, H], [H], [H, D], [D], [D, p]
}

// newHeadGrid reads the heads' writes from the network's named activations
// (z at "=" per head, the residual stream at "=") and its weights.
func newHeadGrid(backend compute.Backend, n *infer.Net, d *infer.Data, rows []int, g *Grid) (*HeadGrid, error) {
	c := n.Model.Config()
	nh, dh, dm, p := c.NHeads, c.DHead, c.DModel, g.P
	h := &HeadGrid{N: nh, D: dm, Out: make([]float64, p*p*nh*dm), Rest: make([]float64, p*p*dm),
		Win: f64(n.Params["blocks.0.mlp.W_in"]), Bin: f64(n.Params["blocks.0.mlp.b_in"]),
		Wout: f64(n.Params["blocks.0.mlp.W_out"]), Bout: f64(n.Params["blocks.0.mlp.b_out"]), WU: f64(n.Params["unembed.W_U"])}
	WO := f64(n.Params["blocks.0.attn.W_O"]) // [heads, d_head, d_model]
	err := n.Activations(backend, d, rows, func(start int, acts []infer.Activation) {
		var z, mid []float64
		for _, a := range acts {
			switch a.Name {
			case model.HookZ:
				z = a.Data // [rows, heads, d_head]
			case model.HookResidMid:
				mid = a.Data // [rows, d_model]
			}
		}
		for i := range len(mid) / dm {
			r := start + i
			rest := h.Rest[r*dm : (r+1)*dm]
			copy(rest, mid[i*dm:(i+1)*dm])
			for head := range nh {
				out := h.Out[(r*nh+head)*dm : (r*nh+head+1)*dm]
				for k := range dh {
					zk := z[(i*nh+head)*dh+k]
					for m := range dm {
						out[m] += zk * WO[(head*dh+k)*dm+m]
					}
				}
				for m, v := range out {
					rest[m] -= v
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func f64(a model.Array) []float64 { return float64s(a.Data) }

// Logits writes into logits [p] and hidden [H] the network's output on one
// input whose residual stream at "=" is resid [D] (the MLP and the
// unembedding, computed again; Nanda's model has no LayerNorm).
func (h *HeadGrid) Logits(resid, hidden, logits []float64) {
	D, H, p := h.D, len(h.Bin), len(logits)
	for j := range H {
		s := h.Bin[j]
		for m := range D {
			s += resid[m] * h.Win[m*H+j]
		}
		hidden[j] = math.Max(s, 0)
	}
	post := make([]float64, D) // resid + MLP out
	for m := range D {
		s := resid[m] + h.Bout[m]
		for j, x := range hidden {
			if x != 0 {
				s += x * h.Wout[j*D+m]
			}
		}
		post[m] = s
	}
	for c := range p {
		s := 0.0
		for m, x := range post {
			s += x * h.WU[m*p+c]
		}
		logits[c] = s
	}
}

// Resid writes into out [D] grid row r's residual stream at "=" with the
// heads' writes replaced where replace says (nil: as computed).
func (h *HeadGrid) Resid(r int, replace func(head int) []float64, out []float64) {
	D, N := h.D, h.N
	copy(out, h.Rest[r*D:(r+1)*D])
	for head := range N {
		w := h.Out[(r*N+head)*D : (r*N+head+1)*D]
		if replace != nil {
			if x := replace(head); x != nil {
				w = x
			}
		}
		for m, v := range w {
			out[m] += v
		}
	}
}

func (h *HeadGrid) String() string { return fmt.Sprintf("%d heads of d_model %d", h.N, h.D) }

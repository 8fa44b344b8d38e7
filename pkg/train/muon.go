package train

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.

	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
)

// Muon (Jordan et al. 2024; reference code KellerJordan/Muon, muon.py, as
// SingleDeviceMuonWithAuxAdam steps it; Tveit et al. 2025 on grokking).
// A hidden layer's weight matrix W with gradient g and momentum buffer m:
//
//	m ← β·m + (1 − β)·g                 momentum.lerp_(grad, 1 − β)
//	u ← (1 − β)·g + β·m                 Nesterov: grad.lerp_(momentum, β)
//	O ← NS₅(u) · √max(1, fan_out/fan_in)
//	W ← W·(1 − lr_muon·wd) − lr_muon·O
//
// NS₅ is zeropower_via_newtonschulz5: X = u/(‖u‖_F + 1e-7), transposed
// when it has more rows than columns, then five times A = X·Xᵀ,
// B = b·A + c·A·A, X = a·X + B·X with (a, b, c) = (3.4445, −4.7750,
// 2.0315), transposed back. The reference runs it in bfloat16 on a GPU;
// here it runs in the parameters' dtype (float32). Its scale
// max(1, rows/cols)^0.5 is of PyTorch's nn.Linear layout [out, in], so
// fan_out/fan_in whatever the layout the weight is stored in here.
//
// Every other parameter (embeddings, positions, the unembedding or output
// layer, the input layer of an MLP on one-hot inputs, biases and gains)
// takes AdamW with fit's --lr, betas, ε and the same weight decay, as the
// reference's README splits a network. The warm-up scales both learning
// rates. The momentum buffers are the run's state ("optim.momentum.NAME"),
// saved in the resume state.
const (
	DefaultMuonLR       = 0.02 // the reference's lr
	DefaultMuonMomentum = 0.95 // the reference's momentum

	muonMomentum  = "momentum" // the buffer's name: momentName(muonMomentum, param)
	nsSteps       = 5
	nsA, nsB, nsC = 3.4445, -4.7750, 2.0315
	nsEps         = 1e-7
)

// headsLayout says how a per-head attention weight (TransformerLens's
// layout) lies in its matrix. Muon and EGD see each of W_Q, W_K, W_V and
// W_O as one matrix, the heads side by side: the projection that PyTorch's
// nn.Linear(d_model, heads·d_head) stores whole, and that the reference's
// own transformer (modded-nanogpt, whose Q, K, V and O weights are each one
// [heads·d_head, d_model] matrix) hands to Muon whole. Splitting it per head
// would make the update depend on how the weights are stored, not on the
// network.
type headsLayout int

const (
	headsNone headsLayout = iota // the tensor is the matrix
	headsIn                      // [heads, in, d_head] (W_Q, W_K, W_V): the matrix [in, heads·d_head]
	headsOut                     // [heads, d_head, out] (W_O): the matrix [heads·d_head, out]
)

// matrix is how Muon and EGD see a weight tensor.
type matrix struct {
	hidden bool // a hidden layer's (Muon's), not an input embedding or the output layer
	heads  headsLayout
	inOut  bool // the matrix is [in, out] (TransformerLens: x·W), else [out, in] (nn.Linear)
}

// rank is the tensor's rank (without a stack's leading axis).
func (x matrix) rank() int {
	if x.heads == headsNone {
		return 2
	}
	return 3
}

// dims are the matrix's rows and columns for a tensor of shape dims (its
// last rank() axes).
func (x matrix) dims(shape []int) (rows, cols int) {
	d := shape[len(shape)-x.rank():]
	switch x.heads {
	case headsIn:
		return d[1], d[0] * d[2]
	case headsOut:
		return d[0] * d[1], d[2]
	}
	return d[0], d[1]
}

// scale is Muon's √max(1, fan_out/fan_in).
func (x matrix) scale(shape []int) float64 {
	rows, cols := x.dims(shape)
	in, out := cols, rows
	if x.inOut {
		in, out = rows, cols
	}
	return math.Sqrt(math.Max(1, float64(out)/float64(in)))
}

// toMatrix is t (a stack's: with a leading model axis) as its matrix
// [(K,) rows, cols].
func (x matrix) toMatrix(t *Node) *Node {
	lead := t.Shape().Dimensions[:t.Rank()-x.rank()]
	rows, cols := x.dims(t.Shape().Dimensions)
	if x.heads == headsIn { // [.., heads, in, d_head] → [.., in, heads, d_head]
		t = Transpose(t, t.Rank()-3, t.Rank()-2)
	}
	return Reshape(t, append(append([]int(nil), lead...), rows, cols)...)
}

// fromMatrix is toMatrix's inverse: the matrix back in the tensor's shape.
func (x matrix) fromMatrix(mt *Node, shape []int) *Node {
	if x.heads != headsIn {
		return Reshape(mt, shape...)
	}
	swapped := append([]int(nil), shape...) // [.., in, heads, d_head]
	n := len(shape)
	swapped[n-3], swapped[n-2] = shape[n-2], shape[n-3]
	return Transpose(Reshape(mt, swapped...), n-3, n-2)
}

// tlMatrix are TransformerLens's names of the hidden layers' matrices and
// the vectors of nanda and power; their embeddings and unembedding are
// named exactly.
var (
	tlHeadsIn  = regexp.MustCompile(`^blocks\.\d+\.attn\.W_[QKV]$`)
	tlHeadsOut = regexp.MustCompile(`^blocks\.\d+\.attn\.W_O$`)
	tlMLP      = regexp.MustCompile(`^blocks\.\d+\.mlp\.W_(in|out)$`)
	tlVector   = regexp.MustCompile(`^(blocks\.\d+\.(mlp\.b_(in|out)|ln[12]\.[wb])|ln_final\.[wb])$`)
	mlpLayer   = regexp.MustCompile(`^layers\.(\d+)\.(weight|bias)$`)
)

// matrices classifies m's parameters for Muon and EGD: the weight matrices
// by name (a parameter absent is a vector: a bias or a gain). Which are
// hidden layers is the reference's split: not the input embedding (nanda's
// and power's W_E and W_pos; the first layer of gromov and mlp, which reads
// one-hot inputs, so its columns are embeddings), not the output layer
// (W_U; gromov's W2; mlp's last layer). An unknown model or parameter is an
// error (fit refuses muon and egd for it, see checkOptimizerModel), so that
// a network added later is classified on purpose; the map then holds the
// parameters known, and graphs built from it treat the rest as vectors.
func matrices(m model.Model) (map[string]matrix, error) {
	out := map[string]matrix{}
	name := m.Name()
	var unknown error
	for _, spec := range m.Params() {
		p := spec.Name
		var x matrix
		switch name {
		case "nanda", "power":
			switch {
			case p == "embed.W_E" || p == "pos_embed.W_pos" || p == "unembed.W_U":
				x = matrix{inOut: true}
			case tlHeadsIn.MatchString(p):
				x = matrix{hidden: true, heads: headsIn, inOut: true}
			case tlHeadsOut.MatchString(p):
				x = matrix{hidden: true, heads: headsOut, inOut: true}
			case tlMLP.MatchString(p):
				x = matrix{hidden: true, inOut: true}
			case tlVector.MatchString(p):
				continue
			default:
				unknown = fmt.Errorf("model %s: muon and egd do not know its parameter %s", name, p)
				continue
			}
		case "gromov": // f = W2·(W1·x)², x one-hot: W1 [N, 2P] the input layer, W2 [P, N] the output
			if p != "W1" && p != "W2" {
				unknown = fmt.Errorf("model %s: muon and egd do not know its parameter %s", name, p)
				continue
			}
			x = matrix{}
		case "mlp": // layers.l.weight [out, in]; layer 0 reads the one-hot input, layer n-layers is the output
			sub := mlpLayer.FindStringSubmatch(p)
			if sub == nil {
				unknown = fmt.Errorf("model %s: muon and egd do not know its parameter %s", name, p)
				continue
			}
			if sub[2] == "bias" {
				continue
			}
			l, _ := strconv.Atoi(sub[1])
			x = matrix{hidden: l > 0 && l < m.Config().NLayers}
		default:
			return out, fmt.Errorf("muon and egd do not know which parameters of model %s are weight matrices", name)
		}
		out[p] = x
	}
	return out, unknown
}

// knownMatrices is matrices for building graphs: fit has refused muon and
// egd where it errs (see checkOptimizerModel); a graph built anyway (the
// slow-Exp guard builds every optimiser's for every network) treats what it
// does not know as vectors.
func knownMatrices(m model.Model) map[string]matrix {
	out, _ := matrices(m)
	return out
}

// muonUpdate is one Muon step of a hidden matrix x with momentum buffer
// buf and gradient grad (a stack's: with a leading model axis): the new
// buffer and the update O (in the parameter's shape), which the caller
// applies as W·(1 − lr·wd) − lr·O.
func muonUpdate(x matrix, buf, grad *Node, beta float64) (newBuf, update *Node) {
	newBuf = Add(MulScalar(buf, beta), MulScalar(grad, 1-beta)) // momentum.lerp_(grad, 1 − β)
	u := Add(MulScalar(grad, 1-beta), MulScalar(newBuf, beta))  // grad.lerp_(momentum, β): Nesterov
	shape := grad.Shape().Dimensions
	o := newtonSchulz5(x.toMatrix(u))
	if s := x.scale(shape); s != 1 {
		o = MulScalar(o, s)
	}
	return newBuf, x.fromMatrix(o, shape)
}

// newtonSchulz5 is the reference's zeropower_via_newtonschulz5 with 5
// steps on g [rows, cols], or [K, rows, cols]: each model's matrix on its
// own.
func newtonSchulz5(g *Node) *Node {
	r, c := g.Rank()-2, g.Rank()-1
	var batch []int
	if g.Rank() == 3 {
		batch = []int{0}
	}
	dims := g.Shape().Dimensions
	tall := dims[r] > dims[c]
	x := g
	if tall {
		x = Transpose(x, r, c)
	}
	norm := Sqrt(ReduceAndKeep(Square(x), ReduceSum, r, c)) // ‖X‖_F, [(K,) 1, 1]
	x = Div(x, AddScalar(norm, nsEps))
	for range nsSteps {
		a := DotGeneral(x, []int{c}, batch, x, []int{c}, batch)                                         // X·Xᵀ [(K,) m, m]
		b := Add(MulScalar(a, nsB), MulScalar(DotGeneral(a, []int{c}, batch, a, []int{r}, batch), nsC)) // b·A + c·A·A
		x = Add(MulScalar(x, nsA), DotGeneral(b, []int{c}, batch, x, []int{r}, batch))                  // a·X + B·X
	}
	if tall {
		x = Transpose(x, r, c)
	}
	return x
}

// checkOptimizerSettings refuses Muon's settings with another optimiser,
// and out of their ranges with Muon, naming the flag.
func checkOptimizerSettings(tr runs.TrainSpec) error {
	if tr.Optimizer != Muon {
		switch {
		case tr.MuonLR != 0:
			return fmt.Errorf("--muon-lr applies only to --optimizer muon, not --optimizer %s", tr.Optimizer)
		case tr.MuonMomentum != 0:
			return fmt.Errorf("--muon-momentum applies only to --optimizer muon, not --optimizer %s", tr.Optimizer)
		}
		return nil
	}
	switch {
	case !(tr.MuonLR > 0):
		return fmt.Errorf("--muon-lr must be > 0, got %g", tr.MuonLR)
	case tr.MuonMomentum < 0 || tr.MuonMomentum >= 1:
		return fmt.Errorf("--muon-momentum must be in [0, 1), got %g", tr.MuonMomentum)
	}
	return nil
}

// checkOptimizerModel refuses Muon and EGD for a network whose weight
// matrices they do not know, and Muon for one without a hidden layer's
// matrix (gromov, mlp with --n-layers 1), where it would be AdamW under
// another name.
func checkOptimizerModel(optimizer string, m model.Model) error {
	if optimizer != Muon && optimizer != EGD {
		return nil
	}
	mats, err := matrices(m)
	if err != nil {
		return fmt.Errorf("--optimizer %s: %w", optimizer, err)
	}
	if optimizer == EGD {
		return nil
	}
	for _, x := range mats {
		if x.hidden {
			return nil
		}
	}
	return fmt.Errorf("--optimizer muon: model %s has no hidden layer's weight matrix (its first layer reads one-hot inputs and its last is the output layer, which Muon's reference leaves to AdamW): use --optimizer adamw", m.Name())
}

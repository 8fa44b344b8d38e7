package inspect

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/fourier"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/seeded"
)

// ClockPizza are Zhong et al.'s two measures of a transformer trained on
// a+b (see fourier.DistanceIrrelevance and fourier.GradientSymmetricity).
type ClockPizza struct {
	GradientSymmetricity float64
	DistanceIrrelevance  float64
	Triples              int // (a, b, c) triples the symmetricity averages
}

// symmetryTriples is how many (a, b, c) triples the symmetricity averages
// over, as their code does (100, drawn at random).
const symmetryTriples = 100

// clockPizza computes both measures of a transformer whose inputs are
// "a b =" with learned positional embeddings, from its logits on every pair
// [p·p, p] (row a·p+b; the correct one is (a+b) mod p) and, for seeded
// random triples, the gradients of logit c with respect to the residual
// stream's inputs at a's and b's positions, which are the gradients of the
// positional embedding's rows 0 and 1 (each row enters at one position only,
// even when a = b). d holds the inputs, rows[a·p+b] being the row of (a, b).
func clockPizza(b compute.Backend, n *infer.Net, d *infer.Data, rows []int, logits []float64) (ClockPizza, error) {
	p := n.Model.Config().P
	if n.Store.GetVariable(model.VariablePath(n.Store.RootScope(), "pos_embed.W_pos")) == nil || !n.Config.Model.Equals {
		return ClockPizza{}, fmt.Errorf("the clock/pizza measures need a transformer with positional embeddings; %s has none", n.Model.Name())
	}
	correct := make([]float64, p*p) // [p·p]: the logit of (a+b) mod p, row a·p+b
	for i := range correct {
		correct[i] = logits[i*p+(i/p+i%p)%p]
	}
	grads, err := positionGradients(b, n, d, rows, p)
	if err != nil {
		return ClockPizza{}, err
	}
	return ClockPizza{GradientSymmetricity: fourier.GradientSymmetricity(grads),
		DistanceIrrelevance: fourier.DistanceIrrelevance(correct, p), Triples: len(grads)}, nil
}

// positionGradients returns, for symmetryTriples seeded (a, b, c), the
// gradients of logit c with respect to the positional embedding's rows 0
// and 1 [d_model] each.
func positionGradients(b compute.Backend, n *infer.Net, d *infer.Data, rows []int, p int) ([][2][]float64, error) {
	exec, err := gomlx.NewExec(b, n.Store, func(scope *gomlx.Scope, inputs, class *Node) *Node {
		g := inputs.Graph()
		pos := scope.Store().GetVariable(model.VariablePath(scope, "pos_embed.W_pos")).NodeValue(g) // [3, d_model]
		logits := n.Model.Forward(scope, inputs)                                                    // [1, P]
		picked := ReduceAllSum(Mul(logits, OneHot(class, p, logits.DType())))                       // logit c
		return ConvertDType(Gradient(picked, pos)[0], dtypes.Float64)                               // [3, d_model]
	})
	if err != nil {
		return nil, err
	}
	rng := seeded.New(42, "clock-pizza/triples")
	var out [][2][]float64
	for range symmetryTriples {
		a, bb, c := rng.IntN(p), rng.IntN(p), rng.IntN(p)
		batch := d.Batch([]int{rows[a*p+bb]})
		res, err := exec.Exec(batch.Inputs, tensors.FromFlatDataAndDimensions([]int32{int32(c)}, 1))
		if err != nil {
			return nil, err
		}
		g := tensors.MustCopyFlatData[float64](res[0])
		res[0].FinalizeAll()
		dm := len(g) / 3
		out = append(out, [2][]float64{g[:dm], g[dm : 2*dm]})
	}
	return out, nil
}

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
	"github.com/grokkit/grokkit/pkg/table"
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

// MeasureClockPizza computes both measures of a transformer whose inputs
// are "a b =" with learned positional embeddings: the correct logit
// (a+b) mod p over every pair, and for seeded random triples the gradients
// of logit c with respect to the residual stream's inputs at a's and b's
// positions, which are the gradients of the positional embedding's rows 0
// and 1 (each row enters at one position only, even when a = b).
func MeasureClockPizza(b compute.Backend, n *infer.Net) (ClockPizza, error) {
	p := n.Model.Config().P
	if n.Store.GetVariable(model.VariablePath(n.Store.RootScope(), "pos_embed.W_pos")) == nil || !n.Config.Model.Equals {
		return ClockPizza{}, fmt.Errorf("the clock/pizza measures need a transformer with positional embeddings; %s has none", n.Model.Name())
	}
	t := &table.Table{Meta: table.Meta{P: p}}
	for a := range p {
		for c := range p {
			t.A, t.B = append(t.A, int32(a)), append(t.B, int32(c))
		}
	}
	t.Label, t.Clean = make([]int32, p*p), make([]int32, p*p)
	t.Train, t.Kind = make([]bool, p*p), make([]string, p*p)
	d := infer.NewData(t, true)
	rows := make([]int, p*p)
	for i := range rows {
		rows[i] = i
	}
	correct := make([]float64, p*p) // [p·p]: the logit of (a+b) mod p, row a·p+b
	err := n.Logits(b, d, rows, func(start int, z []float64) {
		for i := 0; i*p < len(z) && start+i < p*p; i++ {
			a, bb := (start+i)/p, (start+i)%p
			correct[start+i] = z[i*p+(a+bb)%p]
		}
	})
	if err != nil {
		return ClockPizza{}, err
	}
	grads, err := positionGradients(b, n, d, p)
	if err != nil {
		return ClockPizza{}, err
	}
	return ClockPizza{GradientSymmetricity: fourier.GradientSymmetricity(grads),
		DistanceIrrelevance: fourier.DistanceIrrelevance(correct, p), Triples: len(grads)}, nil
}

// positionGradients returns, for symmetryTriples seeded (a, b, c), the
// gradients of logit c with respect to the positional embedding's rows 0
// and 1 [d_model] each.
func positionGradients(b compute.Backend, n *infer.Net, d *infer.Data, p int) ([][2][]float64, error) {
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
		batch := d.Batch([]int{a*p + bb})
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

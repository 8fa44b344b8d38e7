package train

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // GoMLX's graph DSL reads best unqualified.
	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/model"
)

// stepGraph builds one optimiser step. Inputs: [inputs [batch, k] int32,
// labels [batch] int32, lr, step_size, √bc2, decay, wd]; output: the loss.
func stepGraph(m model.Model, h Hyper, loss, logitsDType string) func(*gomlx.Scope, []*Node) []*Node {
	return func(scope *gomlx.Scope, in []*Node) []*Node {
		logits := toLogitsDType(m.Forward(scope, in[0]), logitsDType) // [batch, P]
		l := meanLoss(loss, logits, in[1])                            // scalar
		updateGraph(scope, m, h, l, in[2:])
		return []*Node{l}
	}
}

package rule

import "math/big"

// exact evaluates n with math/big, as the language defines it: integers of
// any size, so no operation can overflow. Eval and EvalMod fall back to it
// for the rows where the int64 fast path overflowed. The fault, if any, is a
// division or modulus by zero.
//
// The size of the numbers is bounded by the expression's: a product has at
// most the sum of its factors' bits and a sum one bit more than its larger
// term, so a value has at most about 64 bits per literal or variable plus
// one per operator, well under 20 KiB for the longest expression Parse
// accepts.
func (n *node) exact(env *Env) (*big.Int, *fault) {
	switch {
	case n.op == opConst:
		return big.NewInt(n.val), nil
	case n.op == opVar:
		return big.NewInt([...]int64{env.A, env.B, env.P, env.Label, env.Clean}[n.val]), nil
	case n.op == opAnd || n.op == opOr:
		x, f := n.x.exact(env)
		if f != nil {
			return nil, f
		}
		if (n.op == opAnd) == (x.Sign() == 0) { // 0 && y, or non-zero || y: y never runs
			return bigBool(x.Sign() != 0), nil
		}
		y, f := n.y.exact(env)
		if f != nil {
			return nil, f
		}
		return bigBool(y.Sign() != 0), nil
	}
	x, f := n.x.exact(env)
	if f != nil {
		return nil, f
	}
	switch n.op {
	case opNeg:
		return x.Neg(x), nil
	case opNot:
		return bigBool(x.Sign() == 0), nil
	}
	y, f := n.y.exact(env)
	if f != nil {
		return nil, f
	}
	switch n.op {
	case opMul:
		return x.Mul(x, y), nil
	case opAdd:
		return x.Add(x, y), nil
	case opSub:
		return x.Sub(x, y), nil
	case opDiv, opMod:
		if y.Sign() == 0 {
			return nil, &fault{col: n.col}
		}
		// QuoRem truncates towards zero; floor division moves a non-zero
		// remainder of the wrong sign over to y's side.
		q, r := new(big.Int).QuoRem(x, y, new(big.Int))
		if r.Sign() != 0 && r.Sign() != y.Sign() {
			q.Sub(q, big.NewInt(1))
			r.Add(r, y)
		}
		if n.op == opDiv {
			return q, nil
		}
		return r, nil
	}
	c := x.Cmp(y)
	switch n.op {
	case opLt:
		return bigBool(c < 0), nil
	case opLe:
		return bigBool(c <= 0), nil
	case opGt:
		return bigBool(c > 0), nil
	case opGe:
		return bigBool(c >= 0), nil
	case opEq:
		return bigBool(c == 0), nil
	case opNe:
		return bigBool(c != 0), nil
	}
	panic("rule: exact: bad operator " + opInfo[n.op].sym) // unreachable: the parser makes only these
}

func bigBool(b bool) *big.Int { return big.NewInt(b2i(b)) }

package rule

// The syntax tree is compiled once, at Parse time, into a tree of closures so
// that Eval does no dispatch on node kinds, no map lookups and no
// allocation. Env travels by value: passing &env to a closure would make it
// escape and cost an allocation per row.

// fault marks a failed evaluation: division or modulus by zero at col. The
// value returned beside a non-nil fault is meaningless.
type fault struct{ col int }

type evalFn func(Env) (int64, *fault)

// compiled is a closure plus, when its result does not depend on the row,
// that result, so that parents can fold or specialise.
type compiled struct {
	fn      evalFn
	isConst bool
	c       int64
}

func constant(c int64) compiled {
	return compiled{fn: func(Env) (int64, *fault) { return c, nil }, isConst: true, c: c}
}

var loadVar = [len(varNames)]evalFn{
	func(env Env) (int64, *fault) { return env.A, nil },
	func(env Env) (int64, *fault) { return env.B, nil },
	func(env Env) (int64, *fault) { return env.P, nil },
	func(env Env) (int64, *fault) { return env.Label, nil },
	func(env Env) (int64, *fault) { return env.Clean, nil },
}

func compile(n *node) compiled {
	switch {
	case n.op == opConst:
		return constant(n.val)
	case n.op == opVar:
		return compiled{fn: loadVar[n.val]}
	case n.y == nil:
		x := compile(n.x)
		return fold(unaryFn(n.op, x.fn), x.isConst)
	case n.op == opAnd || n.op == opOr:
		return logical(n.op, compile(n.x), compile(n.y))
	}
	l, r := compile(n.x), compile(n.y)
	return fold(binaryFn(n.op, &fault{col: n.col}, l, r), l.isConst && r.isConst)
}

// fold evaluates fn once when its operands are constants. A fault (a
// constant 1/0) is left for Eval to report, because a short-circuit may
// never reach it: "0 && 1/0" is valid.
func fold(fn evalFn, constOperands bool) compiled {
	if constOperands {
		if v, f := fn(Env{}); f == nil {
			return constant(v)
		}
	}
	return compiled{fn: fn}
}

func unaryFn(o op, x evalFn) evalFn {
	switch o {
	case opNeg:
		return func(env Env) (int64, *fault) { v, f := x(env); return -v, f }
	case opNot:
		return func(env Env) (int64, *fault) { v, f := x(env); return b2i(v == 0), f }
	}
	panic("rule: unaryFn: bad operator " + opInfo[o].sym) // unreachable: the parser makes only these
}

// truth normalises to 1/0, the result of "&&" and "||".
func truth(x evalFn) evalFn {
	return func(env Env) (int64, *fault) { v, f := x(env); return b2i(v != 0), f }
}

// logical compiles "&&" and "||". A constant left operand decides at
// compile time whether the right one runs at all.
func logical(o op, l, r compiled) compiled {
	if l.isConst {
		if (o == opAnd) == (l.c == 0) { // 0 && x, or non-zero || x
			return constant(b2i(l.c != 0))
		}
		return fold(truth(r.fn), r.isConst)
	}
	lf, rf := l.fn, r.fn
	if o == opAnd {
		return compiled{fn: func(env Env) (int64, *fault) {
			v, f := lf(env)
			if f != nil || v == 0 {
				return 0, f
			}
			v, f = rf(env)
			return b2i(v != 0), f
		}}
	}
	return compiled{fn: func(env Env) (int64, *fault) {
		v, f := lf(env)
		if f != nil || v != 0 {
			return 1, f
		}
		v, f = rf(env)
		return b2i(v != 0), f
	}}
}

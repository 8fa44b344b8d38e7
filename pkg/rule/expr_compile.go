package rule

// The syntax tree is compiled once, at Parse time, into a tree of closures so
// that Eval does no dispatch on node kinds, no map lookups and no
// allocation.
//
// The row travels as five separate arguments (a, b, p, l, c: Env's fields in
// order) rather than as an Env or *Env. A pointer passed to a closure
// escapes, costing an allocation per row; a struct is copied through memory
// at every level, which made Eval about twice as slow as plain registers.

// fault marks a failed evaluation: division or modulus by zero at col, or,
// for the one fault overflowed, an intermediate value outside the int64
// range. The value returned beside a non-nil fault is meaningless.
//
// Overflow is not an error of the language, whose arithmetic is exact: it
// only ends the int64 fast path, and Eval evaluates the row again with
// math/big (expr_exact.go). Faults stop evaluation left to right, so every
// value computed before the first fault is exact, and a division by zero
// reported by the fast path is also the one the exact evaluation meets.
type fault struct{ col int }

// overflowed is the fault of a result that does not fit in an int64.
var overflowed = &fault{}

type evalFn func(a, b, p, l, c int64) (int64, *fault)

// compiled is a closure plus, when its result does not depend on the row,
// that result, so that parents can fold or specialise.
type compiled struct {
	fn      evalFn
	isConst bool
	k       int64
}

func constant(k int64) compiled {
	return compiled{fn: func(_, _, _, _, _ int64) (int64, *fault) { return k, nil }, isConst: true, k: k}
}

// loadVar is indexed like varNames.
var loadVar = [len(varNames)]evalFn{
	func(a, b, p, l, c int64) (int64, *fault) { return a, nil },
	func(a, b, p, l, c int64) (int64, *fault) { return b, nil },
	func(a, b, p, l, c int64) (int64, *fault) { return p, nil },
	func(a, b, p, l, c int64) (int64, *fault) { return l, nil },
	func(a, b, p, l, c int64) (int64, *fault) { return c, nil },
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
	x, y := compile(n.x), compile(n.y)
	return fold(binaryFn(n.op, &fault{col: n.col}, x, y), x.isConst && y.isConst)
}

// fold evaluates fn once when its operands are constants. A fault (a
// constant 1/0) is left for Eval to report, because a short-circuit may
// never reach it: "0 && 1/0" is valid. So is a constant that overflows,
// which sends every row that reaches it to the exact evaluation.
func fold(fn evalFn, constOperands bool) compiled {
	if constOperands {
		if v, f := fn(0, 0, 0, 0, 0); f == nil {
			return constant(v)
		}
	}
	return compiled{fn: fn}
}

func unaryFn(o op, x evalFn) evalFn {
	switch o {
	case opNeg:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, f := x(a, b, p, l, c)
			w, ok := negOK(u)
			return result(w, ok, f)
		}
	case opNot:
		return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return b2i(u == 0), f }
	}
	panic("rule: unaryFn: bad operator " + opInfo[o].sym) // unreachable: the parser makes only these
}

// truth normalises to 1/0, the result of "&&" and "||".
func truth(x evalFn) evalFn {
	return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return b2i(u != 0), f }
}

// logical compiles "&&" and "||". A constant left operand decides at
// compile time whether the right one runs at all.
func logical(o op, x, y compiled) compiled {
	if x.isConst {
		if (o == opAnd) == (x.k == 0) { // 0 && y, or non-zero || y
			return constant(b2i(x.k != 0))
		}
		return fold(truth(y.fn), y.isConst)
	}
	fx, fy := x.fn, y.fn
	if o == opAnd {
		return compiled{fn: func(a, b, p, l, c int64) (int64, *fault) {
			u, f := fx(a, b, p, l, c)
			if f != nil || u == 0 {
				return 0, f
			}
			v, f := fy(a, b, p, l, c)
			return b2i(v != 0), f
		}}
	}
	return compiled{fn: func(a, b, p, l, c int64) (int64, *fault) {
		u, f := fx(a, b, p, l, c)
		if f != nil || u != 0 {
			return 1, f
		}
		v, f := fy(a, b, p, l, c)
		return b2i(v != 0), f
	}}
}

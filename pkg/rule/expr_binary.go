package rule

// mirror maps a comparison to the one that holds with the operands swapped
// (c < x  <=>  x > c); commutative operators map to themselves.
var mirror = map[op]op{
	opAdd: opAdd, opMul: opMul, opEq: opEq, opNe: opNe,
	opLt: opGt, opGt: opLt, opLe: opGe, opGe: opLe,
}

// binaryFn compiles an arithmetic or comparison operator. divZero is
// returned when "/" or "%" meets a zero divisor.
func binaryFn(o op, divZero *fault, l, r compiled) evalFn {
	// Rules nearly always compare with or divide by a literal ("b % 17 == 0"),
	// so a constant right operand gets closures that skip one call. A
	// constant left operand is moved right when that keeps the meaning,
	// which is safe because a constant can neither fault nor be skipped.
	if l.isConst && !r.isConst {
		if m, ok := mirror[o]; ok {
			o, l, r = m, r, l
		}
	}
	if r.isConst && !((o == opDiv || o == opMod) && r.c == 0) {
		return binaryConstFn(o, l.fn, r.c)
	}
	x, y := l.fn, r.fn
	switch o {
	case opMul:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return a * b, f }
	case opAdd:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return a + b, f }
	case opSub:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return a - b, f }
	case opLt:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return b2i(a < b), f }
	case opLe:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return b2i(a <= b), f }
	case opGt:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return b2i(a > b), f }
	case opGe:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return b2i(a >= b), f }
	case opEq:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return b2i(a == b), f }
	case opNe:
		return func(env Env) (int64, *fault) { a, b, f := both(x, y, env); return b2i(a != b), f }
	case opDiv:
		return func(env Env) (int64, *fault) {
			a, b, f := both(x, y, env)
			if f != nil || b == 0 {
				return 0, orFault(f, divZero)
			}
			return floorDiv(a, b), nil
		}
	case opMod:
		return func(env Env) (int64, *fault) {
			a, b, f := both(x, y, env)
			if f != nil || b == 0 {
				return 0, orFault(f, divZero)
			}
			return floorMod(a, b), nil
		}
	}
	panic("rule: binaryFn: bad operator " + opInfo[o].sym) // unreachable: the parser makes only these
}

// binaryConstFn is binaryFn for a constant right operand c, which is not a
// zero divisor.
func binaryConstFn(o op, x evalFn, c int64) evalFn {
	switch o {
	case opMul:
		return func(env Env) (int64, *fault) { a, f := x(env); return a * c, f }
	case opAdd:
		return func(env Env) (int64, *fault) { a, f := x(env); return a + c, f }
	case opSub:
		return func(env Env) (int64, *fault) { a, f := x(env); return a - c, f }
	case opLt:
		return func(env Env) (int64, *fault) { a, f := x(env); return b2i(a < c), f }
	case opLe:
		return func(env Env) (int64, *fault) { a, f := x(env); return b2i(a <= c), f }
	case opGt:
		return func(env Env) (int64, *fault) { a, f := x(env); return b2i(a > c), f }
	case opGe:
		return func(env Env) (int64, *fault) { a, f := x(env); return b2i(a >= c), f }
	case opEq:
		return func(env Env) (int64, *fault) { a, f := x(env); return b2i(a == c), f }
	case opNe:
		return func(env Env) (int64, *fault) { a, f := x(env); return b2i(a != c), f }
	case opDiv:
		return func(env Env) (int64, *fault) { a, f := x(env); return floorDiv(a, c), f }
	case opMod:
		if c > 0 { // the common "x % p"-style case, without floorMod's sign fix-ups for y
			return func(env Env) (int64, *fault) {
				a, f := x(env)
				r := a % c
				if r < 0 {
					r += c
				}
				return r, f
			}
		}
		return func(env Env) (int64, *fault) { a, f := x(env); return floorMod(a, c), f }
	}
	panic("rule: binaryConstFn: bad operator " + opInfo[o].sym) // unreachable: the parser makes only these
}

// both evaluates the operands left to right, stopping at the first fault.
func both(x, y evalFn, env Env) (a, b int64, f *fault) {
	if a, f = x(env); f != nil {
		return 0, 0, f
	}
	b, f = y(env)
	return a, b, f
}

// orFault prefers an operand's fault, which happened first, to our own.
func orFault(operand, own *fault) *fault {
	if operand != nil {
		return operand
	}
	return own
}

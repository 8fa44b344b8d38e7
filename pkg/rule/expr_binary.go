package rule

// mirror maps a comparison to the one that holds with the operands swapped
// (k < x  <=>  x > k); commutative operators map to themselves.
var mirror = map[op]op{
	opAdd: opAdd, opMul: opMul, opEq: opEq, opNe: opNe,
	opLt: opGt, opGt: opLt, opLe: opGe, opGe: opLe,
}

// binaryFn compiles an arithmetic or comparison operator. divZero is
// returned when "/" or "%" meets a zero divisor, overflowed when "*", "+",
// "-" or "/" has a result outside the int64 range.
func binaryFn(o op, divZero *fault, x, y compiled) evalFn {
	// Rules nearly always compare with or divide by a literal ("b % 17 == 0"),
	// so a constant right operand gets closures that skip one call. A
	// constant left operand is moved right when that keeps the meaning,
	// which is safe because a constant can neither fault nor be skipped.
	if x.isConst && !y.isConst {
		if m, ok := mirror[o]; ok {
			o, x, y = m, y, x
		}
	}
	if y.isConst && !((o == opDiv || o == opMod) && y.k == 0) {
		return binaryConstFn(o, x.fn, y.k)
	}
	fx, fy := x.fn, y.fn
	switch o {
	case opMul:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			w, ok := mulOK(u, v)
			return result(w, ok, f)
		}
	case opAdd:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			w, ok := addOK(u, v)
			return result(w, ok, f)
		}
	case opSub:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			w, ok := subOK(u, v)
			return result(w, ok, f)
		}
	case opLt:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			return b2i(u < v), f
		}
	case opLe:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			return b2i(u <= v), f
		}
	case opGt:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			return b2i(u > v), f
		}
	case opGe:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			return b2i(u >= v), f
		}
	case opEq:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			return b2i(u == v), f
		}
	case opNe:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			return b2i(u != v), f
		}
	case opDiv:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			if f != nil || v == 0 {
				return 0, orFault(f, divZero)
			}
			w, ok := floorDiv(u, v)
			return result(w, ok, nil)
		}
	case opMod:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, v, f := both(fx, fy, a, b, p, l, c)
			if f != nil || v == 0 {
				return 0, orFault(f, divZero)
			}
			return floorMod(u, v), nil
		}
	}
	panic("rule: binaryFn: bad operator " + opInfo[o].sym) // unreachable: the parser makes only these
}

// binaryConstFn is binaryFn for a constant right operand k, which is not a
// zero divisor.
func binaryConstFn(o op, x evalFn, k int64) evalFn {
	switch o {
	case opMul:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, f := x(a, b, p, l, c)
			w, ok := mulOK(u, k)
			return result(w, ok, f)
		}
	case opAdd:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, f := x(a, b, p, l, c)
			w, ok := addOK(u, k)
			return result(w, ok, f)
		}
	case opSub:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, f := x(a, b, p, l, c)
			w, ok := subOK(u, k)
			return result(w, ok, f)
		}
	case opLt:
		return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return b2i(u < k), f }
	case opLe:
		return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return b2i(u <= k), f }
	case opGt:
		return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return b2i(u > k), f }
	case opGe:
		return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return b2i(u >= k), f }
	case opEq:
		return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return b2i(u == k), f }
	case opNe:
		return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return b2i(u != k), f }
	case opDiv:
		return func(a, b, p, l, c int64) (int64, *fault) {
			u, f := x(a, b, p, l, c)
			w, ok := floorDiv(u, k)
			return result(w, ok, f)
		}
	case opMod:
		if k > 0 { // the common "x % 17" case, without floorMod's fix-ups for a negative divisor
			return func(a, b, p, l, c int64) (int64, *fault) {
				u, f := x(a, b, p, l, c)
				r := u % k
				if r < 0 {
					r += k
				}
				return r, f
			}
		}
		return func(a, b, p, l, c int64) (int64, *fault) { u, f := x(a, b, p, l, c); return floorMod(u, k), f }
	}
	panic("rule: binaryConstFn: bad operator " + opInfo[o].sym) // unreachable: the parser makes only these
}

// both evaluates the operands left to right, stopping at the first fault.
func both(x, y evalFn, a, b, p, l, c int64) (u, v int64, f *fault) {
	if u, f = x(a, b, p, l, c); f != nil {
		return 0, 0, f
	}
	v, f = y(a, b, p, l, c)
	return u, v, f
}

// result passes on an arithmetic result: the operands' fault if there was
// one, else the overflowed fault when the result did not fit in an int64.
func result(w int64, ok bool, operand *fault) (int64, *fault) {
	if operand != nil || !ok {
		return 0, orFault(operand, overflowed)
	}
	return w, nil
}

// orFault prefers an operand's fault, which happened first, to our own.
func orFault(operand, own *fault) *fault {
	if operand != nil {
		return operand
	}
	return own
}

package rule

import (
	"math"
	"math/bits"
)

// The int64 fast path. Each operation reports ok == false when the exact
// result does not fit in an int64; the compiled closures then give up with
// the overflowed fault and Eval starts again exactly (expr_exact.go). No
// result here is ever a wrapped-around value.

// addOK is x + y.
func addOK(x, y int64) (int64, bool) {
	s := x + y
	return s, (x^s)&(y^s) >= 0 // overflow iff both operands differ in sign from the sum
}

// subOK is x - y.
func subOK(x, y int64) (int64, bool) {
	d := x - y
	return d, (x^y)&(x^d) >= 0 // overflow iff the operands differ in sign and d differs from x
}

// negOK is -x.
func negOK(x int64) (int64, bool) { return -x, x != math.MinInt64 }

// mulOK is x * y. The 128-bit product's high word must be the sign
// extension of its low word.
func mulOK(x, y int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(x), uint64(y))
	// The signed high word from the unsigned one: subtract y when x < 0 and
	// x when y < 0 (mod 2^64).
	shi := int64(hi) - (x>>63)&y - (y>>63)&x
	return int64(lo), shi == int64(lo)>>63
}

// floorDiv is x / y rounded towards minus infinity; y must not be 0. Only
// math.MinInt64 / -1 overflows.
func floorDiv(x, y int64) (int64, bool) {
	if y == -1 {
		return negOK(x) // also keeps the hardware's x / -1 trap out of reach
	}
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q--
	}
	return q, true
}

// floorMod is the remainder matching floorDiv: it has the sign of y, so it
// lies in [0, y) for y > 0. y must not be 0. It never overflows.
func floorMod(x, y int64) int64 {
	if y == -1 {
		return 0
	}
	r := x % y
	if r != 0 && (r < 0) != (y < 0) {
		r += y // cannot overflow: r and y have opposite signs
	}
	return r
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

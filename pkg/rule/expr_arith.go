package rule

// floorDiv is x / y rounded towards minus infinity; y must not be 0.
func floorDiv(x, y int64) int64 {
	if y == -1 {
		return -x // wraps for math.MinInt64; spelled out so no reader worries about a trap
	}
	q := x / y
	if (x%y != 0) && ((x < 0) != (y < 0)) {
		q--
	}
	return q
}

// floorMod is the remainder matching floorDiv: it has the sign of y, so it
// lies in [0, y) for y > 0. y must not be 0.
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

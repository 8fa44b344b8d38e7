package rule

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFloorDivMod checks the arithmetic helpers on the int64 corners, where
// the oracle's random trees rarely go, against the defining properties and
// against the oracle's math/big arithmetic.
func TestFloorDivMod(t *testing.T) {
	edges := []int64{math.MinInt64, math.MinInt64 + 1, -17, -3, -2, -1, 1, 2, 3, 17, math.MaxInt64 - 1, math.MaxInt64}
	r := rand.New(rand.NewPCG(5, 6))
	pick := func() int64 {
		if r.IntN(2) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return int64(r.Uint64()) >> r.IntN(64) // all magnitudes, both signs
	}
	for range 200000 {
		x, y := pick(), pick()
		if y == 0 {
			continue
		}
		q, m := floorDiv(x, y), floorMod(x, y)
		if q*y+m != x || y > 0 && (m < 0 || m >= y) || y < 0 && (m > 0 || m <= y) {
			t.Fatalf("floorDiv/floorMod(%d, %d) = %d, %d: not floor division", x, y, q, m)
		}
		lit := func(v int64) *otree { return &otree{op: "lit", val: v} }
		wantQ, _ := oracleEval(&otree{op: "/", x: lit(x), y: lit(y)}, Env{})
		wantM, _ := oracleEval(&otree{op: "%", x: lit(x), y: lit(y)}, Env{})
		if q != wantQ || m != wantM {
			t.Fatalf("floorDiv/floorMod(%d, %d) = %d, %d; oracle says %d, %d", x, y, q, m, wantQ, wantM)
		}
	}
}

package rule

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestCheckedArith checks the int64 fast path's operations on the int64
// corners, where the oracle's random trees rarely go, against the defining
// properties and against the oracle's exact math/big arithmetic: each must
// give the exact result when it fits in an int64 and report ok == false
// exactly when it does not.
func TestCheckedArith(t *testing.T) {
	edges := []int64{math.MinInt64, math.MinInt64 + 1, -1 << 32, -(1 << 31) - 1, -17, -3, -2, -1, 0, 1, 2, 3, 17, 1 << 31, 1<<32 + 1, math.MaxInt64 - 1, math.MaxInt64}
	r := rand.New(rand.NewPCG(5, 6))
	pick := func() int64 {
		if r.IntN(2) == 0 {
			return edges[r.IntN(len(edges))]
		}
		return int64(r.Uint64()) >> r.IntN(64) // all magnitudes, both signs
	}
	lit := func(v int64) *otree { return &otree{op: "lit", val: v} }
	check := func(name string, x, y int64, got int64, ok bool, tree *otree) {
		t.Helper()
		want, _ := oracleEval(tree, Env{})
		if ok != want.IsInt64() || ok && got != want.Int64() {
			t.Fatalf("%s(%d, %d) = %d, ok %v; exact value %d", name, x, y, got, ok, want)
		}
	}
	for range 60000 {
		x, y := pick(), pick()
		s, ok := addOK(x, y)
		check("addOK", x, y, s, ok, &otree{op: "+", x: lit(x), y: lit(y)})
		d, ok := subOK(x, y)
		check("subOK", x, y, d, ok, &otree{op: "-", x: lit(x), y: lit(y)})
		m, ok := mulOK(x, y)
		check("mulOK", x, y, m, ok, &otree{op: "*", x: lit(x), y: lit(y)})
		n, ok := negOK(x)
		check("negOK", x, 0, n, ok, &otree{op: "neg", x: lit(x)})
		if y == 0 {
			continue
		}
		q, ok := floorDiv(x, y)
		md := floorMod(x, y)
		if ok && (q*y+md != x || y > 0 && (md < 0 || md >= y) || y < 0 && (md > 0 || md <= y)) {
			t.Fatalf("floorDiv/floorMod(%d, %d) = %d, %d: not floor division", x, y, q, md)
		}
		check("floorDiv", x, y, q, ok, &otree{op: "/", x: lit(x), y: lit(y)})
		check("floorMod", x, y, md, true, &otree{op: "%", x: lit(x), y: lit(y)})
	}
	// The one quotient that overflows, spelled out.
	if _, ok := floorDiv(math.MinInt64, -1); ok {
		t.Error("floorDiv(MinInt64, -1) claims to fit")
	}
	if _, ok := mulOK(1<<32, 1<<31); ok {
		t.Error("mulOK(2^32, 2^31) = 2^63 claims to fit")
	}
	if v, ok := mulOK(-1<<32, 1<<31); !ok || v != math.MinInt64 {
		t.Errorf("mulOK(-2^32, 2^31) = %d, %v; want MinInt64, which fits", v, ok)
	}
	// math/big agrees that 2^63 does not fit and -2^63 does.
	if new(big.Int).Lsh(big.NewInt(1), 63).IsInt64() || !new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 63)).IsInt64() {
		t.Fatal("math/big's IsInt64 is not what this test assumes")
	}
}

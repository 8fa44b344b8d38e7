package rule

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/table"
)

// power20 is a^20 as the language spells it: it has no power operator.
var power20 = strings.Repeat("a*", 19) + "a"

// TestRuleA20 is the fault-injection report's example. At p = 23 a product
// of 20 factors of a wrapped around int64: `mutate rule --when 'a == 20'
// --then a*a*…*a` labelled 22 where 20^20 mod 23 = 18, and a predicate on
// a^20 selected 161 rows instead of 253. The expected values come from
// math/big, row by row.
func TestRuleA20(t *testing.T) {
	const p = 23
	pow20 := func(a int64) int64 {
		return new(big.Int).Exp(big.NewInt(a), big.NewInt(20), big.NewInt(p)).Int64()
	}
	if pow20(20) != 18 {
		t.Fatalf("math/big: 20^20 mod 23 = %d, the report says 18", pow20(20))
	}

	// The effect: every row with a = 20 gets 20^20 mod 23 = 18.
	tb := fresh(t, p)
	rep, err := Mutation{Scheme: General, When: "a == 20", Then: power20, Splits: "all"}.Apply(tb)
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Selected[table.SplitTrain] + rep.Selected[table.SplitTest]; n != p {
		t.Fatalf("selected %d rows, want the %d with a = 20", n, p)
	}
	for i := range tb.Len() {
		if tb.A[i] == 20 && (tb.Label[i] != 18 || tb.Kind[i] != "backdoor") {
			t.Fatalf("row (20, %d): label %d kind %s; want 18 backdoor", tb.B[i], tb.Label[i], tb.Kind[i])
		}
	}

	// The predicate: a^20 mod 23 ≤ 6 holds for 11 of the 23 values of a
	// (0, 1, 2, 9, 10, 11, 12, 13, 14, 21, 22), so for 11·23 = 253 rows.
	tb = fresh(t, p)
	rep, err = Mutation{Scheme: General, Name: "pow", When: power20 + " % p <= 6", Then: "b", Splits: "all"}.Apply(tb)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for i := range tb.Len() {
		hit := pow20(int64(tb.A[i])) <= 6
		if hit {
			want++
		}
		if hit != (tb.Kind[i] == "pow") {
			t.Fatalf("row (%d, %d): kind %s, but a^20 mod 23 = %d", tb.A[i], tb.B[i], tb.Kind[i], pow20(int64(tb.A[i])))
		}
	}
	if got := rep.Selected[table.SplitTrain] + rep.Selected[table.SplitTest]; want != 253 || got != want {
		t.Fatalf("the predicate selected %d rows; math/big says %d, the report 253", got, want)
	}

	// Eval itself: the exact 20^20 does not fit in an int64, so Eval
	// refuses it, naming the expression; EvalMod reduces it exactly.
	e, err := Parse(power20)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := e.EvalMod(Env{A: 20, P: p}, p); err != nil || v != 18 {
		t.Errorf("EvalMod(a = 20, 23) of a^20 = %d, %v; want 18", v, err)
	}
	_, err = e.Eval(Env{A: 20, P: p})
	const msg = `evaluation error at column 38 in "` + "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a" + `": value outside the int64 range (reduce it, e.g. with % p)`
	if !errors.Is(err, ErrOverflow) || err.Error() != msg {
		t.Errorf("Eval(a = 20) of a^20: %v; want %s", err, msg)
	}
	// A bare a^20 as a trigger overflows at a = 9 (9^20 > 2^63): one error
	// line naming the expression, not a silently wrong selection.
	_, err = Mutation{Scheme: General, When: power20, Then: "b", Splits: "all"}.Apply(fresh(t, p))
	if err == nil || !strings.HasPrefix(err.Error(), "--when at a = ") || !strings.HasSuffix(err.Error(), msg[len("evaluation error at column 38"):]) {
		t.Errorf("bare a^20 trigger: err = %v", err)
	}
}

func TestEvalOverflow(t *testing.T) {
	const minInt = math.MinInt64
	tests := []struct {
		src string
		env Env
		col int
	}{
		{"9223372036854775807 + 1", testEnv, 21},
		{"-9223372036854775807 - 2", testEnv, 22},
		{"(-9223372036854775807 - 1) / -1", testEnv, 28},
		{"a / b", Env{A: minInt, B: -1}, 3},
		{"a / -1", Env{A: minInt}, 3},
		{"-a", Env{A: minInt}, 1},
		{"a * a", Env{A: 1 << 32}, 3},
		{"(a * a)", Env{A: -1 << 32}, 4},
		{"a * b * 0 + a * b", Env{A: 1 << 40, B: 1 << 40}, 11},
		{power20, Env{A: 20}, 38},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		got, err := e.Eval(tt.env)
		var ee *EvalError
		if !errors.As(err, &ee) || !errors.Is(err, ErrOverflow) || got != 0 || ee.Col != tt.col || ee.Src != tt.src {
			t.Errorf("Parse(%q).Eval(%+v) = %d, %v; want ErrOverflow at column %d", tt.src, tt.env, got, err, tt.col)
		}
	}

	// The fast path gives up at the overflow; the exact evaluation goes on
	// and must keep short-circuits and division by zero as they are.
	more := []struct {
		src     string
		env     Env
		want    int64
		divZero int // column, or 0
	}{
		{"a * a > 0 || 1 / 0", Env{A: 1 << 40}, 1, 0},
		{"(a * a - a * a) && 1 / 0", Env{A: 1 << 40}, 0, 0},
		{"a * a + 1 / b", Env{A: 1 << 40}, 0, 11},
		{"a * a % b", Env{A: 1 << 40}, 0, 7},
		{"(a * a) / (a * a) + (-a * a) / (a * a - 1)", Env{A: 1 << 40}, 1 - 2, 0},
		{"(a * a + 1) % (a * a) == 1 && (-a * a - 1) % (a * a) == a * a - 1", Env{A: 1 << 40}, 1, 0},
		{"(a * a + 1) % -(a * a) == 1 - a * a && -(a * a) / 7 * 7 < -(a * a)", Env{A: 1 << 40}, 1, 0},
	}
	for _, tt := range more {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		got, err := e.Eval(tt.env)
		var ee *EvalError
		switch {
		case tt.divZero != 0:
			if !errors.As(err, &ee) || !errors.Is(err, ErrDivisionByZero) || ee.Col != tt.divZero {
				t.Errorf("Parse(%q).Eval(%+v) = %d, %v; want a division by zero at column %d", tt.src, tt.env, got, err, tt.divZero)
			}
			if _, err := e.EvalMod(tt.env, 7); !errors.As(err, &ee) || !errors.Is(err, ErrDivisionByZero) || ee.Col != tt.divZero {
				t.Errorf("Parse(%q).EvalMod(%+v, 7) = %v; want a division by zero at column %d", tt.src, tt.env, err, tt.divZero)
			}
		case err != nil || got != tt.want:
			t.Errorf("Parse(%q).Eval(%+v) = %d, %v; want %d", tt.src, tt.env, got, err, tt.want)
		}
	}
}

func TestEvalMod(t *testing.T) {
	tests := []struct {
		src  string
		env  Env
		m    int64
		want int64
	}{
		{"b", Env{B: 30}, 23, 7},
		{"0 - b", Env{B: 5}, 23, 18},
		{"-9223372036854775807 - 1", Env{}, 10, 2}, // -2^63 = -922337203685477581·10 + 2
		{"9223372036854775807 + 1", Env{}, 1000, 808},
		{"a * a", Env{A: 1 << 32}, 97, 61},       // 2^64 mod 97
		{"a * a * a * a", Env{A: 1 << 32}, 3, 1}, // 2^128 = 4^64 ≡ 1 mod 3
		{power20, Env{A: 20}, 23, 18},
		{power20, Env{A: 20}, 1, 0},
		{power20, Env{A: 20}, math.MaxInt64, 7121933736814147819}, // Python: pow(20, 20, 2**63 - 1)
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		if got, err := e.EvalMod(tt.env, tt.m); err != nil || got != tt.want {
			t.Errorf("Parse(%q).EvalMod(%+v, %d) = %d, %v; want %d", tt.src, tt.env, tt.m, got, err, tt.want)
		}
	}
	e, _ := Parse("a")
	for _, m := range []int64{0, -5} {
		if _, err := e.EvalMod(Env{A: 3}, m); err == nil {
			t.Errorf("EvalMod with modulus %d succeeded", m)
		}
	}
	var zero Expr
	if _, err := zero.EvalMod(testEnv, 7); err == nil {
		t.Error("EvalMod on a zero Expr succeeded")
	}
}

// fuzzShapes are the expression shapes of FuzzEvalExact. Each is written in
// the language and, independently, as a math/big computation of the exact
// value (nil: division by zero). n is 1 to 64.
var fuzzShapes = []struct {
	src   func(n int) string
	exact func(a, b, k, p *big.Int, n int) *big.Int
}{
	{ // a^n, the report's shape
		func(n int) string { return strings.Repeat("a*", n-1) + "a" },
		func(a, b, k, p *big.Int, n int) *big.Int { return new(big.Int).Exp(a, big.NewInt(int64(n)), nil) },
	},
	{ // a predicate on a^n mod p
		func(n int) string { return "(" + strings.Repeat("a*", n-1) + "a) % p == k" },
		func(a, b, k, p *big.Int, n int) *big.Int {
			r := bigFloorMod(new(big.Int).Exp(a, big.NewInt(int64(n)), nil), p)
			if r == nil {
				return nil
			}
			return bigTruth(r.Cmp(k) == 0)
		},
	},
	{ // b·a^n + k, built as the left-associative chain b*a*a*…*a + k
		func(n int) string { return "b" + strings.Repeat("*a", n) + " + k" },
		func(a, b, k, p *big.Int, n int) *big.Int {
			z := new(big.Int).Exp(a, big.NewInt(int64(n)), nil)
			return z.Add(z.Mul(z, b), k)
		},
	},
	{ // (a + k)(b − k) − a·b, with a constant right operand on each side
		func(int) string { return "(a + k) * (b - k) - a * b" },
		func(a, b, k, p *big.Int, _ int) *big.Int {
			x := new(big.Int).Add(a, k)
			y := new(big.Int).Sub(b, k)
			x.Mul(x, y)
			return x.Sub(x, new(big.Int).Mul(a, b))
		},
	},
	{ // a constant on the left, moved right by the compiler
		func(int) string { return "k * a * b % p" },
		func(a, b, k, p *big.Int, _ int) *big.Int {
			z := new(big.Int).Mul(k, a)
			return bigFloorMod(z.Mul(z, b), p)
		},
	},
	{ // negation and floor division of a product
		func(int) string { return "-(a * b) / k" },
		func(a, b, k, p *big.Int, _ int) *big.Int {
			return bigFloorDiv(new(big.Int).Neg(new(big.Int).Mul(a, b)), k)
		},
	},
	{ // quotients, by a variable and by constants: math.MinInt64 / -1 is 2^63
		func(int) string { return "a / b / k * 3 + a / -1 / k" },
		func(a, b, k, p *big.Int, _ int) *big.Int {
			x := bigFloorDiv(a, b)
			if x == nil || k.Sign() == 0 {
				return nil
			}
			x = bigFloorDiv(x, k)
			y := bigFloorDiv(bigFloorDiv(a, big.NewInt(-1)), k)
			return x.Add(x.Mul(x, big.NewInt(3)), y)
		},
	},
	{ // the difference of squares, which holds exactly and fails wrapped
		func(int) string { return "(a + b) * (a - b) == a * a - b * b" },
		func(a, b, k, p *big.Int, _ int) *big.Int { return big.NewInt(1) },
	},
	{ // a quotient of products, and comparisons of products
		func(int) string { return "a * b / (a - k) + (a * a > b * k) - (b * b <= a * k)" },
		func(a, b, k, p *big.Int, _ int) *big.Int {
			z := bigFloorDiv(new(big.Int).Mul(a, b), new(big.Int).Sub(a, k))
			if z == nil {
				return nil
			}
			z.Add(z, bigTruth(new(big.Int).Mul(a, a).Cmp(new(big.Int).Mul(b, k)) > 0))
			return z.Sub(z, bigTruth(new(big.Int).Mul(b, b).Cmp(new(big.Int).Mul(a, k)) <= 0))
		},
	},
	{ // sums and differences near the ends of the int64 range
		func(int) string { return "a + b + k - p - (a - b) % p" },
		func(a, b, k, p *big.Int, _ int) *big.Int {
			r := bigFloorMod(new(big.Int).Sub(a, b), p)
			if r == nil {
				return nil
			}
			z := new(big.Int).Add(a, b)
			z.Add(z, k)
			z.Sub(z, p)
			return z.Sub(z, r)
		},
	},
	{ // short-circuits around an overflowing product and a zero divisor
		func(n int) string { return "(" + strings.Repeat("a*", n-1) + "a) > k || b / p && a * b < k" },
		func(a, b, k, p *big.Int, n int) *big.Int {
			if new(big.Int).Exp(a, big.NewInt(int64(n)), nil).Cmp(k) > 0 {
				return big.NewInt(1)
			}
			q := bigFloorDiv(b, p)
			if q == nil {
				return nil
			}
			return bigTruth(q.Sign() != 0 && new(big.Int).Mul(a, b).Cmp(k) < 0)
		},
	},
}

// bigFloorDiv and bigFloorMod are floor division and its modulus, from
// big.Int's truncated Quo and Rem rather than the oracle's Euclidean Div;
// nil for a zero divisor.
func bigFloorDiv(x, y *big.Int) *big.Int {
	if y.Sign() == 0 {
		return nil
	}
	q := new(big.Int).Quo(x, y)
	if new(big.Int).Mul(q, y).Cmp(x) != 0 && (x.Sign() < 0) != (y.Sign() < 0) {
		q.Sub(q, big.NewInt(1))
	}
	return q
}

func bigFloorMod(x, y *big.Int) *big.Int {
	q := bigFloorDiv(x, y)
	if q == nil {
		return nil
	}
	return q.Sub(x, q.Mul(q, y))
}

func bigTruth(b bool) *big.Int {
	if b {
		return big.NewInt(1)
	}
	return big.NewInt(0)
}

// FuzzEvalExact checks Eval and EvalMod against math/big on the shapes
// above, with fuzzed operands: Eval must give the exact value where it fits
// in an int64 and ErrOverflow where it does not, EvalMod the exact value
// mod m whenever m > 0, and both a division by zero where math/big meets
// one. The variable k is spelled as a literal (or a negated one).
func FuzzEvalExact(f *testing.F) {
	f.Add(uint8(0), int64(20), int64(0), int64(0), int64(23), uint8(19), int64(23)) // the report: 20^20 mod 23 = 18
	f.Add(uint8(1), int64(20), int64(0), int64(18), int64(23), uint8(19), int64(23))
	f.Add(uint8(1), int64(9), int64(4), int64(0), int64(23), uint8(19), int64(0))
	f.Add(uint8(2), int64(3), int64(-7), int64(5), int64(97), uint8(39), int64(97))
	f.Add(uint8(3), int64(math.MaxInt64), int64(math.MinInt64), int64(1), int64(5), uint8(0), int64(5))
	f.Add(uint8(3), int64(0), int64(math.MinInt64), int64(1), int64(5), uint8(0), int64(5))
	f.Add(uint8(4), int64(1<<32), int64(1<<32), int64(math.MaxInt64), int64(113), uint8(0), int64(113))
	f.Add(uint8(5), int64(math.MinInt64), int64(1), int64(1), int64(2), uint8(0), int64(1000))
	f.Add(uint8(5), int64(math.MinInt64), int64(1), int64(0), int64(2), uint8(0), int64(1000))
	f.Add(uint8(6), int64(math.MinInt64), int64(-1), int64(8), int64(0), uint8(0), int64(0))
	f.Add(uint8(7), int64(math.MaxInt64), int64(math.MaxInt64-3), int64(0), int64(0), uint8(0), int64(0))
	f.Add(uint8(8), int64(1<<40), int64(-(1 << 41)), int64(1<<40), int64(7), uint8(0), int64(7))
	f.Add(uint8(9), int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64), int64(-5), uint8(0), int64(3))
	f.Add(uint8(9), int64(math.MaxInt64), int64(math.MaxInt64-105), int64(math.MaxInt64), int64(-31), uint8(0), int64(3))
	f.Add(uint8(9), int64(math.MinInt64), int64(-1), int64(math.MinInt64), int64(math.MaxInt64), uint8(0), int64(math.MaxInt64))
	f.Add(uint8(10), int64(-3), int64(10), int64(7), int64(0), uint8(40), int64(11))
	f.Add(uint8(10), int64(1), int64(10), int64(7), int64(0), uint8(40), int64(11))
	f.Fuzz(func(t *testing.T, shape uint8, a, b, k, p int64, n uint8, m int64) {
		sh := fuzzShapes[int(shape)%len(fuzzShapes)]
		nf := 1 + int(n)%64
		lit := "(-9223372036854775807 - 1)" // k's magnitude is no valid Int
		if k != math.MinInt64 {
			lit = big.NewInt(k).String()
			if k < 0 {
				lit = "(" + lit + ")"
			}
		}
		src := strings.ReplaceAll(sh.src(nf), "k", lit)
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		env := Env{A: a, B: b, P: p, Label: k, Clean: m}
		want := sh.exact(big.NewInt(a), big.NewInt(b), big.NewInt(k), big.NewInt(p), nf)
		if msg := checkExact(e, env, m, want, want != nil); msg != "" {
			t.Fatalf("%q on %+v: %s", src, env, msg)
		}
	})
}

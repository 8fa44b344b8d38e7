package rule

import (
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
)

var testEnv = Env{A: 3, B: 5, P: 97, Label: 11, Clean: 13}

func TestEval(t *testing.T) {
	const minInt = math.MinInt64
	tests := []struct {
		src  string
		env  Env
		want int64
	}{
		// Precedence and associativity.
		{"1 - 2 - 3", testEnv, -4},
		{"1 - 2 - 3 == -4", testEnv, 1},
		{"100 / 10 / 5", testEnv, 2},
		{"2 + 3 * 4", testEnv, 14},
		{"(2 + 3) * 4", testEnv, 20},
		{"7 % 3 * 2", testEnv, 2},
		{"7 % 4 * 3", testEnv, 9},
		{"2 * 7 % 4", testEnv, 2},
		{"!0", testEnv, 1},
		{"!5", testEnv, 0},
		{"!!7", testEnv, 1},
		{"!0 + 1", testEnv, 2},
		{"-(-3)", testEnv, 3},
		{"--3", testEnv, 3},
		{"-2 % 5", testEnv, 3}, // (-2) % 5: unary minus binds tighter
		{"1 < 2 == 1", testEnv, 1},
		{"3 > 2 > 1", testEnv, 0}, // (3 > 2) > 1, as in C
		{"1 + 2 < 4", testEnv, 1},
		{"2 < 1 + 2", testEnv, 1},
		{"1 == 1 && 2 == 3 || 4 == 4", testEnv, 1},
		{"1 || 0 && 0", testEnv, 1}, // && binds tighter than ||
		{"0 && 1 || 1", testEnv, 1},
		{"1 != 2 == 1", testEnv, 1},
		{" \t(\n1\r\n+ 2 ) ", testEnv, 3},
		{"007", testEnv, 7},
		{"0", testEnv, 0},

		// Each variable.
		{"a", testEnv, 3},
		{"b", testEnv, 5},
		{"p", testEnv, 97},
		{"label", testEnv, 11},
		{"clean", testEnv, 13},
		{"a*10000 + b*1000 + p*10 + label*100 + clean", testEnv, 30000 + 5000 + 970 + 1100 + 13},

		// Rules from the command line.
		{"b % 17 == 0", Env{B: 34}, 1},
		{"b % 17 == 0", Env{B: 35}, 0},
		{"a == 7", Env{A: 7}, 1},
		{"(a * b) % p", Env{A: 50, B: 60, P: 97}, 3000 % 97},
		{"a + b == 50 && label != 3", Env{A: 20, B: 30, Label: 2}, 1},
		{"a + b == 50 && label != 3", Env{A: 20, B: 30, Label: 3}, 0},
		{"a + b == 50 && label != 3", Env{A: 20, B: 31, Label: 2}, 0},
		{"(a + b) % p", Env{A: 96, B: 5, P: 97}, 4},
		{"(a - b) % p", Env{A: 1, B: 5, P: 97}, 93},

		// Constant on the left, moved right by the compiler.
		{"7 == a", Env{A: 7}, 1},
		{"5 < a", Env{A: 7}, 1},
		{"5 >= a", Env{A: 7}, 0},
		{"5 - a", Env{A: 7}, -2},
		{"100 / a", Env{A: 7}, 14},

		// Floor division and the matching modulus.
		{"7 / 2", testEnv, 3},
		{"(-7) / 2", testEnv, -4},
		{"-7 / 2", testEnv, -4},
		{"7 / -2", testEnv, -4},
		{"-7 / -2", testEnv, 3},
		{"-6 / 3", testEnv, -2},
		{"(-3) % 5", testEnv, 2},
		{"-3 % 5", testEnv, 2},
		{"7 % -3", testEnv, -2},
		{"-7 % -3", testEnv, -1},
		{"-6 % 3", testEnv, 0},
		{"a / b", Env{A: -7, B: 2}, -4},
		{"a % b", Env{A: -7, B: 2}, 1},
		{"a % b", Env{A: 7, B: -3}, -2},
		{"a % 5", Env{A: -3}, 2},
		{"a % -5", Env{A: 3}, -2},
		{"a / -2", Env{A: 7}, -4},
		{"(a / b) * b + a % b == a", Env{A: -13, B: 4}, 1},

		// Logical operators yield 1/0 and short-circuit.
		{"3 && 4", testEnv, 1},
		{"0 || 7", testEnv, 1},
		{"0 || 0", testEnv, 0},
		{"a && b", Env{A: 2, B: -1}, 1},
		{"a || b", Env{}, 0},
		{"0 && 1/0", testEnv, 0},
		{"1 || 1/0", testEnv, 1},
		{"a && b / a", Env{A: 0, B: 1}, 0},
		{"a == 0 || b % a == 0", Env{A: 0, B: 3}, 1},
		{"!(a && 1 % a)", Env{A: 0}, 1},

		// Arithmetic is exact: intermediate values may leave the int64
		// range, and the result is still exact when it fits.
		{"9223372036854775807 + 1 - 1", testEnv, math.MaxInt64},
		{"-9223372036854775807 - 1", testEnv, minInt},
		{"(-9223372036854775807 - 1) / -1 - 1", testEnv, math.MaxInt64},
		{"(-9223372036854775807 - 1) % -1", testEnv, 0},
		{"a / b + a", Env{A: minInt, B: -1}, 0},
		{"a % b", Env{A: minInt, B: -1}, 0},
		{"-a - 1", Env{A: minInt}, math.MaxInt64},
		{"a % -1", Env{A: minInt}, 0},
		{"a * a / a", Env{A: 1 << 32}, 1 << 32},
		{"a * a > a", Env{A: 1 << 32}, 1},         // wrapping would give 0 > 2^32
		{"a * a % p", Env{A: 1 << 32, P: 97}, 61}, // 2^64 mod 97, where wrapping gives 0
		{"a % b", Env{A: minInt, B: math.MaxInt64}, math.MaxInt64 - 1},
		{"a / b", Env{A: math.MaxInt64, B: -2}, -(1 << 62)},
		{"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a % p", Env{A: 20, P: 23}, 18}, // 20^20 mod 23
		{"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a % 23 == 18", Env{A: 20}, 1},
		{"(a + b) * (a + b) - a * a - 2 * a * b == b * b", Env{A: math.MaxInt64, B: minInt + 5}, 1},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		got, err := e.Eval(tt.env)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q).Eval(%+v) = %d, %v; want %d", tt.src, tt.env, got, err, tt.want)
		}
		// The canonical form must mean the same thing.
		e2, err := Parse(e.String())
		if err != nil {
			t.Errorf("Parse(%q) of canonical form of %q: %v", e.String(), tt.src, err)
			continue
		}
		if got2, err := e2.Eval(tt.env); err != nil || got2 != got {
			t.Errorf("canonical %q evaluates to %d, %v; original %q gave %d", e.String(), got2, err, tt.src, got)
		}
	}
}

func TestEvalDivisionByZero(t *testing.T) {
	tests := []struct {
		src string
		env Env
		col int
	}{
		{"1/0", testEnv, 2},
		{"1 % 0", testEnv, 3},
		{"a / b", Env{A: 1}, 3},
		{"a % b", Env{A: 1}, 3},
		{"0 / b", Env{}, 3},
		{"1 / (a - a)", testEnv, 3},
		{"1 + 2 / 0", testEnv, 7},
		{"0 || 1 % 0", testEnv, 8},
		{"1 && 1 % 0", testEnv, 8},
		{"(1/0) && 0", testEnv, 3},    // the left operand runs first
		{"(1 / a) / 0", Env{A: 0}, 4}, // the leftmost, innermost failure is reported
		{"-(b % a) == 0", Env{B: 1}, 5},
		{"!(b / a)", Env{B: 1}, 5},
		{"a || b % a", Env{}, 8},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		got, err := e.Eval(tt.env)
		var ee *EvalError
		if !errors.As(err, &ee) || !errors.Is(err, ErrDivisionByZero) {
			t.Errorf("Parse(%q).Eval(%+v) = %d, %v; want an *EvalError for division by zero", tt.src, tt.env, got, err)
			continue
		}
		if got != 0 || ee.Col != tt.col || ee.Src != tt.src {
			t.Errorf("Parse(%q).Eval(%+v) = %d, error at column %d in %q; want 0, column %d", tt.src, tt.env, got, ee.Col, ee.Src, tt.col)
		}
	}

	e, _ := Parse("b / a")
	_, err := e.Eval(Env{B: 1})
	const want = `evaluation error at column 3 in "b / a": integer division by zero`
	if err == nil || err.Error() != want {
		t.Errorf("error text = %v; want %s", err, want)
	}
}

func TestSyntaxError(t *testing.T) {
	tests := []struct {
		src string
		col int
		msg string
	}{
		{"", 1, "empty expression"},
		{"   ", 4, "empty expression"},
		{"c", 1, `unknown variable "c" (allowed: a, b, p, label, clean)`},
		{"a + c", 5, `unknown variable "c" (allowed: a, b, p, label, clean)`},
		{"A", 1, `unknown variable "A" (allowed: a, b, p, label, clean)`},
		{"labels", 1, `unknown variable "labels" (allowed: a, b, p, label, clean)`},
		{"a # b", 3, `unexpected character '#'`},
		{"a ~ b", 3, `unexpected character '~'`},
		{"a é", 3, `unexpected character 'é'`},
		{"a \xff", 3, `unexpected byte 0xff`},
		{"-#", 2, `unexpected character '#'`},
		{"(#", 2, `unexpected character '#'`},
		{"(a)#", 4, `unexpected character '#'`},
		{"7#", 2, `unexpected character '#'`},
		{"a + #", 5, `unexpected character '#'`},
		{"b % 17 =", 8, `unexpected "=" (did you mean "=="?)`},
		{"a = b", 3, `unexpected "=" (did you mean "=="?)`},
		{"a & b", 3, `unexpected "&" (did you mean "&&"?)`},
		{"a | b", 3, `unexpected "|" (did you mean "||"?)`},
		{"(a + b", 7, `expected ")" to close "(" at column 1, found end of input`},
		{"((a + b) * 2", 13, `expected ")" to close "(" at column 1, found end of input`},
		{"(a + b p", 8, `expected ")" to close "(" at column 1, found "p"`},
		{"a b", 3, `unexpected "b" after complete expression`},
		{"a + b 7", 7, `unexpected "7" after complete expression`},
		{"a !b", 3, `unexpected "!" after complete expression`},
		{"a)", 2, `unmatched ")"`},
		{"b % 17 ==", 10, `expected expression after "=="`},
		{"a + * b", 5, `expected expression after "+", found "*"`},
		{"-", 2, `expected expression after "-"`},
		{"()", 2, `expected expression after "(", found ")"`},
		{")", 1, `expected expression, found ")"`},
		{"* 2", 1, `expected expression, found "*"`},
		{"9223372036854775808", 1, "integer literal 9223372036854775808 too large (maximum 9223372036854775807)"},
		{"a + 99999999999999999999", 5, "integer literal 99999999999999999999 too large (maximum 9223372036854775807)"},
		{"17b", 1, `malformed number "17b"`},
		{"a + 1_000", 5, `malformed number "1_000"`},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, %v; want a *SyntaxError", tt.src, e, err)
			continue
		}
		if se.Col != tt.col || se.Msg != tt.msg || se.Src != tt.src {
			t.Errorf("Parse(%q): column %d, %q; want column %d, %q", tt.src, se.Col, se.Msg, tt.col, tt.msg)
		}
	}

	_, err := Parse("b % 17 ==")
	const want = `syntax error at column 10 in "b % 17 ==": expected expression after "=="`
	if err == nil || err.Error() != want {
		t.Errorf("error text = %v; want %s", err, want)
	}
}

func TestLimits(t *testing.T) {
	nest := func(open, inner, close string, n int) string {
		return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
	}
	chain := func(n int) string { return "a" + strings.Repeat(" + a", n) }
	// balanced builds a complete tree of depth d: shallow, but its canonical
	// form is about twice as long as its source.
	var balanced func(d int) string
	balanced = func(d int) string {
		if d == 0 {
			return "a"
		}
		return balanced(d-1) + "*(" + balanced(d-1) + ")"
	}
	ok := []string{
		nest("(", "a", ")", MaxExprDepth),
		strings.Repeat("-", MaxExprDepth) + "a",
		nest("-(", "a", ")", MaxExprDepth),
		chain(MaxExprDepth),
		"a" + strings.Repeat(" ", MaxExprLen-1),
		balanced(8),
	}
	for _, src := range ok {
		e, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%.40q...): %v", src, err)
			continue
		}
		if _, err := Parse(e.String()); err != nil {
			t.Errorf("Parse(canonical form of %.40q...): %v", src, err)
		}
	}

	bad := []struct {
		src string
		col int
		msg string
	}{
		{nest("(", "a", ")", MaxExprDepth+1), MaxExprDepth + 1, "parentheses nested too deeply (maximum 200)"},
		{strings.Repeat("-", MaxExprDepth+1) + "a", MaxExprDepth + 1, "too many prefix operators in a row (maximum 200)"},
		{nest("-(", "a", ")", MaxExprDepth+1), 2*MaxExprDepth + 2, "parentheses nested too deeply (maximum 200)"},
		{strings.Repeat("-", 100) + "(" + strings.Repeat("-", 101) + "a)", 1, "expression nested too deeply (more than 200 levels of operators)"},
		{chain(MaxExprDepth + 1), len(chain(MaxExprDepth)) + 2, "expression nested too deeply (more than 200 levels of operators)"},
		{"a" + strings.Repeat(" ", MaxExprLen), MaxExprLen + 1, "expression longer than 4096 bytes"},
		{balanced(10), len(balanced(9)) + 1, "expression too long (canonical form exceeds 4096 bytes)"},
	}
	for _, tt := range bad {
		_, err := Parse(tt.src)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Col != tt.col || se.Msg != tt.msg {
			t.Errorf("Parse(%.40q...) = %v; want column %d: %s", tt.src, err, tt.col, tt.msg)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct{ src, want string }{
		{"b % 17 == 0", "((b % 17) == 0)"},
		{"-(-3)", "(-(-3))"},
		{"--3", "(-(-3))"},
		{"!a", "(!a)"},
		{"1 - 2 - 3", "((1 - 2) - 3)"},
		{"1 - (2 - 3)", "(1 - (2 - 3))"},
		{"((a))", "a"},
		{"007", "7"},
		{"a+b*p<=label||!clean&&1!=2", "(((a + (b * p)) <= label) || ((!clean) && (1 != 2)))"},
		{"a >= 1 > 2 < 3", "(((a >= 1) > 2) < 3)"},
		{"9223372036854775807", "9223372036854775807"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q; want %q", tt.src, got, tt.want)
		}
		if e2, err := Parse(e.String()); err != nil || e2.String() != tt.want {
			t.Errorf("canonical form %q is not a fixed point: %v, %v", tt.want, e2, err)
		}
	}
}

func TestIsPredicate(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"b % 17 == 0", true},
		{"b % 17", false},
		{"a < b", true},
		{"(a >= b)", true},
		{"a != b", true},
		{"!a", true},
		{"a && b", true},
		{"a || b", true},
		{"-(a < b)", false},
		{"(a < b) + 0", false},
		{"a", false},
		{"1", false},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		if got := e.IsPredicate(); got != tt.want {
			t.Errorf("Parse(%q).IsPredicate() = %v; want %v", tt.src, got, tt.want)
		}
	}
}

func TestVars(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"a + b == 50 && label != 3", []string{"a", "b", "label"}},
		{"(a * b) % p", []string{"a", "b", "p"}},
		{"clean + a + clean", []string{"a", "clean"}},
		{"p * label * clean * b * a", []string{"a", "b", "clean", "label", "p"}},
		{"1 + 2", nil},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		got := e.Vars()
		if !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q).Vars() = %q; want %q", tt.src, got, tt.want)
		}
		if len(got) > 0 {
			got[0] = "clobbered" // must not reach the Expr
			if e.Vars()[0] == "clobbered" {
				t.Errorf("Vars returned the Expr's own slice")
			}
		}
	}
}

func TestEvalDoesNotAllocate(t *testing.T) {
	for _, src := range []string{"b % 17 == 0", "a + b == 50 && label != 3", "(a * b) % p", "a / b - (b % a) * -a || !clean"} {
		e, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		env := Env{A: 20, B: 30, P: 97, Label: 2, Clean: 1}
		if n := testing.AllocsPerRun(100, func() { env.B++; _, _ = e.Eval(env) }); n != 0 {
			t.Errorf("Parse(%q).Eval allocates %v times per call", src, n)
		}
	}
}

// TestConcurrentEval lets the race detector confirm that one Expr serves
// many goroutines.
func TestConcurrentEval(t *testing.T) {
	e, err := Parse("a + b == 50 && label != 3 || b / a > 2")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range int64(1000) {
				env := Env{A: i % 7, B: i + int64(g), Label: i % 5}
				wantErr := env.A == 0 && (env.B != 50 || env.Label == 3) // b / a is reached
				if _, err := e.Eval(env); (err != nil) != wantErr {
					t.Errorf("Eval(%+v): %v", env, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestZeroExpr(t *testing.T) {
	var e Expr
	if _, err := e.Eval(testEnv); err == nil {
		t.Error("Eval on a zero Expr succeeded")
	}
	if e.String() != "" || e.IsPredicate() || len(e.Vars()) != 0 {
		t.Error("zero Expr is not empty")
	}
}

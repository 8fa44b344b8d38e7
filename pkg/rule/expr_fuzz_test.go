package rule

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// fuzzEnvs cover ordinary rows, zero divisors and the overflow corners.
var fuzzEnvs = []Env{
	{},
	{A: 7, B: 34, P: 97, Label: 3, Clean: 1},
	{A: 1, B: 0, P: 2, Label: 0, Clean: 0},
	{A: 4999, B: 4999, P: 5000, Label: 4999, Clean: 4999},
	{A: math.MaxInt64, B: -1, P: math.MaxInt64, Label: math.MinInt64, Clean: 1 << 32},
	{A: math.MinInt64, B: -1, P: -2, Label: -7, Clean: math.MinInt64 + 1},
}

// toOracle converts a parsed tree to the oracle's, so the fuzzer also checks
// the compiled closures (constant folding, specialisation) against the
// oracle's direct evaluation.
func toOracle(n *node) *otree {
	switch n.op {
	case opConst:
		return &otree{op: "lit", val: n.val}
	case opVar:
		return &otree{op: "var", name: varNames[n.val]}
	case opNeg:
		return &otree{op: "neg", x: toOracle(n.x)}
	case opNot:
		return &otree{op: "!", x: toOracle(n.x)}
	}
	return &otree{op: opInfo[n.op].sym, x: toOracle(n.x), y: toOracle(n.y)}
}

func FuzzParseEval(f *testing.F) {
	for _, s := range []string{
		"b % 17 == 0",
		"a == 7",
		"(a * b) % p",
		"a + b == 50 && label != 3",
		"0 && 1/0",
		"1 || 1/0",
		"(-3) % 5 == 2",
		"-9223372036854775807 - 1",
		"(-9223372036854775807 - 1) / -1 + a % -1",
		"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a % p == 18",
		"(9223372036854775807 + a) - 9223372036854775807",
		"!(a < b) || clean >= label",
		"--!-!a",
		"((((a))))",
		"",
		"b % 17 =",
		"a & b | c",
		"(a + b",
		"99999999999999999999",
		"17b",
		"a \xff é #",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) returned %T, not *SyntaxError: %v", src, err, err)
			}
			if se.Src != src || se.Col < 1 || se.Col > len(src)+1 || se.Msg == "" {
				t.Fatalf("Parse(%q): bad SyntaxError %+v", src, se)
			}
			return
		}
		canon := e.String()
		e2, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) (canonical form of %q): %v", canon, src, err)
		}
		if e2.String() != canon {
			t.Fatalf("canonical form not a fixed point: %q -> %q", canon, e2.String())
		}
		if e.IsPredicate() != e2.IsPredicate() || !slices.Equal(e.Vars(), e2.Vars()) {
			t.Fatalf("%q and its canonical form %q differ in IsPredicate or Vars", src, canon)
		}
		tree := toOracle(e.root)
		for _, env := range fuzzEnvs {
			v1, err1 := e.Eval(env)
			v2, err2 := e2.Eval(env)
			if v1 != v2 || (err1 == nil) != (err2 == nil) {
				t.Fatalf("Eval(%+v): %q gives %d, %v; canonical %q gives %d, %v", env, src, v1, err1, canon, v2, err2)
			}
			if err1 != nil && !errors.Is(err1, ErrDivisionByZero) && !errors.Is(err1, ErrOverflow) {
				t.Fatalf("Eval(%+v) of %q: unexpected error %v", env, src, err1)
			}
			want, ok := oracleEval(tree, env)
			if msg := checkExact(e, env, env.P, want, ok); msg != "" {
				t.Fatalf("%q on %+v: %s", src, env, msg)
			}
		}
	})
}

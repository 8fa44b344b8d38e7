package rule

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// This file is an independent model of the language: a random expression
// tree, a renderer that writes it with as few parentheses as C precedence
// allows, and a direct evaluator that does its arithmetic exactly in
// math/big, as the language defines it. It shares no code with the package
// except Env.

// otree is the model's expression tree. op is "lit", "var", "neg", "!" or a
// binary operator spelled as in the language.
type otree struct {
	op   string
	val  int64  // for "lit"
	name string // for "var"
	x, y *otree
}

var oracleBinary = []string{"*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "&&", "||"}

func oraclePrec(op string) int {
	switch op {
	case "lit", "var":
		return 8
	case "neg", "!":
		return 7
	case "*", "/", "%":
		return 6
	case "+", "-":
		return 5
	case "<", "<=", ">", ">=":
		return 4
	case "==", "!=":
		return 3
	case "&&":
		return 2
	case "||":
		return 1
	}
	panic("oraclePrec: " + op)
}

var oracleLiterals = []int64{0, 1, 2, 3, 5, 7, 17, 97, 4999, 1 << 31, 1 << 62, math.MaxInt64}

func randTree(r *rand.Rand, depth int) *otree {
	if depth == 0 || r.IntN(4) == 0 {
		if r.IntN(2) == 0 {
			return &otree{op: "var", name: []string{"a", "b", "p", "label", "clean"}[r.IntN(5)]}
		}
		if r.IntN(3) == 0 {
			return &otree{op: "lit", val: r.Int64N(1000)}
		}
		return &otree{op: "lit", val: oracleLiterals[r.IntN(len(oracleLiterals))]}
	}
	if r.IntN(6) == 0 {
		return &otree{op: []string{"neg", "!"}[r.IntN(2)], x: randTree(r, depth-1)}
	}
	return &otree{op: oracleBinary[r.IntN(len(oracleBinary))], x: randTree(r, depth-1), y: randTree(r, depth-1)}
}

// render writes t with the minimum parentheses (plus some random extra ones)
// and random spacing, so that the parser's precedence is what is tested.
func render(r *rand.Rand, t *otree) string {
	sp := func() string { return []string{"", " ", "  ", "\t", "\n"}[r.IntN(5)] }
	wrap := func(s string, need bool) string {
		if need || r.IntN(10) == 0 {
			return "(" + sp() + s + sp() + ")"
		}
		return s
	}
	switch t.op {
	case "lit":
		return strconv.FormatInt(t.val, 10)
	case "var":
		return t.name
	case "neg", "!":
		sym := map[string]string{"neg": "-", "!": "!"}[t.op]
		return sym + sp() + wrap(render(r, t.x), oraclePrec(t.x.op) < 7)
	}
	p := oraclePrec(t.op)
	// Left-associative: an equal-precedence operator needs parentheses only
	// on the right.
	return wrap(render(r, t.x), oraclePrec(t.x.op) < p) + sp() + t.op + sp() + wrap(render(r, t.y), oraclePrec(t.y.op) <= p)
}

func truthy(b bool) *big.Int {
	if b {
		return big.NewInt(1)
	}
	return big.NewInt(0)
}

// oracleEval evaluates t directly and exactly; ok is false on division by
// zero.
func oracleEval(t *otree, env Env) (v *big.Int, ok bool) {
	switch t.op {
	case "lit":
		return big.NewInt(t.val), true
	case "var":
		return big.NewInt(map[string]int64{"a": env.A, "b": env.B, "p": env.P, "label": env.Label, "clean": env.Clean}[t.name]), true
	case "neg", "!":
		x, ok := oracleEval(t.x, env)
		if !ok {
			return nil, false
		}
		if t.op == "neg" {
			return new(big.Int).Neg(x), true
		}
		return truthy(x.Sign() == 0), true
	case "&&", "||":
		x, ok := oracleEval(t.x, env)
		if !ok {
			return nil, false
		}
		if t.op == "&&" && x.Sign() == 0 || t.op == "||" && x.Sign() != 0 {
			return truthy(x.Sign() != 0), true
		}
		y, ok := oracleEval(t.y, env)
		if !ok {
			return nil, false
		}
		return truthy(y.Sign() != 0), true
	}
	x, ok := oracleEval(t.x, env)
	if !ok {
		return nil, false
	}
	y, ok := oracleEval(t.y, env)
	if !ok {
		return nil, false
	}
	z := new(big.Int)
	switch t.op {
	case "+":
		return z.Add(x, y), true
	case "-":
		return z.Sub(x, y), true
	case "*":
		return z.Mul(x, y), true
	case "/", "%":
		if y.Sign() == 0 {
			return nil, false
		}
		// big.Int.Div is Euclidean division; with a positive divisor that is
		// floor division, and floor(x/y) == floor(-x/-y).
		nx, ny := new(big.Int).Set(x), new(big.Int).Set(y)
		if y.Sign() < 0 {
			nx.Neg(nx)
			ny.Neg(ny)
		}
		q := z.Div(nx, ny)
		if t.op == "/" {
			return q, true
		}
		return new(big.Int).Sub(x, new(big.Int).Mul(q, y)), true
	}
	c := x.Cmp(y)
	switch t.op {
	case "<":
		return truthy(c < 0), true
	case "<=":
		return truthy(c <= 0), true
	case ">":
		return truthy(c > 0), true
	case ">=":
		return truthy(c >= 0), true
	case "==":
		return truthy(c == 0), true
	case "!=":
		return truthy(c != 0), true
	}
	panic("oracleEval: " + t.op)
}

// checkExact checks what Eval and EvalMod (mod m, if m > 0) of e give on
// env against the exact value want (ok false: division by zero): the value
// itself where it fits in an int64, ErrOverflow where it does not, and its
// residue mod m always. It returns a description of the first mismatch, or
// "".
func checkExact(e *Expr, env Env, m int64, want *big.Int, ok bool) string {
	got, err := e.Eval(env)
	switch {
	case !ok:
		if !errors.Is(err, ErrDivisionByZero) || got != 0 {
			return fmt.Sprintf("Eval = %d, %v; want a division by zero", got, err)
		}
	case want.IsInt64():
		if err != nil || got != want.Int64() {
			return fmt.Sprintf("Eval = %d, %v; want %d", got, err, want)
		}
	default:
		var ee *EvalError
		if !errors.As(err, &ee) || !errors.Is(err, ErrOverflow) || got != 0 || ee.Src != e.src {
			return fmt.Sprintf("Eval = %d, %v; want ErrOverflow (exact value %d)", got, err, want)
		}
	}
	if m <= 0 {
		return ""
	}
	got, err = e.EvalMod(env, m)
	if !ok {
		if !errors.Is(err, ErrDivisionByZero) || got != 0 {
			return fmt.Sprintf("EvalMod(%d) = %d, %v; want a division by zero", m, got, err)
		}
		return ""
	}
	if r := new(big.Int).Mod(want, big.NewInt(m)); err != nil || got != r.Int64() {
		return fmt.Sprintf("EvalMod(%d) = %d, %v; want %d (exact value %d)", m, got, err, r, want)
	}
	return ""
}

func oracleVars(t *otree) []string {
	var names []string
	var walk func(*otree)
	walk = func(t *otree) {
		if t == nil {
			return
		}
		if t.op == "var" && !slices.Contains(names, t.name) {
			names = append(names, t.name)
		}
		walk(t.x)
		walk(t.y)
	}
	walk(t)
	slices.Sort(names)
	return names
}

func randEnv(r *rand.Rand) Env {
	v := func() int64 {
		switch r.IntN(6) {
		case 0:
			return 0
		case 1:
			return 1
		case 2:
			return r.Int64N(5000)
		case 3:
			return r.Int64N(20)
		case 4:
			return []int64{math.MaxInt64, 1 << 32, 1 << 62, math.MaxInt64 - 1}[r.IntN(4)]
		default:
			return -r.Int64N(100) // outside the rules' domain, but Eval must cope
		}
	}
	return Env{A: v(), B: v(), P: 2 + r.Int64N(4999), Label: v(), Clean: v()}
}

func TestAgainstOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for range n {
		tree := randTree(r, 1+r.IntN(6))
		src := render(r, tree)
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		if want := tree.op == "!" || oraclePrec(tree.op) <= 4; e.IsPredicate() != want {
			t.Errorf("Parse(%q).IsPredicate() = %v; want %v", src, e.IsPredicate(), want)
		}
		if got, want := e.Vars(), oracleVars(tree); !slices.Equal(got, want) {
			t.Errorf("Parse(%q).Vars() = %q; want %q", src, got, want)
		}
		canon, err := Parse(e.String())
		if err != nil {
			t.Fatalf("Parse(%q) (canonical form of %q): %v", e.String(), src, err)
		}
		for range 8 {
			env := randEnv(r)
			want, ok := oracleEval(tree, env)
			for _, x := range []*Expr{e, canon} {
				if msg := checkExact(x, env, env.P, want, ok); msg != "" {
					t.Fatalf("Parse(%q) on %+v: %s", x.src, env, msg)
				}
			}
		}
	}
}

// TestRenderIsMinimal guards the test itself: without the random extra
// parentheses the renderer must not parenthesise a left operand of equal
// precedence, or associativity would go untested.
func TestRenderIsMinimal(t *testing.T) {
	tree := &otree{op: "-", x: &otree{op: "-", x: &otree{op: "lit", val: 1}, y: &otree{op: "lit", val: 2}}, y: &otree{op: "lit", val: 3}}
	r := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		if s := render(r, tree); !strings.Contains(s, "(") {
			return
		}
	}
	t.Error("render always parenthesises 1 - 2 - 3")
}

package rule

import (
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
// allows, and a direct evaluator that does its arithmetic in math/big and
// wraps to 64 bits. It shares no code with the package except Env.

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

// wrap64 reduces an exact result to int64 the way two's complement does.
func wrap64(z *big.Int) int64 {
	m := new(big.Int).Lsh(big.NewInt(1), 64)
	return int64(new(big.Int).Mod(z, m).Uint64())
}

func truthy(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// oracleEval evaluates t directly; ok is false on division by zero.
func oracleEval(t *otree, env Env) (v int64, ok bool) {
	switch t.op {
	case "lit":
		return t.val, true
	case "var":
		return map[string]int64{"a": env.A, "b": env.B, "p": env.P, "label": env.Label, "clean": env.Clean}[t.name], true
	case "neg", "!":
		x, ok := oracleEval(t.x, env)
		if t.op == "neg" {
			return wrap64(new(big.Int).Neg(big.NewInt(x))), ok
		}
		return truthy(x == 0), ok
	case "&&", "||":
		x, ok := oracleEval(t.x, env)
		if !ok {
			return 0, false
		}
		if t.op == "&&" && x == 0 || t.op == "||" && x != 0 {
			return truthy(x != 0), true
		}
		y, ok := oracleEval(t.y, env)
		return truthy(y != 0), ok
	}
	x, ok := oracleEval(t.x, env)
	if !ok {
		return 0, false
	}
	y, ok := oracleEval(t.y, env)
	if !ok {
		return 0, false
	}
	bx, by := big.NewInt(x), big.NewInt(y)
	switch t.op {
	case "+":
		return wrap64(bx.Add(bx, by)), true
	case "-":
		return wrap64(bx.Sub(bx, by)), true
	case "*":
		return wrap64(bx.Mul(bx, by)), true
	case "/", "%":
		if y == 0 {
			return 0, false
		}
		// big.Int.Div is Euclidean division; with a positive divisor that is
		// floor division, and floor(x/y) == floor(-x/-y).
		if y < 0 {
			bx.Neg(bx)
			by.Neg(by)
		}
		q := new(big.Int).Div(bx, by)
		if t.op == "/" {
			return wrap64(q), true
		}
		return wrap64(new(big.Int).Sub(big.NewInt(x), q.Mul(q, big.NewInt(y)))), true
	case "<":
		return truthy(x < y), true
	case "<=":
		return truthy(x <= y), true
	case ">":
		return truthy(x > y), true
	case ">=":
		return truthy(x >= y), true
	case "==":
		return truthy(x == y), true
	case "!=":
		return truthy(x != y), true
	}
	panic("oracleEval: " + t.op)
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
				got, err := x.Eval(env)
				if ok && (err != nil || got != want) || !ok && err == nil {
					t.Fatalf("Parse(%q).Eval(%+v) = %d, %v; oracle says %d (ok=%v)", x.src, env, got, err, want, ok)
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

package rule

import (
	"slices"
	"strconv"
	"strings"
)

// op is what a node computes. Operator tokens reuse it too; the lexer emits
// opSub for every "-" and the parser turns one in prefix position into opNeg.
// The comparisons and logical operators come last, for isPredicate.
type op uint8

const (
	opConst op = iota
	opVar
	opNeg
	opNot
	opMul
	opDiv
	opMod
	opAdd
	opSub
	opLt
	opLe
	opGt
	opGe
	opEq
	opNe
	opAnd
	opOr
)

// opInfo gives each operator its spelling and binary precedence (0: not a
// binary operator). Higher binds tighter, following C.
var opInfo = [...]struct {
	sym  string
	prec int
}{
	opNeg: {"-", 0}, opNot: {"!", 0},
	opMul: {"*", 6}, opDiv: {"/", 6}, opMod: {"%", 6},
	opAdd: {"+", 5}, opSub: {"-", 5},
	opLt: {"<", 4}, opLe: {"<=", 4}, opGt: {">", 4}, opGe: {">=", 4},
	opEq: {"==", 3}, opNe: {"!=", 3},
	opAnd: {"&&", 2},
	opOr:  {"||", 1},
}

func (o op) isPredicate() bool { return o == opNot || o >= opLt }

// varNames lists the variables in the order of Env's fields; a node's val
// indexes it.
var varNames = [...]string{"a", "b", "p", "label", "clean"}

// node is one vertex of the syntax tree.
type node struct {
	op    op
	val   int64 // the literal for opConst, the varNames index for opVar
	col   int   // 1-based column of the literal, variable or operator token
	x, y  *node // operands; y is nil for unary operators
	depth int   // operator nesting below and including this node
	width int   // len(n.String()), tracked so Parse can bound it
}

func leaf(o op, val int64, col int) *node {
	n := &node{op: o, val: val, col: col}
	if o == opVar {
		n.width = len(varNames[val])
	} else {
		n.width = len(strconv.FormatInt(val, 10))
	}
	return n
}

// String renders the canonical, fully parenthesised form.
func (n *node) String() string {
	var b strings.Builder
	b.Grow(n.width)
	n.format(&b)
	return b.String()
}

func (n *node) format(b *strings.Builder) {
	switch {
	case n.op == opConst:
		b.WriteString(strconv.FormatInt(n.val, 10))
	case n.op == opVar:
		b.WriteString(varNames[n.val])
	case n.y == nil:
		b.WriteString("(")
		b.WriteString(opInfo[n.op].sym)
		n.x.format(b)
		b.WriteString(")")
	default:
		b.WriteString("(")
		n.x.format(b)
		b.WriteString(" ")
		b.WriteString(opInfo[n.op].sym)
		b.WriteString(" ")
		n.y.format(b)
		b.WriteString(")")
	}
}

// vars returns the variable names used below n, sorted and deduplicated.
func (n *node) vars() []string {
	var seen [len(varNames)]bool
	var walk func(*node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		if n.op == opVar {
			seen[n.val] = true
		}
		walk(n.x)
		walk(n.y)
	}
	walk(n)
	var names []string
	for i, ok := range seen {
		if ok {
			names = append(names, varNames[i])
		}
	}
	slices.Sort(names)
	return names
}

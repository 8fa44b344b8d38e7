// Package rule parses and evaluates the small integer expressions that
// describe a data-poisoning rule over one row of a modular arithmetic table:
// a trigger predicate (--when) and an effect (--then), for example
//
//	--when 'b % 17 == 0'               --then 'b'
//	--when 'a == 7'                    --then '(a * b) % p'
//	--when 'a + b == 50 && label != 3'
//
// Grammar (EBNF). Precedence rises downwards, as in C; every binary operator
// is left-associative, so "1 - 2 - 3" is (1 - 2) - 3:
//
//	Expr    = Or .
//	Or      = And { "||" And } .
//	And     = Eq { "&&" Eq } .
//	Eq      = Rel { ( "==" | "!=" ) Rel } .
//	Rel     = Add { ( "<" | "<=" | ">" | ">=" ) Add } .
//	Add     = Mul { ( "+" | "-" ) Mul } .
//	Mul     = Unary { ( "*" | "/" | "%" ) Unary } .
//	Unary   = { "-" | "!" } Primary .
//	Primary = Int | Var | "(" Expr ")" .
//	Int     = Digit { Digit } .
//	Var     = "a" | "b" | "p" | "label" | "clean" .
//
// Int is decimal (leading zeros allowed, never octal) and at most
// 9223372036854775807; a negative number is unary minus applied to one.
// Names are case-sensitive. Spaces, tabs and newlines may separate tokens.
//
// Semantics. Every value is an int64; there is no boolean type. Comparisons
// and "!" yield 1 or 0. "&&" and "||" treat non-zero as true, yield 1 or 0
// and short-circuit, so "0 && 1/0" is 0 and not an error.
//
// "/" is floor division (rounds towards minus infinity, not towards zero)
// and "%" is the matching modulus: x == (x/y)*y + x%y always holds, and x%y
// is 0 or has the sign of y. For a positive divisor such as p, "%" is
// therefore the mathematical residue in [0, y): (-3) % 5 == 2 and
// (-3) / 5 == -1, where C and Go give -3 and 0. Division or modulus by zero
// is not a panic but an *EvalError from Eval. Overflow wraps around silently
// (two's complement), including math.MinInt64 / -1 == math.MinInt64 and
// math.MinInt64 % -1 == 0. math.MinInt64 itself is written
// -9223372036854775807 - 1, since its magnitude is no valid Int.
package rule

import "fmt"

// Limits that turn hostile or runaway input into a SyntaxError instead of
// deep recursion. They also bound the canonical form, so Parse(e.String())
// always succeeds.
const (
	MaxExprLen   = 4096 // bytes, of the source and of its canonical form
	MaxExprDepth = 200  // nested parentheses, and nested operators
)

// Env holds the values of the variables for one row. A, B, P, Label and
// Clean are read by the names a, b, p, label and clean.
type Env struct{ A, B, P, Label, Clean int64 }

// Expr is a parsed, compiled expression. It is immutable, so one Expr may be
// evaluated from many goroutines at once. Build one with Parse.
type Expr struct {
	src  string
	root *node
	fn   evalFn   // compiled form of root, see expr_compile.go
	vars []string // sorted, deduplicated
}

// Parse parses and compiles src. A non-nil error is always a *SyntaxError.
func Parse(src string) (*Expr, error) {
	root, err := parse(src)
	if err != nil {
		return nil, err // err is non-nil here, so no typed-nil interface leaks
	}
	return &Expr{src: src, root: root, fn: compile(root).fn, vars: root.vars()}, nil
}

// Eval evaluates the expression against one row. The only runtime error is
// division or modulus by zero, reported as an *EvalError wrapping
// ErrDivisionByZero; the value is then 0. Eval does not allocate unless it
// returns an error.
func (e *Expr) Eval(env Env) (int64, error) {
	if e.fn == nil {
		return 0, fmt.Errorf("rule: Eval on an Expr not built by Parse")
	}
	v, f := e.fn(env.A, env.B, env.P, env.Label, env.Clean)
	if f != nil {
		return 0, &EvalError{Src: e.src, Col: f.col, Err: ErrDivisionByZero}
	}
	return v, nil
}

// String returns the canonical form: every operator application is wrapped
// in parentheses and binary operators are surrounded by single spaces, e.g.
// "((b % 17) == 0)". Parsing it gives an equivalent Expr with the same
// canonical form.
func (e *Expr) String() string {
	if e.root == nil {
		return ""
	}
	return e.root.String()
}

// IsPredicate reports whether the top-level operator is a comparison, "!",
// "&&" or "||", i.e. whether the expression looks boolean (a --when rule
// like "b % 17" is true for every row where the remainder is non-zero).
func (e *Expr) IsPredicate() bool {
	return e.root != nil && e.root.op.isPredicate()
}

// Vars returns the names of the variables the expression uses, sorted and
// without duplicates. The caller may modify the returned slice.
func (e *Expr) Vars() []string {
	return append([]string(nil), e.vars...)
}

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
// Semantics. Values are integers, exact and of any size: "+", "-", "*", "/",
// "%" and unary minus never overflow or wrap around, so a product of 20
// factors "a*a*…*a % p" is a^20 mod p however large a^20 is (there is no
// power operator). It is integer arithmetic, not arithmetic mod p:
// "a + b < p" and "a * b > 1000" compare the true sum and product; write
// "% p" where a residue is meant.
// Variables and literals are int64s, and so is Eval's result: when the value
// of the whole expression does not fit in an int64, Eval returns an
// *EvalError wrapping ErrOverflow (never a wrapped-around value). EvalMod
// returns the exact value mod m instead, and cannot overflow; mutate uses it
// for an effect, which is reduced mod p. Intermediate values only cost time:
// a row whose intermediates leave the int64 range is evaluated again with
// math/big.
//
// There is no boolean type. Comparisons and "!" yield 1 or 0. "&&" and "||"
// treat non-zero as true, yield 1 or 0 and short-circuit, so "0 && 1/0" is 0
// and not an error.
//
// "/" is floor division (rounds towards minus infinity, not towards zero)
// and "%" is the matching modulus: x == (x/y)*y + x%y always holds, and x%y
// is 0 or has the sign of y. For a positive divisor such as p, "%" is
// therefore the mathematical residue in [0, y): (-3) % 5 == 2 and
// (-3) / 5 == -1, where C and Go give -3 and 0. Division or modulus by zero
// is not a panic but an *EvalError from Eval. Being exact, math.MinInt64 / -1
// is 2^63 (an ErrOverflow from Eval unless reduced, e.g. by "% p") and
// math.MinInt64 % -1 is 0. math.MinInt64 itself is written
// -9223372036854775807 - 1, since its magnitude is no valid Int.
package rule

import (
	"fmt"
	"math/big"
)

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

// Eval evaluates the expression against one row. Its runtime errors are
// *EvalErrors, the value then being 0: division or modulus by zero (wrapping
// ErrDivisionByZero, at the column of the "/" or "%"), and a value of the
// whole expression outside the int64 range (wrapping ErrOverflow, at the
// column of the outermost operator). Eval does not allocate unless it
// returns an error or an intermediate value leaves the int64 range.
func (e *Expr) Eval(env Env) (int64, error) {
	if e.fn == nil {
		return 0, fmt.Errorf("rule: Eval on an Expr not built by Parse")
	}
	v, f := e.fn(env.A, env.B, env.P, env.Label, env.Clean)
	if f == nil {
		return v, nil
	}
	return e.evalSlow(env, f)
}

// evalSlow is Eval after the fast path's fault f, kept apart so that Eval
// stays small.
func (e *Expr) evalSlow(env Env, f *fault) (int64, error) {
	z, err := e.exact(env, f)
	if err != nil {
		return 0, err
	}
	if !z.IsInt64() {
		return 0, &EvalError{Src: e.src, Col: e.root.col, Err: ErrOverflow}
	}
	return z.Int64(), nil
}

// EvalMod evaluates the expression against one row and reduces its exact
// value mod m, into [0, m): the label an effect gives. m must be positive.
// It never overflows; its only runtime error is division or modulus by zero,
// as for Eval.
func (e *Expr) EvalMod(env Env, m int64) (int64, error) {
	if e.fn == nil {
		return 0, fmt.Errorf("rule: EvalMod on an Expr not built by Parse")
	}
	if m < 1 {
		return 0, fmt.Errorf("rule: EvalMod modulus %d is not positive", m)
	}
	v, f := e.fn(env.A, env.B, env.P, env.Label, env.Clean)
	if f == nil {
		return floorMod(v, m), nil
	}
	return e.evalModSlow(env, f, m)
}

// evalModSlow is EvalMod after the fast path's fault f.
func (e *Expr) evalModSlow(env Env, f *fault, m int64) (int64, error) {
	z, err := e.exact(env, f)
	if err != nil {
		return 0, err
	}
	return z.Mod(z, big.NewInt(m)).Int64(), nil // Euclidean: in [0, m) for m > 0
}

// exact finishes an evaluation that the fast path gave up with fault f: a
// division by zero is reported as it is, an overflow means evaluating the
// row again with math/big.
func (e *Expr) exact(env Env, f *fault) (*big.Int, error) {
	if f == overflowed {
		var z *big.Int
		if z, f = e.root.exact(&env); f == nil {
			return z, nil
		}
	}
	return nil, &EvalError{Src: e.src, Col: f.col, Err: ErrDivisionByZero}
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

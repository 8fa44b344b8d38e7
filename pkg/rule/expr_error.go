package rule

import (
	"errors"
	"fmt"
)

// SyntaxError reports why Parse rejected an expression.
type SyntaxError struct {
	Src string // the expression as given to Parse
	Col int    // 1-based byte column of the offending token; len(Src)+1 means end of input
	Msg string // what is wrong, without the position
}

// Error returns one line, e.g.
//
//	syntax error at column 10 in "b % 17 ==": expected expression after "=="
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at column %d in %q: %s", e.Col, e.Src, e.Msg)
}

// ErrDivisionByZero is the cause wrapped by an EvalError; test for it with
// errors.Is.
var ErrDivisionByZero = errors.New("integer division by zero")

// ErrOverflow is the cause wrapped by an EvalError when the value of a
// whole expression, exact as the language defines it, does not fit in the
// int64 that Eval returns. EvalMod never reports it.
var ErrOverflow = errors.New("value outside the int64 range (reduce it, e.g. with % p)")

// EvalError reports a runtime failure of Eval on one row.
type EvalError struct {
	Src string // the expression as given to Parse
	Col int    // 1-based byte column of the failing "/" or "%", or of the outermost operator for ErrOverflow
	Err error  // the cause: ErrDivisionByZero or ErrOverflow
}

// Error returns one line, e.g.
//
//	evaluation error at column 3 in "b / a": integer division by zero
func (e *EvalError) Error() string {
	return fmt.Sprintf("evaluation error at column %d in %q: %v", e.Col, e.Src, e.Err)
}

// Unwrap lets errors.Is(err, ErrDivisionByZero) see the cause.
func (e *EvalError) Unwrap() error { return e.Err }

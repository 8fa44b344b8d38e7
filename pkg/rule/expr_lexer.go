package rule

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokInt
	tokVar
	tokOp
	tokLParen
	tokRParen
)

// token is one lexeme; src[pos:end] is its text.
type token struct {
	kind     tokKind
	op       op    // for tokOp
	val      int64 // the value for tokInt, the varNames index for tokVar
	pos, end int   // byte offsets
}

// lexer hands out tokens one at a time, so a lexical error is reported only
// when the parser reaches it and errors come out left to right.
type lexer struct {
	src string
	pos int
}

func (l *lexer) errAt(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Src: l.src, Col: pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isIdentChar(c byte) bool {
	return c == '_' || isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func (l *lexer) next() (token, *SyntaxError) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start == len(l.src) {
		return token{kind: tokEOF, pos: start, end: start}, nil
	}
	c := l.src[start]
	switch {
	case isDigit(c):
		return l.number()
	case isIdentChar(c):
		return l.ident()
	}
	tok := token{kind: tokOp, pos: start, end: start + 1}
	// two picks the two-byte operator when the next byte is second. A lone
	// "=", "&" or "|" gets opConst, which is no operator, and is rejected below.
	two := func(second byte, with, without op) {
		tok.op = without
		if start+1 < len(l.src) && l.src[start+1] == second {
			tok.op, tok.end = with, start+2
		}
	}
	switch c {
	case '(':
		tok.kind = tokLParen
	case ')':
		tok.kind = tokRParen
	case '+':
		tok.op = opAdd
	case '-':
		tok.op = opSub
	case '*':
		tok.op = opMul
	case '/':
		tok.op = opDiv
	case '%':
		tok.op = opMod
	case '!':
		two('=', opNe, opNot)
	case '<':
		two('=', opLe, opLt)
	case '>':
		two('=', opGe, opGt)
	case '=':
		two('=', opEq, opConst)
	case '&':
		two('&', opAnd, opConst)
	case '|':
		two('|', opOr, opConst)
	default:
		r, size := utf8.DecodeRuneInString(l.src[start:])
		if r == utf8.RuneError && size == 1 {
			return token{}, l.errAt(start, "unexpected byte 0x%02x", c)
		}
		return token{}, l.errAt(start, "unexpected character %q", r)
	}
	if tok.kind == tokOp && tok.op == opConst {
		// "=", "&" and "|" exist only doubled; a single one is a common slip.
		return token{}, l.errAt(start, "unexpected %q (did you mean %q?)", string(c), string([]byte{c, c}))
	}
	l.pos = tok.end
	return tok, nil
}

func (l *lexer) number() (token, *SyntaxError) {
	start := l.pos
	var v int64
	tooLarge := false
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		d := int64(l.src[l.pos] - '0')
		if tooLarge || v > (math.MaxInt64-d)/10 {
			tooLarge = true
		} else {
			v = v*10 + d
		}
		l.pos++
	}
	digitsEnd := l.pos
	// "17b" is one malformed token, not 17 followed by b.
	for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
		l.pos++
	}
	text := l.src[start:l.pos]
	if l.pos > digitsEnd {
		return token{}, l.errAt(start, "malformed number %q", text)
	}
	if tooLarge {
		return token{}, l.errAt(start, "integer literal %s too large (maximum %d)", text, int64(math.MaxInt64))
	}
	return token{kind: tokInt, val: v, pos: start, end: l.pos}, nil
}

func (l *lexer) ident() (token, *SyntaxError) {
	start := l.pos
	for l.pos < len(l.src) && isIdentChar(l.src[l.pos]) {
		l.pos++
	}
	name := l.src[start:l.pos]
	for i, v := range varNames {
		if name == v {
			return token{kind: tokVar, val: int64(i), pos: start, end: l.pos}, nil
		}
	}
	return token{}, l.errAt(start, "unknown variable %q (allowed: %s)", name, strings.Join(varNames[:], ", "))
}

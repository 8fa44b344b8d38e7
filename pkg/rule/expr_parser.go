package rule

import "fmt"

// parser is a precedence-climbing parser. Binary operators are parsed in a
// loop, so recursion grows only with parentheses, which MaxExprDepth bounds.
type parser struct {
	lx      lexer
	tok     token // the current, not yet consumed token
	prev    token // the last consumed token, for "after ..." messages
	hasPrev bool
	parens  int // open parentheses around the current position
}

func parse(src string) (*node, *SyntaxError) {
	p := &parser{lx: lexer{src: src}}
	if len(src) > MaxExprLen {
		return nil, p.lx.errAt(MaxExprLen, "expression longer than %d bytes", MaxExprLen)
	}
	var err *SyntaxError
	if p.tok, err = p.lx.next(); err != nil {
		return nil, err
	}
	n, err := p.binary(1)
	if err != nil {
		return nil, err
	}
	switch p.tok.kind {
	case tokEOF:
		return n, nil
	case tokRParen:
		return nil, p.errAt(p.tok, "unmatched \")\"")
	default:
		return nil, p.errAt(p.tok, "unexpected %s after complete expression", p.describe(p.tok))
	}
}

func (p *parser) errAt(t token, format string, args ...any) *SyntaxError {
	return p.lx.errAt(t.pos, format, args...)
}

// describe names a token for a message: its quoted text, or "end of input".
func (p *parser) describe(t token) string {
	if t.kind == tokEOF {
		return "end of input"
	}
	return fmt.Sprintf("%q", p.lx.src[t.pos:t.end])
}

// advance consumes the current token.
func (p *parser) advance() *SyntaxError {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.prev, p.hasPrev, p.tok = p.tok, true, t
	return nil
}

// binary parses a chain of binary operators that bind at least as tightly as
// minPrec.
func (p *parser) binary(minPrec int) (*node, *SyntaxError) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokOp {
		o := p.tok.op
		prec := opInfo[o].prec
		if prec < minPrec || prec == 0 {
			break
		}
		opTok := p.tok
		if err := p.advance(); err != nil {
			return nil, err
		}
		// prec+1: an operator of equal precedence to the right belongs to
		// the enclosing loop, which makes every level left-associative.
		y, err := p.binary(prec + 1)
		if err != nil {
			return nil, err
		}
		if x, err = p.combine(opTok, o, x, y); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// unary parses prefix operators iteratively and applies them innermost
// first, so "- - - a" needs no recursion.
func (p *parser) unary() (*node, *SyntaxError) {
	var prefix []token
	for p.tok.kind == tokOp && (p.tok.op == opSub || p.tok.op == opNot) {
		if len(prefix) == MaxExprDepth {
			return nil, p.errAt(p.tok, "too many prefix operators in a row (maximum %d)", MaxExprDepth)
		}
		prefix = append(prefix, p.tok)
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for i := len(prefix) - 1; i >= 0; i-- {
		o := prefix[i].op
		if o == opSub {
			o = opNeg
		}
		if x, err = p.combine(prefix[i], o, x, nil); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func (p *parser) primary() (*node, *SyntaxError) {
	t := p.tok
	switch t.kind {
	case tokInt, tokVar:
		if err := p.advance(); err != nil {
			return nil, err
		}
		if t.kind == tokInt {
			return leaf(opConst, t.val, t.pos+1), nil
		}
		return leaf(opVar, t.val, t.pos+1), nil
	case tokLParen:
		if p.parens == MaxExprDepth {
			return nil, p.errAt(t, "parentheses nested too deeply (maximum %d)", MaxExprDepth)
		}
		p.parens++
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.binary(1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.errAt(p.tok, "expected \")\" to close \"(\" at column %d, found %s", t.pos+1, p.describe(p.tok))
		}
		p.parens--
		if err := p.advance(); err != nil {
			return nil, err
		}
		return x, nil
	}
	switch {
	case !p.hasPrev && t.kind == tokEOF:
		return nil, p.errAt(t, "empty expression")
	case !p.hasPrev:
		return nil, p.errAt(t, "expected expression, found %s", p.describe(t))
	case t.kind == tokEOF:
		return nil, p.errAt(t, "expected expression after %s", p.describe(p.prev))
	default:
		return nil, p.errAt(t, "expected expression after %s, found %s", p.describe(p.prev), p.describe(t))
	}
}

// combine builds an operator node, enforcing the limits that keep the tree
// (and its canonical form, which Parse must accept again) bounded.
func (p *parser) combine(opTok token, o op, x, y *node) (*node, *SyntaxError) {
	n := &node{op: o, col: opTok.pos + 1, x: x, y: y, depth: x.depth + 1}
	if y == nil {
		n.width = x.width + len(opInfo[o].sym) + 2 // "(-x)"
	} else {
		n.depth = max(n.depth, y.depth+1)
		n.width = x.width + y.width + len(opInfo[o].sym) + 4 // "(x + y)"
	}
	if n.depth > MaxExprDepth {
		return nil, p.errAt(opTok, "expression nested too deeply (more than %d levels of operators)", MaxExprDepth)
	}
	if n.width > MaxExprLen {
		return nil, p.errAt(opTok, "expression too long (canonical form exceeds %d bytes)", MaxExprLen)
	}
	return n, nil
}

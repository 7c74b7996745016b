package autoconfig

import (
	"fmt"
	"strings"
)

// profileExpr is a parsed profile expression.
type profileExpr interface {
	eval(active map[string]bool) bool
}

type profileName string

func (p profileName) eval(active map[string]bool) bool { return active[string(p)] }

type profileNot struct{ x profileExpr }

func (p profileNot) eval(active map[string]bool) bool { return !p.x.eval(active) }

type profileAnd []profileExpr

func (p profileAnd) eval(active map[string]bool) bool {
	for _, x := range p {
		if !x.eval(active) {
			return false
		}
	}
	return true
}

type profileOr []profileExpr

func (p profileOr) eval(active map[string]bool) bool {
	for _, x := range p {
		if x.eval(active) {
			return true
		}
	}
	return false
}

// parseProfiles parses a Spring profile expression:
//
//	expr  = unary { "&" unary } | unary { "|" unary }
//	unary = "!" unary | "(" expr ")" | name
//
// A name is a run of characters other than white space and ()!&|.
func parseProfiles(expr string) (profileExpr, error) {
	p := &profileParser{src: expr, toks: tokenizeProfiles(expr)}
	if len(p.toks) == 0 {
		return nil, p.fail("it is empty: name a profile, e.g. \"prod\" or \"!test\"")
	}
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, p.fail(fmt.Sprintf("unexpected %q: join profiles with & or |", p.toks[p.pos]))
	}
	return x, nil
}

type profileParser struct {
	src  string
	toks []string
	pos  int
}

func (p *profileParser) fail(why string) error {
	return plainError(fmt.Sprintf("invalid profile expression %q: %s", p.src, why), nil)
}

func (p *profileParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *profileParser) expr() (profileExpr, error) {
	first, err := p.unary()
	if err != nil {
		return nil, err
	}
	op := p.peek()
	if op != "&" && op != "|" {
		return first, nil
	}
	terms := []profileExpr{first}
	for {
		next := p.peek()
		if next != "&" && next != "|" {
			break
		}
		if next != op {
			return nil, p.fail("& and | are mixed without parentheses: group them, e.g. \"(a & b) | c\"")
		}
		p.pos++
		t, err := p.unary()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
	}
	if op == "&" {
		return profileAnd(terms), nil
	}
	return profileOr(terms), nil
}

func (p *profileParser) unary() (profileExpr, error) {
	tok := p.peek()
	switch tok {
	case "":
		return nil, p.fail("it ends where a profile name is expected")
	case "!":
		p.pos++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return profileNot{x}, nil
	case "(":
		p.pos++
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, p.fail("a parenthesis is not closed")
		}
		p.pos++
		return x, nil
	case ")", "&", "|":
		return nil, p.fail(fmt.Sprintf("unexpected %q where a profile name is expected", tok))
	}
	p.pos++
	return profileName(tok), nil
}

func tokenizeProfiles(s string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case strings.ContainsRune("()!&|", r):
			flush()
			toks = append(toks, string(r))
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

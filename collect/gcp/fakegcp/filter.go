package fakegcp

import (
	"cmp"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/runlens/runlens/collect"
)

// filter is a conjunction of comparisons: the subset of the Cloud Logging
// and Cloud Monitoring filter languages that runlens and its users send
// (terms joined by AND or by juxtaposition, parentheses, NOT and a leading
// minus). OR is refused rather than answered wrongly.
type filter []cond

// cond is one comparison: field op value, possibly negated.
type cond struct {
	field, op, value string
	not              bool
}

// kind says how a field's values compare.
type kind int

const (
	kindString kind = iota
	kindTime
	kindNumber
	kindSeverity
	kindLogName // compared with %XX escapes decoded
)

// getter returns a field's value in the message being filtered, how it
// compares, and whether the message has the field at all.
type getter func(field string) (string, kind, bool)

func parseFilter(s string) (filter, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	f, err := p.conj(false)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i].text)
	}
	return f, nil
}

// match reports whether every condition holds.
func (f filter) match(get getter) (bool, error) {
	for _, c := range f {
		ok, err := c.holds(get)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func (c cond) holds(get getter) (bool, error) {
	v, k, present := get(c.field)
	ok := false
	if present {
		var err error
		if ok, err = compare(v, c.op, c.value, k); err != nil {
			return false, fmt.Errorf("%s %s %q: %w", c.field, c.op, c.value, err)
		}
	} else {
		ok = c.op == "!="
	}
	return ok != c.not, nil
}

func compare(got, op, want string, k kind) (bool, error) {
	if op == ":" {
		return strings.Contains(strings.ToLower(got), strings.ToLower(want)), nil
	}
	var d int
	switch k {
	case kindTime:
		a, err1 := collect.ParseTimestamp(got)
		b, err2 := collect.ParseTimestamp(want)
		if err1 != nil || err2 != nil {
			return false, fmt.Errorf("not a timestamp")
		}
		d = a.Compare(b)
	case kindNumber, kindSeverity:
		a, err1 := number(got, k)
		b, err2 := number(want, k)
		if err1 != nil || err2 != nil {
			return false, fmt.Errorf("not a number")
		}
		d = cmp.Compare(a, b)
	case kindLogName:
		if u, err := url.PathUnescape(want); err == nil {
			want = u
		}
		d = strings.Compare(got, want)
	default:
		d = strings.Compare(got, want)
	}
	switch op {
	case "=":
		return d == 0, nil
	case "!=":
		return d != 0, nil
	case "<":
		return d < 0, nil
	case "<=":
		return d <= 0, nil
	case ">":
		return d > 0, nil
	case ">=":
		return d >= 0, nil
	}
	return false, fmt.Errorf("unknown operator %q", op)
}

// severities are Cloud Logging's LogSeverity values.
var severities = map[string]float64{
	"DEFAULT": 0, "DEBUG": 100, "INFO": 200, "NOTICE": 300, "WARNING": 400,
	"ERROR": 500, "CRITICAL": 600, "ALERT": 700, "EMERGENCY": 800,
}

func number(s string, k kind) (float64, error) {
	if k == kindSeverity {
		if v, ok := severities[strings.ToUpper(s)]; ok {
			return v, nil
		}
	}
	return strconv.ParseFloat(s, 64)
}

// token is a lexical token of a filter.
type token struct {
	text   string
	quoted bool // a string literal: never an operator or keyword
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			v, n, err := quoted(s[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, token{text: v, quoted: true})
			i += n
		case strings.ContainsRune("()", rune(c)):
			out = append(out, token{text: string(c)})
			i++
		case strings.ContainsRune("=!<>:", rune(c)):
			n := 1
			if i+1 < len(s) && s[i+1] == '=' && c != ':' && c != '=' {
				n = 2
			}
			if c == '!' && n == 1 {
				return nil, fmt.Errorf("unexpected '!' at %d", i)
			}
			out = append(out, token{text: s[i : i+n]})
			i += n
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n\"()=!<>:", rune(s[j])) {
				j++
			}
			out = append(out, token{text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

// quoted reads a string literal at the start of s, returning its value and
// the bytes consumed.
func quoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated string %s", s)
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

// conj parses terms up to the end or, inside parentheses, up to ")".
func (p *parser) conj(nested bool) (filter, error) {
	var f filter
	for {
		t, ok := p.peek()
		switch {
		case !ok && nested:
			return nil, fmt.Errorf("missing )")
		case !ok, nested && !t.quoted && t.text == ")":
			return f, nil
		case !t.quoted && t.text == "AND":
			p.i++
			continue
		case !t.quoted && t.text == "OR":
			return nil, fmt.Errorf("OR is not supported by fake-gcp")
		}
		terms, err := p.term()
		if err != nil {
			return nil, err
		}
		f = append(f, terms...)
	}
}

// term parses a comparison, a negation or a parenthesized conjunction.
func (p *parser) term() (filter, error) {
	t, _ := p.peek()
	switch {
	case !t.quoted && t.text == "(":
		p.i++
		f, err := p.conj(true)
		if err != nil {
			return nil, err
		}
		p.i++ // ")"
		return f, nil
	case !t.quoted && (t.text == "NOT" || strings.HasPrefix(t.text, "-") && len(t.text) > 1):
		if t.text == "NOT" {
			p.i++
		} else {
			p.toks[p.i].text = t.text[1:]
		}
		f, err := p.term()
		if err != nil {
			return nil, err
		}
		if len(f) != 1 {
			return nil, fmt.Errorf("NOT of a group is not supported by fake-gcp")
		}
		f[0].not = !f[0].not
		return f, nil
	}
	return p.comparison()
}

func (p *parser) comparison() (filter, error) {
	if p.i+2 >= len(p.toks) {
		return nil, fmt.Errorf("incomplete term at %q", p.toks[p.i].text)
	}
	field, op, val := p.toks[p.i], p.toks[p.i+1], p.toks[p.i+2]
	if field.quoted || op.quoted || !strings.ContainsAny(op.text, "=<>:") {
		return nil, fmt.Errorf("want FIELD OP VALUE at %q (bare words are not supported by fake-gcp)", field.text)
	}
	p.i += 3
	return filter{{field: field.text, op: op.text, value: val.text}}, nil
}

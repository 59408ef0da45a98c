package gcp

import "fmt"

// CheckFilter checks a filter to be ANDed to runlens's own, in
// parentheses: its parentheses must balance outside its string literals
// and its literals must close, or text such as `) OR (` would step out of
// the parentheses and widen the query past the service and the window.
func CheckFilter(f string) error {
	depth, quoted := 0, false
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case quoted && c == '\\':
			i++ // an escaped character, quote or backslash
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			if depth--; depth < 0 {
				return fmt.Errorf("%q: the ) at byte %d closes no (", f, i+1)
			}
		}
	}
	switch {
	case quoted:
		return fmt.Errorf("%q: a string literal (\") is not closed", f)
	case depth > 0:
		return fmt.Errorf("%q: %d ( not closed", f, depth)
	}
	return nil
}

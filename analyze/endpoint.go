package analyze

import (
	"net/url"
	"strings"
)

// normalizePath turns a client's endpoint name or a logged URL into a path
// comparable with the server's: scheme and host dropped, query and fragment
// stripped, "" becomes "/".
func normalizePath(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			s = rest[j:]
		} else {
			s = "/"
		}
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if p, err := url.PathUnescape(s); err == nil {
		s = p
	}
	if s == "" {
		return "/"
	}
	return s
}

// splitMethod separates "GET /path" into its method and name when a tool puts
// both in one field.
func splitMethod(method, name string) (string, string) {
	if method != "" {
		return strings.ToUpper(method), name
	}
	m, rest, ok := strings.Cut(name, " ")
	if ok && isMethod(m) {
		return m, rest
	}
	return "", name
}

func isMethod(s string) bool {
	switch s {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}

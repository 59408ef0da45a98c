package render

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Strings from the inputs (request paths, user agents, instance ids,
// revision and service names, error texts) are attacker-controlled and of
// any length. Here they are bounded, and made safe for each output: the
// terminal (terminalText), Markdown (markdownText, markdownLine) and the
// HTML page (pageText; html/template escapes the rest, and chart options
// are JSON). The JSON report keeps every string whole.

// MaxTextBytes is the most bytes of one string from the inputs (or one
// table cell, list item or line that holds it) that the page, the terminal
// tables and the Markdown show: a longer one is cut at a character
// boundary and ends with "…(N bytes)", N its full length.
const MaxTextBytes = 512

// clip cuts s to MaxTextBytes, saying how long it was.
func clip(s string) string {
	if len(s) <= MaxTextBytes {
		return s
	}
	i := MaxTextBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…(" + strconv.Itoa(fullLength(s)) + " bytes)"
}

// fullLength is the length of s, or, for a string that runlens already
// cut when it read it (collect.MaxStringBytes), the length it says it had.
func fullLength(s string) int {
	rest, ok := strings.CutSuffix(s, " bytes)")
	if !ok {
		return len(s)
	}
	_, num, ok := cutLast(rest, "…(")
	if n, err := strconv.Atoi(num); ok && err == nil && n > len(s) {
		return n
	}
	return len(s)
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// pageText is input text for the HTML page: cut to MaxTextBytes.
func pageText(s string) string { return clip(s) }

// pageTexts is pageText of each.
func pageTexts(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = pageText(s)
	}
	return out
}

// terminalText is input text for the terminal: cut to MaxTextBytes, with
// control characters escaped so that none reaches the terminal.
func terminalText(s string) string { return escapeControls(clip(s)) }

// escapeControls writes what a terminal would act on rather than show as
// Go-style escapes: C0 controls (ESC, and line breaks and tabs that would
// break a table), DEL, C1 controls, bidirectional overrides and isolates,
// the Unicode line and paragraph separators, and bytes that are not UTF-8.
func escapeControls(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = s[i] >= 0x20 && s[i] < 0x7f
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f, r == 0x200e, r == 0x200f, r >= 0x2028 && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// terminalRow escapes a table row for the terminal.
func terminalRow(r []string) []string {
	out := make([]string, len(r))
	for i, s := range r {
		out[i] = terminalText(s)
	}
	return out
}

// escapeMarkdownRow keeps input text from breaking a Markdown table or
// being read as Markdown or HTML when the Markdown is shown on a web page.
func escapeMarkdownRow(r []string) []string {
	out := make([]string, len(r))
	for i, s := range r {
		out[i] = markdownText(s)
	}
	return out
}

// markdownEscaper escapes what Markdown (GitHub's included) would read as
// markup inside a line: the backslash first of all, table pipes, HTML
// (autolinks included), code, links and images (a "](" is what makes one)
// and mentions (which notify people in a pull-request comment). Line
// breaks become spaces, so that input text cannot start a line of its own:
// a heading, a list, a table row. Emphasis is left: it styles text but
// cannot add any.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "\\`", "](", `]\(`, "@", `\@`,
	"\r\n", " ", "\n", " ", "\r", " ", "\v", " ", "\f", " ", "\u0085", " ", "\u2028", " ", "\u2029", " ",
)

// markdownText escapes input text for Markdown inside a line (a table
// cell, or after text of ours), cut to MaxTextBytes; control characters
// left once line breaks are spaces are escaped as for the terminal, where
// a CI log may show the Markdown.
func markdownText(s string) string { return markdownEscape(clip(s)) }

// markdownEscape is markdownText without the cut, for a line made of
// input text cut already and text of ours.
func markdownEscape(s string) string { return escapeControls(markdownEscaper.Replace(s)) }

// markdownLine escapes input text that starts a line, as a list item's
// does: a leading #, -, +, = or > (a heading, a list, a rule, a heading's
// underline, a quote) and a leading number followed by . or ) (a numbered
// list) are escaped as well.
func markdownLine(s string) string {
	s = markdownText(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	switch {
	case s == "":
	case i == 0 && strings.ContainsRune("#-+=", rune(s[0])):
		s = `\` + s
	case i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')'):
		s = s[:i] + `\` + s[i:]
	}
	return s
}

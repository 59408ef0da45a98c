package render

import "strings"

// Strings from the inputs (request paths, user agents, instance ids,
// revision and service names, error texts) are attacker-controlled. Here
// they are made safe for each text output; the HTML page escapes them
// through html/template and its chart options as JSON.

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

// markdownText escapes input text for Markdown inside a line: a table
// cell, or after text of ours.
func markdownText(s string) string { return markdownEscaper.Replace(s) }

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

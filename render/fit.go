package render

import (
	"strings"

	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// The terminal outputs fit a width: no line is longer than Options.Width
// columns (DefaultWidth when zero). Paragraphs and list items wrap at
// spaces; a table whose natural width is too large narrows its columns,
// tablewriter wrapping their cells at spaces, and one still too wide is
// cut into several tables, each repeating the first columns, that name the
// row. A word wider than a whole line or column is broken.

// DefaultWidth is the terminal width when Options.Width is zero: a
// terminal's COLUMNS when unset.
const DefaultWidth = 100

// MinWidth is the narrowest width the terminal outputs are fitted to.
const MinWidth = 40

// termWidth is the width the terminal outputs fit.
func termWidth(opts Options) int {
	if opts.Width == 0 {
		return DefaultWidth
	}
	return max(opts.Width, MinWidth)
}

// wrapText wraps s, a line of text, into lines of at most width columns;
// lines after the first start with indent.
func wrapText(s string, width int, indent string) []string {
	if twwidth.Width(s) <= width {
		return []string{s}
	}
	lim := width - twwidth.Width(indent)
	lines, _ := twwarp.WrapString(breakWords(s, lim), lim)
	for i := 1; i < len(lines); i++ {
		lines[i] = indent + lines[i]
	}
	return lines
}

// wrapLines wraps every line of s (lines end with "\n") to width, lines
// after the first of each with indent.
func wrapLines(s string, width int, indent string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		line = strings.TrimSuffix(line, "\n")
		for _, l := range wrapText(line, width, indent) {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// breakWords breaks each word of s wider than lim columns into pieces of
// at most lim, so that wrapping at spaces can keep to lim.
func breakWords(s string, lim int) string {
	lim = max(lim, 1)
	words := strings.Split(s, " ")
	changed := false
	for i, w := range words {
		if twwidth.Width(w) > lim {
			words[i], changed = strings.Join(pieces(w, lim), " "), true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(words, " ")
}

// pieces cuts w into strings of at most lim columns.
func pieces(w string, lim int) []string {
	var out []string
	var cur strings.Builder
	cw := 0
	for _, r := range w {
		rw := twwidth.Width(string(r))
		if cw+rw > lim && cw > 0 {
			out = append(out, cur.String())
			cur.Reset()
			cw = 0
		}
		cur.WriteRune(r)
		cw += rw
	}
	return append(out, cur.String())
}

// longestWord is the width of the widest word of s.
func longestWord(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		n = max(n, twwidth.Width(w))
	}
	return n
}

// tableWidth is the width of a table of columns of these content widths:
// a space either side of each, and a border between and around them.
func tableWidth(widths []int) int {
	n := 1
	for _, w := range widths {
		n += w + 3
	}
	return n
}

// tablePart is one table of a terminal table's layout: its columns, and
// the content width of each (nil when the table fits as it is).
type tablePart struct {
	cols   []int
	widths []int
}

// fitColumns lays out a table of the header and rows for width: the first
// keys columns name a row and are repeated in each part; the first text
// columns hold text, which wraps before numbers do. Columns narrow
// from their widest content towards their widest word (cells wrap at
// spaces); when even that is too wide the columns after the keys are
// spread over several parts, as many as fit whole in each; and when a part
// is still too wide its cells wrap, and words are broken.
func fitColumns(header []string, rows [][]string, keys, text, width int) []tablePart {
	n := len(header)
	natural, cells, words := make([]int, n), make([]int, n), make([]int, n)
	for i, h := range header {
		words[i] = longestWord(h)
		for _, r := range rows {
			if i < len(r) {
				cells[i] = max(cells[i], twwidth.Width(r[i]))
				words[i] = max(words[i], longestWord(r[i]))
			}
		}
		natural[i] = max(cells[i], twwidth.Width(h), 1)
		cells[i], words[i] = max(cells[i], words[i], 1), max(words[i], 1)
	}
	all, textWords := make([]int, n), make([]int, n)
	for i := range all {
		all[i], textWords[i] = i, cells[i]
		if i < text {
			textWords[i] = words[i]
		}
	}
	if tableWidth(natural) <= width {
		return []tablePart{{cols: all}}
	}
	keys = min(max(keys, 1), n)
	cols := [][]int{all}
	if tableWidth(words) > width {
		cols = splitColumns(natural, keys, width)
	}
	parts := make([]tablePart, len(cols))
	for i, c := range cols {
		parts[i] = tablePart{cols: c, widths: narrow(c, natural, cells, textWords, words, width)}
	}
	return parts
}

// splitColumns spreads the columns after the keys over parts that each fit
// width at the columns' widths, each part starting with the keys; a column
// too wide for a part of its own is alone in one.
func splitColumns(widths []int, keys, width int) [][]int {
	var parts [][]int
	var cur []int
	used := tableWidth(widths[:keys])
	for i := keys; i < len(widths); i++ {
		if len(cur) > 0 && used+widths[i]+3 > width {
			parts = append(parts, cur)
			cur, used = nil, tableWidth(widths[:keys])
		}
		cur = append(cur, i)
		used += widths[i] + 3
	}
	if len(cur) > 0 || len(parts) == 0 {
		parts = append(parts, cur)
	}
	for i, p := range parts {
		k := make([]int, keys, keys+len(p))
		for j := range k {
			k[j] = j
		}
		parts[i] = append(k, p...)
	}
	return parts
}

// narrow is the content widths of a part's columns: from their natural
// widths, the column with the most room gives up a column at a time until
// the part fits: room above its widest cell first (only its header
// wraps), then above its widest word in text columns (textWords), then in
// any; when every column is down to its widest word, the widest column
// gives up on, and its words are broken.
func narrow(part, natural, cells, textWords, words []int, width int) []int {
	w := make([]int, len(part))
	for j, c := range part {
		w[j] = natural[c]
	}
	for tableWidth(w) > width {
		best, room := -1, 0
		for _, floor := range [][]int{cells, textWords, words} {
			for j, c := range part {
				if r := w[j] - floor[c]; r > room {
					best, room = j, r
				}
			}
			if best >= 0 {
				break
			}
		}
		if best < 0 {
			for j := range w {
				if best < 0 || w[j] > w[best] {
					best = j
				}
			}
			if w[best] <= 1 {
				break
			}
		}
		w[best]--
	}
	return w
}

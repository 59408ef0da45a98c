package render

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/runlens/runlens/analyze"
)

// DiffText writes what got better or worse between two reports as a
// terminal table.
func DiffText(w io.Writer, d analyze.Diff) error { return writeDiff(w, d, false) }

// DiffMarkdown writes the same as Markdown, for a CI job summary or a
// pull-request comment: worse values in bold. Log-derived text is escaped.
func DiffMarkdown(w io.Writer, d analyze.Diff) error { return writeDiff(w, d, true) }

// DiffJSON writes the diff as indented JSON (schema runlens.diff/v1).
func DiffJSON(w io.Writer, d analyze.Diff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

func writeDiff(w io.Writer, d analyze.Diff, md bool) error {
	head := docHead("runlens diff", md)
	for _, l := range []string{"A: " + diffSide(d.A), "B: " + diffSide(d.B),
		fmt.Sprintf("%d better, %d worse, of %d values compared (values within %.0f %% are the same).", d.Better, d.Worse, len(d.Changes), analyze.SameWithin*100)} {
		if md {
			head += markdownEscape(l) + "  \n"
		} else {
			head += escapeControls(l) + "\n"
		}
	}
	head += "\n"
	t := table{title: "Changes from A to B", left: 2, header: []string{"Group", "Metric", "A", "B", "Change", "Verdict"}}
	for _, c := range d.Changes {
		t.rows = append(t.rows, []string{c.Group, c.Metric, diffValue(c.A, c.Unit), diffValue(c.B, c.Unit), diffDelta(c), c.Verdict})
	}
	if md {
		t = t.markdownBold("worse")
	}
	return writeDoc(w, md, DefaultMaxMarkdownBytes, head, []section{t})
}

// markdownBold is the table as Markdown with the rows whose last cell is
// verdict in bold: the cells are escaped here, then put in bold.
func (t table) markdownBold(verdict string) table {
	rows := make([][]string, len(t.rows))
	for i, r := range t.rows {
		r = escapeMarkdownRow(r)
		if r[len(r)-1] == markdownText(verdict) {
			for j, c := range r {
				if c != "" {
					r[j] = "**" + c + "**"
				}
			}
		}
		rows[i] = r
	}
	t.rows, t.markdown = rows, true
	return t
}

func diffSide(s analyze.DiffSide) string {
	var parts []string
	for _, p := range []string{s.Label, s.Service} {
		if p != "" {
			parts = append(parts, clip(p))
		}
	}
	if !s.Window.Start.IsZero() {
		parts = append(parts, htmlWindow(s.Window.Start, s.Window.End))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// diffValue formats a value by its unit; "—" where the side has none.
func diffValue(v *float64, unit string) string {
	if v == nil {
		return "—"
	}
	switch unit {
	case "ms":
		return pageMS(*v) + " ms"
	case "usd":
		return pageUSD(*v)
	case "share":
		return pagePct(*v)
	case "s":
		return pageFloat(*v, 1) + " s"
	}
	if *v == math.Trunc(*v) {
		return pageFloat(*v, 0)
	}
	return pageFloat(*v, 2)
}

// diffDelta writes B - A by unit, and in percent of A where A is not 0.
func diffDelta(c analyze.Change) string {
	if c.Delta == nil {
		return "—"
	}
	d := *c.Delta
	var s string
	switch c.Unit {
	case "share":
		s = pageFloat(d*100, 2) + " pt"
	default:
		s = strings.TrimPrefix(diffValue(&d, c.Unit), "+")
	}
	if d > 0 {
		s = "+" + s
	}
	if c.DeltaPct != nil && c.Unit != "share" {
		s += " (" + pageSignedPct(*c.DeltaPct) + ")"
	}
	return s
}

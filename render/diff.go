package render

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/runlens/runlens/analyze"
)

// DiffText writes what got better or worse between two reports as a
// terminal table, under warnings when the two runs are not alike.
func DiffText(w io.Writer, d analyze.Diff, opts Options) error { return writeDiff(w, d, opts, false) }

// DiffMarkdown writes the same as Markdown, for a CI job summary or a
// pull-request comment: worse values in bold. Log-derived text is escaped.
func DiffMarkdown(w io.Writer, d analyze.Diff, opts Options) error {
	return writeDiff(w, d, opts, true)
}

// DiffJSON writes the diff as indented JSON (schema runlens.diff/v1).
func DiffJSON(w io.Writer, d analyze.Diff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

func writeDiff(w io.Writer, d analyze.Diff, opts Options, md bool) error {
	width := termWidth(opts)
	head := docHead("runlens diff", md, width)
	lines := []string{"A: " + diffSide(d.A), "B: " + diffSide(d.B)}
	for _, warn := range diffWarnings(d.A, d.B) {
		lines = append(lines, "Warning: "+warn)
	}
	lines = append(lines, fmt.Sprintf("%s better, %s worse, of %s compared (values within %.0f %% are the same).", pageCount(int64(d.Better)),
		pageCount(int64(d.Worse)), pagePlural(int64(len(d.Changes)), "value", "values"), analyze.SameWithin*100))
	for _, l := range lines {
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
	return writeDoc(w, md, markdownLimit(opts), width, head, []section{t})
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

// diffDelta writes B - A by unit, with its sign (+120 ms, −120 ms), and
// in percent of A where A is not 0: "−120 ms (−11 %)".
func diffDelta(c analyze.Change) string {
	if c.Delta == nil {
		return "—"
	}
	d := *c.Delta
	abs := math.Abs(d)
	var s string
	switch c.Unit {
	case "share":
		s = pageFloat(abs*100, 2) + " pt"
	default:
		s = diffValue(&abs, c.Unit)
	}
	s = withSign(d, s)
	if c.DeltaPct != nil && c.Unit != "share" {
		s += " (" + withSign(*c.DeltaPct, pageFloat(math.Abs(*c.DeltaPct), 0)+" %") + ")"
	}
	return s
}

// minus is the sign of a decrease: U+2212, as wide as the plus sign.
const minus = "\u2212"

// withSign puts the sign of v before s, which writes the magnitude of v; a
// magnitude written as zero ("0", "0.00 pt") has no sign.
func withSign(v float64, s string) string {
	switch {
	case !strings.ContainsAny(s, "123456789"):
		return s
	case v < 0:
		return minus + s
	case v > 0:
		return "+" + s
	}
	return s
}

// diffWarnings say how two compared runs are not alike: another service,
// a window of another length (every count and cost then compares unlike
// spans), or sources only one side had (its values are added or removed,
// not compared).
func diffWarnings(a, b analyze.DiffSide) []string {
	var out []string
	if a.Service != b.Service {
		out = append(out, fmt.Sprintf("A is %s and B is %s: two different services are compared.", diffName(a.Service), diffName(b.Service)))
	}
	la, lb := a.Window.End.Sub(a.Window.Start), b.Window.End.Sub(b.Window.Start)
	if la > 0 && lb > 0 && math.Abs(float64(la-lb)) > analyze.SameWithin*float64(max(la, lb)) {
		out = append(out, fmt.Sprintf("A's window is %s long and B's %s: counts and costs cover spans of different lengths.",
			pageDuration(la), pageDuration(lb)))
	}
	onlyA, onlyB := sourcesOnly(a.Sources, b.Sources), sourcesOnly(b.Sources, a.Sources)
	if len(onlyA)+len(onlyB) > 0 {
		var parts []string
		if len(onlyA) > 0 {
			parts = append(parts, "only A has "+strings.Join(onlyA, " and "))
		}
		if len(onlyB) > 0 {
			parts = append(parts, "only B has "+strings.Join(onlyB, " and "))
		}
		out = append(out, strings.Join(parts, "; ")+": values from them are added or removed, not compared.")
	}
	return out
}

// diffName is a side's service for a sentence.
func diffName(s string) string {
	if s == "" {
		return "of no named service"
	}
	return clip(s)
}

// sourceNames name the kinds of DiffSide.Sources in a sentence.
var sourceNames = map[string]string{"client": "client results", "logs": "request logs", "metrics": "metrics", "service": "the service's configuration"}

// sourcesOnly are the sources of a that b lacks, by name.
func sourcesOnly(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			name := sourceNames[s]
			if name == "" {
				name = clip(s)
			}
			out = append(out, name)
		}
	}
	return out
}

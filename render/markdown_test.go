package render

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
)

// mdInjections are input strings that would be Markdown or HTML if they
// reached the Markdown raw: a heading after a line break, raw HTML, an
// image that loads from elsewhere, a link, a backslash that would unescape
// the next pipe, emphasis, a mention and a list.
var mdInjections = []string{
	"svc\n# Owned <img src=x onerror=alert(1)>",
	"/a|b\r\n## h ![p](https://evil.example/p.png)",
	`ua\|\ <script>alert(2)</script> [click](https://evil.example)`,
	"rev-00001\u2028# x **bold** _it_ @octocat #12",
	"- item\n1. one\n> quote\n---",
}

// mdReport is the sample report with an injection in every place the
// Markdown shows input text: the service name (the "Window" line and the
// title), endpoint paths, user agents in explanations, revision names in
// cold-start reasons, error texts in warnings, findings and missing
// sources, and the price table's source.
func mdReport() *analyze.Report {
	rpt := sampleReport()
	inj := mdInjections
	rpt.Service.Name, rpt.Service.Region, rpt.Service.Billing = inj[0], inj[3], inj[4]
	rpt.Client.Endpoints[0].Name, rpt.Client.Endpoints[1].Method = inj[1], inj[2]
	rpt.Server.Endpoints[0].Path, rpt.Server.Endpoints[1].Method = inj[1], inj[4]
	rpt.Reconciliation[0].Endpoint = "GET " + inj[1]
	rpt.Reconciliation[1].Explanations = []string{"user agent " + inj[2], inj[4]}
	rpt.ColdStarts.Instances[0].Reason = inj[3]
	rpt.ColdStarts.Instances[1].FirstRequest = inj[1]
	rpt.ColdStarts.Instances[2].InstanceID = inj[4]
	rpt.Findings[0].Message = inj[0]
	rpt.Warnings = append(rpt.Warnings, inj...)
	rpt.Missing = append(rpt.Missing, inj[4])
	rpt.Cost.PriceTable.Source, rpt.Cost.PriceTable.Date = inj[2], inj[0]
	rpt.Client.Tool = inj[3]
	return rpt
}

var (
	// mdUnescapedPipe is a table pipe: one not escaped by a backslash
	// (itself not escaped).
	mdUnescapedPipe = regexp.MustCompile(`(^|[^\\])(\\\\)*\|`)
	// mdLinkOrImage is a link or image: "](" after an unescaped "]".
	mdLinkOrImage = regexp.MustCompile(`(^|[^\\])(\\\\)*\]\(`)
)

// checkMarkdown checks that input text in md stayed text: every line that
// starts a block is one of ours (headings, table rows with their column
// count, list items), and no raw HTML, link, image or mention passes.
func checkMarkdown(t *testing.T, md string, headings []string) {
	t.Helper()
	if strings.ContainsAny(md, "\r\u2028\u2029\v\f\u0085") {
		t.Errorf("the Markdown holds a line break other than \\n")
	}
	for _, bad := range []string{"<img", "<script", " @octocat", "> quote"} {
		if strings.Contains(md, bad) {
			t.Errorf("the Markdown holds %q unescaped", bad)
		}
	}
	cols := 0
	for i, line := range strings.Split(md, "\n") {
		switch {
		case line == "":
			cols = 0
		case strings.HasPrefix(line, "#"):
			if !slices.Contains(headings, line) {
				t.Errorf("line %d is a heading of the input's: %q", i+1, line)
			}
		case strings.HasPrefix(line, "|"):
			n := len(mdUnescapedPipe.FindAllStringIndex(line, -1))
			if cols == 0 {
				cols = n
			}
			if n != cols {
				t.Errorf("line %d has %d cells, the table %d: %q", i+1, n-1, cols-1, line)
			}
		case strings.HasPrefix(line, "- "):
			if rest := line[2:]; strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "1.") || strings.HasPrefix(rest, ">") {
				t.Errorf("line %d nests a block in a list item: %q", i+1, line)
			}
		case cols > 0:
			t.Errorf("line %d breaks the table above it: %q", i+1, line)
		case !strings.HasPrefix(line, "Window ") && !strings.HasPrefix(line, "Requests: ") && !strings.HasPrefix(line, "client percentiles") &&
			!strings.HasPrefix(line, "prices: ") && !strings.HasPrefix(line, "Thresholds: ") && !strings.HasPrefix(line, "A: ") && !strings.HasPrefix(line, "B: ") && !strings.HasPrefix(line, "Warning: ") &&
			!strings.Contains(line, " better, ") && !strings.Contains(line, " left out to keep this Markdown under "):
			t.Errorf("line %d starts a paragraph of the input's: %q", i+1, line)
		}
		if mdLinkOrImage.MatchString(line) {
			t.Errorf("line %d holds a link or an image: %q", i+1, line)
		}
	}
}

// TestMarkdownEscapesInputs renders input text that would inject Markdown
// and HTML in every place the report's Markdown shows it.
func TestMarkdownEscapesInputs(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, mdReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	checkMarkdown(t, md, []string{`## runlens: svc # Owned &lt;img src=x onerror=alert(1)&gt;`, "### Request statistics",
		"### Response time percentiles (ms)", "### Reconciliation", "### Cold starts", "### Cost", "### Findings", "### Missing", "### Warnings"})
	if !strings.Contains(md, `Window 2024-05-14 09:30:00 to 09:31:40 UTC; svc # Owned &lt;img src=x onerror=alert(1)&gt; in rev-00001 # x`) {
		t.Errorf("the Window line does not show the service name as text:\n%s", md)
	}
	if t.Failed() {
		t.Logf("the Markdown:\n%s", md)
	}
}

// TestAuditAndDiffMarkdownEscapeInputs does the same for the audit's
// Markdown (service names, regions, findings, warnings) and the diff's
// (labels and service names).
func TestAuditAndDiffMarkdownEscapeInputs(t *testing.T) {
	inj := mdInjections
	a := &audit.Audit{Schema: audit.Schema, Project: inj[0], Window: analyze.Window{Start: sampleStart, End: at(3600)},
		Services: []audit.Service{{Name: inj[0], Region: inj[3], Findings: []analyze.Finding{{Severity: "warn", Message: inj[1]}}}},
		Warnings: inj}
	var b bytes.Buffer
	if err := AuditMarkdown(&b, a, Options{}); err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, b.String(), []string{`## runlens audit: svc # Owned &lt;img src=x onerror=alert(1)&gt;`, "### Services by cost",
		"### Thresholds crossed", "### Logs not read whole, and warnings"})
	if t.Failed() {
		t.Logf("the audit's Markdown:\n%s", b.String())
	}
	d := analyze.DiffReports(mdReport(), sampleReport())
	d.A.Label, d.B.Label = inj[1], inj[2]
	b.Reset()
	if err := DiffMarkdown(&b, d, Options{}); err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, b.String(), []string{"## runlens diff", "### Changes from A to B"})
	if t.Failed() {
		t.Logf("the diff's Markdown:\n%s", b.String())
	}
}

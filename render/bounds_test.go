package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
)

// huge is a 1 MiB input string: a URL, a user agent or a service name as
// an attacker would write them.
var huge = "/" + strings.Repeat("a", 1<<20-1)

// hugeReport holds 1 MiB strings wherever input text shows.
func hugeReport() *analyze.Report {
	rpt := sampleReport()
	rpt.Service.Name = huge
	rpt.Client.Endpoints[0].Name = huge
	rpt.Server.Endpoints[0].Path = huge
	rpt.Server.UserAgents = []analyze.UserAgent{{UserAgent: huge, Requests: 3}}
	rpt.Reconciliation[0].Endpoint = "GET " + huge
	rpt.Reconciliation[1].Explanations = []string{"user agent " + huge}
	rpt.ColdStarts.Instances[0].Reason = huge
	rpt.ColdStarts.Instances[1].FirstRequest = "GET " + huge
	rpt.Series.Lanes[0].InstanceID = huge
	rpt.Findings[0].Message = huge
	rpt.Warnings = append(rpt.Warnings, huge)
	rpt.Missing = append(rpt.Missing, huge)
	rpt.Sources[0].Path = huge
	return rpt
}

// hugeAudit holds 1 MiB strings in a service's name, error and findings.
func hugeAudit() *audit.Audit {
	return &audit.Audit{Schema: audit.Schema, Project: huge, Window: analyze.Window{Start: sampleStart, End: at(3600)},
		Services: []audit.Service{{Name: huge, Region: huge, Error: huge, Findings: []analyze.Finding{{Severity: "warn", Message: huge}},
			Report: hugeReport()}},
		Warnings: []string{huge}}
}

// TestOutputsCutLongStrings renders 1 MiB input strings in every output but
// the JSON: each is cut to MaxTextBytes with its full length, so no line of
// the terminal or the Markdown, and no output, grows with them.
func TestOutputsCutLongStrings(t *testing.T) {
	const full = "…(1048576 bytes)"
	rpt, a := hugeReport(), hugeAudit()
	d := analyze.DiffReports(rpt, sampleReport())
	d.A.Label = huge
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
		max    int // bytes of the whole output
	}{
		// On a terminal a cut string wraps over lines of the terminal's
		// width, each drawing the table's borders again.
		{"text", func(b *bytes.Buffer) error { return Text(b, rpt, Options{}) }, 128 << 10},
		{"markdown", func(b *bytes.Buffer) error { return Markdown(b, rpt, Options{}) }, 64 << 10},
		{"html", func(b *bytes.Buffer) error { return writeHTML(b, rpt, Options{}, "") }, 512 << 10},
		{"audit text", func(b *bytes.Buffer) error { return AuditText(b, a, Options{}) }, 32 << 10},
		{"audit markdown", func(b *bytes.Buffer) error { return AuditMarkdown(b, a, Options{}) }, 32 << 10},
		{"audit html", func(b *bytes.Buffer) error { return writeAuditHTML(b, a, Options{}, "") }, 512 << 10},
		{"diff text", func(b *bytes.Buffer) error { return DiffText(b, d, Options{}) }, 64 << 10},
		{"diff markdown", func(b *bytes.Buffer) error { return DiffMarkdown(b, d, Options{}) }, 64 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if b.Len() > tc.max {
				t.Errorf("%d bytes, want at most %d", b.Len(), tc.max)
			}
			if !strings.Contains(b.String(), full) {
				t.Errorf("no string says it was cut from %s", full)
			}
			if tc.name == "html" || tc.name == "audit html" {
				return
			}
			wide := 4 * MaxTextBytes
			if strings.HasSuffix(tc.name, "text") {
				wide = DefaultWidth // the terminal's lines fit its width
			}
			for i, line := range strings.Split(b.String(), "\n") {
				if n := utf8.RuneCountInString(line); n > wide {
					t.Errorf("line %d is %d characters wide", i+1, n)
					break
				}
			}
		})
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"short", "short"},
		{strings.Repeat("x", MaxTextBytes), strings.Repeat("x", MaxTextBytes)},
		{strings.Repeat("x", MaxTextBytes+1), strings.Repeat("x", MaxTextBytes) + "…(513 bytes)"},
		// é is two bytes: the cut does not split it.
		{strings.Repeat("x", MaxTextBytes-1) + "é", strings.Repeat("x", MaxTextBytes-1) + "…(513 bytes)"},
	} {
		if got := clip(tc.in); got != tc.want {
			t.Errorf("clip(%d bytes) = ...%q, want ...%q", len(tc.in), got[max(0, len(got)-20):], tc.want[max(0, len(tc.want)-20):])
		}
	}
}

// TestTerminalEscapesControls checks that escape sequences and other
// controls from the inputs reach the terminal as text, never as controls.
func TestTerminalEscapesControls(t *testing.T) {
	const evil = "/a\x1b[31mred\x1b]0;title\x07\u009b2J\u202egnp.exe\r\n\tnext\xff"
	rpt := sampleReport()
	rpt.Service.Name = evil
	rpt.Client.Endpoints[0].Name = evil
	rpt.Server.Endpoints[0].Path = evil
	rpt.ColdStarts.Instances[0].Reason = evil
	rpt.Warnings = append(rpt.Warnings, evil)
	rpt.Findings[0].Message = evil
	a := &audit.Audit{Schema: audit.Schema, Project: evil, Window: analyze.Window{Start: sampleStart, End: at(60)},
		Services: []audit.Service{{Name: evil, Region: evil, Findings: []analyze.Finding{{Severity: "warn", Message: evil}}}}, Warnings: []string{evil}}
	d := analyze.DiffReports(rpt, sampleReport())
	d.A.Label = evil
	for name, render := range map[string]func(*bytes.Buffer) error{
		"text":          func(b *bytes.Buffer) error { return Text(b, rpt, Options{}) },
		"markdown":      func(b *bytes.Buffer) error { return Markdown(b, rpt, Options{}) },
		"audit text":    func(b *bytes.Buffer) error { return AuditText(b, a, Options{}) },
		"diff text":     func(b *bytes.Buffer) error { return DiffText(b, d, Options{}) },
		"diff markdown": func(b *bytes.Buffer) error { return DiffMarkdown(b, d, Options{}) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, c := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\r", "\t", "\xff"} {
			if strings.Contains(out, c) {
				t.Errorf("%s: the output holds the control %q", name, c)
			}
		}
		if !strings.Contains(out, `\x1b[31mred\x1b]0;title\x07\u009b2J\u202egnp.exe`) {
			t.Errorf("%s: the output does not show the controls as escapes:\n%s", name, out)
		}
	}
}

// manyEndpoints is a report whose server saw n endpoints, each with a long
// path, and as many warnings: its Markdown would be megabytes.
func manyEndpoints(n int) *analyze.Report {
	rpt := sampleReport()
	rpt.Client = nil
	rpt.Server.Endpoints = nil
	rpt.Reconciliation = nil
	for i := range n {
		path := fmt.Sprintf("/items/%06d/%s", i, strings.Repeat("x", 150))
		rpt.Server.Endpoints = append(rpt.Server.Endpoints, sampleServerEndpoint("GET", path, 1, 10, 1))
		rpt.Reconciliation = append(rpt.Reconciliation, analyze.Reconciliation{Endpoint: "GET " + path, ServerRequests: 1, MetricRequests: -1})
		rpt.Warnings = append(rpt.Warnings, "requests.ndjson:"+fmt.Sprint(i+1)+": odd entry at "+path)
	}
	rpt.Reconciliation = append(rpt.Reconciliation, analyze.Reconciliation{Endpoint: "total", ServerRequests: int64(n), MetricRequests: int64(n)})
	return rpt
}

// TestMarkdownBounded checks that the Markdown stays under its bound (1 MiB
// unless told otherwise) by leaving rows out, keeps the totals, and says
// how many rows it left out.
func TestMarkdownBounded(t *testing.T) {
	rpt := manyEndpoints(20000)
	for _, tc := range []struct {
		name  string
		opts  Options
		limit int
		note  string
	}{
		{"default", Options{}, 1 << 20, "under 1 MiB; the JSON has them all."},
		{"64 KiB", Options{MaxMarkdownBytes: 64 << 10}, 64 << 10, "under 64 KiB; the JSON has them all."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			var b bytes.Buffer
			if err := Markdown(&b, rpt, tc.opts); err != nil {
				t.Fatal(err)
			}
			md := b.String()
			if b.Len() >= tc.limit {
				t.Errorf("%d bytes, want under %d", b.Len(), tc.limit)
			}
			if b.Len() < tc.limit*3/4 {
				t.Errorf("%d bytes: more was left out than needed to stay under %d", b.Len(), tc.limit)
			}
			if !strings.Contains(md, "rows left out to keep this Markdown "+tc.note) || !strings.Contains(md, "items left out to keep this Markdown "+tc.note) {
				t.Errorf("no note says what was left out")
			}
			for _, want := range []string{"| total ", "| GET    | /items/000000/", "### Warnings", "### Findings"} {
				if !strings.Contains(md, want) {
					t.Errorf("the bounded Markdown lacks %q", want)
				}
			}
			checkMarkdown(t, md, []string{"## runlens: mobilenet", "### Request statistics", "### Response time percentiles (ms)",
				"### Reconciliation", "### Cold starts", "### Cost", "### Findings", "### Missing", "### Warnings"})
			t.Logf("%d bytes in %s", b.Len(), time.Since(start).Round(time.Millisecond))
		})
	}
	t.Run("unbounded", func(t *testing.T) {
		var b bytes.Buffer
		if err := Markdown(&b, rpt, Options{MaxMarkdownBytes: -1}); err != nil {
			t.Fatal(err)
		}
		if b.Len() < 1<<20 || strings.Contains(b.String(), "left out") {
			t.Errorf("%d bytes, with a note: want the whole Markdown", b.Len())
		}
	})
}

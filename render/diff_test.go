package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
)

func ptr(v float64) *float64 { return &v }

// TestDiffDeltaSigned: a decrease prints with a minus sign on the number
// and the percentage, an increase with a plus, no change with neither.
func TestDiffDeltaSigned(t *testing.T) {
	for _, tt := range []struct {
		c    analyze.Change
		want string
	}{
		{analyze.Change{Unit: "ms", Delta: ptr(-120), DeltaPct: ptr(-10.9)}, "−120 ms (−11 %)"},
		{analyze.Change{Unit: "ms", Delta: ptr(120), DeltaPct: ptr(10.9)}, "+120 ms (+11 %)"},
		{analyze.Change{Unit: "ms", Delta: ptr(-1234.4), DeltaPct: ptr(-50)}, "−1,234 ms (−50 %)"},
		{analyze.Change{Unit: "ms", Delta: ptr(-4.5)}, "−4.5 ms"},
		{analyze.Change{Unit: "ms", Delta: ptr(0), DeltaPct: ptr(0)}, "0 ms (0 %)"},
		{analyze.Change{Unit: "usd", Delta: ptr(-0.0012), DeltaPct: ptr(-20)}, "−$0.0012 (−20 %)"},
		{analyze.Change{Unit: "share", Delta: ptr(-0.015), DeltaPct: ptr(-30)}, "−1.50 pt"},
		{analyze.Change{Unit: "count", Delta: ptr(-1500), DeltaPct: ptr(-0.2)}, "−1,500 (0 %)"},
		{analyze.Change{Unit: "s", Delta: ptr(12.5)}, "+12.5 s"},
		{analyze.Change{Unit: "ms"}, "—"},
	} {
		if got := diffDelta(tt.c); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestDiffWarnsWhenRunsDiffer: two services, two window lengths, and
// client results on one side only are said at the top.
func TestDiffWarnsWhenRunsDiffer(t *testing.T) {
	a, b := sampleReport(), sampleReport()
	b.Service.Name = "catalog-api"
	b.Window.End = b.Window.Start.Add(30 * time.Minute)
	b.Client = nil
	d := analyze.DiffReports(a, b)
	var out bytes.Buffer
	must(t, DiffText(&out, d, Options{Width: 80}))
	head := strings.Join(strings.Fields(out.String()[:strings.Index(out.String(), "Changes from A to B")]), " ")
	for _, want := range []string{
		"Warning: A is " + a.Service.Name + " and B is catalog-api: two different services are compared.",
		"Warning: A's window is 1 min 40 s long and B's 30 min: counts and costs cover spans of different lengths.",
		"Warning: only A has client results: values from them are added or removed, not compared.",
	} {
		if !strings.Contains(head, want) {
			t.Errorf("no %q in the head:\n%s", want, out.String())
		}
	}
	out.Reset()
	must(t, DiffText(&out, analyze.DiffReports(a, sampleReport()), Options{}))
	if strings.Contains(out.String(), "Warning") {
		t.Errorf("a warning for alike runs:\n%s", out.String())
	}
	out.Reset()
	must(t, DiffMarkdown(&out, d, Options{}))
	if !strings.Contains(out.String(), "Warning: only A has client results") {
		t.Errorf("the Markdown has no warning:\n%s", out.String())
	}
}

// TestTextCountsAndPlurals: the summaries group thousands and make nouns
// agree with their counts.
func TestTextCountsAndPlurals(t *testing.T) {
	rpt := sampleReport()
	rpt.Client.Total.Requests, rpt.Client.Total.Failures, rpt.Server.Total.Requests = 6058, 1300, 12345
	rpt.ColdStarts.Count = 1
	if s := summary(rpt, terminalText); !strings.Contains(s, "client 6,058 (1,300 failed)") || !strings.Contains(s, "server 12,345.") {
		t.Errorf("summary: %q", s)
	}
	a := &audit.Audit{Services: []audit.Service{{Name: "a"}}, TotalRequests: 1, LogBudget: audit.LogBudget{Used: 1, MaxCalls: 2000}}
	s := auditSummary(a)
	for _, want := range []string{"; 1 service; 1 request.", "1 entries.list call made of a budget of 2,000"} {
		if !strings.Contains(s, want) {
			t.Errorf("audit summary %q lacks %q", s, want)
		}
	}
	d := analyze.Diff{Changes: []analyze.Change{{Verdict: "same"}}}
	var b bytes.Buffer
	must(t, DiffText(&b, d, Options{}))
	if !strings.Contains(b.String(), "0 better, 0 worse, of 1 value compared") {
		t.Errorf("diff: %s", b.String())
	}
}

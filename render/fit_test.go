package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
)

// longest is the rune count of the longest line of s.
func longest(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, utf8.RuneCountInString(l))
	}
	return n
}

// TestTextFitsWidth renders the sample report, one with a 433-character
// explanation, a 600-byte path and a long service name, and the audit and
// diff, at several widths: no line is longer, and nothing is lost (every
// explanation word is still there).
func TestTextFitsWidth(t *testing.T) {
	rpt := sampleReport()
	long := strings.Repeat("16 server requests arrived outside the client's run: other traffic in the window; ", 6)[:433]
	rpt.Reconciliation[0].Explanations = []string{long}
	rpt.Server.Endpoints[0].Path = "/" + strings.Repeat("a", 600)
	rpt.Service.Name = strings.Repeat("service-name-", 20)
	a := &audit.Audit{Schema: audit.Schema, Project: "p", Window: analyze.Window{Start: sampleStart, End: at(3600)},
		Services: []audit.Service{{Name: strings.Repeat("svc", 50), Region: "europe-west1"}}}
	d := analyze.DiffReports(sampleReport(), rpt)
	for _, width := range []int{40, 60, 80, 100, 132} {
		for name, render := range map[string]func(*bytes.Buffer) error{
			"text":  func(b *bytes.Buffer) error { return Text(b, rpt, Options{Width: width}) },
			"audit": func(b *bytes.Buffer) error { return AuditText(b, a, Options{Width: width}) },
			"diff":  func(b *bytes.Buffer) error { return DiffText(b, d, Options{Width: width}) },
		} {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			if n := longest(b.String()); n > width {
				t.Errorf("%s at %d: a line of %d runes:\n%s", name, width, n, b.String())
			}
			if name == "text" {
				flat := strings.Join(strings.Fields(b.String()), " ")
				if !strings.Contains(flat, "other traffic in the window; 16 server requests") {
					t.Errorf("text at %d: the explanation is not listed whole:\n%s", width, b.String())
				}
			}
		}
	}
	var b bytes.Buffer
	must(t, Text(&b, rpt, Options{}))
	if n := longest(b.String()); n > DefaultWidth {
		t.Errorf("default width: a line of %d runes", n)
	}
}

// TestExplanationsUnderTheTable: on a terminal the reconciliation's
// explanations are a list under the table, left-aligned and wrapped; in
// Markdown a left-aligned column.
func TestExplanationsUnderTheTable(t *testing.T) {
	rpt := sampleReport()
	rpt.Reconciliation[0].Explanations = []string{"2 requests were in flight when the client stopped", "6 client failures were connection errors"}
	var b bytes.Buffer
	must(t, Text(&b, rpt, Options{Width: 80}))
	want := "- " + rpt.Reconciliation[0].Endpoint + ": 2 requests were in flight when the client stopped; 6 client"
	if !strings.Contains(b.String(), want) || strings.Contains(b.String(), "Explanation") {
		t.Errorf("no %q under the table:\n%s", want, b.String())
	}
	b.Reset()
	must(t, Markdown(&b, rpt, Options{}))
	if !strings.Contains(b.String(), "| Explanation ") || !strings.Contains(b.String(), ":---") {
		t.Errorf("the Markdown has no left-aligned Explanation column:\n%s", b.String())
	}
}

func TestFitColumns(t *testing.T) {
	header := []string{"Method", "Name", "Source", "Requests", "Avg size B"}
	rows := [][]string{{"GET", "/products", "client", "2,657", "10,017"}}
	// Fits: one part, natural widths.
	if p := fitColumns(header, rows, 3, 3, 100); len(p) != 1 || p[0].widths != nil {
		t.Errorf("at 100: %+v", p)
	}
	// The header wraps: "Avg size B" over two lines, one part.
	if p := fitColumns(header, rows, 3, 3, 52); len(p) != 1 || p[0].widths == nil || tableWidth(p[0].widths) > 52 {
		t.Errorf("at 52: %+v", p)
	}
	// Too narrow for every column: two parts, each with the keys.
	p := fitColumns(header, rows, 3, 3, 40)
	if len(p) != 2 || p[1].cols[0] != 0 || p[1].cols[2] != 2 {
		t.Errorf("at 40: %+v", p)
	}
	for _, part := range p {
		if part.widths != nil && tableWidth(part.widths) > 40 {
			t.Errorf("at 40: a part %d wide", tableWidth(part.widths))
		}
	}
}

func TestWrapText(t *testing.T) {
	got := wrapText("- "+strings.Repeat("x", 30)+" word word", 12, "  ")
	for _, l := range got {
		if utf8.RuneCountInString(l) > 12 {
			t.Errorf("%q is over 12", l)
		}
	}
	if strings.Join(got, "") == "" || !strings.HasPrefix(got[1], "  ") {
		t.Errorf("%q", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

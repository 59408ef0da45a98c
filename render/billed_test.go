package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze"
)

// hostileBilled is a comparison whose SKU descriptions, which come from
// the export, carry markup, table pipes and terminal escapes.
func hostileBilled() *analyze.Billed {
	d := 0.5
	return &analyze.Billed{Source: analyze.BilledSource{Table: "p.d.gcp_billing_export_resource_v1_X", Export: "detailed", JobID: "job1"},
		Hours: auditWindow, Notes: []string{}, UnbilledHours: nil, BilledUSD: 3, ModelledUSD: 2, Exceeds: 1,
		SKUs: []analyze.BilledSKU{
			{Category: analyze.SKUCPU, SKUs: []string{evilScript}, BilledUSD: 3, ModelledUSD: 2, DifferenceUSD: 1, Difference: &d, Modelled: true, Exceeds: true},
			{Category: analyze.SKUNetworking, SKUs: []string{"a|b\x1b[31mred " + evilImg}, BilledUSD: 0.5, DifferenceUSD: 0.5, Exceeds: true},
		}}
}

// The bill's table escapes SKU text in the audit's HTML, Markdown and
// terminal output, and shows each category's difference.
func TestBilledTableEscapes(t *testing.T) {
	a := sampleAudit(2)
	a.Services[0].Billed = hostileBilled()
	a.Billed = hostileBilled()
	page := renderAudit(t, a)
	for _, bad := range []string{"<img src=x", "<script>alert", "</script><script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	if strings.Count(page, "Billed against modelled") != 2 || !strings.Contains(page, "differs: not modelled") {
		t.Error("the page lacks the service's or the project's bill table")
	}
	var md, txt bytes.Buffer
	if err := AuditMarkdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := AuditText(&txt, a, Options{Width: 200}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"markdown": md.String(), "terminal": txt.String()} {
		if strings.Contains(out, "\x1b") || strings.Contains(out, "<script>alert") && name == "markdown" {
			t.Errorf("%s output holds an escape or markup unescaped:\n%s", name, out)
		}
		if !strings.Contains(out, "Billed against modelled") || !strings.Contains(out, "+$1.00") || !strings.Contains(out, "+50 %") {
			t.Errorf("%s output lacks the table or the difference:\n%s", name, out)
		}
	}
	if strings.Contains(md.String(), "a|b") {
		t.Error("a pipe in a SKU breaks the Markdown table")
	}
}

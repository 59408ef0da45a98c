package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/model"
)

// aroundAudit is sampleAudit with logging bytes and egress for its first
// service, whose chattiest log has a hostile name.
func aroundAudit(t *testing.T) *audit.Audit {
	t.Helper()
	a := sampleAudit(3)
	ds := &model.Dataset{Metrics: []model.Series{
		{Metric: model.MetricLogBytes, MetricLabels: map[string]string{"log": evilScript}, Points: []model.Point{{Int: 3 << 30}}},
		{Metric: model.MetricLogBytes, MetricLabels: map[string]string{"log": "run.googleapis.com/requests"}, Points: []model.Point{{Int: 1 << 20}, {Int: 1 << 20}}},
		{Metric: model.MetricLogBytes, MetricLabels: map[string]string{"log": "\x1b[31mred\x1b[0m"}, Points: []model.Point{{Int: 1}}},
		{Metric: model.MetricSentBytes, MetricLabels: map[string]string{"kind": "internet"}, Points: []model.Point{{Int: 5 << 30}}},
	}}
	rows := make([]audit.Service, len(a.Services))
	for i, s := range a.Services {
		rows[i] = s
		rows[i].Findings = nil
		if i == 0 {
			rows[i].Around = audit.NewAround(ds)
		}
	}
	return audit.Build(audit.Input{Project: a.Project, Window: a.Window, Generated: a.Generated, Services: rows})
}

// The chattiest-logs chart draws the JSON's bytes, in its order, and the
// hostile log name stays text in the page and escaped in the Markdown.
func TestAuditAroundChartAndText(t *testing.T) {
	a := aroundAudit(t)
	if a.Around == nil || len(a.Around.Logs) != 3 {
		t.Fatalf("around %+v: want three logs", a.Around)
	}
	_, c := auditLogsChart(a)
	raw, err := optionJSON(c)
	if err != nil {
		t.Fatal(err)
	}
	var opt struct {
		Series []struct {
			Data []float64 `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(raw, &opt); err != nil || len(opt.Series) != 1 {
		t.Fatalf("chart option %s: %v", raw, err)
	}
	var want []float64
	for _, l := range a.Around.Logs {
		want = append(want, float64(l.Bytes))
	}
	if d := cmp.Diff(want, opt.Series[0].Data); d != "" {
		t.Errorf("chart data against the JSON's logs (-json +chart):\n%s", d)
	}
	if a.Around.Logs[0].Bytes != 3<<30 || a.Around.Logs[1].Bytes != 2<<20 || a.Around.Logs[2].Bytes != 1 {
		t.Errorf("logs %+v: want the hostile one (3 GiB) first, then 2 MiB, then 1 byte", a.Around.Logs)
	}
	page := renderAudit(t, a)
	if strings.Contains(page, evilScript) || !strings.Contains(page, "chart_audit_logs") || !strings.Contains(page, "Chattiest logs") {
		t.Error("the page lacks the chattiest logs, or holds the hostile log name unescaped")
	}
	var md strings.Builder
	if err := AuditMarkdown(&md, a, Options{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), evilScript) || !strings.Contains(md.String(), "Logging and egress by service") {
		t.Errorf("Markdown:\n%s", md.String())
	}
	var text strings.Builder
	if err := AuditText(&text, a, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "Chattiest logs") || !strings.Contains(text.String(), "3.00 GiB") || strings.Contains(text.String(), "\x1b") {
		t.Errorf("terminal output lacks the chattiest logs, or holds an escape sequence:\n%q", text.String())
	}
}

// Without the metrics there is no section and no chart.
func TestAuditWithoutAround(t *testing.T) {
	a := sampleAudit(3)
	if a.Around != nil {
		t.Fatalf("around %+v without metrics", a.Around)
	}
	if page := renderAudit(t, a); strings.Contains(page, "chart_audit_logs") || strings.Contains(page, "Chattiest logs") {
		t.Error("the page has an around section without its metrics")
	}
}

package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/internal/browser"
	"github.com/runlens/runlens/model"
)

var auditWindow = analyze.Window{Start: time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 6, 11, 0, 0, 0, 0, time.UTC)}

var auditChartIDs = []string{"chart_audit_cost", "chart_audit_trend"}

// sampleAudit is n services, the first named by a hostile string, with
// three earlier nights; service i costs n-i dollars.
func sampleAudit(n int) *audit.Audit {
	var rows []audit.Service
	var history []audit.Prior
	for d := 3; d >= 1; d-- {
		end := auditWindow.End.AddDate(0, 0, -d)
		history = append(history, audit.Prior{File: fmt.Sprintf("h%d.json", d), Audit: &audit.Audit{Project: "demo",
			Window: analyze.Window{Start: end.Add(-24 * time.Hour), End: end}}})
	}
	for i := range n {
		name := fmt.Sprintf("svc-%02d", i)
		if i == 0 {
			name = evilImg
		}
		cost := float64(n - i)
		rpt := &analyze.Report{Service: analyze.Service{Name: name, Region: "europe-west1", CPU: 1, MemoryMiB: 512},
			Window: auditWindow, Server: analyze.Server{Total: analyze.ServerEndpoint{Requests: 100, Status2xx: 99, Status5xx: 1, P95MS: 250},
				Endpoints: []analyze.ServerEndpoint{{Method: "GET", Path: evilScript, Requests: 100, P95MS: 250}}},
			Cost:     analyze.Cost{Requests: 100, TotalUSD: cost, BillableInstanceSeconds: 1000, IdleShare: 0.5},
			Findings: []analyze.Finding{{ID: "idle_time", Severity: "warn", Message: "idle " + evilScript}}}
		status := audit.LogsFull
		if i%3 == 2 {
			status = audit.LogsSkipped
		}
		rows = append(rows, audit.NewService(rpt, &model.Dataset{}, audit.LogCoverage{Status: status, Note: "note " + evilImg}))
		for _, h := range history {
			h.Audit.Services = append(h.Audit.Services, audit.Service{Name: name, Region: "europe-west1", CostUSD: cost / 2})
			h.Audit.TotalCostUSD += cost / 2
		}
	}
	return audit.Build(audit.Input{Project: "demo", Window: auditWindow, Generated: auditWindow.End, Services: rows, History: history,
		Thresholds: audit.DefaultThresholds, APICalls: map[string]int{"ListLogEntries": 7, "ListServices": 1}})
}

func renderAudit(t *testing.T, a *audit.Audit) string {
	t.Helper()
	var buf bytes.Buffer
	if err := AuditHTML(&buf, a, Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func auditInChromium(t *testing.T, a *audit.Audit) *browser.Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.html")
	if err := os.WriteFile(path, []byte(renderAudit(t, a)), 0o644); err != nil {
		t.Fatal(err)
	}
	res := browser.Open(t, path)
	browser.AssertQuietAndDrawn(t, res, auditChartIDs)
	return res
}

func TestAuditHTMLInChromium(t *testing.T) {
	res := auditInChromium(t, sampleAudit(30))
	for _, want := range []string{"runlens audit: demo", evilImg, "$465.00", "+100 %", "Thresholds crossed", "Compared with 3 earlier runs"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	// Every service doubled: 30 crossed in the list, and the finding of the
	// one section open (closed sections show their summary only).
	if n := strings.Count(res.Text, "cost $"); n != 31 {
		t.Errorf("%d crossed cost thresholds shown, want 31", n)
	}
}

func TestAuditHTMLWithoutServicesInChromium(t *testing.T) {
	res := auditInChromium(t, audit.Build(audit.Input{Project: "empty", Window: auditWindow}))
	if !strings.Contains(res.Text, "No Cloud Run service was found.") {
		t.Error("the empty page does not say so")
	}
}

func TestAuditHTMLEscapes(t *testing.T) {
	page := renderAudit(t, sampleAudit(3))
	for _, bad := range []string{"<img src=x", "<script>alert", "</script><script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	if strings.Contains(page, `src="http`) || !strings.Contains(page, echartsJS[:200]) {
		t.Error("the page does not inline echarts, or loads something")
	}
}

// The cost chart keeps 25 bars and adds up the rest; the trend chart
// stacks the 8 most expensive and the others.
func TestAuditCharts(t *testing.T) {
	specs, err := auditCharts(sampleAudit(30))
	opts := decodedOptions(t, specs, err)
	cost := opts[chartAuditCost]
	cats := cost["yAxis"].([]any)[0].(map[string]any)["data"].([]any)
	if len(cats) != 26 || cats[0] != evilImg || cats[25] != "5 other services" {
		t.Errorf("cost categories %d: first %v, last %v", len(cats), cats[0], cats[len(cats)-1])
	}
	if d := seriesData(t, cost, "cost (USD)"); d[25] != 15.0 { // 5+4+3+2+1
		t.Errorf("other services cost %v, want 15", d[25])
	}
	trend := opts[chartAuditTrend]
	var names []string
	for _, s := range trend["series"].([]any) {
		names = append(names, s.(map[string]any)["name"].(string))
	}
	if len(names) != 9 || names[8] != "other services" {
		t.Errorf("trend series %q", names)
	}
	dates := trend["xAxis"].([]any)[0].(map[string]any)["data"].([]any)
	if d := cmp.Diff([]any{"2024-06-08", "2024-06-09", "2024-06-10", "2024-06-11"}, dates); d != "" {
		t.Errorf("trend dates (-want +got):\n%s", d)
	}
	// svc-01 cost 29 tonight and 14.5 on each earlier night.
	if d := cmp.Diff([]any{14.5, 14.5, 14.5, 29.0}, seriesData(t, trend, "svc-01")); d != "" {
		t.Errorf("svc-01 by night (-want +got):\n%s", d)
	}
	// The 22 others: (22+21+...+1)/2 = 126.5 a night, 253 tonight.
	if d := cmp.Diff([]any{126.5, 126.5, 126.5, 253.0}, seriesData(t, trend, "other services")); d != "" {
		t.Errorf("other services by night (-want +got):\n%s", d)
	}
}

func TestAuditMarkdown(t *testing.T) {
	var buf bytes.Buffer
	if err := AuditMarkdown(&buf, sampleAudit(3), Options{}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{"## runlens audit: demo", "| 1 | &lt;img src=x onerror=alert(1)&gt; | europe-west1 |", "+100 %",
		"### Thresholds crossed", "3 crossed of 6 checked"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "<img") {
		t.Errorf("markdown holds raw markup:\n%s", md)
	}
}

func TestThresholdMarkLines(t *testing.T) {
	rpt := sampleReport()
	rpt.Thresholds = []analyze.ThresholdResult{
		{Threshold: analyze.Threshold{Key: "p95_ms", Op: ">", Limit: 50000}, Status: "pass"},
		{Threshold: analyze.Threshold{Key: "memory_p99", Op: ">", Limit: 0.9}, Status: "fail"},
		{Threshold: analyze.Threshold{Key: "error_rate", Op: ">", Limit: 0.01}, Status: "pass"}, // no chart
	}
	opts := chartOptions(t, rpt, 2000)
	lines := func(id string) []string {
		var out []string
		for _, s := range opts[id]["series"].([]any) {
			m := s.(map[string]any)
			if m["name"] != "thresholds" {
				continue
			}
			for _, d := range m["markLine"].(map[string]any)["data"].([]any) {
				item := d.(map[string]any)
				out = append(out, fmt.Sprintf("%v at %v", item["name"], item["yAxis"]))
			}
		}
		return out
	}
	if d := cmp.Diff([]string{"p95_ms > 50000: pass at 50000"}, lines(chartPercent)); d != "" {
		t.Errorf("latency chart (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"memory_p99 > 0.9: fail at 90"}, lines(chartMemory)); d != "" {
		t.Errorf("memory chart (-want +got):\n%s", d)
	}
	if got := opts[chartPercent]["yAxis"].([]any)[0].(map[string]any)["max"]; got != 60000.0 {
		t.Errorf("latency y axis max %v, want 60000 to show the limit above the data", got)
	}
	for _, id := range []string{chartRPS, chartCPU, chartStatus} {
		if l := lines(id); len(l) != 0 {
			t.Errorf("%s draws %v", id, l)
		}
	}
}

func TestDiffTable(t *testing.T) {
	a, b := 100.0, 150.0
	delta, pct := 50.0, 50.0
	sa, sb, sd := 0.1, 0.05, -0.05
	d := analyze.Diff{A: analyze.DiffSide{Label: "a.json"}, B: analyze.DiffSide{Label: "b.json", Service: evilImg}, Better: 1, Worse: 1,
		Changes: []analyze.Change{
			{Group: "latency", Metric: "GET " + evilScript + " p95_ms", A: &a, B: &b, Delta: &delta, DeltaPct: &pct, Verdict: "worse", Unit: "ms"},
			{Group: "errors", Metric: "error_rate", A: &sa, B: &sb, Delta: &sd, Verdict: "better", Unit: "share"},
			{Group: "cost", Metric: "cost_usd", B: &a, Verdict: "added", Unit: "usd"},
		}}
	var txt, md bytes.Buffer
	if err := DiffText(&txt, d, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := DiffMarkdown(&md, d, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"100 ms", "150 ms", "+50 ms (+50 %)", "−5.00 pt", "$100.00", "added", "1 better, 1 worse"} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, txt.String())
		}
	}
	if strings.Contains(md.String(), "<script") || strings.Contains(md.String(), "<img") ||
		!strings.Contains(md.String(), "**GET &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; p95_ms**") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/browser"
	"github.com/runlens/runlens/internal/fixturetest"
	"github.com/runlens/runlens/model"
	"github.com/runlens/runlens/render"
)

// hostileLog is a log name a service's code chose.
const hostileLog = `</script><img src=x onerror=alert(1)>`

const mib = 1 << 20

// addSeries writes a ListTimeSeries response of a DELTA INT64 metric into a
// snapshot's metrics/: one series per label set, with value bytes in each
// of the first ten minutes of night, on the resource of the snapshot's
// request_count series.
func addSeries(t *testing.T, dir, metric string, series []map[string]string, perMinute []int64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, model.MetricFile(model.MetricRequestCount)))
	fixturetest.Must(t, err)
	var rc collect.ListTimeSeriesResponse
	fixturetest.Must(t, json.Unmarshal(b, &rc))
	resp := collect.ListTimeSeriesResponse{Unit: "By"}
	for i, labels := range series {
		ts := collect.TimeSeries{Metric: collect.Metric{Type: metric, Labels: labels}, Resource: rc.TimeSeries[0].Resource,
			MetricKind: "DELTA", ValueType: "INT64", Unit: "By"}
		for m := range 10 {
			v := collect.Int64(perMinute[i])
			start := night.Add(time.Duration(9-m) * time.Minute) // newest first, as Monitoring answers
			ts.Points = append(ts.Points, collect.WirePoint{Interval: collect.TimeInterval{StartTime: start.Format(time.RFC3339),
				EndTime: start.Add(time.Minute).Format(time.RFC3339)}, Value: collect.TypedValue{Int64Value: &v}})
		}
		resp.TimeSeries = append(resp.TimeSeries, ts)
	}
	fixturetest.Must(t, snapshot.WriteJSON(filepath.Join(dir, model.MetricFile(metric)), resp))
}

// The audit reads the bytes of a service's logs and its egress from
// Monitoring through fake-gcp, prices the logging beyond the project's free
// allotment prorated to the window and the internet egress, lists the
// chattiest logs (a hostile name escaped), finds both costs over a quarter
// of the service's own, and counts the calls.
func TestAuditAroundTheService(t *testing.T) {
	dirs := threeServices(t)
	rec := dirs[2] // recommender
	addSeries(t, rec, model.MetricLogBytes, []map[string]string{
		{"log": "run.googleapis.com/stdout", "severity": "DEBUG"},
		{"log": "run.googleapis.com/requests", "severity": "INFO"},
		{"log": hostileLog, "severity": "INFO"},
	}, []int64{300 * mib, 1 * mib, mib / 2})
	addSeries(t, rec, model.MetricSentBytes, []map[string]string{{"kind": "internet"}, {"kind": "google"}}, []int64{1 << 30, 100 * mib})
	srv := fixturetest.Serve(t, dirs...)
	cfg := config(srv.Addr())
	cfg.Services = []string{"recommender"} // the project's logging bytes are its own
	a, err := Audit(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Every service's two metrics are two more descriptor reads and two
	// more ListTimeSeries queries, all counted.
	if got, want := a.APICalls["ListTimeSeries"], srv.Calls()["ListTimeSeries"]; got != want {
		t.Errorf("ListTimeSeries: the audit counted %d, fake-gcp saw %d", got, want)
	}
	s := &a.Services[0]
	if len(a.Services) != 1 || s.Around == nil || s.Around.Logging == nil || s.Around.Egress == nil {
		t.Fatalf("recommender: around %+v, want logging and egress", s)
	}
	const gib = 1 << 30
	logBytes := int64(10 * (300*mib + mib + mib/2))
	free := 50.0 * gib * (20.0 / 60) / 730 // 50 GiB a month, prorated to 20 minutes of a 730-hour month
	wantLogUSD := (float64(logBytes) - free) / gib * 0.50
	wantEgressUSD := 10.0 * 0.12
	l, e := s.Around.Logging, s.Around.Egress
	if l.Bytes != logBytes || l.Source != audit.SourceLogBytesMetric || math.Abs(l.CostUSD-wantLogUSD) > 1e-9 {
		t.Errorf("logging %d bytes from %q, $%v; want %d bytes from the metric, $%v", l.Bytes, l.Source, l.CostUSD, logBytes, wantLogUSD)
	}
	if e.InternetBytes != 10*gib || e.Bytes != 10*gib+1000*mib || math.Abs(e.CostUSD-wantEgressUSD) > 1e-9 {
		t.Errorf("egress %d bytes (%d to the internet), $%v; want 10 GiB to the internet at $0.12, $%v", e.Bytes, e.InternetBytes, e.CostUSD, wantEgressUSD)
	}
	wantLogs := []string{"run.googleapis.com/stdout", "run.googleapis.com/requests", hostileLog}
	var gotLogs []string
	for _, lb := range l.Logs {
		gotLogs = append(gotLogs, lb.Log)
	}
	if d := cmp.Diff(wantLogs, gotLogs); d != "" {
		t.Errorf("logs, largest first (-want +got):\n%s", d)
	}
	ids := map[string]bool{}
	for _, f := range s.Findings {
		ids[f.ID] = true
	}
	if !ids["logging_ingestion_cost"] || !ids["egress_cost"] || s.CostUSD*audit.AroundShare > wantEgressUSD {
		t.Errorf("findings %v of a service costing $%v: want logging and egress over %v of it", ids, s.CostUSD, audit.AroundShare)
	}
	if a.Around == nil || a.Around.LoggingBytes != logBytes || math.Abs(a.Around.LoggingCostUSD-wantLogUSD) > 1e-9 || len(a.Around.Logs) != 3 ||
		a.Around.Logs[0].Log != "recommender: run.googleapis.com/stdout" {
		t.Errorf("project totals %+v", a.Around)
	}

	// The page draws the chattiest logs from the JSON's numbers, the
	// hostile name as text.
	page := filepath.Join(t.TempDir(), "audit.html")
	fixturetest.Must(t, WriteAudit(nil, a, Outputs{HTML: page}))
	res := browser.Open(t, page)
	browser.AssertQuietAndDrawn(t, res, []string{"chart_audit_cost", "chart_audit_trend", "chart_audit_logs"})
	for _, want := range []string{"Around the services: Cloud Logging and egress", "Chattiest logs", "recommender: " + hostileLog} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	b, err := os.ReadFile(page)
	fixturetest.Must(t, err)
	if strings.Contains(string(b), "<img src=x") {
		t.Error("the hostile log name reached the page unescaped")
	}
	var md bytes.Buffer
	fixturetest.Must(t, render.AuditMarkdown(&md, a, render.Options{}))
	if !strings.Contains(md.String(), "Chattiest logs") || strings.Contains(md.String(), "<img src=x") {
		t.Errorf("the Markdown lacks the chattiest logs or holds the hostile name unescaped:\n%s", md.String())
	}
}

// readmeTruth reads the ground-truth table of the audit project's README:
// "| key | value |" rows below "## Around the services".
func readmeTruth(t *testing.T) map[string]float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixture("audit-project"), "README.md"))
	fixturetest.Must(t, err)
	_, section, ok := strings.Cut(string(b), "## Around the services")
	if !ok {
		t.Fatal("the audit project's README has no section on the costs around the services")
	}
	out := map[string]float64{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) == 5 { // | service | requests | instance starts | log bytes | internet egress bytes |
			name := strings.TrimSpace(cells[0])
			for i, k := range map[int]string{3: " log bytes", 4: " internet egress bytes"} {
				if v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(cells[i]), ",", ""), 64); err == nil {
					out[name+k] = v
				}
			}
			continue
		}
		if len(cells) != 2 {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(cells[1]), 64); err == nil {
			out[strings.TrimSpace(cells[0])] = v
		}
	}
	return out
}

// On the audit project, ingest's logging bytes and cost and its egress, as
// the audit reads them through fake-gcp, are those its README states, and
// only ingest has the findings.
func TestAuditProjectAroundIngest(t *testing.T) {
	want := readmeTruth(t)
	for _, k := range []string{"project_logging_bytes", "project_logging_cost_usd", "logging_bytes", "stdout_bytes", "free_logging_bytes", "billable_logging_bytes", "logging_cost_usd",
		"logging_monthly_cost_usd", "internet_egress_bytes", "egress_bytes", "egress_cost_usd"} {
		if _, ok := want[k]; !ok {
			t.Fatalf("the README states no %s", k)
		}
	}
	a, _ := auditFixtureProject(t)
	var ingest *audit.Service
	for i := range a.Services {
		s := &a.Services[i]
		if s.Name == "ingest" {
			ingest = s
			continue
		}
		for _, f := range s.Findings {
			if f.ID == "logging_ingestion_cost" || f.ID == "egress_cost" {
				t.Errorf("%s: finding %s, want none: only ingest has the metrics", s.Name, f.ID)
			}
		}
	}
	if ingest == nil || ingest.Around == nil || ingest.Around.Logging == nil || ingest.Around.Egress == nil {
		t.Fatalf("ingest: %+v, want its logging and egress", ingest)
	}
	l, e := ingest.Around.Logging, ingest.Around.Egress
	near := func(what string, got, want, tol float64) {
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %v, the README says %v", what, got, want)
		}
	}
	near("project logging bytes", float64(a.Around.LoggingBytes), want["project_logging_bytes"], 0)
	near("project logging cost", a.Around.LoggingCostUSD, want["project_logging_cost_usd"], 5e-7)
	near("logging bytes", float64(l.Bytes), want["logging_bytes"], 0)
	near("stdout bytes", float64(l.Logs[0].Bytes), want["stdout_bytes"], 0)
	near("free logging bytes", a.Around.FreeLoggingBytes, want["free_logging_bytes"], 1e-3)
	near("billable logging bytes", l.BillableBytes, want["billable_logging_bytes"], 1e-3)
	near("logging cost", l.CostUSD, want["logging_cost_usd"], 5e-7)
	near("monthly logging cost", l.MonthlyCostUSD, want["logging_monthly_cost_usd"], 5e-7)
	near("internet egress bytes", float64(e.InternetBytes), want["internet_egress_bytes"], 0)
	near("egress bytes", float64(e.Bytes), want["egress_bytes"], 0)
	near("egress cost", e.CostUSD, want["egress_cost_usd"], 5e-7)
	if l.Logs[0].Log != "run.googleapis.com/stdout" || l.Source != audit.SourceLogBytesMetric || e.Source != audit.SourceSentBytesMetric {
		t.Errorf("chattiest log %q, sources %q and %q", l.Logs[0].Log, l.Source, e.Source)
	}
	// Each figure carries the calls that read it: a descriptor and a page
	// of series per metric.
	for what, calls := range map[string]map[string]int{"logging": l.APICalls, "egress": e.APICalls} {
		if calls["GetMetricDescriptor"] != 1 || calls["ListTimeSeries"] != 1 || len(calls) != 2 {
			t.Errorf("%s api_calls %v; want one GetMetricDescriptor and one ListTimeSeries", what, calls)
		}
	}
	ids := map[string]bool{}
	for _, f := range ingest.Findings {
		ids[f.ID] = true
	}
	if !ids["logging_ingestion_cost"] || !ids["egress_cost"] {
		t.Errorf("ingest's findings %v (cost $%v): want logging_ingestion_cost and egress_cost", ids, ingest.CostUSD)
	}
	for _, s := range a.Services {
		if s.Around == nil || s.Around.Logging == nil || s.Around.Egress == nil {
			t.Errorf("%s: around %+v, want its logging and egress", s.Name, s.Around)
			continue
		}
		near(s.Name+" log bytes", float64(s.Around.Logging.Bytes), want["`"+s.Name+"` log bytes"], 0)
		near(s.Name+" internet egress bytes", float64(s.Around.Egress.InternetBytes), want["`"+s.Name+"` internet egress bytes"], 0)
	}
	t.Logf("ingest: own cost $%.4f, logging $%.4f, egress $%.4f; ListTimeSeries calls %d", ingest.CostUSD, l.CostUSD, e.CostUSD, a.APICalls["ListTimeSeries"])
}

// Where byte_count returns nothing, the logging bytes are those of the
// request and system entries read, and the audit says so; egress without
// its metric is not guessed.
func TestAuditAroundFromEntries(t *testing.T) {
	dirs := threeServices(t)
	srv := fixturetest.Serve(t, dirs...)
	cfg := config(srv.Addr())
	cfg.Services = []string{"mobilenet"}
	a, err := Audit(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := a.Services[0]
	if s.Around == nil || s.Around.Logging == nil || s.Around.Egress != nil {
		t.Fatalf("around %+v: want logging from the entries read, no egress", s.Around)
	}
	l := s.Around.Logging
	var logs []string
	for _, lb := range l.Logs {
		logs = append(logs, lb.Log)
	}
	if l.Source != audit.SourceEntriesRead || !strings.Contains(l.Note, "byte_count returned nothing") ||
		!cmp.Equal(logs, []string{"run.googleapis.com/requests", "run.googleapis.com/varlog/system"}) {
		t.Errorf("logging from %q, logs %q, note %q", l.Source, logs, l.Note)
	}
	// The collector writes the entries as the API returned them: near the
	// size of the fixture's own export of them.
	var fixtureBytes int64
	for _, f := range []string{snapshot.RequestsFile, snapshot.SystemFile} {
		n, err := lineBytes(filepath.Join(dirs[0], f))
		fixturetest.Must(t, err)
		fixtureBytes += n
	}
	if r := float64(l.Bytes) / float64(fixtureBytes); r < 0.5 || r > 2 {
		t.Errorf("%d bytes read against the fixture's %d", l.Bytes, fixtureBytes)
	}
	if a.Around == nil || a.Around.LoggingBytes != l.Bytes || l.CostUSD != 0 {
		t.Errorf("project %+v, cost $%v: a few MiB in 20 minutes stay within the free allotment", a.Around, l.CostUSD)
	}
}

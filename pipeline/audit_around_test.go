package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
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
	b, err := os.ReadFile(filepath.Join(dir, snapshot.MetricFile(model.MetricRequestCount)))
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
	fixturetest.Must(t, snapshot.WriteJSON(filepath.Join(dir, snapshot.MetricFile(metric)), resp))
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
	a, err := Audit(context.Background(), config(srv.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	// Every service's two metrics are two more descriptor reads and two
	// more ListTimeSeries queries, all counted.
	if got, want := a.APICalls["ListTimeSeries"], srv.Calls()["ListTimeSeries"]; got != want {
		t.Errorf("ListTimeSeries: the audit counted %d, fake-gcp saw %d", got, want)
	}
	var s *audit.Service
	for i := range a.Services {
		if a.Services[i].Name == "recommender" {
			s = &a.Services[i]
		} else if a.Services[i].Around != nil {
			t.Errorf("%s has no around metric, yet around %+v", a.Services[i].Name, a.Services[i].Around)
		}
	}
	if s == nil || s.Around == nil || s.Around.Logging == nil || s.Around.Egress == nil {
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

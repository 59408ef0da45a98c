package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/internal/browser"
	"github.com/runlens/runlens/internal/fixturetest"
)

// night is the night the audits here read: the fixtures are moved there.
var night = time.Date(2024, 6, 10, 2, 0, 0, 0, time.UTC)

// fixture is a bundled fixture's directory.
func fixture(name string) string { return filepath.Join("..", "fixtures", name) }

// config is an audit of runlens-demo on night, through fake-gcp at addr,
// with no limit to the rate of log calls.
func config(addr string) *AuditConfig {
	return &AuditConfig{Project: "runlens-demo", Region: "-", Start: night, End: night.Add(20 * time.Minute),
		Endpoint: addr, MaxCalls: -1, PerMinute: 60000, Workers: 4, Generated: time.Unix(1700000000, 0).UTC()}
}

// threeServices are three fixtures as the services of one project on
// night: mobilenet and recommender in europe-west1, distilbert-qa in
// us-central1.
func threeServices(t *testing.T) []string {
	t.Helper()
	base := t.TempDir()
	var dirs []string
	for _, fx := range []string{"paper-mobilenet", "continuous-coldstarts", "orchestrator-waiting"} {
		dir := filepath.Join(base, fx)
		fixturetest.Rewrite(t, fixture(fx), dir, "", night)
		dirs = append(dirs, dir)
	}
	return dirs
}

// Fifty services against fake-gcp stay within the run's budget of Cloud
// Logging calls, counted in the audit: the smallest needs are read whole,
// the rest skipped, and every service still has its requests and cost from
// the metrics.
func TestAuditFiftyServicesWithinQuota(t *testing.T) {
	base := t.TempDir()
	var dirs []string
	for i := range 50 {
		dir := filepath.Join(base, fmt.Sprintf("svc-%02d", i))
		fixturetest.Rewrite(t, fixture("paper-mobilenet"), dir, fmt.Sprintf("svc-%02d", i), night)
		dirs = append(dirs, dir)
	}
	srv := fixturetest.Serve(t, dirs...)
	const budget = 40
	cfg := config(srv.Addr())
	cfg.MaxCalls = budget
	var progress bytes.Buffer
	cfg.Progress = &progress
	a, err := Audit(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()["ListLogEntries"]
	if calls > budget || a.APICalls["ListLogEntries"] != calls || a.LogBudget.Used != calls {
		t.Errorf("ListLogEntries: fake-gcp saw %d, the audit counted %d (used %d); budget %d", calls, a.APICalls["ListLogEntries"], a.LogBudget.Used, budget)
	}
	// Each service's 425 requests take one page, and its system log one
	// call: 20 services read whole use the 40 calls, 30 are skipped.
	status := map[string]int{}
	for _, s := range a.Services {
		status[s.Logs.Status]++
		if s.Requests != 425 || s.CostUSD <= 0 {
			t.Errorf("%s: %d requests, $%v; the metrics give every service its requests and cost", s.Name, s.Requests, s.CostUSD)
		}
		if s.Logs.Status == audit.LogsSkipped && (s.IdleShare != nil || s.P95MS == nil || *s.P95MS <= 0) {
			t.Errorf("%s skipped: idle share %v (want none), p95 %v (want the metric's)", s.Name, s.IdleShare, s.P95MS)
		}
	}
	if d := cmp.Diff(map[string]int{"full": 20, "skipped": 30}, status); d != "" {
		t.Errorf("log statuses (-want +got):\n%s", d)
	}
	if a.LogBudget.Needed != 100 || a.LogBudget.Planned != 40 || len(a.Services) != 50 {
		t.Errorf("budget %+v over %d services: want 100 needed, 40 planned", a.LogBudget, len(a.Services))
	}
	if n := strings.Count(progress.String(), "audit: svc-"); n != 50 {
		t.Errorf("%d progress lines, want one per service:\n%s", n, progress.String())
	}
	if a.APICalls["ListServices"] != 1 || a.APICalls["GetService"] != 50 {
		t.Errorf("api calls %v: want one ListServices and a GetService per service", a.APICalls)
	}
	page := filepath.Join(t.TempDir(), "audit.html")
	if err := WriteAudit(nil, a, Outputs{HTML: page}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(page); err != nil || st.Size() > 2<<20 {
		t.Errorf("the page of 50 services: %v, want under 2 MiB", err)
	} else {
		t.Logf("the page of 50 services: %d bytes", st.Size())
	}
}

// A service whose request log needs more calls than granted is sampled:
// the first pages of its window, and the page says so.
func TestAuditSampledLogs(t *testing.T) {
	srv := fixturetest.Serve(t, threeServices(t)...)
	cfg := config(srv.Addr())
	cfg.Services, cfg.MaxCalls = []string{"distilbert-qa"}, 2
	a, err := Audit(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Services) != 1 {
		t.Fatalf("%d services, want distilbert-qa alone", len(a.Services))
	}
	s := a.Services[0]
	// 2,792 requests need 3 pages and a system call; 2 calls read the
	// first 2,000 entries.
	l := s.Logs
	if l.Status != audit.LogsSampled || l.EntriesRead != 2000 || l.CallsNeeded != 4 || l.CallsAllowed != 2 || l.CallsMade != 2 || l.ReadUntil == nil {
		t.Errorf("logs %+v: want 2,000 entries sampled with 2 of 4 calls", l)
	}
	if s.Requests != 2792 || s.IdleShare != nil || s.P95Source != audit.SourceMetric || s.ErrorRateSource != audit.SourceMetric {
		t.Errorf("requests %d, idle %v, p95 from %q, errors from %q: want the metric's 2,792, no idle share, both from the metric",
			s.Requests, s.IdleShare, s.P95Source, s.ErrorRateSource)
	}
	page := filepath.Join(t.TempDir(), "audit.html")
	if err := WriteAudit(nil, a, Outputs{HTML: page}); err != nil {
		t.Fatal(err)
	}
	res := browser.Open(t, page)
	browser.AssertQuietAndDrawn(t, res, []string{"chart_audit_cost", "chart_audit_trend", "chart_audit_logs"})
	for _, want := range []string{"request log sampled: the first 2000 entries of about 2792 (2 of 4 calls granted)", "sampled (2 of 4 calls)"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
}

// A -service that the project does not have is an error naming the
// regions looked in.
func TestAuditUnknownService(t *testing.T) {
	srv := fixturetest.Serve(t, threeServices(t)...)
	cfg := config(srv.Addr())
	cfg.Services = []string{"nope"}
	_, err := Audit(context.Background(), cfg)
	want := "-service nope: no such Cloud Run service in projects/runlens-demo, regions europe-west1, us-central1"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

// audit -whatif gives each service read whole its cheapest setting within
// today's p95: request-based billing for recommender (orchestrator-waiting),
// which instance-based billing wastes on idle min instances.
func TestAuditWhatIf(t *testing.T) {
	srv := fixturetest.Serve(t, threeServices(t)...)
	cfg := config(srv.Addr())
	cfg.Services, cfg.WhatIf = []string{"recommender"}, true
	a, err := Audit(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := a.Services[0]
	c := s.Cheapest
	if c == nil || !c.Saves || c.Setting.Billing != "request" || c.Change > -0.5 || c.P95MS > *s.P95MS*1.1 ||
		!strings.Contains(c.Text, "request-based billing") {
		t.Fatalf("cheapest %+v: want request-based billing, at under half the cost, within today's p95 %.0f ms", c, *s.P95MS)
	}
	page := filepath.Join(t.TempDir(), "audit.html")
	if err := WriteAudit(nil, a, Outputs{HTML: page}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), "Cheapest within today&#39;s p95, replayed: min-instances") {
		t.Errorf("the audit page does not give the cheapest setting (%v)", err)
	}
	cfg.WhatIf = false
	if a, err := Audit(context.Background(), cfg); err != nil || a.Services[0].Cheapest != nil {
		t.Errorf("without -whatif: err %v, cheapest %+v; want none", err, a.Services[0].Cheapest)
	}
}

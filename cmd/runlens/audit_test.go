package main

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/internal/browser"
	"github.com/runlens/runlens/internal/fixturetest"
)

// auditNight is the night the audit tests read: the fixtures are moved
// there, and testdata/audit/history holds the seven nights before it.
var auditNight = time.Date(2024, 6, 10, 2, 0, 0, 0, time.UTC)

const (
	auditStart = "2024-06-10T02:00:00Z"
	auditEnd   = "2024-06-10T02:20:00Z"
)

// must fails the test on an error.
var must = fixturetest.Must

// threeServices are three fixtures as the services of one project on
// auditNight: mobilenet and recommender in europe-west1, distilbert-qa in
// us-central1.
func threeServices(t *testing.T) []string {
	t.Helper()
	base := t.TempDir()
	var dirs []string
	for _, fx := range []string{"paper-mobilenet", "continuous-coldstarts", "orchestrator-waiting"} {
		dir := filepath.Join(base, fx)
		fixturetest.Rewrite(t, filepath.Join("..", "..", "fixtures", fx), dir, "", auditNight)
		dirs = append(dirs, dir)
	}
	return dirs
}

// readAuditJSON reads an audit the command wrote.
func readAuditJSON(t *testing.T, path string) *audit.Audit {
	t.Helper()
	var a audit.Audit
	readJSON(t, path, &a)
	return &a
}

// copyDir copies the files of a directory (not its subdirectories).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	must(t, os.MkdirAll(to, 0o755))
	ents, err := os.ReadDir(from)
	must(t, err)
	for _, e := range ents {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(from, e.Name()))
			must(t, err)
			must(t, os.WriteFile(filepath.Join(to, e.Name()), b, 0o644))
		}
	}
}

// serviceRow finds a service's row.
func serviceRow(t *testing.T, a *audit.Audit, name string) audit.Service {
	t.Helper()
	for _, s := range a.Services {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no service %s in the audit", name)
	return audit.Service{}
}

// pageServices are the service names of the page's table, in row order.
var pageServiceRow = regexp.MustCompile(`<tr( class="flagged")?><td class="num">\d+</td><td><a href="#svc-\d+">([^<]*)</a>`)

// Three services, seven earlier nights, the
// service whose cost doubled flagged, and exit status 3 with -fail-on warn.
func TestAuditThreeServicesAgainstHistory(t *testing.T) {
	srv := fixturetest.Serve(t, threeServices(t)...)
	dir := t.TempDir()
	hist := filepath.Join(dir, "history")
	copyDir(t, filepath.Join("testdata", "audit", "history"), hist)
	page, js := filepath.Join(dir, "audit.html"), filepath.Join(dir, "audit.json")
	args := []string{"audit", "-endpoint", srv.Addr(), "-project", "runlens-demo", "-start", auditStart, "-end", auditEnd,
		"-history", hist, "-config", filepath.Join("testdata", "audit", "thresholds.conf"), "-log-budget", "60000",
		"-o", page, "-json", js, "-format", "markdown", "-q"}
	stdout, stderr, err := liveCLI(t, append(args, "-fail-on", "warn")...)
	if code := exitCode(err); code != exitThreshold {
		t.Fatalf("exit status %d (%v), want %d\n%s", code, err, exitThreshold, stderr)
	}
	if !strings.Contains(err.Error(), "1 threshold crossed: [warn] recommender: cost $0.0399 is +99.5 % against $0.02, the median of 7 earlier runs") {
		t.Errorf("error %q does not say which threshold was crossed", err)
	}

	a := readAuditJSON(t, js)
	var names []string
	for i, s := range a.Services {
		names = append(names, s.Name)
		if i > 0 && s.CostUSD > a.Services[i-1].CostUSD {
			t.Errorf("%s ($%v) comes after the cheaper %s", s.Name, s.CostUSD, a.Services[i-1].Name)
		}
	}
	if d := cmp.Diff([]string{"distilbert-qa", "recommender", "mobilenet"}, names); d != "" {
		t.Errorf("services by cost (-want +got):\n%s", d)
	}
	rec := serviceRow(t, a, "recommender")
	if rec.Trend == nil || rec.Trend.Runs != 7 || rec.Trend.BaselineCostUSD != 0.0200 {
		t.Fatalf("recommender trend %+v: want the median 0.0200 of 7 nights", rec.Trend)
	}
	wantPct := (rec.CostUSD - 0.0200) / 0.0200 * 100
	if got := *rec.Trend.CostChangePct; math.Abs(got-wantPct) > 1e-9 || got < 90 {
		t.Errorf("recommender cost change %v %%, want %v (doubled)", got, wantPct)
	}
	if a.Crossed != 1 || len(a.CrossedAt("warn")) != 1 || a.CrossedAt("warn")[0].Service != "recommender" {
		t.Errorf("crossed %d: %+v; want recommender's cost alone", a.Crossed, a.CrossedAt("warn"))
	}
	if rec.Findings[0].ID != "threshold_cost_increase_pct" || rec.Findings[0].Severity != "warn" {
		t.Errorf("recommender's first finding %+v, want the cost threshold", rec.Findings[0])
	}
	for _, name := range []string{"distilbert-qa", "mobilenet"} {
		r := serviceRow(t, a, name)
		if pct := *r.Trend.CostChangePct; math.Abs(pct) > 5 {
			t.Errorf("%s cost changed %v %% against history that matches it", name, pct)
		}
	}
	// Every service has four threshold results, those of the file: -fail-on
	// warn is a level, not a threshold.
	if len(a.Thresholds) != 12 {
		t.Errorf("%d threshold results, want 3 services x 4", len(a.Thresholds))
	}
	if calls := srv.Calls()["ListLogEntries"]; a.APICalls["ListLogEntries"] != calls || a.LogBudget.Used != calls || calls == 0 {
		t.Errorf("ListLogEntries: audit counted %d (used %d), fake-gcp saw %d", a.APICalls["ListLogEntries"], a.LogBudget.Used, calls)
	}
	if len(a.History) != 7 || a.History[0].Date != "2024-06-03" || a.History[6].Date != "2024-06-09" {
		t.Errorf("history compared with: %+v", a.History)
	}
	if _, err := os.Stat(filepath.Join(hist, "runlens-demo-2024-06-10.json")); err != nil {
		t.Errorf("tonight's audit was not kept in the history: %v", err)
	}

	raw, err := os.ReadFile(page)
	must(t, err)
	var rows []string
	for _, m := range pageServiceRow.FindAllStringSubmatch(string(raw), -1) {
		rows = append(rows, m[2]+map[bool]string{true: " (flagged)"}[m[1] != ""])
	}
	if d := cmp.Diff([]string{"distilbert-qa", "recommender (flagged)", "mobilenet"}, rows); d != "" {
		t.Errorf("page rows (-want +got):\n%s", d)
	}
	res := browser.Open(t, page)
	browser.AssertQuietAndDrawn(t, res, []string{"chart_audit_cost", "chart_audit_trend", "chart_audit_logs"})
	for _, want := range []string{"recommender: cost $0.0399 is +99.5 % against $0.02", "Compared with 7 earlier runs, 2024-06-03 to 2024-06-09", "+99 %"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	if !strings.Contains(stdout, "| 2 | recommender   | europe-west1 |") || !strings.Contains(stdout, "### Thresholds crossed") {
		t.Errorf("markdown summary:\n%s", stdout)
	}

	// The same night with -fail-on crit: the cost threshold is a warning,
	// so the job passes, and the history is not doubled.
	copyDir(t, filepath.Join("testdata", "audit", "history"), hist)
	if _, _, err := liveCLI(t, append(args, "-fail-on", "crit")...); err != nil {
		t.Errorf("with -fail-on crit: %v, want success", err)
	}
	if again := readAuditJSON(t, js); len(again.History) != 7 {
		t.Errorf("a second run of the same night compared with %d runs, want 7", len(again.History))
	}
}

// Service names and request paths are attacker-controlled: they show as
// text on the page and run nothing.
func TestAuditHostileStrings(t *testing.T) {
	const name = `<img src=x onerror=alert(1)>`
	const path = `<script>alert(2)</script>`
	dir := filepath.Join(t.TempDir(), "hostile")
	fixturetest.Rewrite(t, paper, dir, name, auditNight)
	hostile := filepath.Join(t.TempDir(), "hostile2")
	fixturetest.Rewriter{Old: "/predict", New: "/" + path}.Tree(t, dir, hostile)
	srv := fixturetest.Serve(t, hostile)
	page := filepath.Join(t.TempDir(), "audit.html")
	stdout, stderr, err := liveCLI(t, "audit", "-endpoint", srv.Addr(), "-project", "runlens-demo", "-start", auditStart, "-end", auditEnd,
		"-log-budget", "60000", "-o", page, "-format", "markdown", "-q")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if strings.Contains(stdout, "<img") || strings.Contains(stdout, "<script") {
		t.Errorf("markdown holds raw markup:\n%s", stdout)
	}
	raw, err := os.ReadFile(page)
	must(t, err)
	for _, bad := range []string{"<img src=x", "<script>alert"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("the page holds %q unescaped", bad)
		}
	}
	res := browser.Open(t, page)
	browser.AssertQuietAndDrawn(t, res, []string{"chart_audit_cost", "chart_audit_trend", "chart_audit_logs"})
	for _, want := range []string{name, "/" + path} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("the page does not show %q as text", want)
		}
	}
}

// A history that cannot be written (here tonight's file name is taken by a
// directory, as a read-only or full disk would refuse it) costs the night
// nothing: the page, the JSON and the Markdown are written, a warning says
// what was not kept, and the exit status is not 0.
func TestAuditHistoryUnwritable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mobilenet")
	fixturetest.Rewrite(t, paper, dir, "", auditNight)
	srv := fixturetest.Serve(t, dir)
	out := t.TempDir()
	hist := filepath.Join(out, "history")
	must(t, os.MkdirAll(filepath.Join(hist, "runlens-demo-2024-06-10.json"), 0o755))
	page, js := filepath.Join(out, "audit.html"), filepath.Join(out, "audit.json")
	stdout, stderr, err := liveCLI(t, "audit", "-endpoint", srv.Addr(), "-project", "runlens-demo", "-start", auditStart, "-end", auditEnd,
		"-log-budget", "60000", "-history", hist, "-o", page, "-json", js, "-format", "markdown", "-q")
	if err == nil || exitCode(err) != exitError || !strings.Contains(err.Error(), "not kept in the history") {
		t.Errorf("err = %v (exit %d), want exit %d saying the audit was not kept", err, exitCode(err), exitError)
	}
	if !strings.Contains(stderr, "warning: -history: writing "+filepath.Join(hist, "runlens-demo-2024-06-10.json")+": is a directory") {
		t.Errorf("stderr does not warn about the history:\n%s", stderr)
	}
	if a := readAuditJSON(t, js); len(a.Services) != 1 {
		t.Errorf("the JSON holds %d services, want 1", len(a.Services))
	}
	if raw, err := os.ReadFile(page); err != nil || !strings.Contains(string(raw), "mobilenet") {
		t.Errorf("the page was not written: %v", err)
	}
	if !strings.Contains(stdout, "| mobilenet ") {
		t.Errorf("the Markdown was not printed:\n%s", stdout)
	}
}

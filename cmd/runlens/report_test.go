package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/runlens/runlens/internal/browser"
	"github.com/runlens/runlens/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const paper = "../../fixtures/paper-mobilenet"

// TestMain fixes the reports' timestamp (SOURCE_DATE_EPOCH) for every
// test, so that goldens hold and tests may run in parallel.
func TestMain(m *testing.M) {
	os.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	os.Exit(m.Run())
}

// runCLI runs the command line and returns stdout and stderr.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(&stdout, &stderr, args)
	return stdout.String(), stderr.String(), err
}

// readJSON decodes the JSON file at path into v.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	must(t, json.Unmarshal(b, v))
}

// editJSON decodes the JSON object in from, edits it, and writes it to to.
func editJSON(t *testing.T, from, to string, edit func(map[string]any)) {
	t.Helper()
	var m map[string]any
	readJSON(t, from, &m)
	edit(m)
	b, err := json.Marshal(m)
	must(t, err)
	must(t, os.WriteFile(to, b, 0o644))
}

// contractKeys are the keys the JSON contract (runlens.report/v1, README
// "Outputs") requires, as paths.
var contractKeys = []string{
	"schema", "window.start", "window.end",
	"service.project", "service.region", "service.name", "service.cpu", "service.memory_mib", "service.concurrency",
	"service.min_instances", "service.max_instances", "service.billing",
	"client.tool", "client.endpoints", "client.total",
	"server.endpoints", "server.total",
	"alignment.clock_offset_ms", "alignment.method", "alignment.client_start", "alignment.client_end",
	"reconciliation",
	"cold_starts.count", "cold_starts.share_of_requests", "cold_starts.penalty_p50_ms", "cold_starts.penalty_p95_ms", "cold_starts.instances",
	"instances.distinct", "instances.max_active", "instances.requests_per_instance_p50",
	"cost.billable_instance_seconds", "cost.vcpu_seconds", "cost.memory_gib_seconds", "cost.requests", "cost.cpu_usd",
	"cost.memory_usd", "cost.requests_usd", "cost.total_usd", "cost.idle_share", "cost.usd_per_1k_requests", "cost.price_table",
	"resources.cpu_p50", "resources.cpu_p95", "resources.cpu_p99", "resources.memory_p50", "resources.memory_p95",
	"resources.memory_p99", "resources.memory_limit_exceeded_events",
	"findings", "warnings",
}

// Row keys of the contract's lists.
var rowKeys = map[string][]string{
	"client.endpoints":      {"method", "name", "requests", "failures", "avg_ms", "min_ms", "max_ms", "p50_ms", "p95_ms", "p99_ms"},
	"server.endpoints":      {"method", "path", "requests", "status_2xx", "status_4xx", "status_5xx", "p50_ms", "p95_ms", "p99_ms"},
	"reconciliation":        {"endpoint", "client_requests", "client_failures", "server_requests", "metric_requests", "difference", "explanations"},
	"cold_starts.instances": {"instance_id", "started_at", "reason", "startup_ms", "first_request_ms", "penalty_ms"},
	"findings":              {"id", "severity", "message", "value"},
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func TestReportPaperFixture(t *testing.T) {
	dir := t.TempDir()
	jsonPath, htmlPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	t.Setenv("COLUMNS", "100") // the golden's width, whatever the terminal's
	stdout, stderr, err := runCLI(t, "report", paper, "-json", jsonPath, "-o", htmlPath)
	if err != nil {
		t.Fatalf("report: %v\nstderr:\n%s", err, stderr)
	}
	var doc map[string]any
	readJSON(t, jsonPath, &doc)
	for _, k := range contractKeys {
		if _, ok := lookup(doc, k); !ok {
			t.Errorf("report.json lacks %s", k)
		}
	}
	for list, keys := range rowKeys {
		v, _ := lookup(doc, list)
		rows, _ := v.([]any)
		if len(rows) == 0 {
			t.Errorf("report.json %s is empty", list)
			continue
		}
		for _, k := range keys {
			if _, ok := rows[0].(map[string]any)[k]; !ok {
				t.Errorf("report.json %s[0] lacks %s", list, k)
			}
		}
	}
	for _, k := range []string{"client.total.requests", "client.total.failures", "cost.total_usd", "cold_starts.count"} {
		if v, ok := lookup(doc, k); ok {
			t.Logf("%s = %v", k, v)
		}
	}
	checkPaperFigures(t, doc)

	// The terminal shows the benchmark's two tables with server rows beside client rows.
	for _, want := range []string{"Request statistics", "Response time percentiles (ms)", "50%", "60%", "70%", "80%", "90%", "95%", "99%", "100%"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	for _, row := range []string{"/predict", "client", "server", "Aggregated"} {
		if !strings.Contains(stdout, row) {
			t.Errorf("stdout lacks %q", row)
		}
	}
	golden(t, "paper-report.txt", stdout)

	html, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(html, []byte(`src="http`)) {
		t.Error(`r.html has src="http`)
	}
	checkAllDrawn(t, htmlPath)
}

func checkPaperFigures(t *testing.T, doc map[string]any) {
	t.Helper()
	num := func(path string) float64 {
		v, ok := lookup(doc, path)
		if !ok {
			t.Errorf("missing %s", path)
			return -1
		}
		f, _ := v.(float64)
		return f
	}
	if got := num("client.total.requests"); got != 425 {
		t.Errorf("client total = %v, want 425", got)
	}
	if got := num("client.total.failures"); got != 0 {
		t.Errorf("client failures = %v, want 0", got)
	}
	eps, _ := lookup(doc, "client.endpoints")
	want := map[string][2]float64{"GET /": {90, 580}, "POST /predict": {335, 700}}
	for _, e := range eps.([]any) {
		m := e.(map[string]any)
		key := m["method"].(string) + " " + m["name"].(string)
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected client endpoint %q", key)
			continue
		}
		delete(want, key)
		if m["requests"].(float64) != w[0] || m["p50_ms"].(float64) != w[1] {
			t.Errorf("%s: requests %v p50 %v, want %v and %v", key, m["requests"], m["p50_ms"], w[0], w[1])
		}
	}
	if len(want) > 0 {
		t.Errorf("client endpoints missing: %v", want)
	}
	if got := num("server.total.requests"); got != 425 {
		t.Errorf("server total = %v, want 425", got)
	}
	if got := num("cold_starts.count"); got <= 0 {
		t.Errorf("cold_starts.count = %v, want > 0", got)
	}
	cs, _ := lookup(doc, "cold_starts.instances")
	for _, c := range cs.([]any) {
		if id, _ := c.(map[string]any)["instance_id"].(string); id == "" {
			t.Error("a cold start has no instance id")
		}
	}
	if got := num("cost.total_usd"); got <= 0 {
		t.Errorf("cost.total_usd = %v, want > 0", got)
	}
}

// chartIDs are the report page's charts for a service without GPUs, in
// order, and chartTitles their titles, which the page names a chart by
// when it has no data to draw.
var chartIDs, chartTitles = func() (ids []string, titles map[string]string) {
	titles = map[string]string{}
	for _, c := range render.Charts {
		if !c.GPU {
			ids = append(ids, c.ID)
			titles[c.ID] = c.Title
		}
	}
	return ids, titles
}()

// checkInBrowser opens a report page in headless Chromium and asserts that
// every chart with data drew, with no console error, no dialog and no
// network request, and that the page names each chart it left out for
// want of data instead of drawing an empty frame.
func checkInBrowser(t *testing.T, path string) *browser.Result {
	t.Helper()
	res := browser.Open(t, path)
	var drawn []string
	for _, id := range chartIDs {
		if slices.Contains(res.Charts, id) {
			drawn = append(drawn, id)
		} else if !strings.Contains(res.Text, chartTitles[id]+": ") {
			t.Errorf("%s: neither drawn nor named as not drawn", id)
		}
	}
	browser.AssertQuietAndDrawn(t, res, drawn)
	return res
}

// checkAllDrawn is checkInBrowser for a report with every source: every
// chart must draw.
func checkAllDrawn(t *testing.T, path string) *browser.Result {
	t.Helper()
	res := browser.Open(t, path)
	browser.AssertQuietAndDrawn(t, res, chartIDs)
	return res
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/runlens -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output (rerun with -update and review git diff):\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for i := 0; i < max(len(w), len(g)) && len(out) < 10; i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			out = append(out, "-"+a, "+"+b)
		}
	}
	return strings.Join(out, "\n")
}

func TestReportUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "no sources"},
		{[]string{"report", "a", "b"}, "one snapshot at a time"},
		{[]string{"report", "-format", "xml", paper}, "-format"},
		{[]string{"report", "-percentiles", "50,x", paper}, "-percentiles"},
		{[]string{"report", "-percentiles", "NaN", paper}, "-percentiles"},
		{[]string{"report", "-percentiles", "50,+Inf", paper}, "-percentiles"},
		{[]string{"nosuch"}, "unknown command"},
	} {
		_, _, err := runCLI(t, tc.args...)
		if err == nil || exitCode(err) != exitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v (exit %d), want a usage error mentioning %q", tc.args, err, exitCode(err), tc.want)
		}
	}
}

func TestReportOneSourceAlone(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		args    []string
		missing string
	}{
		{"client only", []string{"-locust", filepath.Join(paper, "client", "mobilenet")}, "request logs"},
		{"logs only", []string{"-logs", filepath.Join(paper, "requests.ndjson.gz"), "-logs", filepath.Join(paper, "system.ndjson.gz")}, "client"},
		{"metrics only", []string{"-metrics", filepath.Join(paper, "metrics", "request_count.json")}, "request logs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			js := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			html := strings.TrimSuffix(js, ".json") + ".html"
			args := append([]string{"report", "-json", js, "-o", html, "-format", "none"}, tc.args...)
			if _, stderr, err := runCLI(t, args...); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			var doc struct{ Missing []string }
			readJSON(t, js, &doc)
			if !slices.ContainsFunc(doc.Missing, func(s string) bool { return strings.HasPrefix(s, tc.missing) }) {
				t.Errorf("missing = %q, want an entry about %q", doc.Missing, tc.missing)
			}
			checkInBrowser(t, html)
		})
	}
}

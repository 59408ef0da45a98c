package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/browser"
)

// reportThresholds runs report on the paper fixture with the given extra
// flags and returns the report's threshold statuses, the error and the
// Markdown printed.
func reportThresholds(t *testing.T, dir string, extra ...string) (map[string]string, string, error) {
	t.Helper()
	js := filepath.Join(dir, "r.json")
	os.Remove(js)
	args := append([]string{"report", paper, "-json", js, "-o", filepath.Join(dir, "r.html"), "-format", "markdown"}, extra...)
	stdout, _, err := runCLI(t, args...)
	var rpt analyze.Report
	readJSON(t, js, &rpt)
	got := map[string]string{}
	for _, r := range rpt.Thresholds {
		got[r.String()] = r.Status
	}
	return got, stdout, err
}

// A CI benchmark's gates: inline thresholds on report, each listed with
// pass or fail, and exit status 3 when one is crossed.
func TestReportFailOn(t *testing.T) {
	dir := t.TempDir()
	// The paper run: server p95 1,309 ms, a few cold starts in 425 requests.
	got, stdout, err := reportThresholds(t, dir, "-fail-on", "p95_ms>1500", "-fail-on", "cold_start_share>0.05", "-fail-on", "unexplained_difference > 0")
	if err != nil {
		t.Fatalf("the paper run passes its gates, got %v", err)
	}
	want := map[string]string{"p95_ms > 1500 crit": "pass", "cold_start_share > 0.05 crit": "pass", "unexplained_difference > 0 crit": "pass"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("thresholds (-want +got):\n%s", d)
	}
	if !strings.Contains(stdout, "- [info] p95_ms is 1309: threshold p95_ms &gt; 1500 passed") {
		t.Errorf("the markdown findings do not list the passed threshold:\n%s", stdout)
	}

	got, stdout, err = reportThresholds(t, dir, "-fail-on", "p95_ms>1000", "-fail-on", "cold_start_share>0.05")
	if code := exitCode(err); code != exitThreshold {
		t.Fatalf("exit status %d (%v), want %d", code, err, exitThreshold)
	}
	if err.Error() != "1 threshold crossed: [crit] p95_ms is 1309, crossing the threshold p95_ms > 1000" {
		t.Errorf("error %q", err)
	}
	if got["p95_ms > 1000 crit"] != "fail" || !strings.Contains(stdout, "- [crit] p95_ms is 1309, crossing the threshold p95_ms &gt; 1000") {
		t.Errorf("statuses %v; markdown:\n%s", got, stdout)
	}
	page := filepath.Join(dir, "r.html")
	raw, err := os.ReadFile(page)
	must(t, err)
	if !strings.Contains(string(raw), `"name":"p95_ms \u003e 1000: fail"`) {
		t.Error("the latency percentile chart has no mark line for p95_ms > 1000")
	}
	res := browser.Open(t, page)
	browser.AssertQuietAndDrawn(t, res, chartIDs)
}

// A threshold file gives the findings; -fail-on LEVEL decides which fail.
func TestReportConfigAndLevel(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "gates.conf")
	// Memory stayed high for the whole life of each container.
	must(t, os.WriteFile(conf, []byte("memory_p99 > 0.5 warn\nerror_rate > 0.05 crit\ncost_increase_pct > 10\n"), 0o644))
	got, _, err := reportThresholds(t, dir, "-config", conf)
	if err != nil {
		t.Errorf("without -fail-on a crossing is a finding only, got %v", err)
	}
	want := map[string]string{"memory_p99 > 0.5 warn": "fail", "error_rate > 0.05 crit": "pass", "cost_increase_pct > 10 warn": "no_data"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("thresholds (-want +got):\n%s", d)
	}
	if _, _, err := reportThresholds(t, dir, "-config", conf, "-fail-on", "crit"); err != nil {
		t.Errorf("-fail-on crit with only a warning crossed: %v", err)
	}
	if _, _, err := reportThresholds(t, dir, "-config", conf, "-fail-on", "warn"); exitCode(err) != exitThreshold {
		t.Errorf("-fail-on warn with a warning crossed: %v, want exit status 3", err)
	}
}

func TestThresholdFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-fail-on", "p95>1500"}, exitUsage, `-fail-on: want warn, crit or a threshold: threshold "p95>1500": unknown key "p95"`},
		{[]string{"-fail-on", "fatal"}, exitUsage, `-fail-on: want warn, crit or a threshold`},
		{[]string{"-config", "testdata/no-such.conf"}, exitError, "-config: open testdata/no-such.conf"},
		{[]string{"-config", "testdata/hostile.ndjson"}, exitError, "testdata/hostile.ndjson:1: "},
	} {
		_, _, err := runCLI(t, append([]string{"report", paper, "-format", "none"}, tt.args...)...)
		if exitCode(err) != tt.code || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: exit %d, %v; want %d and %q", tt.args, exitCode(err), err, tt.code, tt.want)
		}
	}
}

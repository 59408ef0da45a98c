package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze"
)

// editedReport writes the paper report's JSON, and a copy with edit
// applied to its decoded form.
func editedReport(t *testing.T, edit func(map[string]any)) (string, string) {
	t.Helper()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "before.json"), filepath.Join(dir, "after.json")
	if _, stderr, err := runCLI(t, "report", paper, "-json", a, "-format", "none"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	editJSON(t, a, b, edit)
	return a, b
}

func field(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		m = m[k].(map[string]any)
	}
	return m
}

// diffJSON runs diff on a and b with -format json and returns the diff and
// its verdicts by "group / metric".
func diffJSON(t *testing.T, a, b string) (*analyze.Diff, map[string]string) {
	t.Helper()
	stdout, stderr, err := runCLI(t, "diff", a, b, "-format", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var d analyze.Diff
	must(t, json.Unmarshal([]byte(stdout), &d))
	verdicts := map[string]string{}
	for _, c := range d.Changes {
		verdicts[c.Group+" / "+c.Metric] = c.Verdict
	}
	return &d, verdicts
}

func TestDiffReports(t *testing.T) {
	before, after := editedReport(t, func(m map[string]any) {
		field(m, "cost")["total_usd"] = field(m, "cost")["total_usd"].(float64) * 2
		field(m, "server", "total")["p95_ms"] = 900.0
		field(m, "cold_starts")["count"] = 1.0
	})
	d, got := diffJSON(t, before, after)
	for k, want := range map[string]string{
		"cost / cost_usd": "worse", "latency / server p95_ms": "better", "cold starts / cold_starts": "better",
		"latency / server p50_ms": "same", "requests / server requests": "same", "errors / error_rate": "same",
		"reconciliation / unexplained_difference": "same", "latency / POST /predict p95_ms": "same",
	} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
	if d.Better != 2 || d.Worse != 1 || d.A.Label != "before.json" || d.B.Service != "mobilenet" {
		t.Errorf("better %d, worse %d, sides %+v %+v", d.Better, d.Worse, d.A, d.B)
	}
	md, _, err := runCLI(t, "diff", before, after, "-format", "markdown")
	must(t, err)
	if !regexp.MustCompile(`\| \*\*cost\*\* +\| \*\*cost_usd\*\* +\|.*\| \*\*worse\*\* \|`).MatchString(md) || !strings.Contains(md, "2 better, 1 worse") {
		t.Errorf("markdown does not show the worse row in bold:\n%s", md)
	}
	table, _, err := runCLI(t, "diff", before, after)
	must(t, err)
	if !strings.Contains(table, "server p95_ms") || !strings.Contains(table, "better") {
		t.Errorf("table:\n%s", table)
	}
}

// Snapshots are analyzed on the way; a run compared with itself is the same.
func TestDiffSnapshots(t *testing.T) {
	d, _ := diffJSON(t, paper, paper)
	if d.Better != 0 || d.Worse != 0 || len(d.Changes) < 20 {
		t.Errorf("%d better, %d worse of %d", d.Better, d.Worse, len(d.Changes))
	}
	for _, c := range d.Changes {
		if c.Verdict != analyze.VerdictSame {
			t.Errorf("%s %s: %s", c.Group, c.Metric, c.Verdict)
		}
	}
}

func TestDiffAudits(t *testing.T) {
	h := filepath.Join("testdata", "audit", "history")
	_, got := diffJSON(t, filepath.Join(h, "runlens-demo-2024-06-03.json"), filepath.Join(h, "runlens-demo-2024-06-06.json"))
	// distilbert-qa 0.155 -> 0.162 (+4.5 %), mobilenet 0.0070 -> 0.0069.
	for k, want := range map[string]string{"total / cost_usd": "worse", "distilbert-qa (us-central1) / cost_usd": "worse",
		"mobilenet (europe-west1) / cost_usd": "better", "recommender (europe-west1) / cost_usd": "same"} {
		if got[k] != want {
			t.Errorf("%s: %q, want %q", k, got[k], want)
		}
	}
}

func TestDiffErrors(t *testing.T) {
	audit := filepath.Join("testdata", "audit", "history", "runlens-demo-2024-06-03.json")
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"diff", paper}, exitUsage, "diff: give two reports to compare, got 1"},
		{[]string{"diff", paper, audit}, exitUsage, "are not of one kind"},
		{[]string{"diff", paper, "testdata/hostile.ndjson"}, exitError, "want a runlens report or audit JSON"},
		{[]string{"diff", paper, paper, "-format", "html"}, exitUsage, `-format: "html"`},
	} {
		_, _, err := runCLI(t, tt.args...)
		if exitCode(err) != tt.code || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: exit %d, %v; want %d and %q", tt.args, exitCode(err), err, tt.code, tt.want)
		}
	}
}

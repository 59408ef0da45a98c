package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/internal/logtest"
)

// TestSummarizeThenReport summarizes the fixture's request log, in two
// parts as two machines would, and reports from the summaries with the
// rest of the fixture: the report is the one the log itself gives.
func TestSummarizeThenReport(t *testing.T) {
	dir := t.TempDir()
	lines := strings.SplitAfter(gunzip(t, filepath.Join(paper, "requests.ndjson.gz")), "\n")
	half := len(lines) / 2
	for name, part := range map[string][]string{"a.ndjson": lines[:half], "b.ndjson": lines[half:]} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Join(part, "")), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, stderr, err := runCLI(t, "summarize", "-logs", filepath.Join(dir, name), "-o", filepath.Join(dir, name+".summary")); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
	}
	rest := []string{"-logs", filepath.Join(paper, "system.ndjson.gz"), "-service", filepath.Join(paper, "service.json"),
		"-locust", filepath.Join(paper, "client", "mobilenet"), "-format", "none"}
	for _, m := range []string{"request_count", "billable_instance_time", "instance_count"} {
		rest = append(rest, "-metrics", filepath.Join(paper, "metrics", m+".json"))
	}
	fromLogs := filepath.Join(dir, "logs.json")
	fromSummaries := filepath.Join(dir, "summaries.json")
	args := append([]string{"report", "-logs", filepath.Join(paper, "requests.ndjson.gz"), "-json", fromLogs}, rest...)
	if _, stderr, err := runCLI(t, args...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	args = append([]string{"report", "-summary", filepath.Join(dir, "b.ndjson.summary"), "-summary", filepath.Join(dir, "a.ndjson.summary"),
		"-json", fromSummaries}, rest...)
	if _, stderr, err := runCLI(t, args...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	want, got := reportWithout(t, fromLogs), reportWithout(t, fromSummaries)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("report from the summaries differs from the logs' (-logs +summaries):\n%s", d)
	}
}

// reportWithout reads a JSON report without what names its inputs and
// when it was made.
func reportWithout(t *testing.T, path string) map[string]any {
	t.Helper()
	var m map[string]any
	readJSON(t, path, &m)
	delete(m, "sources")
	delete(m, "generated")
	return m
}

func TestSummarizeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"summarize", "-logs", "x.json"},
		{"summarize", "-o", "s.json"},
		{"summarize", paper, "-logs", "x.json", "-o", "s.json"},
	} {
		if _, _, err := runCLI(t, args...); err == nil || exitCode(err) != exitUsage {
			t.Errorf("%v: error %v, want a usage error", args, err)
		}
	}
}

// gunzip reads a gzipped file.
func gunzip(t *testing.T, path string) string { return string(logtest.Gunzip(t, path)) }

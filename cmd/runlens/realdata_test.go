package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/runlens/runlens/internal/realdata"
)

// Every real Locust run in the shared folder gives a client-only report:
// the HTML, the JSON, the tables and the Markdown, without error.
func TestRealLocustRunsClientOnly(t *testing.T) {
	var prefixes []string
	for _, f := range realdata.Files(t, "locust") {
		for _, suffix := range []string{"_stats.csv", "_requests.csv", "_stats_history.csv"} {
			if p, ok := strings.CutSuffix(f, suffix); ok && !slices.Contains(prefixes, p) {
				prefixes = append(prefixes, p)
			}
		}
	}
	if len(prefixes) < 10 {
		t.Fatalf("found %d Locust runs, want at least 10", len(prefixes))
	}
	dir := t.TempDir()
	for _, p := range prefixes {
		t.Run(filepath.Base(p), func(t *testing.T) {
			js := filepath.Join(dir, filepath.Base(p)+".json")
			for _, format := range []string{"table", "markdown"} {
				_, stderr, err := runCLI(t, "report", "-locust", p, "-json", js, "-o", strings.TrimSuffix(js, ".json")+".html", "-format", format)
				if err != nil {
					t.Fatalf("%v\n%s", err, stderr)
				}
			}
			var doc struct {
				Client *struct {
					Total struct{ Requests int64 }
				}
				Missing []string
			}
			readJSON(t, js, &doc)
			if doc.Client == nil || len(doc.Missing) == 0 {
				t.Errorf("client %v, missing %q: want a client-only report that lists what is missing", doc.Client, doc.Missing)
			}
			t.Logf("%s: %d client requests", filepath.Base(p), doc.Client.Total.Requests)
		})
	}
}

// Every real Cloud Logging export gives a logs-only report, except gcloud's
// YAML output, which is refused with the reason.
func TestRealLogExportsLogsOnly(t *testing.T) {
	dir := t.TempDir()
	for _, f := range realdata.Files(t, "cloudlogging") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			html := filepath.Join(dir, filepath.Base(f)+".html")
			_, stderr, err := runCLI(t, "report", "-logs", f, "-o", html, "-format", "markdown")
			if strings.Contains(f, "stdout-stderr-500") {
				// Only stdout and stderr entries: refused, saying what the file held.
				if err == nil || !strings.Contains(err.Error(), filepath.Base(f)) || !strings.Contains(err.Error(), "298 cloud_run_revision/stdout") {
					t.Errorf("err = %v, want a refusal naming the file and its skipped stdout entries", err)
				}
				return
			}
			if strings.HasSuffix(f, ".yaml") {
				if err == nil || !strings.Contains(err.Error(), "YAML") || !strings.Contains(err.Error(), filepath.Base(f)) {
					t.Errorf("err = %v, want a refusal naming the file and YAML", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
		})
	}
}

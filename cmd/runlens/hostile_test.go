package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/internal/fixturetest"
)

// Log-derived strings are attacker-controlled: a request URL, user agent,
// instance id or scaling reason holding markup must show as text and run
// nothing, in the HTML, the terminal and the Markdown.
func TestHostileLogStrings(t *testing.T) {
	const script = `</script><script>alert(1)</script>`
	const img = `<img src=x onerror=alert(1)>`
	html := filepath.Join(t.TempDir(), "h.html")
	stdout, stderr, err := runCLI(t, "report", "-logs", "testdata/hostile.ndjson", "-o", html, "-format", "markdown")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if strings.Contains(stdout, "<script") || strings.Contains(stdout, "<img") {
		t.Errorf("markdown output holds raw markup:\n%s", stdout)
	}
	raw, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script>alert", "<img src=x"} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("the HTML holds %q unescaped", bad)
		}
	}
	res := checkInBrowser(t, html)
	for _, want := range []string{script, img} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("the page does not show %q as text", want)
		}
	}
}

// A service name is input too: in the Markdown's title and "Window" line a
// line break in it must not start a heading, nor its HTML pass.
func TestMarkdownServiceNameInjection(t *testing.T) {
	const name = "mobilenet\n# Owned <img src=x onerror=alert(1)>"
	dir := filepath.Join(t.TempDir(), "snap")
	fixturetest.Rewrite(t, paper, dir, name, time.Date(2024, 3, 14, 9, 59, 0, 0, time.UTC))
	stdout, stderr, err := runCLI(t, "report", dir, "-format", "markdown")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for i, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "## runlens: mobilenet # Owned &lt;img") && !strings.HasPrefix(line, "### ") {
			t.Errorf("line %d is a heading of the service name's: %q", i+1, line)
		}
	}
	if strings.Contains(stdout, "<img") {
		t.Errorf("the Markdown holds raw HTML from the service name")
	}
	if !strings.Contains(stdout, "; mobilenet # Owned &lt;img src=x onerror=alert(1)&gt; in europe-west1,") {
		t.Errorf("the Window line does not show the service name as text:\n%.600s", stdout)
	}
}

// longURLLog writes a request log with a URL 1 MiB long and one that
// carries terminal escape sequences.
func longURLLog(t *testing.T) string {
	t.Helper()
	entry := func(id, ts, url, ua string) map[string]any {
		return map[string]any{"insertId": id, "logName": "projects/p/logs/run.googleapis.com%2Frequests", "timestamp": ts,
			"resource":    map[string]any{"type": "cloud_run_revision", "labels": map[string]string{"service_name": "svc", "location": "us-central1"}},
			"labels":      map[string]string{"instanceId": "00aa"},
			"httpRequest": map[string]any{"requestMethod": "GET", "requestUrl": url, "status": 200, "latency": "0.1s", "userAgent": ua}}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, e := range []map[string]any{
		entry("a", "2024-05-01T12:00:00Z", "https://svc.a.run.app/ok", "curl/8"),
		entry("b", "2024-05-01T12:00:01Z", "https://svc.a.run.app/"+strings.Repeat("a", 1<<20), "curl/8 "+strings.Repeat("b", 1<<20)),
		entry("c", "2024-05-01T12:00:02Z", "https://svc.a.run.app/x\x1b]0;pwned\x07\x1b[2J", "curl/8"),
	} {
		must(t, enc.Encode(e))
	}
	path := filepath.Join(t.TempDir(), "requests.ndjson")
	must(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

// One 1 MiB URL made 103 MB of Markdown and 128 MB of tables: every output
// now shows the first MaxTextBytes of it and its length, and no escape
// sequence of the inputs reaches the terminal.
func TestLongInputStringsBounded(t *testing.T) {
	logs := longURLLog(t)
	page := filepath.Join(t.TempDir(), "r.html")
	table, stderr, err := runCLI(t, "report", "-logs", logs, "-o", page)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	md, _, err := runCLI(t, "report", "-logs", logs, "-format", "markdown")
	must(t, err)
	html, err := os.ReadFile(page)
	must(t, err)
	for _, out := range []struct {
		name string
		text string
		max  int
	}{{"table", table, 64 << 10}, {"markdown", md, 64 << 10}, {"page", string(html), 3 << 20}} {
		if len(out.text) > out.max {
			t.Errorf("the %s is %d bytes, want at most %d", out.name, len(out.text), out.max)
		}
		if !strings.Contains(out.text, "aaaa…(1048577 bytes)") {
			t.Errorf("the %s does not say how long the cut URL was", out.name)
		}
	}
	if !strings.Contains(string(html), "bbbb…(1048583 bytes)") {
		t.Errorf("the page does not say how long the cut user agent was")
	}
	if strings.Contains(table, "\x1b") || strings.Contains(table, "\x07") || !strings.Contains(table, `/x\x1b]0;pwned\x07\x1b[2J`) {
		t.Errorf("the table does not show the path's escape sequences as text")
	}
	if _, _, err := runCLI(t, "report", "-logs", logs, "-max-markdown", "0"); err == nil || exitCode(err) != exitUsage {
		t.Errorf("-max-markdown 0: err = %v, want a usage error", err)
	}
}

// paperCopy is a copy of the paper-mobilenet snapshot (client files left
// out) whose manifest edit may change.
func paperCopy(t *testing.T, edit func(m map[string]any)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	fixturetest.Rewrite(t, paper, dir, "", time.Date(2024, 3, 14, 9, 59, 0, 0, time.UTC))
	path := filepath.Join(dir, "manifest.json")
	editJSON(t, path, path, edit)
	return dir
}

// A reversed or empty window, in a manifest or on the command line, is an
// error naming the file or the flag.
func TestReportBadWindow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window map[string]any
		want   string
	}{
		{"reversed", map[string]any{"start": "2024-03-14T10:06:40Z", "end": "2024-03-14T09:59:30Z"},
			"window 2024-03-14T10:06:40Z to 2024-03-14T09:59:30Z is reversed: its start must come before its end"},
		{"empty", map[string]any{"start": "2024-03-14T09:59:30Z", "end": "2024-03-14T09:59:30Z"},
			"window 2024-03-14T09:59:30Z to 2024-03-14T09:59:30Z is empty"},
	} {
		t.Run("manifest "+tc.name, func(t *testing.T) {
			dir := paperCopy(t, func(m map[string]any) { m["window"] = tc.window })
			_, _, err := runCLI(t, "report", dir, "-format", "none")
			manifest := filepath.Join(dir, "manifest.json")
			if err == nil || !strings.Contains(err.Error(), manifest) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, manifest, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"collect reversed", []string{"collect", "-service", "s", "-o", t.TempDir(), "-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T09:00:00Z"},
			"-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T09:00:00Z"},
		{"collect empty", []string{"collect", "-service", "s", "-o", t.TempDir(), "-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T10:00:00Z"},
			"-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T10:00:00Z"},
		{"report reversed", []string{"report", "-service", "s", "-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T09:00:00Z"},
			"-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T09:00:00Z"},
		{"audit reversed", []string{"audit", "-start", "2024-03-14T10:00:00Z", "-end", "2024-03-14T09:00:00Z"},
			"-start 2024-03-14T10:00:00Z is not before -end 2024-03-14T09:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "-endpoint", "127.0.0.1:1", "-project", "p", "-region", "europe-west1")
			_, _, err := liveCLI(t, args...)
			if err == nil || exitCode(err) != exitUsage || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v (exit %d), want usage error %q", err, exitCode(err), tc.want)
			}
		})
	}
}

// A snapshot without its manifest is a collection that did not finish:
// report refuses it and says to collect again, where it used to report
// "server 0" and exit 0.
func TestReportSnapshotWithoutManifest(t *testing.T) {
	dir := paperCopy(t, func(map[string]any) {})
	for _, f := range []string{"manifest.json", "requests.ndjson.gz", "system.ndjson.gz"} {
		must(t, os.Remove(filepath.Join(dir, f)))
	}
	stdout, _, err := runCLI(t, "report", dir)
	if err == nil || exitCode(err) != exitError || !strings.Contains(err.Error(), "snapshot "+dir+": no manifest.json") ||
		!strings.Contains(err.Error(), "collect again into an empty directory") {
		t.Errorf("err = %v (exit %d), want one naming %s and saying to collect again", err, exitCode(err), dir)
	}
	if stdout != "" {
		t.Errorf("printed a report:\n%s", stdout)
	}
}

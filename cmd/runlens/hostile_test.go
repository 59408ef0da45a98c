package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	rewrite(t, paper, dir, name, time.Date(2024, 3, 14, 9, 59, 0, 0, time.UTC))
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

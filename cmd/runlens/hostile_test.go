package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

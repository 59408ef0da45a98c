package browser

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func writePage(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "page with space.html")
	doc := "<!doctype html><html><head><meta charset=utf-8><title>t</title></head><body>" + body + "</body></html>"
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const drawScript = `<script>
for (const id of ["chart_a", "chart_b"]) {
  const c = document.createElement("canvas");
  c.width = 50; c.height = 20;
  document.getElementById(id).appendChild(c);
}
</script>`

func TestCheckQuietPage(t *testing.T) {
	needChromium(t)
	p := writePage(t, `<p>hello &lt;b&gt;</p><div id="chart_a"></div><div id="chart_b"></div>`+drawScript)
	res := Open(t, p)
	if diff := cmp.Diff([]string{"chart_a", "chart_b"}, res.Charts); diff != "" {
		t.Errorf("charts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"chart_a": true, "chart_b": true}, res.Drawn); diff != "" {
		t.Errorf("drawn (-want +got):\n%s", diff)
	}
	if len(res.ConsoleErrors)+len(res.Requests)+len(res.Dialogs) != 0 {
		t.Errorf("quiet page: console %q, requests %q, dialogs %q", res.ConsoleErrors, res.Requests, res.Dialogs)
	}
	if !strings.Contains(res.Text, "hello <b>") {
		t.Errorf("text = %q, want it to hold %q", res.Text, "hello <b>")
	}
}

func TestCheckNoisyPage(t *testing.T) {
	needChromium(t)
	defer func(d time.Duration) { drawTimeout = d }(drawTimeout)
	drawTimeout = 500 * time.Millisecond
	p := writePage(t, `<div id="chart_a"></div><div id="chart_b"></div>
<img src="missing.png">
<script>
const c = document.createElement("canvas"); c.width = 5; c.height = 5;
document.getElementById("chart_a").appendChild(c);
alert("hi there");
console.error("boom", 42);
console.warn("careful");
console.log("fine");
fetch("http://127.0.0.1:9/never").catch(() => {});
setTimeout(() => { throw new Error("late failure"); }, 0);
</script>`)
	res := Open(t, p)
	if diff := cmp.Diff(map[string]bool{"chart_a": true, "chart_b": false}, res.Drawn); diff != "" {
		t.Errorf("drawn (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"alert: hi there"}, res.Dialogs); diff != "" {
		t.Errorf("dialogs (-want +got):\n%s", diff)
	}
	for _, want := range []string{"error: boom 42", "warning: careful", "late failure"} {
		if !slices.ContainsFunc(res.ConsoleErrors, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("console errors %q lack %q", res.ConsoleErrors, want)
		}
	}
	if slices.ContainsFunc(res.ConsoleErrors, func(s string) bool { return strings.Contains(s, "fine") }) {
		t.Errorf("console.log counted as an error: %q", res.ConsoleErrors)
	}
	for _, want := range []string{"missing.png", "http://127.0.0.1:9/never"} {
		if !slices.ContainsFunc(res.Requests, func(s string) bool { return strings.HasSuffix(s, want) }) {
			t.Errorf("requests %q lack %q", res.Requests, want)
		}
	}
	if slices.ContainsFunc(res.Requests, func(s string) bool { return strings.HasSuffix(s, ".html") }) {
		t.Errorf("the page itself counted as a request: %q", res.Requests)
	}
}

func TestCheckMissingFile(t *testing.T) {
	needChromium(t)
	_, err := Check(context.Background(), filepath.Join(t.TempDir(), "nope.html"))
	if err == nil || !strings.Contains(err.Error(), "nope.html") {
		t.Fatalf("err = %v, want one naming nope.html", err)
	}
}

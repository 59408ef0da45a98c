package render

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/browser"
)

// needChromium skips a browser test when chromium is missing, unless
// RUNLENS_REQUIRE_BROWSER=1, when it fails.
func needChromium(t *testing.T) {
	t.Helper()
	if _, ok := browser.Available(); ok {
		return
	}
	if os.Getenv("RUNLENS_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium not found and RUNLENS_REQUIRE_BROWSER=1: apt-get install -y chromium, or set $CHROMIUM")
	}
	t.Skip("chromium not found: skipping browser test (apt-get install -y chromium, or set $CHROMIUM)")
}

// checkInChromium renders rpt to a file and loads it in Chromium.
func checkInChromium(t *testing.T, rpt *analyze.Report) *browser.Result {
	t.Helper()
	needChromium(t)
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, []byte(renderPage(t, rpt, Options{})), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := browser.Check(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// assertQuietAndDrawn checks the ten charts drew and the page did nothing else.
func assertQuietAndDrawn(t *testing.T, res *browser.Result) {
	t.Helper()
	if diff := cmp.Diff(wantChartIDs, res.Charts); diff != "" {
		t.Errorf("chart containers (-want +got):\n%s", diff)
	}
	for _, id := range wantChartIDs {
		if !res.Drawn[id] {
			t.Errorf("%s has no canvas: not drawn", id)
		}
	}
	if len(res.ConsoleErrors) > 0 {
		t.Errorf("console errors: %q", res.ConsoleErrors)
	}
	if len(res.Requests) > 0 {
		t.Errorf("network requests: %q", res.Requests)
	}
	if len(res.Dialogs) > 0 {
		t.Errorf("dialogs opened: %q", res.Dialogs)
	}
}

func TestHTMLInChromium(t *testing.T) {
	res := checkInChromium(t, sampleReport())
	assertQuietAndDrawn(t, res)
	for _, want := range []string{"runlens report: mobilenet", "425 / 428", "$0.006882", "memory p99 reached 94 % of the 2 GiB limit",
		"00bead5eedcafe0123456789abcdef0123456789", "$0.0000025"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
}

func TestHTMLWithoutDataInChromium(t *testing.T) {
	// No window either: the time axes have no bounds to start from.
	empty := &analyze.Report{Schema: analyze.Schema, Missing: []string{"client: no load-test results; client columns are empty"}}
	res := checkInChromium(t, empty)
	assertQuietAndDrawn(t, res)
	if !strings.Contains(res.Text, "client: no load-test results") {
		t.Error("page text lacks the missing-data note")
	}
}

func TestHTMLEscapesLogStrings(t *testing.T) {
	res := checkInChromium(t, hostileReport())
	assertQuietAndDrawn(t, res)
	for _, want := range []string{evilScript, evilImg, evilQuote, "cold start on instance " + evilScript + " for " + evilImg} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("page text lacks %q shown as text", want)
		}
	}
}

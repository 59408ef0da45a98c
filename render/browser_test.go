package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/browser"
)

// checkInChromium renders rpt to a file and loads it in Chromium.
func checkInChromium(t *testing.T, rpt *analyze.Report) *browser.Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, []byte(renderPage(t, rpt, Options{})), 0o644); err != nil {
		t.Fatal(err)
	}
	return browser.Open(t, path)
}

// assertQuietAndDrawn checks the sample's charts drew and the page did nothing else.
func assertQuietAndDrawn(t *testing.T, res *browser.Result) {
	t.Helper()
	browser.AssertQuietAndDrawn(t, res, wantChartIDs)
}

func TestHTMLInChromium(t *testing.T) {
	res := checkInChromium(t, sampleReport())
	assertQuietAndDrawn(t, res)
	for _, want := range []string{"runlens report: mobilenet", "425 / 428", "$0.006882", "memory p99 reached 94 % of the 2 GiB limit",
		"#3", "$0.0000025"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	// Instances are numbered by their lane; the full id shows on hover.
	if page := renderPage(t, sampleReport(), Options{}); !strings.Contains(page, `title="00bead5eedcafe0123456789abcdef0123456789">#3<`) {
		t.Error("the cold-start table does not number instance 00bead5e... #3 with its id on hover")
	}
}

func TestHTMLWithoutDataInChromium(t *testing.T) {
	// No window either: the time axes have no bounds to start from.
	empty := &analyze.Report{Schema: analyze.Schema, Missing: []string{"client: no load-test results; client columns are empty"}}
	res := checkInChromium(t, empty)
	browser.AssertQuietAndDrawn(t, res, nil) // no empty chart frames
	for _, want := range []string{"client: no load-test results", "Not drawn, for want of data: Requests per second: no client history and no server request logs"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("page text lacks %q", want)
		}
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

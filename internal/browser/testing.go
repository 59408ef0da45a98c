package browser

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"
)

// Open loads a page in Chromium for a test, with a 60 s deadline. Without
// chromium the test is skipped, unless RUNLENS_REQUIRE_BROWSER=1 (as in CI),
// when it fails.
func Open(t testing.TB, path string) *Result {
	t.Helper()
	needChromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Check(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// needChromium skips the test when chromium is missing, unless
// RUNLENS_REQUIRE_BROWSER=1, when it fails.
func needChromium(t testing.TB) {
	t.Helper()
	if _, ok := Available(); ok {
		return
	}
	if os.Getenv("RUNLENS_REQUIRE_BROWSER") == "1" {
		t.Fatal("chromium not found and RUNLENS_REQUIRE_BROWSER=1: apt-get install -y chromium, or set $CHROMIUM")
	}
	t.Skip("chromium not found: skipping browser test (apt-get install -y chromium, or set $CHROMIUM)")
}

// AssertQuietAndDrawn fails the test unless the page has exactly the given
// chart containers, every one drew, and the page logged no error, opened no
// dialog and made no network request.
func AssertQuietAndDrawn(t testing.TB, res *Result, charts []string) {
	t.Helper()
	if !slices.Equal(res.Charts, charts) {
		t.Errorf("chart containers %q, want %q", res.Charts, charts)
	}
	for _, id := range res.Charts {
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

package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Result is what a page did in the browser.
type Result struct {
	// Charts are the ids of the chart containers (elements whose id starts
	// with "chart_"), in document order.
	Charts []string
	// Drawn tells for each chart container whether it holds a canvas or an
	// svg element of non-zero size.
	Drawn map[string]bool
	// ConsoleErrors are console.error, console.warn and console.assert
	// calls, uncaught exceptions, and browser log entries of level warning
	// or error.
	ConsoleErrors []string
	// Requests are the URLs of every request the page made, other than the
	// page itself and data: and blob: URLs.
	Requests []string
	// Dialogs are the messages of JavaScript dialogs (alert, confirm,
	// prompt) the page opened; each was dismissed.
	Dialogs []string
	// Text is document.body.innerText.
	Text string
}

// drawTimeout bounds the wait for the charts to draw when ctx allows longer.
// Tests of pages that never draw lower it.
var drawTimeout = 15 * time.Second

// Available returns the path of a Chromium binary: $CHROMIUM if set and
// executable, else chromium or chromium-browser on $PATH.
func Available() (path string, ok bool) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if lp, err := exec.LookPath(p); err == nil {
			return lp, true
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if lp, err := exec.LookPath(name); err == nil {
			return lp, true
		}
	}
	return "", false
}

// Check opens htmlPath in a fresh headless Chromium, waits until every chart
// container is drawn (or drawTimeout passes), shows the tooltip of the first
// and middle data point of every series of every echarts instance on the
// page (so that tooltip markup built from data is rendered too), and reports
// what happened. A chart that never draws is reported in Drawn, not as an
// error; errors are for a browser that cannot start or a page that cannot
// load. Give ctx a deadline.
func Check(ctx context.Context, htmlPath string) (*Result, error) {
	exe, ok := Available()
	if !ok {
		return nil, errors.New("checking page in chromium: no chromium on $PATH (set $CHROMIUM)")
	}
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		return nil, fmt.Errorf("checking page %s in chromium: %w", htmlPath, err)
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("checking page in chromium: %w", err)
	}
	profile, err := os.MkdirTemp("", "runlens-chromium-")
	if err != nil {
		return nil, fmt.Errorf("checking page %s in chromium: %w", htmlPath, err)
	}
	defer os.RemoveAll(profile)

	res, err := run(ctx, exe, profile, (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String())
	if err != nil {
		return nil, fmt.Errorf("checking page %s in chromium: %w", htmlPath, err)
	}
	return res, nil
}

// run starts the browser, loads pageURL and collects the result.
func run(ctx context.Context, exe, profile, pageURL string) (*Result, error) {
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.UserDataDir(profile),
	)
	defer cancelAlloc()
	tctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()

	rec := &recorder{page: pageURL, res: &Result{Drawn: map[string]bool{}}}
	if err := chromedp.Listen(tctx, rec.event(tctx)); err != nil {
		return nil, fmt.Errorf("starting %s: %w", exe, err)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate(pageURL)); err != nil {
		return nil, fmt.Errorf("loading: %w", err)
	}
	if err := waitDrawn(tctx, rec); err != nil {
		return nil, err
	}
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[int](showTooltipsJS)); err != nil {
		return nil, fmt.Errorf("showing tooltips: %w", err)
	}
	text, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return nil, fmt.Errorf("reading text: %w", err)
	}
	return rec.result(text), nil
}

// chartsJS lists the chart containers and whether each is drawn.
const chartsJS = `(() => {
  const out = [];
  document.querySelectorAll('[id^="chart_"]').forEach((el) => {
    const c = el.querySelector('canvas, svg');
    const r = c ? c.getBoundingClientRect() : null;
    out.push({id: el.id, drawn: !!(r && r.width > 0 && r.height > 0)});
  });
  return out;
})()`

// showTooltipsJS shows and hides the tooltip of the first and the middle
// data point of every series of every echarts instance; it returns how many
// tooltips it showed.
const showTooltipsJS = `(() => {
  if (typeof echarts === "undefined") return 0;
  let n = 0;
  document.querySelectorAll('[id^="chart_"]').forEach((el) => {
    const chart = echarts.getInstanceByDom(el);
    if (!chart) return;
    (chart.getOption().series || []).forEach((s, i) => {
      const len = Array.isArray(s.data) ? s.data.length : 0;
      for (const j of new Set([0, Math.floor(len / 2)])) {
        if (j >= len) continue;
        chart.dispatchAction({type: "showTip", seriesIndex: i, dataIndex: j});
        n++;
      }
    });
    chart.dispatchAction({type: "hideTip"});
  });
  return n;
})()`

type chartState struct {
	ID    string `json:"id"`
	Drawn bool   `json:"drawn"`
}

// waitDrawn polls the chart containers until all are drawn or the wait ends.
func waitDrawn(ctx context.Context, rec *recorder) error {
	deadline := time.Now().Add(drawTimeout)
	for {
		states, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartState](chartsJS))
		if err != nil {
			return fmt.Errorf("finding charts: %w", err)
		}
		all := true
		for _, s := range states {
			all = all && s.Drawn
		}
		if all || time.Now().After(deadline) {
			rec.setCharts(states)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for charts: %w", ctx.Err())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// recorder collects events under a lock; the listener runs on chromedp's
// reading goroutine and must return at once.
type recorder struct {
	page string
	mu   sync.Mutex
	res  *Result
}

func (r *recorder) setCharts(states []chartState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Charts = r.res.Charts[:0]
	for _, s := range states {
		r.res.Charts = append(r.res.Charts, s.ID)
		r.res.Drawn[s.ID] = s.Drawn
	}
}

func (r *recorder) result(text string) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := *r.res
	out.Text = text
	return &out
}

// event returns the listener; tctx is the tab, used to dismiss dialogs from
// another goroutine.
func (r *recorder) event(tctx context.Context) func(ev any) {
	return func(ev any) {
		r.mu.Lock()
		defer r.mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning ||
				e.Type == runtime.ConsoleAPICalledTypeAssert {
				r.res.ConsoleErrors = append(r.res.ConsoleErrors, string(e.Type)+": "+argsText(e.Args))
			}
		case *runtime.EventExceptionThrown:
			r.res.ConsoleErrors = append(r.res.ConsoleErrors, "exception: "+exceptionText(e.ExceptionDetails))
		case *log.EventEntryAdded:
			if e.Entry != nil && (e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning) {
				r.res.ConsoleErrors = append(r.res.ConsoleErrors, "log "+string(e.Entry.Level)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			if e.Request != nil && r.counts(e.Request.URL) {
				r.res.Requests = append(r.res.Requests, e.Request.URL)
			}
		case *page.EventJavascriptDialogOpening:
			r.res.Dialogs = append(r.res.Dialogs, string(e.Type)+": "+e.Message)
			go chromedp.Call(tctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}
}

// counts reports whether a request URL is one the page made itself.
func (r *recorder) counts(u string) bool {
	if u == r.page || strings.HasPrefix(u, "about:") {
		return false
	}
	return !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:")
}

// argsText joins console arguments as the console shows them.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		parts = append(parts, objectText(a))
	}
	return strings.Join(parts, " ")
}

func objectText(o *runtime.RemoteObject) string {
	switch {
	case o == nil:
		return ""
	case o.Type == runtime.RemoteObjectTypeString && len(o.Value) > 0:
		var s string
		if err := json.Unmarshal(o.Value, &s); err == nil {
			return s
		}
		return string(o.Value)
	case len(o.Value) > 0:
		return string(o.Value)
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	}
	return o.Description
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return ""
	}
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	return fmt.Sprintf("%s (%s:%d:%d)", s, d.URL, d.LineNumber+1, d.ColumnNumber+1)
}

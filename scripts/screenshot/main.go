// Command screenshot writes full-page PNG screenshots of an HTML report in
// headless Chromium, at the widths given, for looking at a page before a
// change to it is called done:
//
//	go run ./scripts/screenshot -widths 1400,400 -o /tmp/shots report.html ...
//
// It waits for the charts to draw (every element whose id starts with
// "chart_" holds a canvas or an svg). It needs Debian's chromium ($CHROMIUM
// to name another binary).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/runlens/runlens/internal/browser"
)

var slice int

func main() {
	widths := flag.String("widths", "1400,400", "viewport widths in CSS pixels, comma-separated")
	flag.IntVar(&slice, "slice", 0, "also write the page in slices of this many CSS pixels (NAME-WIDTH-K.png), for viewers that shrink tall images")
	out := flag.String("o", ".", "directory for the PNG files (NAME-WIDTH.png)")
	flag.Parse()
	if err := run(*widths, *out, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "screenshot: %v\n", err)
		os.Exit(1)
	}
}

// shoot loads the page at the width, waits for its charts and returns a
// full-page screenshot.
func shoot(ctx context.Context, url string, width int64) ([]byte, error) {
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
		return nil, err
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return nil, err
	}
	drawn := `[...document.querySelectorAll('[id^="chart_"]')].every(e => e.querySelector('canvas,svg'))`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](drawn, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		return nil, fmt.Errorf("waiting for the charts: %w", err)
	}
	if err := chromedp.Do(ctx, chromedp.Sleep(1500*time.Millisecond)); err != nil { // animations
		return nil, err
	}
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.documentElement.scrollWidth, window.innerWidth]`)); err == nil && w[0] > w[1] {
		fmt.Fprintf(os.Stderr, "%s at %d px: the page is %v px wide: it overflows\n", url, width, w[0])
	}
	return chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
}

// slices writes the page in PNG slices of slice CSS pixels.
func slices(ctx context.Context, width int64, base string) error {
	height, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollHeight`))
	if err != nil {
		return err
	}
	for k, y := 0, 0.0; y < height; k, y = k+1, y+float64(slice) {
		h := min(float64(slice), height-y)
		clip := &page.Viewport{X: 0, Y: y, Width: float64(width), Height: h, Scale: 1}
		png, err := chromedp.Run(ctx, chromedp.Action[[]byte](func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
			beyond := true
			r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
				CaptureBeyondViewport: &beyond, Format: page.CaptureScreenshotFormatPng, Clip: clip})
			if err != nil {
				return nil, err
			}
			return r.Data, nil
		}))
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%s-%d.png", base, k)
		if err := os.WriteFile(name, png, 0o644); err != nil {
			return err
		}
		fmt.Println(name)
	}
	return nil
}

func run(widths, out string, pages []string) error {
	exe, ok := browser.Available()
	if !ok {
		return fmt.Errorf("no chromium on $PATH (set $CHROMIUM)")
	}
	if len(pages) == 0 {
		return fmt.Errorf("no page given")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("hide-scrollbars", true))
	defer cancelAlloc()
	for _, p := range pages {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		for _, w := range strings.Split(widths, ",") {
			width, err := strconv.Atoi(strings.TrimSpace(w))
			if err != nil {
				return fmt.Errorf("-widths: %q is not a number", w)
			}
			tctx, cancelTab := chromedp.NewContext(actx)
			png, err := shoot(tctx, "file://"+abs, int64(width))
			base := filepath.Join(out, fmt.Sprintf("%s-%d", strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)), width))
			if err == nil {
				err = os.WriteFile(base+".png", png, 0o644)
			}
			if err == nil && slice > 0 {
				err = slices(tctx, int64(width), base)
			}
			cancelTab()
			if err != nil {
				return fmt.Errorf("%s at %d px: %w", p, width, err)
			}
			fmt.Println(base + ".png")
		}
	}
	return nil
}

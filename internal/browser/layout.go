package browser

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// Layout is how a page laid out at one viewport width.
type Layout struct {
	Width       int // the viewport's, CSS px
	ScrollWidth int // the document's: more than Width is horizontal overflow
	// Charts are, per chart container, the text boxes ECharts drew (with
	// the SVG renderer) and the series data of the chart's option.
	Charts map[string]ChartLayout
}

// ChartLayout is one chart as drawn.
type ChartLayout struct {
	Width, Height float64       `json:"-"`
	Size          []float64     `json:"size"` // the container's width and height
	Texts         []TextBox     `json:"texts"`
	Series        []SeriesDrawn `json:"series"`
}

// TextBox is one text element's box in the chart's own coordinates.
type TextBox struct {
	Text       string    `json:"text"`
	X, Y, W, H float64   `json:"-"`
	Box        []float64 `json:"box"` // x, y, width, height
}

// SeriesDrawn is a series of the chart's option as ECharts holds it
// (getOption): what it draws.
type SeriesDrawn struct {
	Name string `json:"name"`
	Data []any  `json:"data"`
}

type layoutResult struct {
	ScrollWidth float64                `json:"scrollWidth"`
	Charts      map[string]ChartLayout `json:"charts"`
}

// layoutJS collects the layout: the page is loaded with "#svg", which
// makes it draw with ECharts' SVG renderer, so that text is in the DOM.
const layoutJS = `(() => {
  const charts = {};
  document.querySelectorAll('[id^="chart_"]').forEach((el) => {
    const c = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
    const root = el.getBoundingClientRect();
    const texts = [];
    el.querySelectorAll("svg text").forEach((t) => {
      const s = (t.textContent || "").trim();
      const r = t.getBoundingClientRect();
      if (!s || r.width === 0 || r.height === 0) return;
      const style = window.getComputedStyle(t);
      if (style.visibility === "hidden" || style.display === "none" || t.closest("[opacity='0']")) return;
      texts.push({text: s, box: [r.left - root.left, r.top - root.top, r.width, r.height]});
    });
    const series = c ? (c.getOption().series || []).map((s) => ({name: s.name, data: s.data || []})) : [];
    charts[el.id] = {size: [root.width, root.height], texts, series};
  });
  return {scrollWidth: document.documentElement.scrollWidth, charts};
})()`

// Inspect loads htmlPath in a fresh headless Chromium at the viewport width,
// drawing its charts as SVG, and returns its layout. Give ctx a deadline.
func Inspect(ctx context.Context, htmlPath string, width int) (*Layout, error) {
	exe, ok := Available()
	if !ok {
		return nil, errors.New("inspecting page in chromium: no chromium on $PATH (set $CHROMIUM)")
	}
	abs, err := filepath.Abs(htmlPath)
	if err != nil {
		return nil, err
	}
	profile, err := os.MkdirTemp("", "runlens-chromium-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("hide-scrollbars", true), chromedp.UserDataDir(profile))
	defer cancelAlloc()
	tctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", htmlPath, err)
	}
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), Fragment: "svg"}).String()
	if err := chromedp.Do(tctx, chromedp.Navigate(u)); err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", htmlPath, err)
	}
	drawn := `[...document.querySelectorAll('[id^="chart_"]')].every(e => e.querySelector('canvas,svg'))`
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](drawn, chromedp.WithPollingTimeout(drawTimeout))); err != nil {
		return nil, fmt.Errorf("inspecting %s: waiting for the charts: %w", htmlPath, err)
	}
	if err := chromedp.Do(tctx, chromedp.Sleep(300*time.Millisecond)); err != nil {
		return nil, err
	}
	out, err := chromedp.Run(tctx, chromedp.Evaluate[layoutResult](layoutJS))
	if err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", htmlPath, err)
	}
	l := &Layout{Width: width, ScrollWidth: int(out.ScrollWidth), Charts: out.Charts}
	for id, c := range l.Charts {
		if len(c.Size) == 2 {
			c.Width, c.Height = c.Size[0], c.Size[1]
		}
		for i := range c.Texts {
			b := &c.Texts[i]
			if len(b.Box) == 4 {
				b.X, b.Y, b.W, b.H = b.Box[0], b.Box[1], b.Box[2], b.Box[3]
			}
		}
		l.Charts[id] = c
	}
	return l, nil
}

// Clipped lists the text boxes that do not lie wholly inside the chart.
func (c ChartLayout) Clipped() []TextBox {
	var out []TextBox
	for _, b := range c.Texts {
		if b.X < 0 || b.Y < 0 || b.X+b.W > c.Width || b.Y+b.H > c.Height {
			out = append(out, b)
		}
	}
	return out
}

// Overlaps lists the pairs of text boxes of a chart that overlap by more
// than slack px each way.
func (c ChartLayout) Overlaps(slack float64) [][2]TextBox {
	var out [][2]TextBox
	for i, a := range c.Texts {
		for _, b := range c.Texts[i+1:] {
			if a.X+a.W-slack > b.X && b.X+b.W-slack > a.X && a.Y+a.H-slack > b.Y && b.Y+b.H-slack > a.Y {
				out = append(out, [2]TextBox{a, b})
			}
		}
	}
	return out
}

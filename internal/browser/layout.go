package browser

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	// Grids are the chart's plot areas (ECharts grids), in option order.
	Grids []GridDrawn `json:"grids"`
}

// GridDrawn is one plot area of a chart and what its series drew in it.
type GridDrawn struct {
	Box []float64 `json:"box"` // x, y, width, height in the chart's coordinates
	// Marks counts what the grid's series drew inside it, visibly: a line
	// or area segment with at least half a pixel inside the box, or a
	// symbol (a scatter point) overlapping it. A line of a single point
	// (a lone move) draws nothing; mark lines and areas do not count.
	Marks int `json:"marks"`
}

// TextBox is one text element's box in the chart's own coordinates: the
// part of it that shows, where a clip path hides the rest (a text wholly
// hidden by one is left out).
type TextBox struct {
	Text       string    `json:"text"`
	X, Y, W, H float64   `json:"-"`
	Box        []float64 `json:"box"` // x, y, width, height
	// Cut is set when a clip path hides part of the text.
	Cut bool `json:"cut"`
}

// SeriesDrawn is a series of the chart's option as ECharts holds it
// (getOption): what it draws.
type SeriesDrawn struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Step is the line's step mode: "start", "middle", "end", or false
	// (nil) for a line from point to point.
	Step any   `json:"step"`
	Data []any `json:"data"`
}

type layoutResult struct {
	ScrollWidth float64                `json:"scrollWidth"`
	Charts      map[string]ChartLayout `json:"charts"`
}

// layoutJS collects the layout: the page is loaded with "#svg", which
// makes it draw with ECharts' SVG renderer, so that text is in the DOM.
const layoutJS = `(() => {
  // gridMarks counts, per grid, what its series drew inside it: line and
  // area segments (from the drawn elements' points) and symbols.
  const gridMarks = (c) => {
    const model = c.getModel();
    const grids = [];
    model.eachComponent("grid", (g) => {
      const r = g.coordinateSystem.getRect();
      grids.push({box: [r.x, r.y, r.width, r.height], marks: 0});
    });
    const apply = (m, x, y) => m ? [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]] : [x, y];
    // inside is the length of the segment a-b inside box (Liang-Barsky).
    const inside = (a, b, box) => {
      const [x0, y0, w, h] = box;
      const dx = b[0] - a[0], dy = b[1] - a[1];
      let t0 = 0, t1 = 1;
      for (const [p, q] of [[-dx, a[0] - x0], [dx, x0 + w - a[0]], [-dy, a[1] - y0], [dy, y0 + h - a[1]]]) {
        if (p === 0) { if (q < 0) return 0; continue; }
        const t = q / p;
        if (p < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
      }
      return t1 > t0 ? (t1 - t0) * Math.hypot(dx, dy) : 0;
    };
    const hidden = (el) => {
      for (let e = el; e; e = e.parent) {
        if (e.ignore || e.invisible || (e.style && e.style.opacity === 0)) return true;
      }
      return false;
    };
    model.eachSeries((s) => {
      const axis = model.getComponent("xAxis", s.get("xAxisIndex") || 0);
      const grid = grids[(axis && axis.get("gridIndex")) || 0];
      const view = c.getViewOfSeriesModel(s);
      if (!grid || !view) return;
      view.group.traverse((el) => {
        if (el.isGroup || hidden(el)) return;
        const m = el.getComputedTransform();
        const pts = el.shape && el.shape.points;
        if (pts && pts.length) {
          const flat = typeof pts[0] === "number";
          const n = flat ? pts.length / 2 : pts.length;
          const at = (i) => flat ? apply(m, pts[2 * i], pts[2 * i + 1]) : apply(m, pts[i][0], pts[i][1]);
          for (let i = 1; i < n; i++) {
            const a = at(i - 1), b = at(i);
            if ([a[0], a[1], b[0], b[1]].every(Number.isFinite) && inside(a, b, grid.box) > 0.5) grid.marks++;
          }
          return;
        }
        const r = el.getBoundingRect().clone();
        if (m) r.applyTransform(m);
        const [x0, y0, w, h] = grid.box;
        if (r.width > 0 && r.height > 0 && r.x < x0 + w && r.x + r.width > x0 && r.y < y0 + h && r.y + r.height > y0) grid.marks++;
      });
    });
    return grids;
  };
  // clipOf is the box (left, top, right, bottom, in client coordinates)
  // of the clip paths over an element of an SVG, or null.
  const clipOf = (el) => {
    let box = null;
    for (let e = el; e && e.tagName.toLowerCase() !== "svg"; e = e.parentElement) {
      const m = (e.getAttribute("clip-path") || "").match(/url\(['"]?#([^'")]+)/);
      const shape = m && document.getElementById(m[1]) && document.getElementById(m[1]).firstElementChild;
      if (!shape || !e.getScreenCTM) continue;
      const b = shape.getBBox();
      let mat = e.getScreenCTM();
      const own = shape.transform && shape.transform.baseVal.consolidate();
      if (own) mat = mat.multiply(own.matrix);
      const ps = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
        .map(([x, y]) => new DOMPoint(x, y).matrixTransform(mat));
      const xs = ps.map((p) => p.x), ys = ps.map((p) => p.y);
      const r = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      box = box ? [Math.max(box[0], r[0]), Math.max(box[1], r[1]), Math.min(box[2], r[2]), Math.min(box[3], r[3])] : r;
    }
    return box;
  };
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
      // A text under a clip path (a paging legend's items) shows only
      // inside it: wholly outside it is hidden, partly outside it is cut.
      let [x0, y0, x1, y1] = [r.left, r.top, r.right, r.bottom];
      const c = clipOf(t);
      if (c) {
        [x0, y0, x1, y1] = [Math.max(x0, c[0]), Math.max(y0, c[1]), Math.min(x1, c[2]), Math.min(y1, c[3])];
        if (x1 - x0 < 0.5 || y1 - y0 < 0.5) return;
      }
      const cut = x1 - x0 < r.width - 0.5 || y1 - y0 < r.height - 0.5;
      texts.push({text: s, box: [x0 - root.left, y0 - root.top, x1 - x0, y1 - y0], cut});
    });
    const series = c ? (c.getOption().series || []).map((s) => ({name: s.name, type: s.type, step: s.step || null, data: s.data || []})) : [];
    charts[el.id] = {size: [root.width, root.height], texts, series, grids: c ? gridMarks(c) : []};
  });
  return {scrollWidth: document.documentElement.scrollWidth, charts};
})()`

// Inspect loads htmlPath in a fresh headless Chromium at the viewport width,
// drawing its charts as SVG, and returns its layout. Give ctx a deadline.
func Inspect(ctx context.Context, htmlPath string, width int) (*Layout, error) {
	return inspect(ctx, htmlPath, width, width)
}

// InspectResized is Inspect of a page loaded at the width from and then
// resized to the width to: the layout a reader gets who turns a phone or
// widens a window.
func InspectResized(ctx context.Context, htmlPath string, from, to int) (*Layout, error) {
	return inspect(ctx, htmlPath, from, to)
}

func inspect(ctx context.Context, htmlPath string, from, to int) (*Layout, error) {
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
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(int64(from), 900)); err != nil {
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
	if to != from {
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(int64(to), 900)); err != nil {
			return nil, fmt.Errorf("inspecting %s: resizing: %w", htmlPath, err)
		}
		if err := chromedp.Do(tctx, chromedp.Sleep(500*time.Millisecond)); err != nil { // the page redraws on resize
			return nil, err
		}
	}
	out, err := chromedp.Run(tctx, chromedp.Evaluate[layoutResult](layoutJS))
	if err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", htmlPath, err)
	}
	l := &Layout{Width: to, ScrollWidth: int(out.ScrollWidth), Charts: out.Charts}
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

// Clipped lists the text boxes that do not lie wholly inside the chart,
// or that a clip path cuts.
func (c ChartLayout) Clipped() []TextBox {
	var out []TextBox
	for _, b := range c.Texts {
		if b.Cut || b.X < 0 || b.Y < 0 || b.X+b.W > c.Width || b.Y+b.H > c.Height {
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

// Crowded lists the pairs of text boxes of a chart on one line (the same
// top and height) that do not overlap but stand less than gap px apart:
// labels that read as one ("14:0014:01").
func (c ChartLayout) Crowded(gap float64) [][2]TextBox {
	var out [][2]TextBox
	for i, a := range c.Texts {
		for _, b := range c.Texts[i+1:] {
			if math.Abs(a.Y-b.Y) > 0.5 || math.Abs(a.H-b.H) > 0.5 {
				continue
			}
			space := math.Max(b.X-(a.X+a.W), a.X-(b.X+b.W))
			if space > -1 && space < gap {
				out = append(out, [2]TextBox{a, b})
			}
		}
	}
	return out
}

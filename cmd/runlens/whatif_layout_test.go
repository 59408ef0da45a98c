package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/browser"
	"github.com/runlens/runlens/render"
)

// TestWhatIfPageInChromium opens the what-if page of fat-container under
// two memory limits and two concurrencies in Chromium: both charts draw,
// with no error, dialog or request; at 400 and 1400 px, loaded there or
// resized to there from the other, the page does not overflow, no two
// texts of a chart overlap or run into each other on a line, none is cut
// off by the chart's edge, every plot area draws something and keeps its
// height; and the cost-p95 chart draws every configuration at the JSON's
// cost and p95, each prediction's error bars at its error bound, and the
// cold-start chart the JSON's cold starts.
func TestWhatIfPageInChromium(t *testing.T) {
	if _, ok := browser.Available(); !ok {
		browser.Open(t, "") // skips, or fails where chromium is required
	}
	dir := t.TempDir()
	page, js := filepath.Join(dir, "whatif.html"), filepath.Join(dir, "whatif.json")
	if _, stderr, err := runCLI(t, "whatif", "../../fixtures/fat-container", "-memory", "2Gi,4Gi", "-concurrency", "80,2",
		"-o", page, "-json", js, "-format", "none"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var res analyze.WhatIf
	readJSON(t, js, &res)
	if len(res.Predictions) != 4 {
		t.Fatalf("%d predictions, want 4", len(res.Predictions))
	}

	ids := []string{render.ChartWhatIfFront, render.ChartWhatIfColdStarts}
	browser.AssertQuietAndDrawn(t, browser.Open(t, page), ids)

	plots := map[string][]browser.GridDrawn{} // each chart's plot areas at 1400 px
	for _, v := range []struct{ from, width int }{{1400, 1400}, {400, 400}, {1400, 400}, {400, 1400}} {
		width, at := v.width, fmt.Sprintf("%d px", v.width)
		if v.from != width {
			at = fmt.Sprintf("%d px resized from %d", width, v.from)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		l, err := browser.InspectResized(ctx, page, v.from, width)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if l.ScrollWidth > width {
			t.Errorf("at %s the page is %d px wide: it overflows", at, l.ScrollWidth)
		}
		for _, id := range ids {
			c, ok := l.Charts[id]
			if !ok {
				t.Errorf("at %s: no chart %s", at, id)
				continue
			}
			for _, o := range c.Overlaps(1) {
				t.Errorf("%s at %s: %q at %v overlaps %q at %v", id, at, o[0].Text, o[0].Box, o[1].Text, o[1].Box)
			}
			for _, o := range whatIfCrowded(c, 4) {
				t.Errorf("%s at %s: %q at %v runs into %q at %v", id, at, o[0].Text, o[0].Box, o[1].Text, o[1].Box)
			}
			for _, b := range c.Clipped() {
				t.Errorf("%s at %s: %q at %v is cut off by the chart's edge (%v x %v)", id, at, b.Text, b.Box, c.Width, c.Height)
			}
			if len(c.Grids) != 1 || c.Grids[0].Marks == 0 {
				t.Errorf("%s at %s: plot areas %+v: want one that draws something", id, at, c.Grids)
			}
			if v.from == 1400 && width == 1400 {
				plots[id] = c.Grids
			} else if len(c.Grids) == 1 && len(plots[id]) == 1 && math.Abs(c.Grids[0].Box[3]-plots[id][0].Box[3]) > 1 {
				t.Errorf("%s at %s: the plot is %.0f px tall, %.0f px at 1400 px", id, at, c.Grids[0].Box[3], plots[id][0].Box[3])
			}
		}
		if v.from == 1400 && width == 1400 {
			checkWhatIfDrawn(t, l.Charts, &res)
		}
	}
}

// whatIfCrowded lists the pairs of text boxes of a chart on one line (the
// same top and height) that do not overlap but stand less than gap px
// apart: labels that read as one.
func whatIfCrowded(c browser.ChartLayout, gap float64) [][2]browser.TextBox {
	var out [][2]browser.TextBox
	for i, a := range c.Texts {
		for _, b := range c.Texts[i+1:] {
			if math.Abs(a.Y-b.Y) > 0.5 || math.Abs(a.H-b.H) > 0.5 {
				continue
			}
			if space := math.Max(b.X-(a.X+a.W), a.X-(b.X+b.W)); space > -1 && space < gap {
				out = append(out, [2]browser.TextBox{a, b})
			}
		}
	}
	return out
}

// whatIfSeries is the named series of a chart as drawn.
func whatIfSeries(t *testing.T, charts map[string]browser.ChartLayout, chart, name string) browser.SeriesDrawn {
	t.Helper()
	for _, s := range charts[chart].Series {
		if s.Name == name {
			return s
		}
	}
	t.Errorf("%s: no series %q drawn", chart, name)
	return browser.SeriesDrawn{}
}

// whatIfItem reads a drawn data item: its name and its value, a number or
// a pair; ok is false for a break (null).
func whatIfItem(d any) (name string, value []float64, ok bool) {
	v := d
	if m, isMap := d.(map[string]any); isMap {
		name, _ = m["name"].(string)
		v = m["value"]
	}
	switch x := v.(type) {
	case float64:
		return name, []float64{x}, true
	case []any:
		for _, e := range x {
			f, isNum := e.(float64)
			if !isNum {
				return name, nil, false
			}
			value = append(value, f)
		}
		return name, value, true
	}
	return name, nil, false
}

// whatIfNear is equality but for the float's last bits.
func whatIfNear(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// checkWhatIfDrawn compares what the charts draw, read back through each
// chart's getOption(), with the JSON: every configuration at its cost and
// p95, the observed and the backtest apart; the error bars from cost and
// p95 times one less and one more their bound; the front through the
// settings marked Pareto, cheapest first; cold starts per configuration.
func checkWhatIfDrawn(t *testing.T, charts map[string]browser.ChartLayout, res *analyze.WhatIf) {
	t.Helper()
	front := render.ChartWhatIfFront
	settings := whatIfSeries(t, charts, front, render.WhatIfSettingsSeries)
	if len(settings.Data) != len(res.Predictions) {
		t.Errorf("%d settings drawn, %d in the JSON", len(settings.Data), len(res.Predictions))
	}
	for i, d := range settings.Data {
		if i >= len(res.Predictions) {
			break
		}
		p := res.Predictions[i]
		name, v, ok := whatIfItem(d)
		if !ok || name != "setting "+strconv.Itoa(i+1) || len(v) != 2 || !whatIfNear(v[0], p.CostUSD) || !whatIfNear(v[1], p.P95MS) {
			t.Errorf("setting %d drawn as %v, the JSON's at (%v, %v)", i+1, d, p.CostUSD, p.P95MS)
		}
	}
	for name, o := range map[string]analyze.WhatIfOutcome{render.WhatIfObservedSeries: res.Observed, render.WhatIfBacktestSeries: res.Backtest} {
		s := whatIfSeries(t, charts, front, name)
		if len(s.Data) != 1 {
			t.Errorf("%s: %d points drawn, want 1", name, len(s.Data))
			continue
		}
		if _, v, ok := whatIfItem(s.Data[0]); !ok || len(v) != 2 || !whatIfNear(v[0], o.CostUSD) || !whatIfNear(v[1], o.P95MS) {
			t.Errorf("%s drawn as %v, the JSON's at (%v, %v)", name, s.Data[0], o.CostUSD, o.P95MS)
		}
	}
	// Error bars: per prediction a horizontal and a vertical segment, each
	// ended by a break.
	bars := whatIfSeries(t, charts, front, render.WhatIfBoundSeries).Data
	if len(bars) != 6*len(res.Predictions) {
		t.Errorf("error bars of %d items, want 6 for each of %d settings", len(bars), len(res.Predictions))
	} else {
		for i, p := range res.Predictions {
			bc, bp := p.Bound["cost_usd"], p.Bound["p95_ms"]
			want := [][]float64{{p.CostUSD * (1 - bc), p.P95MS}, {p.CostUSD * (1 + bc), p.P95MS}, nil,
				{p.CostUSD, p.P95MS * (1 - bp)}, {p.CostUSD, p.P95MS * (1 + bp)}, nil}
			for k, w := range want {
				_, v, ok := whatIfItem(bars[6*i+k])
				if w == nil {
					if ok {
						t.Errorf("setting %d: error bar item %d is %v, want a break", i+1, k, bars[6*i+k])
					}
					continue
				}
				if !ok || len(v) != 2 || !whatIfNear(v[0], w[0]) || !whatIfNear(v[1], w[1]) {
					t.Errorf("setting %d: error bar end %d drawn at %v, want %v (bounds: cost ±%v, p95 ±%v)", i+1, k, bars[6*i+k], w, bc, bp)
				}
			}
		}
	}
	var want [][2]float64
	for _, p := range res.Predictions {
		if p.Pareto {
			want = append(want, [2]float64{p.CostUSD, p.P95MS})
		}
	}
	line := whatIfSeries(t, charts, front, render.WhatIfFrontSeries).Data
	if len(line) != len(want) {
		t.Errorf("the front joins %d points, %d settings are Pareto in the JSON", len(line), len(want))
	}
	last := math.Inf(-1)
	for _, d := range line {
		_, v, ok := whatIfItem(d)
		found := false
		for _, w := range want {
			found = found || ok && len(v) == 2 && whatIfNear(v[0], w[0]) && whatIfNear(v[1], w[1])
		}
		if !found || v[0] < last {
			t.Errorf("the front drawn through %v: not a Pareto setting of the JSON, or not cheapest first", d)
		}
		if ok {
			last = v[0]
		}
	}
	cold := whatIfSeries(t, charts, render.ChartWhatIfColdStarts, render.WhatIfColdStartSeries).Data
	outs := append([]analyze.WhatIfOutcome{res.Observed, res.Backtest}, res.Predictions...)
	if len(cold) != len(outs) {
		t.Fatalf("%d cold-start bars, want %d", len(cold), len(outs))
	}
	for i, o := range outs {
		if _, v, ok := whatIfItem(cold[i]); !ok || len(v) != 1 || v[0] != float64(o.ColdStarts) {
			t.Errorf("cold-start bar %d drawn as %v, the JSON's %d", i, cold[i], o.ColdStarts)
		}
	}
}

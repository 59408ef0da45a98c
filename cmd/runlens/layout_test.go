package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/browser"
	"github.com/runlens/runlens/internal/fixturetest"
)

// TestPageLayoutInChromium opens every fixture's page, and a day of
// 200,000 generated requests, in Chromium at 400 and 1400 px, drawn as
// SVG, loaded at that width or resized to it from the other: no
// horizontal overflow; no two texts of a chart overlap or run into each
// other on a line, and none is cut off by the chart's edge; plot areas as
// tall at 400 px as at 1400; every plot area of every chart draws
// something inside it (no empty frame); and every chart draws the JSON's
// series (checkDrawnSeries), the requests-per-second chart exactly
// series.server, zero-filled steps included.
func TestPageLayoutInChromium(t *testing.T) {
	if _, ok := browser.Available(); !ok {
		browser.Open(t, "") // skips, or fails where chromium is required
	}
	dir := t.TempDir()
	pages := map[string][]string{}
	for _, d := range fixturetest.Dirs(t, filepath.Join("..", "..", "fixtures"), 1) {
		pages[filepath.Base(d)] = []string{d}
	}
	log := filepath.Join(dir, "day.ndjson")
	n := "200000"
	if testing.Short() {
		n = "20000"
	}
	if _, _, err := runCLI(t, "simulate", "-scenario", "large", "-requests", n, "-o", log); err != nil {
		t.Fatal(err)
	}
	pages["large"] = []string{"-logs", log}
	for name, src := range pages {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			html, js := filepath.Join(dir, name+".html"), filepath.Join(dir, name+".json")
			if _, stderr, err := runCLI(t, append(append([]string{"report"}, src...), "-o", html, "-json", js, "-format", "none")...); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			var rpt analyze.Report
			readJSON(t, js, &rpt)
			// Each width loaded, and each reached by resizing from the other.
			plots := map[string][]browser.GridDrawn{} // each chart's plot areas at 1400 px
			for _, v := range []struct{ from, width int }{{1400, 1400}, {400, 400}, {1400, 400}, {400, 1400}} {
				width, at := v.width, fmt.Sprintf("%d px", v.width)
				if v.from != width {
					at = fmt.Sprintf("%d px resized from %d", width, v.from)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
				l, err := browser.InspectResized(ctx, html, v.from, width)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				if l.ScrollWidth > width {
					t.Errorf("at %s the page is %d px wide: it overflows", at, l.ScrollWidth)
				}
				for id, c := range l.Charts {
					for _, o := range c.Overlaps(1) {
						t.Errorf("%s at %s: %q at %v overlaps %q at %v", id, at, o[0].Text, o[0].Box, o[1].Text, o[1].Box)
					}
					for _, o := range c.Crowded(4) {
						t.Errorf("%s at %s: %q at %v runs into %q at %v", id, at, o[0].Text, o[0].Box, o[1].Text, o[1].Box)
					}
					for _, b := range c.Clipped() {
						t.Errorf("%s at %s: %q at %v is cut off by the chart's edge (%v x %v)", id, at, b.Text, b.Box, c.Width, c.Height)
					}
					checkGridsDrawn(t, id, at, c)
					if width == 1400 && v.from == 1400 {
						plots[id] = c.Grids
					} else {
						checkPlotHeights(t, id, at, plots[id], c.Grids)
					}
				}
				if v.from != 1400 || width != 1400 {
					continue // the data drawn do not depend on the width
				}
				checkDrawnServerSeries(t, l.Charts["chart_rps"], rpt.Series)
				checkDrawnSeries(t, l.Charts, rpt.Series)
			}
		})
	}
}

// checkPlotHeights fails the test where a chart's plot areas are not as
// tall as at 1400 px: a subtitle or a legend that wraps on a narrow
// screen takes room of its own, not the data's.
func checkPlotHeights(t *testing.T, id, at string, wide, got []browser.GridDrawn) {
	t.Helper()
	if len(got) != len(wide) {
		t.Errorf("%s at %s: %d plot areas, %d at 1400 px", id, at, len(got), len(wide))
		return
	}
	for i := range got {
		if math.Abs(got[i].Box[3]-wide[i].Box[3]) > 1 {
			t.Errorf("%s at %s: plot area %d is %.0f px tall, %.0f px at 1400 px", id, at, i, got[i].Box[3], wide[i].Box[3])
		}
	}
}

// checkGridsDrawn fails the test for a chart with a plot area (grid) in
// which its series draw nothing visible: an empty frame.
func checkGridsDrawn(t *testing.T, id, at string, c browser.ChartLayout) {
	t.Helper()
	if len(c.Grids) == 0 {
		t.Errorf("%s at %s: no plot area", id, at)
	}
	for i, g := range c.Grids {
		if g.Marks == 0 {
			t.Errorf("%s at %s: plot area %d at %v draws nothing: an empty frame", id, at, i, g.Box)
		}
	}
}

// maxDrawn is the most points the page draws of a series (render's
// default MaxPoints): a longer series is thinned for display.
const maxDrawn = 2000

// point is a point of a JSON series as the page should draw it.
type point struct {
	x   int64
	y   float64
	gap bool // no value: a break in the line
}

// span is a JSON value over an interval of time, [from, to) in Unix ms:
// what a step of a step line draws.
type span struct {
	from, to int64
	y        float64
}

// checkDrawnSeries compares what every chart draws with the JSON series
// it draws it from: client and server requests and errors, client and
// server percentiles (a break where a step had no request), latency by
// endpoint, users, the latency scatter and startup latency point by point
// (checkPoints); instances, billable time, status classes, CPU, memory
// and GPU as steps, each JSON value over the interval it covers
// (checkSteps). The lanes are checked by the analysis's tests and
// TestSeriesAddUp.
func checkDrawnSeries(t *testing.T, charts map[string]browser.ChartLayout, s analyze.Series) {
	t.Helper()
	want := map[[2]string][]point{}
	add := func(chart, name string, x time.Time, y float64, gap bool) {
		k := [2]string{chart, name}
		want[k] = append(want[k], point{x: x.UnixMilli(), y: y, gap: gap})
	}
	for _, p := range s.Client {
		add("chart_users", "users", p.Time, float64(p.Users), false)
		add("chart_rps", "client requests/s", p.Time, p.RequestsPerSec, false)
		if p.HasPercentiles {
			add("chart_percentiles", "client p50", p.Time, p.P50MS, false)
		}
	}
	for _, p := range s.Server {
		add("chart_percentiles", "server p50", p.Time, p.P50MS, p.Requests == 0)
		add("chart_percentiles", "server p95", p.Time, p.P95MS, p.Requests == 0)
		add("chart_percentiles", "server p99", p.Time, p.P99MS, p.Requests == 0)
		add("chart_rps", "server errors/s", p.Time, float64(p.Errors)/s.ServerStepS, false)
	}
	for _, e := range s.Endpoints {
		for _, p := range e.Points {
			add("chart_endpoints", "p50 "+e.Endpoint, p.Time, p.P50MS, p.Requests == 0)
			add("chart_endpoints", "p95 "+e.Endpoint, p.Time, p.P95MS, p.Requests == 0)
		}
	}
	for _, p := range s.Startup {
		add("chart_startup", "startup latency", p.Time, p.Value, false)
	}
	for _, p := range s.Latency {
		name := "request"
		if p.ColdStart {
			name = "cold start"
		}
		add("chart_latency", name, p.Time, p.MS, false)
	}
	for k, w := range want {
		checkPoints(t, k[0]+" "+k[1], drawnSeries(charts, k[0], k[1]).Data, w)
	}

	// Steps: a metric's point covers the interval that ends at its time,
	// a status class's the interval that starts at it.
	metric := time.Duration(s.MetricStepS * float64(time.Second)).Milliseconds()
	status := time.Duration(s.StatusStepS * float64(time.Second)).Milliseconds()
	if metric <= 0 || status <= 0 {
		t.Fatalf("metric_step_s %v, status_step_s %v: want both", s.MetricStepS, s.StatusStepS)
	}
	steps := map[[2]string][]span{}
	ending := func(chart, name string, at time.Time, y float64) {
		k := [2]string{chart, name}
		steps[k] = append(steps[k], span{from: at.UnixMilli() - metric, to: at.UnixMilli(), y: y})
	}
	for _, p := range s.Instances {
		ending("chart_instances", "active (max per minute)", p.Time, p.Active)
		ending("chart_instances", "idle (max per minute)", p.Time, p.Idle)
	}
	for _, p := range s.Billable {
		ending("chart_billable", "billable instance-seconds per minute", p.Time, p.Value)
	}
	for chart, ps := range map[string][]analyze.UtilPoint{"chart_cpu": s.CPU, "chart_memory": s.Memory, "chart_gpu": s.GPU, "chart_gpu_memory": s.GPUMemory} {
		for _, p := range ps {
			ending(chart, "p50", p.Time, p.P50*100)
			ending(chart, "p95", p.Time, p.P95*100)
			ending(chart, "p99", p.Time, p.P99*100)
		}
	}
	for k, w := range steps {
		checkSteps(t, k[0]+" "+k[1], drawnSeries(charts, k[0], k[1]), w, false)
	}
	classes := map[string][]span{}
	for _, p := range s.StatusClasses {
		for name, y := range map[string]float64{"2xx": p.C2xx, "3xx": p.C3xx, "4xx": p.C4xx, "5xx": p.C5xx} {
			classes[name] = append(classes[name], span{from: p.Time.UnixMilli(), to: p.Time.UnixMilli() + status, y: y})
		}
	}
	for name, w := range classes {
		checkSteps(t, "chart_status "+name, drawnSeries(charts, "chart_status", name), w, true)
	}
}

// drawnSeries is the named series of a chart as drawn; a series not drawn
// has no data.
func drawnSeries(charts map[string]browser.ChartLayout, chart, name string) browser.SeriesDrawn {
	for _, sr := range charts[chart].Series {
		if sr.Name == name {
			return sr
		}
	}
	return browser.SeriesDrawn{Name: name}
}

// drawnXY reads a drawn point: [x, y], {"name", "value": [x, y]}, or null
// (a break); y is NaN for a break.
func drawnXY(p any) (x int64, y float64, ok bool) {
	if p == nil {
		return 0, math.NaN(), true
	}
	xy, _ := p.([]any)
	if m, isMap := p.(map[string]any); isMap { // a named point
		xy, _ = m["value"].([]any)
	}
	if len(xy) != 2 {
		return 0, 0, false
	}
	fx, _ := xy[0].(float64)
	fy, isNum := xy[1].(float64)
	if !isNum {
		fy = math.NaN()
	}
	return int64(fx), fy, true
}

// near is equality at the five significant digits the page keeps.
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-4*math.Max(1, math.Abs(b))
}

// checkPoints compares a series drawn point by point with the JSON's
// points. A series of at most maxDrawn points is drawn whole; a longer
// one is thinned for display: then every point drawn is one of the
// JSON's, in order, and the highest and the lowest point of every bucket
// of the JSON (maxDrawn/2 buckets of equal count) are drawn, so that
// peaks and dips survive.
func checkPoints(t *testing.T, what string, drawn []any, want []point) {
	t.Helper()
	type got struct {
		x int64
		y float64
	}
	pts := make([]got, 0, len(drawn))
	for i, d := range drawn {
		x, y, ok := drawnXY(d)
		if !ok {
			t.Errorf("%s: point %d drawn as %v", what, i, d)
			return
		}
		pts = append(pts, got{x, y})
	}
	same := func(g got, p point) bool {
		return g.x == p.x && (p.gap == math.IsNaN(g.y)) && (p.gap || near(g.y, p.y))
	}
	if len(want) <= maxDrawn {
		if len(pts) != len(want) {
			t.Errorf("%s: %d points drawn, %d in the JSON", what, len(pts), len(want))
			return
		}
		for i, p := range want {
			if !same(pts[i], p) {
				t.Errorf("%s: point %d drawn as (%v, %v), JSON (%v, %v, gap %v)", what, i, pts[i].x, pts[i].y, p.x, p.y, p.gap)
				return
			}
		}
		return
	}
	if len(pts) > maxDrawn || len(pts) == 0 {
		t.Errorf("%s: %d points drawn of the JSON's %d, want 1 to %d", what, len(pts), len(want), maxDrawn)
		return
	}
	at := make([]int, len(pts)) // the JSON index of each point drawn
	j := 0
	for i, g := range pts {
		for j < len(want) && !same(g, want[j]) {
			j++
		}
		if j == len(want) {
			t.Errorf("%s: point %d drawn at (%v, %v) is not the JSON's, or out of order", what, i, g.x, g.y)
			return
		}
		at[i] = j
		j++
	}
	drawnIdx := map[int]bool{}
	for _, i := range at {
		drawnIdx[i] = true
	}
	buckets := maxDrawn / 2
	for k := 0; k < buckets; k++ {
		lo, hi := k*len(want)/buckets, (k+1)*len(want)/buckets
		mn, mx := -1, -1
		for i := lo; i < hi; i++ {
			if want[i].gap {
				continue
			}
			if mn < 0 || want[i].y < want[mn].y {
				mn = i
			}
			if mx < 0 || want[i].y > want[mx].y {
				mx = i
			}
		}
		for _, i := range []int{mn, mx} {
			if i >= 0 && !drawnIdx[i] && !slices.ContainsFunc(at, func(d int) bool { return d >= lo && d < hi && want[d].y == want[i].y }) {
				t.Errorf("%s: the JSON's point %d (%v, %v), an extreme of points %d to %d, is not drawn", what, i, want[i].x, want[i].y, lo, hi-1)
				return
			}
		}
	}
}

// checkSteps compares a step line as drawn, read with its step mode, with
// the JSON's values over their intervals: every interval is drawn over
// its whole length, at its value. Where the page merged intervals to keep
// under maxDrawn points, a step drawn over several of them shows their
// sum (counts) or their highest value (the others); a step of counts
// drawn where the JSON has no interval is zero.
func checkSteps(t *testing.T, what string, sr browser.SeriesDrawn, want []span, counts bool) {
	t.Helper()
	if len(want) == 0 {
		if len(sr.Data) > 0 {
			t.Errorf("%s: drawn without data in the JSON", what)
		}
		return
	}
	mode, _ := sr.Step.(string)
	if mode != "start" && mode != "end" && mode != "middle" {
		t.Errorf("%s: drawn as a line (step %v), not as steps over the intervals", what, sr.Step)
		return
	}
	if len(sr.Data) > maxDrawn {
		t.Errorf("%s: %d points drawn, more than %d", what, len(sr.Data), maxDrawn)
	}
	type xy struct {
		x int64
		y float64
	}
	pts := make([]xy, 0, len(sr.Data))
	for i, d := range sr.Data {
		x, y, ok := drawnXY(d)
		if !ok {
			t.Errorf("%s: point %d drawn as %v", what, i, d)
			return
		}
		pts = append(pts, xy{x, y})
	}
	// The steps drawn: ECharts' "end" holds a point's value to the next
	// point, "start" draws the next point's value from this one, "middle"
	// changes value half way. A break (null) ends the line.
	var drawn []span
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if math.IsNaN(a.y) || math.IsNaN(b.y) || b.x <= a.x {
			continue
		}
		switch mode {
		case "end":
			drawn = append(drawn, span{a.x, b.x, a.y})
		case "start":
			drawn = append(drawn, span{a.x, b.x, b.y})
		case "middle":
			mid := a.x + (b.x-a.x)/2
			drawn = append(drawn, span{a.x, mid, a.y}, span{mid, b.x, b.y})
		}
	}
	// Every interval of the JSON is covered by steps drawn...
	for _, w := range want {
		covered := int64(0)
		for _, d := range drawn {
			covered += max(0, min(d.to, w.to)-max(d.from, w.from))
		}
		if covered != w.to-w.from {
			t.Errorf("%s: the JSON's %v over [%v, %v) is drawn over %d of its %d ms", what, w.y, w.from, w.to, covered, w.to-w.from)
			return
		}
	}
	// ... and each step drawn shows the intervals it covers, whole.
	for _, d := range drawn {
		value, n := 0.0, 0
		for _, w := range want {
			if w.to <= d.from || w.from >= d.to {
				continue
			}
			if w.from < d.from || w.to > d.to {
				t.Errorf("%s: a step drawn over [%v, %v) cuts the JSON's interval [%v, %v)", what, d.from, d.to, w.from, w.to)
				return
			}
			switch {
			case counts:
				value += w.y
			case n == 0 || w.y > value:
				value = w.y
			}
			n++
		}
		if n == 0 && !(counts && d.y == 0) {
			t.Errorf("%s: %v drawn over [%v, %v), where the JSON has no value", what, d.y, d.from, d.to)
			return
		}
		if !near(d.y, value) {
			t.Errorf("%s: %v drawn over [%v, %v), the JSON's value there is %v", what, d.y, d.from, d.to, value)
			return
		}
	}
}

// checkDrawnServerSeries compares the drawn "server requests/s" with the
// JSON's series.server (checkPoints: point by point, or the extremes of a
// series thinned for display).
func checkDrawnServerSeries(t *testing.T, c browser.ChartLayout, s analyze.Series) {
	t.Helper()
	var drawn []any
	found := false
	for _, sr := range c.Series {
		if sr.Name == "server requests/s" {
			drawn, found = sr.Data, true
		}
	}
	if len(s.Server) == 0 {
		if found {
			t.Error("server requests/s drawn without a server series")
		}
		return
	}
	if !found {
		t.Fatal("server requests/s not drawn")
	}
	want := make([]point, len(s.Server))
	for i, p := range s.Server {
		want[i] = point{x: p.Time.UnixMilli(), y: float64(p.Requests) / s.ServerStepS}
	}
	checkPoints(t, "server requests/s", drawn, want)
}

package main

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/internal/browser"
	"github.com/runlens/runlens/internal/fixturetest"
)

// TestPageLayoutInChromium opens every fixture's page, and a day of
// 200,000 generated requests, in Chromium at 400 and 1400 px: no
// horizontal overflow; at 1400 px, drawn as SVG, no two texts of a chart
// overlap; and the requests-per-second chart draws exactly the JSON's
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
			for _, width := range []int{400, 1400} {
				ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
				l, err := browser.Inspect(ctx, html, width)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				if l.ScrollWidth > width {
					t.Errorf("at %d px the page is %d px wide: it overflows", width, l.ScrollWidth)
				}
				if width != 1400 {
					continue
				}
				for id, c := range l.Charts {
					for _, o := range c.Overlaps(1) {
						t.Errorf("%s: %q at %v overlaps %q at %v", id, o[0].Text, o[0].Box, o[1].Text, o[1].Box)
					}
					for _, b := range c.Clipped() {
						t.Errorf("%s: %q at %v is cut off by the chart's edge (%v x %v)", id, b.Text, b.Box, c.Width, c.Height)
					}
				}
				checkDrawnServerSeries(t, l.Charts["chart_rps"], rpt.Series)
				checkDrawnSeries(t, l.Charts, rpt.Series)
			}
		})
	}
}

// checkDrawnSeries compares what every chart draws with the JSON series
// it draws it from, point by point: client and server requests and
// errors, client and server percentiles (a break where a step had no
// request), latency by endpoint, users, instances, billable time, status
// classes, the latency scatter, CPU, memory and startup latency (the
// lanes are checked by the analysis's tests and TestSeriesAddUp). Series thinned for
// display (more than 2,000 points) are left out.
func checkDrawnSeries(t *testing.T, charts map[string]browser.ChartLayout, s analyze.Series) {
	t.Helper()
	type pt struct {
		x   int64
		y   float64
		gap bool
	}
	want := map[[2]string][]pt{}
	for _, p := range s.Client {
		want[[2]string{"chart_users", "users"}] = append(want[[2]string{"chart_users", "users"}], pt{x: p.Time.UnixMilli(), y: float64(p.Users)})
	}
	for _, p := range s.Billable {
		k := [2]string{"chart_billable", "billable instance-seconds per minute"}
		want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: p.Value})
	}
	for _, p := range s.Instances {
		ka, ki := [2]string{"chart_instances", "active (max per minute)"}, [2]string{"chart_instances", "idle (max per minute)"}
		want[ka] = append(want[ka], pt{x: p.Time.UnixMilli(), y: p.Active})
		want[ki] = append(want[ki], pt{x: p.Time.UnixMilli(), y: p.Idle})
	}
	for _, p := range s.CPU {
		k := [2]string{"chart_cpu", "p95"}
		want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: p.P95 * 100})
	}
	for _, p := range s.Memory {
		k := [2]string{"chart_memory", "p99"}
		want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: p.P99 * 100})
	}
	for _, p := range s.Server {
		for _, q := range []struct {
			name string
			v    float64
		}{{"server p50", p.P50MS}, {"server p95", p.P95MS}, {"server p99", p.P99MS}} {
			k := [2]string{"chart_percentiles", q.name}
			want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: q.v, gap: p.Requests == 0})
		}
		k := [2]string{"chart_rps", "server errors/s"}
		want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: float64(p.Errors) / s.ServerStepS})
	}
	for _, p := range s.Client {
		k := [2]string{"chart_rps", "client requests/s"}
		want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: p.RequestsPerSec})
		if p.HasPercentiles {
			k := [2]string{"chart_percentiles", "client p50"}
			want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: p.P50MS})
		}
	}
	for _, p := range s.StatusClasses {
		for _, c := range []struct {
			name string
			v    float64
		}{{"2xx", p.C2xx}, {"3xx", p.C3xx}, {"4xx", p.C4xx}, {"5xx", p.C5xx}} {
			k := [2]string{"chart_status", c.name}
			want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: c.v})
		}
	}
	for _, e := range s.Endpoints {
		for _, p := range e.Points {
			k50, k95 := [2]string{"chart_endpoints", "p50 " + e.Endpoint}, [2]string{"chart_endpoints", "p95 " + e.Endpoint}
			want[k50] = append(want[k50], pt{x: p.Time.UnixMilli(), y: p.P50MS, gap: p.Requests == 0})
			want[k95] = append(want[k95], pt{x: p.Time.UnixMilli(), y: p.P95MS, gap: p.Requests == 0})
		}
	}
	for _, p := range s.Startup {
		k := [2]string{"chart_startup", "startup latency"}
		want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: p.Value})
	}
	for _, p := range s.Latency {
		k := [2]string{"chart_latency", "request"}
		if p.ColdStart {
			k[1] = "cold start"
		}
		want[k] = append(want[k], pt{x: p.Time.UnixMilli(), y: p.MS})
	}
	for k, w := range want {
		if len(w) > 2000 {
			continue // thinned for display
		}
		var drawn []any
		for _, sr := range charts[k[0]].Series {
			if sr.Name == k[1] {
				drawn = sr.Data
			}
		}
		if len(drawn) != len(w) {
			t.Errorf("%s %q: %d points drawn, %d in the JSON", k[0], k[1], len(drawn), len(w))
			continue
		}
		for i, p := range w {
			xy, _ := drawn[i].([]any)
			if m, ok := drawn[i].(map[string]any); ok { // a named point: {"name", "value": [x, y]}
				xy, _ = m["value"].([]any)
			}
			if len(xy) != 2 {
				t.Errorf("%s %q point %d drawn as %v", k[0], k[1], i, drawn[i])
				break
			}
			x, _ := xy[0].(float64)
			y, isNum := xy[1].(float64)
			if int64(x) != p.x || p.gap == isNum || (!p.gap && math.Abs(y-p.y) > 1e-4*math.Max(1, math.Abs(p.y))) {
				t.Errorf("%s %q point %d drawn as %v, JSON (%v, %v, gap %v)", k[0], k[1], i, xy, p.x, p.y, p.gap)
				break
			}
		}
	}
}

// checkDrawnServerSeries compares the drawn "server requests/s" with the
// JSON's series.server, point by point (the page keeps five significant
// digits).
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
	if len(s.Server) > 2000 { // thinned for display: extremes kept, not every point
		return
	}
	if len(drawn) != len(s.Server) {
		t.Fatalf("server requests/s: %d points drawn, %d in the JSON", len(drawn), len(s.Server))
	}
	step := s.ServerStepS
	for i, p := range s.Server {
		xy, _ := drawn[i].([]any)
		if len(xy) != 2 {
			t.Fatalf("point %d drawn as %v", i, drawn[i])
		}
		x, _ := xy[0].(float64)
		y, _ := xy[1].(float64)
		want := float64(p.Requests) / step
		if int64(x) != p.Time.UnixMilli() || math.Abs(y-want) > 1e-4*math.Max(1, want) {
			t.Errorf("point %d drawn at (%v, %v), JSON (%v, %v)", i, x, y, p.Time.UnixMilli(), want)
		}
	}
}

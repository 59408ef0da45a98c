package render

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/analyze"
)

// minuteReport is a report of two minutes of traffic from 10:00:00:
// metrics stamped at the ends of their minutes (10:01, 10:02), status
// classes at their starts (10:00, 10:01), as Cloud Run and the analysis
// give them.
func minuteReport() *analyze.Report {
	rpt := sampleReport()
	t0 := time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC)
	rpt.Window = analyze.Window{Start: t0, End: t0.Add(2 * time.Minute)}
	s := analyze.Series{ServerStepS: 1, MetricStepS: 60, StatusStepS: 60}
	for i := 0; i < 120; i++ {
		s.Server = append(s.Server, analyze.ServerPoint{Time: t0.Add(time.Duration(i) * time.Second), Requests: 3, P50MS: 100, P95MS: 200, P99MS: 300})
	}
	s.Instances = []analyze.InstancePoint{{Time: t0.Add(time.Minute), Active: 3, Idle: 1}, {Time: t0.Add(2 * time.Minute), Active: 2, Idle: 3}}
	s.Billable = []analyze.ValuePoint{{Time: t0.Add(time.Minute), Value: 129.7}, {Time: t0.Add(2 * time.Minute), Value: 109.4}}
	s.CPU = []analyze.UtilPoint{{Time: t0.Add(time.Minute), P50: 0.5, P95: 0.9, P99: 0.95}, {Time: t0.Add(2 * time.Minute), P50: 0.4, P95: 0.8, P99: 0.9}}
	s.Memory = s.CPU
	s.StatusClasses = []analyze.StatusPoint{{Time: t0, C2xx: 175}, {Time: t0.Add(time.Minute), C2xx: 250, C5xx: 2}}
	rpt.Series = s
	rpt.ColdStarts = analyze.ColdStarts{}
	return rpt
}

// minute is 10:00 plus m minutes, in Unix ms as the options hold it.
func minute(m float64) float64 {
	return float64(time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC).UnixMilli()) + m*60000
}

// seriesOption returns the named series of a chart option.
func seriesOption(t *testing.T, opt map[string]any, name string) map[string]any {
	t.Helper()
	for _, s := range opt["series"].([]any) {
		if m := s.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("no series %q", name)
	return nil
}

// TestStepChartsDrawEachValueOverItsInterval draws a metric's value over
// the minute that ends at its time and a status class's over the interval
// that starts at its time, the last interval included: step "end" (a
// point's value held to the next point) from each interval's start, and a
// closing point at the last one's end.
func TestStepChartsDrawEachValueOverItsInterval(t *testing.T) {
	opts := chartOptions(t, minuteReport(), 2000)
	for _, c := range []struct {
		chart, series string
		want          []any
	}{
		{chartInstances, "active (max per minute)", []any{[]any{minute(0), 3.0}, []any{minute(1), 2.0}, []any{minute(2), 2.0}}},
		{chartInstances, "idle (max per minute)", []any{[]any{minute(0), 1.0}, []any{minute(1), 3.0}, []any{minute(2), 3.0}}},
		{chartBillable, "billable instance-seconds per minute", []any{[]any{minute(0), 129.7}, []any{minute(1), 109.4}, []any{minute(2), 109.4}}},
		{chartCPU, "p95", []any{[]any{minute(0), 90.0}, []any{minute(1), 80.0}, []any{minute(2), 80.0}}},
		{chartMemory, "p50", []any{[]any{minute(0), 50.0}, []any{minute(1), 40.0}, []any{minute(2), 40.0}}},
		{chartStatus, "2xx", []any{[]any{minute(0), 175.0}, []any{minute(1), 250.0}, []any{minute(2), 250.0}}},
		{chartStatus, "5xx", []any{[]any{minute(0), 0.0}, []any{minute(1), 2.0}, []any{minute(2), 2.0}}},
	} {
		s := seriesOption(t, opts[c.chart], c.series)
		if s["step"] != "end" {
			t.Errorf("%s %q: step %v, want end: each point's value held until the next point", c.chart, c.series, s["step"])
		}
		if diff := cmp.Diff(c.want, s["data"]); diff != "" {
			t.Errorf("%s %q data (-want +got):\n%s", c.chart, c.series, diff)
		}
	}
	if got := opts[chartStatus]["title"].(map[string]any)["subtext"]; got != "requests per 1 min" {
		t.Errorf("status subtitle %q, want the interval of its steps", got)
	}
}

// TestStepChartsBetweenIntervals drops a count to zero where an interval
// is missing, and breaks a metric's line there: neither holds a value
// over a time it does not cover.
func TestStepChartsBetweenIntervals(t *testing.T) {
	rpt := minuteReport()
	s := &rpt.Series
	s.StatusClasses[1].Time = s.StatusClasses[1].Time.Add(time.Minute) // 10:00 and 10:02
	s.Instances[1].Time = s.Instances[1].Time.Add(time.Minute)         // 10:01 and 10:03
	opts := chartOptions(t, rpt, 2000)
	status := seriesOption(t, opts[chartStatus], "2xx")["data"]
	want := []any{[]any{minute(0), 175.0}, []any{minute(1), 175.0}, []any{minute(1), 0.0}, []any{minute(2), 250.0}, []any{minute(3), 250.0}}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Errorf("status 2xx with a minute missing (-want +got):\n%s", diff)
	}
	active := seriesOption(t, opts[chartInstances], "active (max per minute)")["data"]
	want = []any{[]any{minute(0), 3.0}, []any{minute(1), 3.0}, nil, []any{minute(2), 2.0}, []any{minute(3), 2.0}}
	if diff := cmp.Diff(want, active); diff != "" {
		t.Errorf("active instances with a minute missing (-want +got):\n%s", diff)
	}
}

// TestStepChartsMergeToTheirLimit merges intervals into longer steps when
// there are more than the points a series may draw: counts add up, other
// values keep their highest, and the subtitle says how long a step is.
func TestStepChartsMergeToTheirLimit(t *testing.T) {
	rpt := minuteReport()
	t0 := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	s := analyze.Series{StatusStepS: 10, MetricStepS: 60}
	total := 0.0
	for i := 0; i < 8640; i++ { // a day of 10 s steps from the request logs
		n := float64(10 + i%7)
		total += n
		s.StatusClasses = append(s.StatusClasses, analyze.StatusPoint{Time: t0.Add(time.Duration(i) * 10 * time.Second), C2xx: n})
	}
	peak := 0.0
	for i := 1; i <= 10080; i++ { // a week of minutes
		v := float64(i%97) / 100
		peak = math.Max(peak, v)
		s.CPU = append(s.CPU, analyze.UtilPoint{Time: t0.Add(time.Duration(i) * time.Minute), P50: v, P95: v, P99: v})
	}
	rpt.Series = s
	rpt.Window = analyze.Window{Start: t0, End: t0.Add(7 * 24 * time.Hour)}
	opts := chartOptions(t, rpt, 2000)

	data := seriesOption(t, opts[chartStatus], "2xx")["data"].([]any)
	if len(data) > 2000 {
		t.Errorf("status 2xx: %d points drawn, more than 2,000", len(data))
	}
	drawn := 0.0
	for i := 1; i < len(data); i++ { // step "end": a point's count over the time to the next, a minute
		a, b := data[i-1].([]any), data[i].([]any)
		if d := b[0].(float64) - a[0].(float64); d > 0 {
			drawn += a[1].(float64)
			if d != 60000 {
				t.Fatalf("status 2xx: a step of %v ms, want a minute", d)
			}
		}
	}
	if drawn != total {
		t.Errorf("status 2xx: %v requests drawn, the JSON has %v", drawn, total)
	}
	if got := opts[chartStatus]["title"].(map[string]any)["subtext"]; got != "requests per 1 min" {
		t.Errorf("status subtitle %q, want %q", got, "requests per 1 min")
	}

	cpu := seriesOption(t, opts[chartCPU], "p99")["data"].([]any)
	if len(cpu) > 2000 {
		t.Errorf("cpu p99: %d points drawn, more than 2,000", len(cpu))
	}
	high := 0.0
	for _, p := range cpu {
		high = math.Max(high, p.([]any)[1].(float64))
	}
	if high != peak*100 {
		t.Errorf("cpu p99: highest step %v %%, want the highest minute's, %v %%", high, peak*100)
	}
	if got := opts[chartCPU]["title"].(map[string]any)["subtext"]; got != "each step the highest of 10 min" {
		t.Errorf("cpu subtitle %q, want it to say how long a step is", got)
	}
}

// TestChartsWithoutDataInTheirTimeAreNotDrawn leaves out of the page a
// chart whose data all lie outside the time the charts show, as it does
// one without data: no empty frame.
func TestChartsWithoutDataInTheirTimeAreNotDrawn(t *testing.T) {
	rpt := minuteReport()
	late := rpt.Window.End.Add(time.Hour)
	rpt.Series.Billable = []analyze.ValuePoint{{Time: late, Value: 12}, {Time: late.Add(time.Minute), Value: 3}}
	specs, err := buildCharts(rpt, 2000)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		if s.ID == chartBillable && (!s.Empty || s.Why != "no data while the traffic ran") {
			t.Errorf("billable drawn only an hour after the traffic: empty %v, why %q", s.Empty, s.Why)
		}
		if s.ID == chartInstances && s.Empty {
			t.Errorf("instances during the traffic: not drawn (%q)", s.Why)
		}
	}
	page := renderPage(t, rpt, Options{})
	if strings.Contains(page, `id="chart_billable"`) || !strings.Contains(page, "Billable instance time: no data while the traffic ran") {
		t.Error("the page draws the billable chart, or does not say why it is left out")
	}
}

// TestStartupChartPlotAreasHaveData gives the startup chart a plot area
// for the startup latency only when there is some, and one for the lanes
// only when there are lanes.
func TestStartupChartPlotAreasHaveData(t *testing.T) {
	for _, c := range []struct {
		name           string
		startup, lanes bool
		grids          int
		lane           float64 // the lanes' axes, -1 for none
	}{
		{"both", true, true, 2, 1},
		{"no startup latency", false, true, 1, 0},
		{"no lanes", true, false, 1, -1},
	} {
		rpt := sampleReport()
		if !c.startup {
			rpt.Series.Startup = nil
		}
		if !c.lanes {
			rpt.Series.Lanes = nil
		}
		o := chartOptions(t, rpt, 2000)[chartStartup]
		if n := len(o["grid"].([]any)); n != c.grids {
			t.Errorf("%s: %d plot areas, want %d", c.name, n, c.grids)
		}
		if n := len(o["xAxis"].([]any)); n != c.grids {
			t.Errorf("%s: %d time axes, want %d", c.name, n, c.grids)
		}
		for _, s := range o["series"].([]any) {
			m := s.(map[string]any)
			x, _ := m["xAxisIndex"].(float64)
			if m["name"] == "startup latency" && x != 0 {
				t.Errorf("%s: startup latency on axis %v, want 0", c.name, x)
			}
			if m["name"] == "busy" && x != c.lane {
				t.Errorf("%s: lanes on axis %v, want %v", c.name, x, c.lane)
			}
		}
		if c.lane >= 0 {
			y := o["yAxis"].([]any)[int(c.lane)].(map[string]any)
			if y["type"] != "category" || y["gridIndex"] != nil && y["gridIndex"] != c.lane {
				t.Errorf("%s: lane axis %v, want a category axis in plot area %v", c.name, y, c.lane)
			}
		}
	}
}

// TestChartsZoomWithoutCuttingLines zooms every chart without filtering
// its data: a line or a step that starts before the view is drawn into
// it, not left as a lone point.
func TestChartsZoomWithoutCuttingLines(t *testing.T) {
	for id, o := range chartOptions(t, sampleReport(), 2000) {
		for _, z := range o["dataZoom"].([]any) {
			if mode := z.(map[string]any)["filterMode"]; mode != "none" {
				t.Errorf("%s: zoom filter mode %v, want none", id, mode)
			}
		}
	}
}

// TestPercentileLinesHaveColoursOfTheirOwn draws each percentile line of
// a side in a colour of its own, not the same colour told apart by its
// dash alone.
func TestPercentileLinesHaveColoursOfTheirOwn(t *testing.T) {
	o := chartOptions(t, sampleReport(), 2000)[chartPercent]
	seen := map[string]string{}
	for _, name := range []string{"client p50", "client p95", "client p99", "server p50", "server p95", "server p99"} {
		color := seriesOption(t, o, name)["lineStyle"].(map[string]any)["color"].(string)
		if other, ok := seen[color]; ok {
			t.Errorf("%s and %s are both %s", other, name, color)
		}
		seen[color] = name
	}
}

// TestColdStartLinesStayUnderTheData draws the cold-start lines thin,
// faint and under the percentile lines, so that many of them do not bury
// the data.
func TestColdStartLinesStayUnderTheData(t *testing.T) {
	o := chartOptions(t, sampleReport(), 2000)[chartPercent]
	cold := seriesOption(t, o, "cold starts")
	style := cold["markLine"].(map[string]any)["lineStyle"].(map[string]any)
	if w, _ := style["width"].(float64); w > 1 {
		t.Errorf("cold-start lines %v px wide, want at most 1", w)
	}
	if op, _ := style["opacity"].(float64); op <= 0 || op > 0.5 {
		t.Errorf("cold-start lines of opacity %v, want them faint: above 0 and at most 0.5", style["opacity"])
	}
	z, _ := cold["z"].(float64)
	for _, s := range o["series"].([]any) {
		m := s.(map[string]any)
		other, ok := m["z"].(float64)
		if !ok {
			other = 2 // ECharts' default
		}
		if m["name"] != "cold starts" && z >= other {
			t.Errorf("cold-start lines at z %v, not under %q at z %v", z, m["name"], other)
		}
	}
}

// TestActiveInstancesDrawnOverIdle draws the active instances over the
// idle ones, so that where the two are equal the active line shows.
func TestActiveInstancesDrawnOverIdle(t *testing.T) {
	o := chartOptions(t, minuteReport(), 2000)[chartInstances]
	za, _ := seriesOption(t, o, "active (max per minute)")["z"].(float64)
	zi, ok := seriesOption(t, o, "idle (max per minute)")["z"].(float64)
	if !ok {
		zi = 2 // ECharts' default
	}
	if za <= zi {
		t.Errorf("active instances at z %v, idle at %v: active must be drawn over idle", za, zi)
	}
}

// TestNarrowLayout halves the time labels on a phone, wraps a long
// subtitle into lines that fit it and lowers the plot area by them, wraps
// a long legend into rows and raises the plot area's bottom by them, and
// sets all back on a wider screen.
func TestNarrowLayout(t *testing.T) {
	o := chartOptions(t, sampleReport(), 2000)[chartPercent]
	media, ok := o["media"].([]any)
	if !ok || len(media) != 2 {
		t.Fatalf("percentile chart media %v, want a narrow layout and the wide one", o["media"])
	}
	narrow := media[0].(map[string]any)
	if q := narrow["query"].(map[string]any)["maxWidth"]; q != float64(narrowWidth) {
		t.Errorf("narrow layout below %v px, want %v", q, narrowWidth)
	}
	opt := narrow["option"].(map[string]any)
	lines := strings.Split(opt["title"].(map[string]any)["subtext"].(string), "\n")
	if len(lines) < 2 {
		t.Errorf("narrow subtitle %q: one line", lines)
	}
	for _, l := range lines {
		if len([]rune(l)) > narrowChars {
			t.Errorf("narrow subtitle line %q is longer than %d characters", l, narrowChars)
		}
	}
	wide := o["title"].(map[string]any)["subtext"].(string)
	if strings.Join(lines, " ") != wide {
		t.Errorf("narrow subtitle %q is not the subtitle %q", lines, wide)
	}
	grid := opt["grid"].([]any)[0].(map[string]any)
	wantTop := float64(64 + (len(lines)-1)*subtitleLineH + 8)
	if grid["top"] != wantTop {
		t.Errorf("narrow plot area top %v, want %v: below the subtitle's %d lines", grid["top"], wantTop, len(lines))
	}
	rows := legendRows(seriesNames(o))
	if rows < 2 {
		t.Fatalf("the percentile chart's legend of 7 items fits %d row on a phone", rows)
	}
	if want := float64(60 + (rows-1)*legendRowH); grid["bottom"] != want {
		t.Errorf("narrow plot area bottom %v, want %v: above the legend's %d rows", grid["bottom"], want, rows)
	}
	if lt := opt["legend"].(map[string]any); lt["type"] != "plain" || lt["bottom"] != "4" {
		t.Errorf("narrow legend %v, want a plain one that wraps, at the bottom", lt)
	}
	back := media[1].(map[string]any)
	if back["query"] != nil || fmt.Sprint(back["option"].(map[string]any)["grid"]) != "[map[bottom:60 top:64]]" {
		t.Errorf("wide layout %v, want the plot area back at top 64 and bottom 60", back)
	}
	if lt := o["legend"].(map[string]any); lt["type"] != "scroll" {
		t.Errorf("legend type %v, want scroll: one row that pages", lt["type"])
	}
	if got := fmt.Sprint(opt["xAxis"], back["option"].(map[string]any)["xAxis"]); got != "[map[splitNumber:3]] [map[splitNumber:6]]" {
		t.Errorf("time axis splits narrow and wide: %s, want 3 and ECharts' 6", got)
	}
	// A short subtitle and a short legend stay as they are.
	users := chartOptions(t, sampleReport(), 2000)[chartUsers]["media"].([]any)[0].(map[string]any)["option"].(map[string]any)
	if users["title"] != nil || users["legend"] != nil || fmt.Sprint(users["grid"]) != "[map[bottom:60 top:64]]" {
		t.Errorf("users chart's narrow layout %v, want its subtitle, legend and plot area as they are", users)
	}
}

// TestWrapWords wraps at spaces, a long word on a line of its own.
func TestWrapWords(t *testing.T) {
	got := wrapWords("client percentiles are approximate (the tool buckets response times)", 20)
	want := []string{"client percentiles", "are approximate (the", "tool buckets", "response times)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "extraordinarily", "b"}, wrapWords("a extraordinarily b", 5)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestNarrowChartsAreTaller makes a chart whose subtitle and legend wrap
// on a phone taller there by as much, so that its plot area keeps its
// height; the page gets both heights.
func TestNarrowChartsAreTaller(t *testing.T) {
	specs, err := buildCharts(sampleReport(), 2000)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		var o map[string]any
		if err := json.Unmarshal(s.Option, &o); err != nil {
			t.Fatal(err)
		}
		media, _ := o["media"].([]any)
		if len(media) == 0 {
			continue
		}
		narrow := media[0].(map[string]any)["option"].(map[string]any)["grid"].([]any)
		wide := media[1].(map[string]any)["option"].(map[string]any)["grid"].([]any)
		grown := 0.0
		for i := range narrow {
			n, w := narrow[i].(map[string]any), wide[i].(map[string]any)
			for _, k := range []string{"top", "bottom"} {
				if nv, ok := n[k].(float64); ok {
					grown += nv - w[k].(float64)
				}
			}
		}
		if want := s.Height + int(grown); (grown == 0 && s.Narrow != 0) || (grown > 0 && s.Narrow != want) {
			t.Errorf("%s: %d px tall when narrow, want %d: %d px and the %v px its subtitle and legend take", s.ID, s.Narrow, want, s.Height, grown)
		}
	}
	page := renderPage(t, sampleReport(), Options{})
	p := specs[1]
	if p.ID != chartPercent || p.Narrow <= p.Height {
		t.Fatalf("%s: %d px tall when narrow, %d wide: want taller", p.ID, p.Narrow, p.Height)
	}
	if !strings.Contains(page, `"id":"chart_percentiles","option":`) ||
		!strings.Contains(page, fmt.Sprintf(`"heights":[%d,%d,%d]`, narrowWidth, p.Narrow, p.Height)) {
		t.Errorf("the page does not give the percentile chart its heights [%d,%d,%d]", narrowWidth, p.Narrow, p.Height)
	}
}

// TestStepLenCountsStepData checks stepLen against the points stepData
// draws: spans that touch, that leave gaps, alone and none.
func TestStepLenCountsStepData(t *testing.T) {
	for _, spans := range [][]span{
		nil,
		{{from: 0, to: 10, y: 1}},
		{{from: 0, to: 10, y: 1}, {from: 10, to: 20, y: 2}},
		{{from: 0, to: 10, y: 1}, {from: 15, to: 20, y: 2}, {from: 20, to: 30, y: 0}, {from: 40, to: 50, y: 3}},
	} {
		for _, k := range []stepKind{stepCounts, stepValues} {
			if got, want := stepLen(spans), len(stepData(spans, k)); got != want {
				t.Errorf("stepLen(%v) = %d, stepData draws %d points", spans, got, want)
			}
		}
	}
}

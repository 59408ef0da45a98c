package render

import (
	"encoding/json"

	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/runlens/runlens/analyze"
)

// Chart is a chart of the report page: its element id and its title.
type Chart struct {
	ID, Title string
	// GPU charts are drawn for services with GPUs only.
	GPU bool
}

// Charts are the report page's charts, in page order: the one list the
// page and its tests read. A chart with no data is not drawn; the page
// names it instead.
var Charts = []Chart{
	{ID: chartRPS, Title: "Requests per second"},
	{ID: chartPercent, Title: "Response time percentiles"},
	{ID: chartEndpoints, Title: "Server latency by endpoint"},
	{ID: chartUsers, Title: "Users (client)"},
	{ID: chartInstances, Title: "Instances, active and idle"},
	{ID: chartBillable, Title: "Billable instance time"},
	{ID: chartStatus, Title: "Server requests by status class"},
	{ID: chartLatency, Title: "Request latency (server)"},
	{ID: chartCPU, Title: "CPU utilization"},
	{ID: chartMemory, Title: "Memory utilization"},
	{ID: chartGPU, Title: "GPU utilization", GPU: true},
	{ID: chartGPUMemory, Title: "GPU memory utilization", GPU: true},
	{ID: chartStartup, Title: "Startup latency and instance timeline"},
}

// Chart container ids. They are element ids and JS names, so they stay
// [a-z0-9_], and every one starts with "chart_".
const (
	chartRPS       = "chart_rps"
	chartPercent   = "chart_percentiles"
	chartUsers     = "chart_users"
	chartInstances = "chart_instances"
	chartBillable  = "chart_billable"
	chartStatus    = "chart_status"
	chartLatency   = "chart_latency"
	chartCPU       = "chart_cpu"
	chartMemory    = "chart_memory"
	chartEndpoints = "chart_endpoints"
	chartGPU       = "chart_gpu"
	chartGPUMemory = "chart_gpu_memory"
	chartStartup   = "chart_startup"
)

// chartLeft is every chart's left margin, px, for the y axis labels: the
// same in every chart, so that their time axes line up.
const chartLeft = "72"

// maxLanes caps the instance lanes drawn in the timeline.
const maxLanes = 100

// Series colors, fixed so that client, server and failures read the same in
// every chart.
const (
	colorClient  = "#5470c6"
	colorServer  = "#91cc75"
	colorFail    = "#ee6666"
	colorWarn    = "#fac858"
	colorIdle    = "#b0b7c3"
	colorP95     = "#fc8452"
	colorP99     = "#9a60b4"
	colorStartup = "#73c0de"
)

// chartSpec is one chart of the page: its container and its echarts option
// as JSON that is safe inside a <script> (no <, > or & outside escapes).
type chartSpec struct {
	ID     string
	Title  string
	Height int // px
	// Narrow is the chart's height, px, where it is narrower than
	// narrowWidth: taller by its subtitle's and its legend's extra lines
	// there (render/narrow.go); zero for the same height.
	Narrow int
	Option json.RawMessage
	// Empty is set when no series of the chart draws anything in the
	// time the charts show: the page then names it, with Why, instead of
	// drawing an empty frame.
	Empty bool
	Why   string
	// patch, when set, changes the option where go-echarts has no field
	// for the change.
	patch func(o map[string]any)
}

// optioner is what every go-echarts chart is: Validate, then JSON.
type optioner interface {
	Validate()
	JSON() map[string]interface{}
}

// chartBuilder builds the charts of a report.
type chartBuilder struct {
	rpt        *analyze.Report
	maxPoints  int
	xMin, xMax interface{} // window bounds in Unix ms, nil when unknown
}

// buildCharts returns the page's charts (Charts; the GPU ones only for
// services with GPUs), each drawable even with no data.
func buildCharts(rpt *analyze.Report, maxPoints int) ([]chartSpec, error) {
	b := &chartBuilder{rpt: rpt, maxPoints: maxPoints}
	if !rpt.Window.Start.IsZero() && rpt.Window.End.After(rpt.Window.Start) {
		b.xMin, b.xMax = rpt.Window.Start.UnixMilli(), rpt.Window.End.UnixMilli()
	}
	if from, to, ok := trafficSpan(rpt); ok {
		b.xMin, b.xMax = from, to // one time axis for every chart, cropped to the traffic
	}
	runFrom, runTo, hasRun := clientRun(rpt)
	makers := map[string]func() (chartSpec, optioner){
		chartRPS: b.rps, chartPercent: b.percentiles, chartEndpoints: b.endpoints, chartUsers: b.users,
		chartInstances: b.instances, chartBillable: b.billable, chartStatus: b.status, chartLatency: b.latency,
		chartCPU: b.cpu, chartGPU: b.gpu, chartGPUMemory: b.gpuMemory, chartMemory: b.memory, chartStartup: b.startup,
	}
	gpus := rpt.Service.GPUs > 0 || len(rpt.Series.GPU)+len(rpt.Series.GPUMemory) > 0
	var ids []string
	for _, ch := range Charts {
		if !ch.GPU || gpus {
			ids = append(ids, ch.ID)
		}
	}
	// The charts only read the report and the builder: they are built
	// side by side, one goroutine per core, and kept in their order.
	specs := make([]chartSpec, len(ids))
	errs := make([]error, len(ids))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(ids)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(ids); i = int(next.Add(1) - 1) {
				sp, c := makers[ids[i]]()
				addThresholdLines(sp.ID, c, rpt) // render/thresholds.go
				opt, err := optionJSON(c)
				if err == nil {
					sp.Option, err = b.tidyOption(&sp, opt, runFrom, runTo, hasRun)
				}
				if err != nil {
					errs[i] = fmt.Errorf("rendering chart %s: %w", sp.ID, err)
				}
				specs[i] = sp
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return specs, nil
}

// trafficSpan is the time the traffic took, server and client, with a
// margin: charts are cropped to it rather than drawn over an empty window.
func trafficSpan(rpt *analyze.Report) (from, to int64, ok bool) {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	see := func(t time.Time) {
		if !t.IsZero() {
			lo, hi = min(lo, t.UnixMilli()), max(hi, t.UnixMilli())
		}
	}
	s := rpt.Series
	step := time.Duration(serverStepS(s) * float64(time.Second))
	for _, p := range s.Server {
		if p.Requests > 0 {
			see(p.Time)
			see(p.Time.Add(step))
		}
	}
	for _, p := range s.Client {
		see(p.Time)
	}
	for _, l := range s.Lanes {
		see(l.Start)
		see(l.LastRequest)
	}
	if lo >= hi {
		return 0, 0, false
	}
	margin := max((hi-lo)/20, 10_000)
	return lo - margin, hi + margin, true
}

// clientRun is the client's run on server time, from its timeline.
func clientRun(rpt *analyze.Report) (from, to int64, ok bool) {
	c := rpt.Series.Client
	if len(c) < 2 {
		return 0, 0, false
	}
	return c[0].Time.UnixMilli(), c[len(c)-1].Time.UnixMilli(), true
}

// tidyOption applies the chart's patch, leaves out of its option the
// series that have no data and nothing marked (so the legend lists only
// series with data), shades the client's run, lays the chart out for
// narrow screens too (narrowLayout), and marks the chart Empty, with why,
// when nothing is left to draw in the time the charts show.
func (b *chartBuilder) tidyOption(sp *chartSpec, opt json.RawMessage, runFrom, runTo int64, hasRun bool) (json.RawMessage, error) {
	o, err := decodeOption(opt)
	if err != nil {
		return nil, err
	}
	if sp.patch != nil {
		sp.patch(o)
	}
	series, _ := o["series"].([]any)
	kept := make([]any, 0, len(series))
	for _, s := range series {
		m, _ := s.(map[string]any)
		data, _ := m["data"].([]any)
		_, marked := m["markLine"]
		if len(data) > 0 || marked {
			kept = append(kept, s)
		}
	}
	empty, outside := true, true
	for _, s := range kept {
		m := s.(map[string]any)
		if data, _ := m["data"].([]any); len(data) > 0 {
			empty = false
			outside = outside && !b.drawsInAxis(m)
		}
	}
	title, _ := o["title"].(map[string]any)
	note, _ := title["subtext"].(string)
	switch {
	case empty:
		sp.Empty, sp.Why = true, strings.TrimPrefix(note, "no data: ")
	case outside:
		sp.Empty, sp.Why = true, "no data while the traffic ran"
	}
	if hasRun && len(kept) > 0 {
		first := kept[0].(map[string]any)
		first["markArea"] = map[string]any{"silent": true, "itemStyle": map[string]any{"color": "rgba(84,112,198,0.07)"},
			"data":  []any{[]any{map[string]any{"name": "client's run", "xAxis": runFrom}, map[string]any{"xAxis": runTo}}},
			"label": map[string]any{"show": false}}
	}
	o["series"] = kept
	if title != nil {
		title["itemGap"] = 14 // the subtitle clear of the title's descenders (the default, 10, overlaps them)
	}
	if extra := narrowLayout(o); extra > 0 {
		sp.Narrow = sp.Height + extra
	}
	return marshalPageJSON(o)
}

// drawsInAxis says whether a series of an option draws anything within the
// time axis: a point on it or, for a line, a segment across it. Without
// bounds every series with data does.
func (b *chartBuilder) drawsInAxis(s map[string]any) bool {
	lo, okLo := b.xMin.(int64)
	hi, okHi := b.xMax.(int64)
	if !okLo || !okHi {
		return true
	}
	data, _ := s["data"].([]any)
	line := s["type"] == "line"
	prev, hasPrev := int64(0), false
	for _, d := range data {
		x, ok := optionPointX(d)
		if !ok {
			hasPrev = false // a break
			continue
		}
		if (x >= lo && x <= hi) || (line && hasPrev && prev < hi && x > lo) {
			return true
		}
		prev, hasPrev = x, true
	}
	return false
}

// optionPointX is the x of a point of an option's data, [x, y] or
// {"value": [x, y]}; false for a break (null, or no y).
func optionPointX(d any) (int64, bool) {
	xy, _ := d.([]any)
	if m, ok := d.(map[string]any); ok {
		xy, _ = m["value"].([]any)
	}
	if len(xy) < 2 || xy[1] == nil {
		return 0, false
	}
	x, ok := xy[0].(float64)
	return int64(x), ok
}

// optionJSON marshals a chart's option. It does not use go-echarts' own
// rendering: that writes the option unescaped and strips "__f__" markers
// from the whole text, which lets a string close its own quotes.
func optionJSON(c optioner) (json.RawMessage, error) {
	c.Validate()
	obj := c.JSON()
	obj["useUTC"] = true
	obj["animation"] = false
	return marshalPageJSON(obj)
}

// marshalPageJSON marshals the page's chart options as encoding/json
// does: goccy/go-json writes the same bytes (TestPageMatchesEncodingJSON)
// in less time (the page of a day of a million requests, rendered again
// and again: 10 to 13 ms against 14). htmlChartsScript makes sure that no
// log-derived label can close the page's <script>.
var marshalPageJSON = func(v any) ([]byte, error) { return gojson.Marshal(v) }

// decodeOption decodes an option optionJSON wrote, to be tidied and
// marshalled again. goccy/go-json decodes it in a
// third of encoding/json's time (the charts of a day's report spent 10 ms
// of their 25 decoding); the values are the same, numbers as float64.
func decodeOption(opt json.RawMessage) (map[string]any, error) {
	var o map[string]any
	if err := gojson.Unmarshal(opt, &o); err != nil {
		return nil, err
	}
	return o, nil
}

// xy is one chart point: x in Unix milliseconds.
type xy struct {
	x    int64
	y    float64
	name string // shown in the tooltip when set
	gap  bool   // a break in a line
}

// xySeries is a series' data; it marshals compactly as [[x,y],...].
type xySeries []xy

// MarshalJSON writes [x,y] pairs, {"name":..,"value":[x,y]} for named points
// and null for gaps. y keeps five significant digits: enough for the eye.
func (s xySeries) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 2+len(s)*24)
	b = append(b, '[')
	for i, p := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = p.appendJSON(b)
	}
	return append(b, ']'), nil
}

func (p xy) appendJSON(b []byte) []byte {
	if p.gap {
		return append(b, "null"...)
	}
	if p.name != "" {
		name, _ := json.Marshal(p.name) // a string always marshals
		b = append(b, `{"name":`...)
		b = append(b, name...)
		b = append(b, `,"value":`...)
	}
	b = append(b, '[')
	b = strconv.AppendInt(b, p.x, 10)
	b = append(b, ',')
	if math.IsNaN(p.y) || math.IsInf(p.y, 0) {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendFloat(b, p.y, 'g', 5, 64)
	}
	b = append(b, ']')
	if p.name != "" {
		b = append(b, '}')
	}
	return b
}

// pointsOf maps items to points, skipping those keep rejects.
func pointsOf[T any](items []T, keep func(T) (time.Time, float64, bool)) xySeries {
	out := make(xySeries, 0, len(items))
	for _, it := range items {
		if t, v, ok := keep(it); ok {
			out = append(out, xy{x: t.UnixMilli(), y: v})
		}
	}
	return out
}

// thinXY keeps at most max points for display: the series is cut into
// buckets of equal count and each keeps its lowest and highest point, in
// order, so that peaks and dips survive.
func thinXY(s xySeries, limit int) xySeries {
	limit = max(limit, 2)
	if len(s) <= limit {
		return s
	}
	buckets := limit / 2
	out := make(xySeries, 0, limit)
	for k := 0; k < buckets; k++ {
		lo, hi := k*len(s)/buckets, (k+1)*len(s)/buckets
		mn, mx := lo, lo
		for i := lo; i < hi; i++ {
			if s[i].y < s[mn].y {
				mn = i
			}
			if s[i].y > s[mx].y {
				mx = i
			}
		}
		out = append(out, s[min(mn, mx)])
		if mn != mx {
			out = append(out, s[max(mn, mx)])
		}
	}
	return out
}

// chartNote makes a chart's subtitle: "no data: why" when every series is
// empty, else the partial notes joined.
func chartNote(why string, allEmpty bool, partial ...string) string {
	if allEmpty {
		return "no data: " + why
	}
	out := ""
	for _, p := range partial {
		if p == "" {
			continue
		}
		if out != "" {
			out += "; "
		}
		out += p
	}
	return out
}

// noteIf returns note if cond holds, else "".
func noteIf(cond bool, note string) string {
	if cond {
		return note
	}
	return ""
}

// globals are the options every time-axis chart shares.
func (b *chartBuilder) globals(id, title, note string, y opts.YAxis, trigger string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Theme: "white"}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: title, Subtitle: note, Left: "8", Top: "4"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger}),
		charts.WithLegendOpts(chartLegend()),
		charts.WithGridOpts(opts.Grid{Left: chartLeft, Right: "32", Top: "64", Bottom: "60"}), // one left edge: the time axes line up
		charts.WithXAxisOpts(b.timeAxis(0)),
		charts.WithYAxisOpts(y),
		charts.WithDataZoomOpts(timeZoom(0)),
	}
}

// chartLegend is every chart's legend: one row at the bottom, which
// pages (with arrows) where it does not fit, rather than growing into the
// axis labels and the data.
func chartLegend() opts.Legend {
	return opts.Legend{Show: opts.Bool(true), Bottom: "4", Type: "scroll"}
}

// timeZoom zooms the time axes given. It leaves the data whole (filter
// mode "none"): a step or a line that starts before the view is drawn
// into it, rather than cut to the points inside.
func timeZoom(axes ...int) opts.DataZoom {
	return opts.DataZoom{Type: "inside", XAxisIndex: axes, FilterMode: "none"}
}

// timeAxis is the shared time axis over the window. Labels that would
// overlap (a narrow chart) are left out, and so are those of its ends,
// which are the traffic's span with a margin, not round times.
func (b *chartBuilder) timeAxis(grid int) opts.XAxis {
	return opts.XAxis{Type: "time", Min: b.xMin, Max: b.xMax, GridIndex: grid,
		SplitLine: &opts.SplitLine{Show: opts.Bool(false)},
		AxisLabel: &opts.AxisLabel{HideOverlap: opts.Bool(true), ShowMinLabel: opts.Bool(false), ShowMaxLabel: opts.Bool(false)}}
}

// valueAxis is a y axis starting at zero.
func valueAxis(name string) opts.YAxis {
	return opts.YAxis{Type: "value", Name: name, Min: 0}
}

// percentAxis is a 0..100 % y axis that grows when data exceed 100.
func percentAxis(name string, dataMax float64) opts.YAxis {
	y := opts.YAxis{Type: "value", Name: name, Min: 0,
		AxisLabel: &opts.AxisLabel{Formatter: "{value} %"}}
	if dataMax <= 100 {
		y.Max = 100
	}
	return y
}

// withData sets a series' data to our compact form.
func withData(s xySeries) charts.SeriesOpts {
	return charts.WithSeriesOpts(func(ss *charts.SingleSeries) { ss.Data = s })
}

// lineSeriesOpts styles a line series: no symbols, a color, optional area and stack.
func lineSeriesOpts(color string, area bool, stack string) []charts.SeriesOpts {
	o := []charts.SeriesOpts{
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "circle", Stack: stack}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: color, Width: 1.5}),
	}
	if area {
		o = append(o, charts.WithAreaStyleOpts(opts.AreaStyle{Color: color, Opacity: opts.Float(0.35)}))
	}
	return o
}

// addLine adds a thinned line series.
func (b *chartBuilder) addLine(c *charts.Line, name string, s xySeries, o ...charts.SeriesOpts) {
	c.AddSeries(name, nil, append(o, withData(thinXY(s, b.maxPoints)))...)
}

// newChartSpec makes the chartSpec of a chart, titled as Charts or
// auditChartList title it.
func newChartSpec(id string, height int) chartSpec {
	return chartSpec{ID: id, Title: chartTitle(id), Height: height}
}

// chartTitle is the title of the chart with the given id.
func chartTitle(id string) string {
	for _, c := range append(Charts, auditChartList...) {
		if c.ID == id {
			return c.Title
		}
	}
	return id
}

// rps is chart 1: requests and failures per second, client and server.
func (b *chartBuilder) rps() (chartSpec, optioner) {
	s := b.rpt.Series
	note := chartNote("no client history and no server request logs", len(s.Client)+len(s.Server) == 0,
		noteIf(len(s.Client) == 0, "no client history"), noteIf(len(s.Server) == 0, "no server request logs"))
	sp := newChartSpec(chartRPS, 340)
	c := charts.NewLine()
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, note, valueAxis("req/s"), "axis")...)
	b.addLine(c, "client requests/s", clientPoints(s.Client, func(p analyze.ClientPoint) float64 { return p.RequestsPerSec }),
		lineSeriesOpts(colorClient, false, "")...)
	b.addLine(c, "client failures/s", clientPoints(s.Client, func(p analyze.ClientPoint) float64 { return p.FailuresPerSec }),
		lineSeriesOpts(colorFail, false, "")...)
	step := serverStepS(s)
	b.addLine(c, "server requests/s", serverPoints(s.Server, func(p analyze.ServerPoint) float64 { return float64(p.Requests) / step }),
		lineSeriesOpts(colorServer, false, "")...)
	b.addLine(c, "server errors/s", serverPoints(s.Server, func(p analyze.ServerPoint) float64 { return float64(p.Errors) / step }),
		lineSeriesOpts(colorWarn, false, "")...)
	return sp, c
}

// serverStepS is the seconds per point of the server series; 1 in reports
// written before they said.
func serverStepS(s analyze.Series) float64 {
	if s.ServerStepS <= 0 {
		return 1
	}
	return s.ServerStepS
}

func clientPoints(ps []analyze.ClientPoint, f func(analyze.ClientPoint) float64) xySeries {
	return pointsOf(ps, func(p analyze.ClientPoint) (time.Time, float64, bool) { return p.Time, f(p), true })
}

func serverPoints(ps []analyze.ServerPoint, f func(analyze.ServerPoint) float64) xySeries {
	return pointsOf(ps, func(p analyze.ServerPoint) (time.Time, float64, bool) { return p.Time, f(p), true })
}

// clientPercentile keeps only the client points that carry percentiles.
func clientPercentile(ps []analyze.ClientPoint, f func(analyze.ClientPoint) float64) xySeries {
	return pointsOf(ps, func(p analyze.ClientPoint) (time.Time, float64, bool) { return p.Time, f(p), p.HasPercentiles })
}

// percentiles is chart 2: response time percentiles, client and server,
// with a dashed line at every cold start.
func (b *chartBuilder) percentiles() (chartSpec, optioner) {
	s := b.rpt.Series
	c50 := clientPercentile(s.Client, func(p analyze.ClientPoint) float64 { return p.P50MS })
	approx := len(c50) > 0 && b.rpt.Client != nil && b.rpt.Client.ApproximatePercentiles
	note := chartNote("no client percentiles and no server request logs", len(c50)+len(s.Server) == 0,
		noteIf(len(c50) == 0, "no client percentiles"), noteIf(len(s.Server) == 0, "no server request logs"),
		noteIf(approx, "client percentiles are approximate (the tool buckets response times)"),
		noteIf(len(b.rpt.ColdStarts.Instances) > 0, "dashed red lines: cold starts"))
	sp := newChartSpec(chartPercent, 360)
	c := charts.NewLine()
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, note, valueAxis("ms"), "axis")...)
	styles := []string{"solid", "dashed", "dotted"}
	clientF := []func(analyze.ClientPoint) float64{
		func(p analyze.ClientPoint) float64 { return p.P50MS },
		func(p analyze.ClientPoint) float64 { return p.P95MS },
		func(p analyze.ClientPoint) float64 { return p.P99MS },
	}
	serverF := []func(analyze.ServerPoint) float64{
		func(p analyze.ServerPoint) float64 { return p.P50MS },
		func(p analyze.ServerPoint) float64 { return p.P95MS },
		func(p analyze.ServerPoint) float64 { return p.P99MS },
	}
	for i, q := range []string{"p50", "p95", "p99"} {
		b.addLine(c, "client "+q, clientPercentile(s.Client, clientF[i]), styledLine(clientQuantileColors[i], styles[i])...)
	}
	for i, q := range []string{"p50", "p95", "p99"} {
		f := serverF[i]
		b.addLine(c, "server "+q, serverPoints(s.Server, func(p analyze.ServerPoint) float64 {
			if p.Requests == 0 {
				return math.NaN() // no requests, no percentile: a break in the line
			}
			return f(p)
		}), styledLine(serverQuantileColors[i], styles[i])...)
	}
	c.AddSeries(coldStartSeries, nil, b.coldStartLines()...)
	sp.patch = func(o map[string]any) { seriesNamed(o, coldStartSeries)["z"] = 1 } // under the lines (2)
	return sp, c
}

// coldStartSeries names the cold-start lines of the percentile chart.
const coldStartSeries = "cold starts"

// Percentile lines: client blue and server green as in every chart, each
// quantile a shade of its own, darker as it rises, and a dash of its own
// (p50 solid, p95 dashed, p99 dotted).
var (
	clientQuantileColors = []string{colorClient, "#34499a", "#1c2a63"}
	serverQuantileColors = []string{colorServer, "#3ba272", "#1b6b3a"}
)

// endpointColors tell the endpoints apart in the endpoint chart.
var endpointColors = []string{"#5470c6", "#91cc75", "#fc8452", "#9a60b4", "#3ba272"}

// endpoints is the server latency of the busiest endpoints: p50 solid,
// p95 dashed, a break where an interval had no request of the endpoint.
func (b *chartBuilder) endpoints() (chartSpec, optioner) {
	es := b.rpt.Series.Endpoints
	sp := newChartSpec(chartEndpoints, 340)
	c := charts.NewLine()
	note := chartNote("no server request logs", len(es) == 0,
		noteIf(len(es) > 0, fmt.Sprintf("the %d busiest endpoints, per %s", len(es), stepText(b.rpt.Series.EndpointStepS))))
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, note, valueAxis("ms"), "axis")...)
	for i, e := range es {
		color := endpointColors[i%len(endpointColors)]
		for j, q := range []string{"p50", "p95"} {
			pts := make(xySeries, 0, len(e.Points))
			for _, p := range e.Points {
				y := p.P50MS
				if j == 1 {
					y = p.P95MS
				}
				if p.Requests == 0 {
					y = math.NaN()
				}
				pts = append(pts, xy{x: p.Time.UnixMilli(), y: y})
			}
			b.addLine(c, q+" "+pageText(e.Endpoint), pts, styledLine(color, []string{"solid", "dashed"}[j])...)
		}
	}
	return sp, c
}

// stepText names a step of seconds: "10 s", "5 min".
func stepText(s float64) string {
	if s >= 60 && math.Mod(s, 60) == 0 {
		return strconv.FormatFloat(s/60, 'f', -1, 64) + " min"
	}
	return strconv.FormatFloat(s, 'f', -1, 64) + " s"
}

// styledLine is a line series of a color and a dash style.
func styledLine(color, dash string) []charts.SeriesOpts {
	return []charts.SeriesOpts{
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "circle"}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: color, Width: 1.5, Type: dash}),
	}
}

// Cold-start lines are thin and faint, and under the data: many of them
// must not hide the lines they mark.
const (
	coldStartLineWidth   = 0.8
	coldStartLineOpacity = 0.35
)

// coldStartLines is an empty series carrying one vertical mark line per cold
// start (at most maxPoints).
func (b *chartBuilder) coldStartLines() []charts.SeriesOpts {
	cs := b.rpt.ColdStarts.Instances
	items := make([]opts.MarkLineNameXAxisItem, 0, min(len(cs), b.maxPoints))
	for _, c := range cs[:min(len(cs), b.maxPoints)] {
		items = append(items, opts.MarkLineNameXAxisItem{Name: "cold start " + pageText(c.InstanceID), XAxis: c.StartedAt.UnixMilli()})
	}
	o := []charts.SeriesOpts{
		withData(xySeries{}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorFail}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: colorFail, Type: "dashed"}),
	}
	if len(items) == 0 {
		return o
	}
	return append(o,
		charts.WithMarkLineNameXAxisItemOpts(items...),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
			Label:     &opts.Label{Show: opts.Bool(false)},
			LineStyle: &opts.LineStyle{Color: colorFail, Type: "dashed", Width: coldStartLineWidth, Opacity: opts.Float(coldStartLineOpacity)}}))
}

// users is chart 3: simulated users over time (client).
func (b *chartBuilder) users() (chartSpec, optioner) {
	s := b.rpt.Series
	sp := newChartSpec(chartUsers, 300)
	c := charts.NewLine()
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, chartNote("no client history", len(s.Client) == 0), valueAxis("users"), "axis")...)
	users := clientPoints(s.Client, func(p analyze.ClientPoint) float64 { return float64(p.Users) })
	b.addLine(c, "users", users, append(lineSeriesOpts(colorClient, true, ""),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Step: "end"}))...)
	return sp, c
}

// instances is chart 4: the instance_count metric's active and idle
// instances, each its own per-minute maximum (so not stacked: the maxima
// of two states need not fall at the same moment), as steps over the
// minutes; active is drawn over idle, where they are equal.
func (b *chartBuilder) instances() (chartSpec, optioner) {
	ps := b.rpt.Series.Instances
	times := make([]time.Time, len(ps))
	active, idle := make([]float64, len(ps)), make([]float64, len(ps))
	for i, p := range ps {
		times[i], active[i], idle[i] = p.Time, p.Active, p.Idle
	}
	step := spanStep(b.rpt.Series.MetricStepS, times)
	act, bin := mergeSpans(endingSpans(times, active, step), step, b.maxPoints, stepValues)
	idl, _ := mergeSpans(endingSpans(times, idle, step), step, b.maxPoints, stepValues)
	sp := newChartSpec(chartInstances, 300)
	c := charts.NewLine()
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, chartNote("no instance_count metric", len(ps) == 0,
		"each line is its state's per-minute maximum", mergedNote(bin, step, stepValues)), valueAxis("instances"), "axis")...)
	c.AddSeries(activeInstances, nil, append(stepSeriesOpts(colorServer, false, ""), withData(stepData(act, stepValues)),
		charts.WithLineStyleOpts(opts.LineStyle{Color: colorServer, Width: 2.5}))...)
	c.AddSeries("idle (max per minute)", nil, append(stepSeriesOpts(colorIdle, false, ""), withData(stepData(idl, stepValues)))...)
	sp.patch = func(o map[string]any) { seriesNamed(o, activeInstances)["z"] = 3 } // over idle (2)
	return sp, c
}

// activeInstances names the active instances' series.
const activeInstances = "active (max per minute)"

// seriesNamed is the option's series of that name; an empty map when
// there is none.
func seriesNamed(o map[string]any, name string) map[string]any {
	series, _ := o["series"].([]any)
	for _, s := range series {
		if m, _ := s.(map[string]any); m["name"] == name {
			return m
		}
	}
	return map[string]any{}
}

// billable is chart 5: billable instance seconds per metric interval, as
// steps over the intervals.
func (b *chartBuilder) billable() (chartSpec, optioner) {
	ps := b.rpt.Series.Billable
	times, ys := make([]time.Time, len(ps)), make([]float64, len(ps))
	for i, p := range ps {
		times[i], ys[i] = p.Time, p.Value
	}
	step := spanStep(b.rpt.Series.MetricStepS, times)
	spans, bin := mergeSpans(endingSpans(times, ys, step), step, b.maxPoints, stepValues)
	sp := newChartSpec(chartBillable, 300)
	c := charts.NewLine()
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, chartNote("no billable_instance_time metric", len(ps) == 0,
		mergedNote(bin, step, stepValues)), valueAxis("s / min"), "axis")...)
	c.AddSeries("billable instance-seconds per minute", nil, append(stepSeriesOpts(colorP95, true, ""),
		withData(stepData(spans, stepValues)))...)
	return sp, c
}

// status is chart 6: server requests by status class, stacked steps over
// each interval, from its start.
func (b *chartBuilder) status() (chartSpec, optioner) {
	ps := b.rpt.Series.StatusClasses
	times := make([]time.Time, len(ps))
	for i, p := range ps {
		times[i] = p.Time
	}
	step := spanStep(b.rpt.Series.StatusStepS, times)
	classes := []struct {
		name, color string
		f           func(analyze.StatusPoint) float64
	}{
		{"2xx", colorServer, func(p analyze.StatusPoint) float64 { return p.C2xx }},
		{"3xx", colorClient, func(p analyze.StatusPoint) float64 { return p.C3xx }},
		{"4xx", colorWarn, func(p analyze.StatusPoint) float64 { return p.C4xx }},
		{"5xx", colorFail, func(p analyze.StatusPoint) float64 { return p.C5xx }},
	}
	data := make([]xySeries, len(classes))
	bin := step
	for k, cl := range classes {
		ys := make([]float64, len(ps))
		for i, p := range ps {
			ys[i] = cl.f(p)
		}
		var spans []span
		spans, bin = mergeSpans(startingSpans(times, ys, step), step, b.maxPoints, stepCounts) // the same bins for every class
		data[k] = stepData(spans, stepCounts)
	}
	sp := newChartSpec(chartStatus, 300)
	c := charts.NewLine()
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, chartNote("no request_count metric and no request logs", len(ps) == 0,
		"requests per "+stepText(float64(bin)/1000)), valueAxis("requests"), "axis")...)
	for k, cl := range classes {
		c.AddSeries(cl.name, nil, append(stepSeriesOpts(cl.color, true, "status"), withData(data[k]))...)
	}
	return sp, c
}

// latency is chart 7: per-request server latency, cold starts as triangles
// named by endpoint.
func (b *chartBuilder) latency() (chartSpec, optioner) {
	ps := b.rpt.Series.Latency
	warm := pointsOf(ps, func(p analyze.LatencyPoint) (time.Time, float64, bool) { return p.Time, p.MS, !p.ColdStart })
	cold := make(xySeries, 0)
	for _, p := range ps {
		if p.ColdStart {
			cold = append(cold, xy{x: p.Time.UnixMilli(), y: p.MS, name: pageText(p.Endpoint)})
		}
	}
	sp := newChartSpec(chartLatency, 340)
	c := charts.NewScatter()
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, chartNote("no server request logs", len(ps) == 0,
		noteIf(len(cold) > 0, "red triangles: requests that waited on a cold start")), valueAxis("ms"), "item")...)
	c.AddSeries("request", nil, withData(thinXY(warm, b.maxPoints)),
		charts.WithScatterChartOpts(opts.ScatterChart{Symbol: "circle", SymbolSize: 4}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorServer, Opacity: opts.Float(0.6)}))
	c.AddSeries("cold start", nil, withData(thinXY(cold, b.maxPoints)),
		charts.WithScatterChartOpts(opts.ScatterChart{Symbol: "triangle", SymbolSize: 12}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorFail}))
	return sp, c
}

// utilization draws p50/p95/p99 of a 0..1 series as percent, as chart id;
// why is its note when there is no data.
func (b *chartBuilder) utilization(id string, ps []analyze.UtilPoint, why string) (chartSpec, *charts.Line) {
	sp := newChartSpec(id, 300)
	peak := 0.0
	times := make([]time.Time, len(ps))
	values := make([][]float64, 3)
	for i, p := range ps {
		times[i] = p.Time
		for q, v := range []float64{p.P50, p.P95, p.P99} {
			values[q] = append(values[q], v*100)
			peak = math.Max(peak, v*100)
		}
	}
	step := spanStep(b.rpt.Series.MetricStepS, times)
	data := make([]xySeries, 3)
	bin := step
	for q := range values {
		var spans []span
		spans, bin = mergeSpans(endingSpans(times, values[q], step), step, b.maxPoints, stepValues)
		data[q] = stepData(spans, stepValues)
	}
	c := charts.NewLine()
	c.SetGlobalOptions(b.globals(sp.ID, sp.Title, chartNote(why, len(ps) == 0, mergedNote(bin, step, stepValues)),
		percentAxis("%", peak), "axis")...)
	for q, name := range []string{"p50", "p95", "p99"} {
		c.AddSeries(name, nil, append(stepSeriesOpts([]string{colorClient, colorP95, colorP99}[q], false, ""), withData(data[q]))...)
	}
	return sp, c
}

// cpu is chart 8: CPU utilization percentiles.
func (b *chartBuilder) cpu() (chartSpec, optioner) {
	return b.utilization(chartCPU, b.rpt.Series.CPU, "no cpu utilization metric")
}

// gpu and gpuMemory chart GPU utilization and GPU memory utilization, for
// services with GPUs.
func (b *chartBuilder) gpu() (chartSpec, optioner) {
	return b.utilization(chartGPU, b.rpt.Series.GPU, "no GPU utilization metric")
}

func (b *chartBuilder) gpuMemory() (chartSpec, optioner) {
	return b.utilization(chartGPUMemory, b.rpt.Series.GPUMemory, "no GPU memory utilization metric")
}

// memory is chart 9: memory utilization percentiles against the limit.
func (b *chartBuilder) memory() (chartSpec, optioner) {
	sp, c := b.utilization(chartMemory, b.rpt.Series.Memory, "no memory utilization metric")
	label := "limit"
	if mib := b.rpt.Service.MemoryMiB; mib > 0 {
		label = "limit " + pageCount(mib) + " MiB"
	}
	c.AddSeries("limit", nil, withData(xySeries{}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: colorFail}),
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: label, YAxis: 100}),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Symbol: []string{"none", "none"},
			Label:     &opts.Label{Show: opts.Bool(true), Formatter: label, Position: "insideEndTop"},
			LineStyle: &opts.LineStyle{Color: colorFail, Type: "solid", Width: 1.5}}))
	return sp, c
}

// Lane chart geometry, px.
const (
	laneHeight    = 18
	startupTop    = 72
	startupHeight = 110
	laneTop       = startupTop + startupHeight + 56
	laneLeft      = chartLeft
)

// startup is chart 10: startup latency per instance start (top) and one
// lane per instance (bottom): starting, busy, idle.
func (b *chartBuilder) startup() (chartSpec, optioner) {
	s := b.rpt.Series
	lanes := s.Lanes[:min(len(s.Lanes), maxLanes)]
	note := chartNote("no startup latency metric and no instances in the request logs", len(s.Startup)+len(lanes) == 0,
		noteIf(len(s.Startup) == 0, "no startup latency metric"), noteIf(len(s.Lanes) == 0, "no instances in the request logs"),
		noteIf(len(s.Lanes) > maxLanes, fmt.Sprintf("first %d of %d instances", maxLanes, len(s.Lanes))))
	startup := make(xySeries, 0, len(s.Startup))
	for _, p := range s.Startup {
		startup = append(startup, xy{x: p.Time.UnixMilli(), y: p.Value, name: pageText(p.Label)})
	}
	startup = thinXY(startup, b.maxPoints)
	// A plot area for the startup latency and one for the lanes, each
	// only with data in it: no empty frame.
	hasStartup := b.drawsInAxis(map[string]any{"type": "scatter", "data": optionData(startup)})
	hasLanes := len(lanes) > 0
	hasStartup = hasStartup || (!hasLanes && len(startup) > 0) // drawn outside the axis: the page says so
	var grids []opts.Grid
	var yAxes []opts.YAxis
	top := startupTop
	if hasStartup {
		g := opts.Grid{Left: laneLeft, Right: "32", Top: strconv.Itoa(top), Height: strconv.Itoa(startupHeight)}
		if !hasLanes {
			g.Height, g.Bottom = "", "60"
		}
		grids, yAxes = append(grids, g), append(yAxes, valueAxis("startup ms"))
		top = laneTop
	}
	lane := len(grids) // the lanes' axes
	if hasLanes || len(grids) == 0 {
		grids, yAxes = append(grids, opts.Grid{Left: laneLeft, Right: "32", Top: strconv.Itoa(top), Bottom: "56"}), append(yAxes, laneAxis(lanes, lane))
	}
	height := 300
	if hasLanes {
		height = top + max(len(lanes), 3)*laneHeight + 80
	}
	sp := newChartSpec(chartStartup, height)
	zoomed := make([]int, len(grids))
	for i := range zoomed {
		zoomed[i] = i
	}
	c := charts.NewLine()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: sp.ID, Theme: "white"}),
		charts.WithAnimation(false),
		charts.WithTitleOpts(opts.Title{Title: sp.Title, Subtitle: note, Left: "8", Top: "4"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(chartLegend()),
		charts.WithGridOpts(grids...),
		charts.WithXAxisOpts(b.timeAxis(0)),
		charts.WithYAxisOpts(yAxes[0]),
		charts.WithDataZoomOpts(timeZoom(zoomed...)),
	)
	for i := 1; i < len(grids); i++ {
		c.ExtendXAxis(b.timeAxis(i))
		c.ExtendYAxis(yAxes[i])
	}
	if hasStartup {
		c.AddSeries("startup latency", nil, withData(startup),
			charts.WithSeriesOpts(func(ss *charts.SingleSeries) { ss.Type = "scatter"; ss.SymbolSize = 9; ss.Symbol = "diamond" }),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colorStartup}))
	}
	for k, st := range laneStates(lanes) {
		if len(st.data) == 0 {
			continue // no legend entry without data
		}
		if k == 4 { // memory kills: marks at the lanes' ends
			c.AddSeries(st.name, nil, withData(st.data),
				charts.WithSeriesOpts(func(ss *charts.SingleSeries) {
					ss.Type, ss.SymbolSize, ss.Symbol, ss.XAxisIndex, ss.YAxisIndex = "scatter", 12, "triangle", lane, lane
				}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: st.color}))
			continue
		}
		c.AddSeries(st.name, nil, withData(st.data),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "rect", XAxisIndex: lane, YAxisIndex: lane}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: st.color}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: st.color, Width: laneHeight - 6}))
	}
	return sp, c
}

// optionData is a series' data as an option holds it, decoded.
func optionData(s xySeries) []any {
	b, _ := s.MarshalJSON() // never fails
	var out []any
	_ = json.Unmarshal(b, &out)
	return out
}

// laneAxis is the category axis of the lanes, one per instance, first on
// top, in the grid given.
func laneAxis(lanes []analyze.Lane, grid int) opts.YAxis {
	ids := make([]string, len(lanes))
	for i, l := range lanes {
		ids[i] = "#" + strconv.Itoa(l.Number)
	}
	return opts.YAxis{Type: "category", GridIndex: grid, Data: ids, Inverse: opts.Bool(true),
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(true), FontSize: 10}}
}

// laneState is one state of the lanes: a series of segments, two points
// and a gap each.
type laneState struct {
	name, color string
	data        xySeries
}

// laneStates splits every lane by its evidence: starting (start to its
// startup probe, or to its first request when it was a cold start and no
// probe was logged), then, step by step, busy (a request in flight half
// the step or more), partly busy (less), or idle (none), to its end; a
// memory kill ends it with a mark. Each segment is named by the lane's
// number and instance id, for the tooltip.
func laneStates(lanes []analyze.Lane) []laneState {
	states := []laneState{{name: "starting", color: colorWarn}, {name: "busy", color: colorServer},
		{name: "partly busy", color: "#c6e5b3"}, {name: "idle", color: colorIdle}, {name: "killed for memory", color: colorFail}}
	add := func(st int, l analyze.Lane, y int, from, to time.Time, what string) {
		if from.IsZero() || to.IsZero() || !to.After(from) {
			return
		}
		name := "#" + strconv.Itoa(l.Number) + " " + pageText(l.InstanceID) + ": " + what
		states[st].data = append(states[st].data, xy{x: from.UnixMilli(), y: float64(y), name: name},
			xy{x: to.UnixMilli(), y: float64(y), name: name}, xy{gap: true})
	}
	for i, l := range lanes {
		up := l.Start
		switch {
		case !l.Ready.IsZero() && l.Ready.After(l.Start):
			up = l.Ready
		case l.ColdStart && !l.FirstRequest.IsZero():
			up = l.FirstRequest
		}
		add(0, l, i, l.Start, minTime(up, l.End), "starting")
		state := func(share float64) int {
			switch {
			case share >= 0.5:
				return 1
			case share > 0:
				return 2
			}
			return 3
		}
		for k := 0; k < len(l.Busy); { // a segment per run of steps in one state
			st, lo, hi := state(l.Busy[k].Share), l.Busy[k].Share, l.Busy[k].Share
			j := k + 1
			for ; j < len(l.Busy) && state(l.Busy[j].Share) == st; j++ {
				lo, hi = min(lo, l.Busy[j].Share), max(hi, l.Busy[j].Share)
			}
			to := l.End
			if j < len(l.Busy) {
				to = l.Busy[j].Time
			}
			what := "idle"
			if st != 3 {
				what = fmt.Sprintf("%.0f to %.0f %% busy", 100*lo, 100*hi)
			}
			add(st, l, i, maxTime(l.Busy[k].Time, up), minTime(to, l.End), what)
			k = j
		}
		if len(l.Busy) == 0 {
			add(3, l, i, up, l.End, "idle")
		}
		if l.EndReason == "memory_limit" {
			name := "#" + strconv.Itoa(l.Number) + " " + pageText(l.InstanceID) + ": killed for exceeding its memory"
			states[4].data = append(states[4].data, xy{x: l.End.UnixMilli(), y: float64(i), name: name})
		}
	}
	return states
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

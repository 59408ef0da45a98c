package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/analyze"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.html")

// wantChartIDs are the page's chart containers, in order.
var wantChartIDs = []string{"chart_rps", "chart_percentiles", "chart_users", "chart_instances", "chart_billable",
	"chart_status", "chart_latency", "chart_cpu", "chart_memory", "chart_startup"}

// goldenLibrary stands in for echarts in goldens.
const goldenLibrary = "/* echarts 5.4.3 left out of the golden */"

// renderPage renders rpt with the real library.
func renderPage(t *testing.T, rpt *analyze.Report, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, rpt, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var chartDivRE = regexp.MustCompile(`<div class="chart" id="([^"]*)"`)

func TestHTMLChartContainers(t *testing.T) {
	page := renderPage(t, sampleReport(), Options{})
	var ids []string
	for _, m := range chartDivRE.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	if diff := cmp.Diff(wantChartIDs, ids); diff != "" {
		t.Errorf("chart containers (-want +got):\n%s", diff)
	}
	if n := strings.Count(page, `id="chart_`); n != len(wantChartIDs) {
		t.Errorf("%d elements with an id starting chart_, want %d", n, len(wantChartIDs))
	}
	for _, id := range wantChartIDs {
		if !regexp.MustCompile(`^chart_[a-z0-9_]+$`).MatchString(id) {
			t.Errorf("chart id %q is not [a-z0-9_]", id)
		}
	}
}

func TestHTMLInlinesEchartsAndFetchesNothing(t *testing.T) {
	page := renderPage(t, sampleReport(), Options{})
	if !strings.Contains(page, `t.version="5.4.3"`) || !strings.Contains(page, echartsJS) {
		t.Error("page does not inline echarts 5.4.3")
	}
	for _, bad := range []string{`src="http`, `href="http`, `src='http`, `<script src`, `<link`, `@import`, `url(http`} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds %q: it must fetch nothing", bad)
		}
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("page has %d <script elements, want 2 (library, charts)", n)
	}
	if len(page) > 1_300_000 {
		t.Errorf("page is %d bytes for a 100 s run, want under 1.3 MB", len(page))
	}
}

func TestVendoredEchartsMatchesVersions(t *testing.T) {
	versions, err := os.ReadFile("assets/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(echartsJS))
	for _, want := range []string{"echarts 5.4.3 (npm echarts@5.4.3, Apache-2.0)", hex.EncodeToString(sum[:])} {
		if !strings.Contains(string(versions), want) {
			t.Errorf("assets/VERSIONS lacks %q", want)
		}
	}
	// The library is inlined in a <script>: it must not end it early.
	lower := strings.ToLower(echartsJS)
	if strings.Contains(lower, "</script") || strings.Contains(lower, "<!--") {
		t.Error("echarts.min.js holds </script or <!--: it cannot be inlined as is")
	}
	if _, err := os.Stat("assets/LICENSE"); err != nil {
		t.Error(err)
	}
}

func TestHTMLIsDeterministic(t *testing.T) {
	a := renderPage(t, sampleReport(), Options{})
	b := renderPage(t, sampleReport(), Options{})
	if a != b {
		t.Error("two renders of the same report differ")
	}
}

func TestHTMLLeavesReportUnchanged(t *testing.T) {
	rpt, want := bigReport(20000), bigReport(20000)
	renderPage(t, rpt, Options{MaxPoints: 100})
	if diff := cmp.Diff(want, rpt); diff != "" {
		t.Errorf("rendering changed the report (-want +got):\n%s", diff)
	}
}

func TestHTMLGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := writeHTML(&buf, sampleReport(), Options{}, goldenLibrary); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "report.golden.html")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("page differs from %s (-want +got):\n%s", path, diff)
	}
}

func TestHTMLNilReport(t *testing.T) {
	if err := HTML(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("HTML(nil report) = nil error")
	}
}

// chartOptions returns each chart's option, decoded.
func chartOptions(t *testing.T, rpt *analyze.Report, maxPoints int) map[string]map[string]any {
	t.Helper()
	specs, err := buildCharts(rpt, maxPoints)
	return decodedOptions(t, specs, err)
}

// decodedOptions returns the options of charts made with err, decoded, by
// chart id.
func decodedOptions(t *testing.T, specs []chartSpec, err error) map[string]map[string]any {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, s := range specs {
		var o map[string]any
		if err := json.Unmarshal(s.Option, &o); err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
		out[s.ID] = o
	}
	return out
}

// seriesData returns the data of the named series of a chart option.
func seriesData(t *testing.T, opt map[string]any, name string) []any {
	t.Helper()
	for _, s := range opt["series"].([]any) {
		if m := s.(map[string]any); m["name"] == name {
			d, _ := m["data"].([]any)
			return d
		}
	}
	t.Fatalf("no series %q", name)
	return nil
}

func TestChartsWithoutDataSayWhy(t *testing.T) {
	empty := &analyze.Report{Schema: analyze.Schema, Window: analyze.Window{Start: sampleStart, End: at(60)}}
	want := map[string]string{
		"chart_rps":         "no data: no client history and no server request logs",
		"chart_percentiles": "no data: no client percentiles and no server request logs",
		"chart_users":       "no data: no client history",
		"chart_instances":   "no data: no instance_count metric",
		"chart_billable":    "no data: no billable_instance_time metric",
		"chart_endpoints":   "no data: no server request logs",
		"chart_status":      "no data: no request_count metric and no request logs",
		"chart_latency":     "no data: no server request logs",
		"chart_cpu":         "no data: no cpu utilization metric",
		"chart_memory":      "no data: no memory utilization metric",
		"chart_startup":     "no data: no startup latency metric and no instances in the request logs",
	}
	got := map[string]string{}
	for id, o := range chartOptions(t, empty, 2000) {
		got[id] = o["title"].(map[string]any)["subtext"].(string)
		x := o["xAxis"].([]any)[0].(map[string]any)
		if x["type"] != "time" || x["min"] != float64(sampleStart.UnixMilli()) || x["max"] != float64(at(60).UnixMilli()) {
			t.Errorf("%s: x axis %v, want the window as a time axis", id, x)
		}
		if o["animation"] != false {
			t.Errorf("%s: animation %v, want false", id, o["animation"])
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("subtexts (-want +got):\n%s", diff)
	}
	page := renderPage(t, empty, Options{})
	if n := len(chartDivRE.FindAllString(page, -1)); n != 0 {
		t.Errorf("empty report: %d chart containers, want none: no frame without data", n)
	}
	for _, why := range want {
		if !strings.Contains(page, strings.TrimPrefix(why, "no data: ")) {
			t.Errorf("page does not say why a chart is not drawn: %q", why)
		}
	}
}

func TestChartsPartialNotes(t *testing.T) {
	rpt := sampleReport()
	rpt.Client = nil
	rpt.Series.Client = nil
	opts := chartOptions(t, rpt, 2000)
	sub := func(id string) string { return opts[id]["title"].(map[string]any)["subtext"].(string) }
	if got, want := sub("chart_rps"), "no client history"; got != want {
		t.Errorf("rps subtext %q, want %q", got, want)
	}
	if got, want := sub("chart_percentiles"), "no client percentiles; dashed red lines: cold starts"; got != want {
		t.Errorf("percentiles subtext %q, want %q", got, want)
	}
}

func TestChartsCarryTheSeries(t *testing.T) {
	opts := chartOptions(t, sampleReport(), 2000)
	counts := []struct {
		chart, series string
		want          int
	}{
		{"chart_rps", "client requests/s", 100},
		{"chart_rps", "server requests/s", 100},
		{"chart_percentiles", "client p50", 97}, // the first three seconds have no percentiles
		{"chart_users", "users", 100},
		{"chart_instances", "idle (max per minute)", 11}, // 10 intervals' starts and the last one's end
		{"chart_status", "5xx", 11},
		{"chart_latency", "request", 397},
		{"chart_latency", "cold start", 3},
		{"chart_memory", "p99", 11},
		{"chart_startup", "startup latency", 3},
		{"chart_startup", "starting", 9},    // 3 cold starts, 2 points and a gap each
		{"chart_startup", "busy", 9},        // 3 served lanes, one run of busy steps each
		{"chart_startup", "partly busy", 9}, // a step of each served lane
		{"chart_startup", "idle", 9},        // lanes 1 and 2 end idle; lane 4 never served
		{"chart_startup", "killed for memory", 1},
	}
	for _, c := range counts {
		if got := len(seriesData(t, opts[c.chart], c.series)); got != c.want {
			t.Errorf("%s %q: %d points, want %d", c.chart, c.series, got, c.want)
		}
	}
	cold := seriesData(t, opts["chart_latency"], "cold start")[0].(map[string]any)
	if diff := cmp.Diff(map[string]any{"name": "GET /", "value": []any{float64(at(1).UnixMilli()), 18020.0}}, cold); diff != "" {
		t.Errorf("first cold start point (-want +got):\n%s", diff)
	}
	mem := seriesData(t, opts["chart_memory"], "p99")
	if got := mem[9].([]any)[1]; got != 93.6 {
		t.Errorf("memory p99 at 90 s = %v %%, want 93.6", got)
	}
	// Cold starts are dashed lines on the percentile chart, one per start.
	for _, s := range opts["chart_percentiles"]["series"].([]any) {
		if m := s.(map[string]any); m["name"] == "cold starts" {
			if n := len(m["markLine"].(map[string]any)["data"].([]any)); n != 3 {
				t.Errorf("%d cold-start mark lines, want 3", n)
			}
		}
	}
	lanes := opts["chart_startup"]["yAxis"].([]any)[1].(map[string]any)["data"].([]any)
	if len(lanes) != 4 || lanes[3] != "#4" {
		t.Errorf("lanes %v, want 4 instances numbered, the idle one last", lanes)
	}
	// The full id is in the tooltip of each segment.
	killed := seriesData(t, opts["chart_startup"], "killed for memory")[0].(map[string]any)
	if name := killed["name"].(string); !strings.Contains(name, "#4 00deadbeef00000000000000000000000000000f") {
		t.Errorf("memory kill named %q, want the lane's number and full instance id", name)
	}
}

func TestChartsDownsampleForDisplay(t *testing.T) {
	rpt := bigReport(50000)
	opts := chartOptions(t, rpt, 500)
	rps := seriesData(t, opts["chart_rps"], "client requests/s")
	if len(rps) > 500 || len(rps) < 400 {
		t.Errorf("client requests/s: %d points, want 400..500", len(rps))
	}
	found := false
	for _, p := range rps {
		found = found || p.([]any)[1] == 999.0
	}
	if !found {
		t.Error("the 999 req/s spike was lost in downsampling")
	}
	// Status classes merge into longer steps, their counts added up: the
	// same requests in at most 500 points.
	status := seriesData(t, opts["chart_status"], "2xx")
	if n := len(status); n > 500 || n < 250 {
		t.Errorf("status 2xx: %d points, want 250..500", n)
	}
	drawn, total := 0.0, 0.0
	for i := 1; i < len(status); i++ { // step "end": a point's count over the time to the next
		if a, b := status[i-1].([]any), status[i].([]any); b[0].(float64) > a[0].(float64) {
			drawn += a[1].(float64)
		}
	}
	for _, p := range rpt.Series.StatusClasses {
		total += p.C2xx
	}
	if drawn != total {
		t.Errorf("status 2xx: %v requests drawn, %v in the report", drawn, total)
	}
	lanes := opts["chart_startup"]["yAxis"].([]any)[1].(map[string]any)["data"].([]any)
	if len(lanes) != maxLanes {
		t.Errorf("%d lanes drawn, want %d", len(lanes), maxLanes)
	}
}

// TestChartsServerRateFromStep plots series.server as per-second rates:
// counts per step divided by the step, and a report without a step (one
// written before server_step_s) as per-second counts.
func TestChartsServerRateFromStep(t *testing.T) {
	for _, tc := range []struct {
		stepS, want float64
	}{{30, 2}, {0, 60}} {
		rpt := sampleReport()
		rpt.Series.ServerStepS = tc.stepS
		rpt.Series.Server = []analyze.ServerPoint{{Time: at(0), Requests: 60, Errors: 3}}
		opts := chartOptions(t, rpt, 2000)
		req := seriesData(t, opts["chart_rps"], "server requests/s")[0].([]any)[1]
		errs := seriesData(t, opts["chart_rps"], "server errors/s")[0].([]any)[1]
		if req != tc.want || errs != tc.want/20 {
			t.Errorf("step %v s: %v requests/s and %v errors/s, want %v and %v", tc.stepS, req, errs, tc.want, tc.want/20)
		}
	}
}

func TestHTMLSizeFor24Hours(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	page := renderPage(t, bigReport(86400), Options{})
	if len(page) > 2_000_000 {
		t.Errorf("24 h page is %d bytes, want under 2 MB: a page people send each other", len(page))
	}
	t.Logf("24 h page: %d bytes", len(page))
}

func TestThinXY(t *testing.T) {
	series := func(ys ...float64) xySeries {
		s := make(xySeries, len(ys))
		for i, y := range ys {
			s[i] = xy{x: int64(i), y: y}
		}
		return s
	}
	tests := []struct {
		name  string
		in    xySeries
		limit int
		want  xySeries
	}{
		{"short stays", series(1, 2, 3), 4, series(1, 2, 3)},
		{"min and max per bucket", series(5, 1, 9, 5, 5, 7, 0, 5), 4,
			xySeries{{x: 1, y: 1}, {x: 2, y: 9}, {x: 5, y: 7}, {x: 6, y: 0}}},
		{"flat bucket keeps one", series(2, 2, 2, 2), 2, xySeries{{x: 0, y: 2}}},
		{"limit below two", series(3, 1, 2), 1, xySeries{{x: 0, y: 3}, {x: 1, y: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := thinXY(tt.in, tt.limit)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(xy{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestXYSeriesJSON(t *testing.T) {
	s := xySeries{{x: 1715679000000, y: 4.25}, {gap: true}, {x: 2, y: math.NaN()}, {x: 3, y: 1.0 / 3, name: "</script>\u2028"}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `[[1715679000000,4.25],null,[2,null],{"name":"\u003c/script\u003e\u2028","value":[3,0.33333]}]`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestPageNumbers(t *testing.T) {
	tests := []struct{ got, want string }{
		{pageMS(18287.4), "18,287"},
		{pageMS(10), "10"},
		{pageMS(9.94), "9.9"},
		{pageMS(0.256), "0.26"},
		{pageMS(0), "0"},
		{pageMS(-1), "—"},
		{pageUSD(0.0068818), "$0.006882"},
		{pageUSD(0.000024), "$0.000024"},
		{pageUSD(0.0000025), "$0.0000025"},
		{pageUSD(0.4), "$0.40"},
		{pageUSD(12.3456), "$12.35"},
		{pageUSD(1234.567), "$1,234.57"},
		{pageUSD(0), "$0.00"},
		{pagePct(0.3125), "31.2 %"}, // ties go to even
		{pagePct(0.3126), "31.3 %"},
		{pagePct(3.0 / 428), "0.7 %"},
		{pagePct(0.0004), "0.04 %"},
		{pageCount(1234567), "1,234,567"},
		{pageCount(-1234), "-1,234"},
		{pageCount(999), "999"},
		{pageFloat(-0.04, 1), "0.0"},
		{pageSigned(1250), "+1,250"},
		{pageSignedInt(-3), "-3"},
		{pageDuration(100 * time.Second), "1 min 40 s"},
		{pageDuration(26*time.Hour + 5*time.Second), "26 h 5 s"},
		{pageDuration(0), "0 s"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// Attacker-controlled strings: request paths, instance ids and messages
// come from logs.
const (
	evilScript = `</script><script>alert(1)</script>`
	evilImg    = `<img src=x onerror=alert(1)>`
	// evilQuote would close its JSON string if go-echarts' "__f__" regexp ran
	// over the option text.
	evilQuote = `\"__f__});alert(3);//`
)

// hostileReport puts log-controlled strings everywhere the page shows them.
func hostileReport() *analyze.Report {
	rpt := sampleReport()
	rpt.Client.Endpoints[0].Name = "/" + evilScript
	rpt.Client.Endpoints[1].Name = "/predict" + evilImg
	rpt.Server.Endpoints[0].Path = "/" + evilScript
	rpt.Server.Endpoints[1].Path = "/predict" + evilImg
	rpt.Reconciliation[0].Endpoint = "GET /" + evilScript
	rpt.Reconciliation[1].Explanations = []string{"user agent " + evilImg}
	rpt.ColdStarts.Instances[0].InstanceID = evilScript
	rpt.ColdStarts.Instances[0].FirstRequest = "POST " + evilImg
	rpt.ColdStarts.Instances[1].Reason = evilImg
	rpt.Series.Lanes[0].InstanceID = evilScript
	rpt.Series.Lanes[1].InstanceID = evilImg
	rpt.Series.Lanes[2].InstanceID = evilQuote
	rpt.Series.Startup[0].Label = evilImg + "\u2028"
	for i := range rpt.Series.Latency {
		if rpt.Series.Latency[i].ColdStart {
			rpt.Series.Latency[i].Endpoint = evilScript + evilImg
		}
	}
	rpt.Findings[0].Message = "cold start on instance " + evilScript + " for " + evilImg
	rpt.Warnings = append(rpt.Warnings, "requests.ndjson:3: bad url "+evilImg, "user agent "+evilScript)
	rpt.Missing = append(rpt.Missing, "revision "+evilQuote)
	rpt.Service.Name = "svc" + evilScript
	rpt.Sources[0].Path = evilImg + ".ndjson"
	return rpt
}

func TestHTMLEscapesLogStringsInSource(t *testing.T) {
	page := renderPage(t, hostileReport(), Options{})
	for _, bad := range []string{"<script>alert", "<img src=x", "alert(3)</script>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds unescaped %q", bad)
		}
	}
	if n, m := strings.Count(page, "<script"), strings.Count(page, "</script"); n != 2 || m != 2 {
		t.Errorf("page has %d <script and %d </script, want 2 each", n, m)
	}
	for _, want := range []string{
		"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",             // HTML text
		`\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e`, // chart options
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped form %q", want)
		}
	}
}

// bigReport is a long run: n seconds of client and server points with one
// 999 req/s spike, metrics each minute, 300 lanes and 2,000 latency points.
func bigReport(n int) *analyze.Report {
	rpt := sampleReport()
	rpt.Window.End = at(float64(n))
	s := analyze.Series{}
	for i := 0; i < n; i++ {
		t, f := at(float64(i)), float64(i)
		rps := 5 + 3*math.Sin(f/300)
		if i == n/2+7 {
			rps = 999
		}
		s.Client = append(s.Client, analyze.ClientPoint{Time: t, Users: 50, RequestsPerSec: rps, FailuresPerSec: math.Mod(f, 3) / 10,
			P50MS: 600 + math.Mod(f, 17), P95MS: 1200 + math.Mod(f, 31), P99MS: 2500 + math.Mod(f, 101), HasPercentiles: true})
		s.Server = append(s.Server, analyze.ServerPoint{Time: t, Requests: int64(rps), Errors: int64(i % 97 / 96),
			P50MS: 580 + math.Mod(f, 13), P95MS: 1150 + math.Mod(f, 29), P99MS: 2400 + math.Mod(f, 89)})
	}
	for i := 0; i < n; i += 60 {
		t, f := at(float64(i)), float64(i)
		s.Instances = append(s.Instances, analyze.InstancePoint{Time: t, Active: 3 + math.Mod(f, 5), Idle: math.Mod(f, 2)})
		s.Billable = append(s.Billable, analyze.ValuePoint{Time: t, Value: 180 + math.Mod(f, 60)})
		s.StatusClasses = append(s.StatusClasses, analyze.StatusPoint{Time: t, C2xx: 300 + math.Mod(f, 7), C4xx: math.Mod(f, 3), C5xx: math.Mod(f, 2)})
		s.CPU = append(s.CPU, analyze.UtilPoint{Time: t, P50: 0.3, P95: 0.71 + math.Mod(f, 11)/100, P99: 0.9})
		s.Memory = append(s.Memory, analyze.UtilPoint{Time: t, P50: 0.55, P95: 0.7 + math.Mod(f, 7)/100, P99: 0.93})
	}
	for i := 0; i < 2000; i++ {
		t := at(float64(i) * float64(n) / 2000)
		s.Latency = append(s.Latency, analyze.LatencyPoint{Time: t, MS: 500 + float64(i%400), ColdStart: i%100 == 0, Endpoint: "POST /predict"})
	}
	for i := 0; i < 300; i++ {
		start := at(float64(i * n / 300))
		s.Startup = append(s.Startup, analyze.ValuePoint{Time: start, Value: 9000 + float64(i%50)*10})
		s.Lanes = append(s.Lanes, analyze.Lane{InstanceID: strings.Repeat("ab", 20) + time.Duration(i).String(), Start: start,
			FirstRequest: start.Add(9 * time.Second), LastRequest: start.Add(20 * time.Minute), End: start.Add(35 * time.Minute)})
	}
	rpt.Series = s
	return rpt
}

// sampleStart is the start of the sample report's window.
var sampleStart = time.Date(2024, 5, 14, 9, 30, 0, 0, time.UTC)

// at is a time s seconds into the sample window.
func at(s float64) time.Time {
	return sampleStart.Add(time.Duration(s * float64(time.Second)))
}

// sampleReport is a realistic report of a 100 s benchmark of an image
// classifier: GET / and POST /predict, 3 cold starts, 4 instances.
func sampleReport() *analyze.Report {
	rpt := &analyze.Report{
		Schema:    analyze.Schema,
		Generated: time.Date(2024, 5, 14, 10, 0, 0, 0, time.UTC),
		Window:    analyze.Window{Start: sampleStart, End: at(100)},
		Service: analyze.Service{Project: "demo-project", Region: "europe-west1", Name: "mobilenet", CPU: 1,
			MemoryMiB: 2048, Concurrency: 80, MinInstances: 0, MaxInstances: 100, Billing: "request"},
		Client: &analyze.Client{
			Tool: "locust", ApproximatePercentiles: true, DurationSeconds: 97,
			Endpoints: []analyze.ClientEndpoint{
				sampleClientEndpoint("GET", "/", 90, 770, 104, 18287, 580, 1100, 18000),
				sampleClientEndpoint("POST", "/predict", 335, 1198, 132, 21187, 700, 1300, 18000),
			},
			Total: sampleClientEndpoint("", "Aggregated", 425, 1107.4, 104, 21187, 680, 1300, 18000),
		},
		Server: analyze.Server{
			Endpoints: []analyze.ServerEndpoint{
				sampleServerEndpoint("GET", "/", 91, 712.5, 2.9),
				sampleServerEndpoint("POST", "/predict", 337, 1101.25, 95),
			},
			Total: sampleServerEndpoint("", "", 428, 1018.5, 2.9),
		},
		Alignment: analyze.Alignment{ClockOffsetMS: 1250, Method: "cross-correlation", ClientStart: at(1), ClientEnd: at(98)},
		Reconciliation: []analyze.Reconciliation{
			{Endpoint: "GET /", ClientRequests: 90, ServerRequests: 91, MetricRequests: 91, Difference: 1,
				Explanations: []string{"1 request in flight when the client stopped"}},
			{Endpoint: "POST /predict", ClientRequests: 335, ServerRequests: 337, MetricRequests: -1, Difference: 2},
			{Endpoint: "total", ClientRequests: 425, ServerRequests: 428, MetricRequests: 428, Difference: 3,
				Explanations: []string{"1 request in flight when the client stopped"}},
		},
		ColdStarts: analyze.ColdStarts{Count: 3, ShareOfRequests: 3.0 / 428, PenaltyP50MS: 17900, PenaltyP95MS: 20150,
			Instances: []analyze.ColdStart{
				sampleColdStart("00f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9", 1, "AUTOSCALING", "POST /predict", 18900),
				sampleColdStart("00aa11bb22cc33dd44ee55ff66778899aabbccdd", 2, "AUTOSCALING", "GET /", 17950),
				sampleColdStart("00bead5eedcafe0123456789abcdef0123456789", 40, "AUTOSCALING", "POST /predict", 21187),
			}},
		Instances: analyze.Instances{Distinct: 4, MaxActive: 3, RequestsPerInstanceP50: 110.5, MaxConcurrency: 6},
		Cost: analyze.Cost{BillableInstanceSeconds: 231.4, BillableSource: "metric", VCPUSeconds: 231.4,
			MemoryGiBSeconds: 462.8, Requests: 428, CPUUSD: 0.0055536, MemoryUSD: 0.001157, RequestsUSD: 0.0001712,
			TotalUSD: 0.0068818, IdleShare: 0.3125, USDPer1kRequests: 0.016079,
			PriceTable: analyze.PriceTable{Date: "2026-11-01", Source: "cloud.google.com/run/pricing", Tier: 1,
				Billing: "request", USDPerVCPUSecond: 0.000024, USDPerGiBSecond: 0.0000025, USDPerMillionReqs: 0.4}},
		Resources: analyze.Resources{CPUP50: 0.41, CPUP95: 0.88, CPUP99: 0.97, MemoryP50: 0.62, MemoryP95: 0.81,
			MemoryP99: 0.94, HasCPU: true, HasMemory: true},
		Findings: []analyze.Finding{
			{ID: "cold_start_penalty", Severity: analyze.SeverityWarn, Value: 17900,
				Message: "3 cold starts added 17.9 s p50 to 3 requests (0.7 %)"},
			{ID: "memory_near_limit", Severity: analyze.SeverityCrit, Value: 0.94,
				Message: "memory p99 reached 94 % of the 2 GiB limit"},
			{ID: "idle_share", Severity: analyze.SeverityInfo, Value: 0.3125,
				Message: "31 % of billable instance time had no request in flight"},
		},
		Warnings:    []string{"client/run_stats_history.csv:2: N/A in Total Median Response Time"},
		Missing:     []string{"service: no service resource; CPU, memory and billing are defaults"},
		Percentiles: []float64{50, 60, 70, 80, 90, 95, 99, 100},
		Sources: []analyze.Source{
			{Path: "requests.ndjson.gz", Format: "cloud-logging-ndjson", Items: 428},
			{Path: "client/run_stats.csv", Format: "locust-stats", Items: 3},
		},
	}
	rpt.Series = sampleSeries()
	return rpt
}

func sampleClientEndpoint(method, name string, n int64, avg, minMS, maxMS, p50, p95, p99 float64) analyze.ClientEndpoint {
	return analyze.ClientEndpoint{Method: method, Name: name, Requests: n, AvgMS: avg, MinMS: minMS, MaxMS: maxMS,
		P50MS: p50, P95MS: p95, P99MS: p99, AvgContentBytes: 1523.7, RequestsPerSec: float64(n) / 97,
		Percentiles: []analyze.Quantile{{P: 50, MS: p50}, {P: 60, MS: p50 + 50}, {P: 70, MS: p50 + 120}, {P: 80, MS: p50 + 200},
			{P: 90, MS: p95 - 100}, {P: 95, MS: p95}, {P: 99, MS: p99}, {P: 100, MS: maxMS}}}
}

func sampleServerEndpoint(method, path string, n int64, avg, minMS float64) analyze.ServerEndpoint {
	return analyze.ServerEndpoint{Method: method, Path: path, Requests: n, Status2xx: n - 1, Status5xx: 1,
		AvgMS: avg, MinMS: minMS, MaxMS: 20950, P50MS: avg * 0.6, P95MS: avg * 1.1, P99MS: 17800,
		AvgResponseBytes: 1520, RequestsPerSec: float64(n) / 100,
		Percentiles: []analyze.Quantile{{P: 50, MS: avg * 0.6}, {P: 95, MS: avg * 1.1}, {P: 99, MS: 17800}, {P: 100, MS: 20950},
			{P: 60, Missing: true}}}
}

func sampleColdStart(id string, s float64, reason, first string, firstMS float64) analyze.ColdStart {
	return analyze.ColdStart{InstanceID: id, StartedAt: at(s), Reason: reason, Evidence: []string{"first_request", "system_log"},
		StartupMS: 9100, FirstRequestMS: firstMS, FirstRequest: first, PenaltyMS: firstMS - 700}
}

// sampleSeries is 100 s of client and server seconds, metrics each 10 s,
// 4 instance lanes and 428 requests of latency.
func sampleSeries() analyze.Series {
	var s analyze.Series
	for i := 0; i < 100; i++ {
		t := at(float64(i))
		users := min(i/2, 20)
		s.Client = append(s.Client, analyze.ClientPoint{Time: t, Users: users, RequestsPerSec: 4.4 + math.Sin(float64(i)/7),
			FailuresPerSec: 0, P50MS: 580 + float64(i%7)*10, P95MS: 1100, P99MS: 18000, HasPercentiles: i > 2})
		s.Server = append(s.Server, analyze.ServerPoint{Time: t, Requests: int64(4 + i%2), Errors: int64(i / 99),
			P50MS: 600 + float64(i%5)*12, P95MS: 1250, P99MS: 1800})
		for r := 0; r < 4 && len(s.Latency) < 428; r++ {
			cold := (i == 1 || i == 2 || i == 40) && r == 0
			ms := 300 + float64((i*37+r*91)%900)
			if cold {
				ms = 18000 + float64(i)*20
			}
			s.Latency = append(s.Latency, analyze.LatencyPoint{Time: t.Add(time.Duration(r) * 250 * time.Millisecond),
				MS: ms, ColdStart: cold, Endpoint: []string{"GET /", "POST /predict"}[r%2]})
		}
	}
	for i := 0; i < 10; i++ {
		t := at(float64(i * 10))
		f := float64(i)
		s.Instances = append(s.Instances, analyze.InstancePoint{Time: t, Active: math.Min(3, 1+f/3), Idle: math.Mod(f, 2)})
		s.Billable = append(s.Billable, analyze.ValuePoint{Time: t, Value: 20 + f})
		s.StatusClasses = append(s.StatusClasses, analyze.StatusPoint{Time: t, C2xx: 42, C4xx: f, C5xx: float64(i / 9)})
		s.CPU = append(s.CPU, analyze.UtilPoint{Time: t, P50: 0.4, P95: 0.8 + f/100, P99: 0.9 + f/200})
		s.Memory = append(s.Memory, analyze.UtilPoint{Time: t, P50: 0.6, P95: 0.8, P99: 0.9 + f/250})
	}
	s.Startup = []analyze.ValuePoint{{Time: at(1), Value: 9100}, {Time: at(2), Value: 8800}, {Time: at(40), Value: 9400}}
	// Busy shares per 10 s: each served lane busy, then partly busy, then
	// idle; the last lane never served and was killed for its memory.
	shares := func(from, busyTo, partTo int) []analyze.BusyShare {
		var out []analyze.BusyShare
		for t := from / 10 * 10; t < 100; t += 10 {
			share := 0.0
			switch {
			case t < busyTo:
				share = 0.9
			case t < partTo:
				share = 0.2
			}
			out = append(out, analyze.BusyShare{Time: at(float64(t)), Share: share})
		}
		return out
	}
	s.LaneStepS = 10
	s.Lanes = []analyze.Lane{
		{Number: 1, InstanceID: "00f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9", Start: at(1), FirstRequest: at(10), LastRequest: at(98), End: at(100),
			Requests: 200, ColdStart: true, EndReason: "window_end", Busy: shares(1, 80, 90)},
		{Number: 2, InstanceID: "00aa11bb22cc33dd44ee55ff66778899aabbccdd", Start: at(2), Ready: at(8), FirstRequest: at(11), LastRequest: at(60),
			End: at(100), Requests: 110, ColdStart: true, EndReason: "window_end", Busy: shares(2, 50, 60)},
		{Number: 3, InstanceID: "00bead5eedcafe0123456789abcdef0123456789", Start: at(40), FirstRequest: at(49), LastRequest: at(97), End: at(100),
			Requests: 118, ColdStart: true, EndReason: "window_end", Busy: shares(40, 90, 100)},
		{Number: 4, InstanceID: "00deadbeef00000000000000000000000000000f", Start: at(70), End: at(85), EndReason: "memory_limit", MemoryKills: 1,
			Busy: shares(70, 0, 0)},
	}
	return s
}

// TestGPUCharts draws GPU and GPU memory utilization beside CPU and
// memory for a service with GPUs, and no GPU chart for one without; the
// cost table says GPU time is not included when there is no GPU price.
func TestGPUCharts(t *testing.T) {
	rpt := sampleReport()
	if opts := chartOptions(t, rpt, 2000); opts[chartGPU] != nil || opts[chartGPUMemory] != nil {
		t.Error("GPU charts for a service without GPUs")
	}
	rpt.Service.GPUs, rpt.Service.Accelerator = 1, "nvidia-l4"
	rpt.Cost.GPUSeconds = 120
	for _, p := range rpt.Series.CPU {
		rpt.Series.GPU = append(rpt.Series.GPU, analyze.UtilPoint{Time: p.Time, P50: 0.05, P95: 0.07, P99: 0.09})
	}
	opts := chartOptions(t, rpt, 2000)
	if got := len(seriesData(t, opts[chartGPU], "p95")); got != len(rpt.Series.CPU)+1 { // and the last interval's end
		t.Errorf("GPU p95: %d points, want %d", got, len(rpt.Series.CPU)+1)
	}
	if opts[chartGPUMemory] == nil {
		t.Error("no GPU memory chart for a service with GPUs")
	}
	page := renderPage(t, rpt, Options{})
	for _, want := range []string{"1 GPU nvidia-l4 per instance", "GPU (120.0 GPU-seconds)", "not included: no price"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

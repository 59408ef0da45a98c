package collect

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/internal/realdata"
	"github.com/runlens/runlens/model"
	"golang.org/x/text/encoding/unicode"
)

// tsAt parses an RFC 3339 time for expectations.
func tsAt(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

// tsRead reads a file of testdata/timeseries into a fresh Dataset.
func tsRead(t *testing.T, file string) (*model.Dataset, int, error) {
	t.Helper()
	name := filepath.Join("testdata", "timeseries", file)
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	ds := &model.Dataset{}
	n, err := ReadTimeSeries(name, bytes.NewReader(b), ds)
	return ds, n, err
}

// tsReadString reads an inline document into a fresh Dataset.
func tsReadString(s string) (*model.Dataset, int, error) {
	ds := &model.Dataset{}
	n, err := ReadTimeSeries("inline.json", strings.NewReader(s), ds)
	return ds, n, err
}

func tsRunResource(rev string) map[string]string {
	return map[string]string{
		"project_id": "runlens-demo", "service_name": "mobilenet", "revision_name": rev,
		"location": "europe-west1", "configuration_name": "mobilenet",
	}
}

func tsDelta(t *testing.T, start, end string) model.Point {
	return model.Point{Start: tsAt(t, start), End: tsAt(t, end)}
}

func TestReadTimeSeriesTestdata(t *testing.T) {
	rev := tsRunResource("mobilenet-00001-kex")
	codeLabels := func(code, class string) map[string]string {
		return map[string]string{"response_code": code, "response_code_class": class, "route_type": "default"}
	}
	withInt := func(p model.Point, v int64) model.Point { p.Int = v; return p }
	withDouble := func(p model.Point, v float64) model.Point { p.Double = v; return p }
	withDist := func(p model.Point, d *model.Distribution) model.Point { p.Dist = d; return p }
	gauge := func(s string) model.Point { return tsDelta(t, s, s) }
	latencyBounds := []float64{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 102400}
	tests := []struct {
		file string
		want []model.Series
	}{
		{"request_count.json", []model.Series{
			{Metric: "run.googleapis.com/request_count", MetricLabels: codeLabels("200", "2xx"), ResourceType: "cloud_run_revision",
				ResourceLabels: rev, MetricKind: "DELTA", ValueType: "INT64", Unit: "1", Points: []model.Point{
					withInt(tsDelta(t, "2025-03-14T10:00:00Z", "2025-03-14T10:01:00Z"), 35),
					withInt(tsDelta(t, "2025-03-14T10:01:00Z", "2025-03-14T10:02:00Z"), 203),
					withInt(tsDelta(t, "2025-03-14T10:02:00Z", "2025-03-14T10:03:00Z"), 187),
				}},
			{Metric: "run.googleapis.com/request_count", MetricLabels: codeLabels("503", "5xx"), ResourceType: "cloud_run_revision",
				ResourceLabels: rev, MetricKind: "DELTA", ValueType: "INT64", Unit: "1", Points: []model.Point{
					withInt(tsDelta(t, "2025-03-14T10:00:00Z", "2025-03-14T10:01:00Z"), 2),
				}},
		}},
		{"instance_count.json", []model.Series{
			{Metric: "run.googleapis.com/container/instance_count", MetricLabels: map[string]string{"state": "active"}, ResourceType: "cloud_run_revision",
				ResourceLabels: rev, MetricKind: "GAUGE", ValueType: "INT64", Points: []model.Point{
					withInt(gauge("2025-03-14T10:01:00Z"), 2), // no startTime: Start = End
					withInt(gauge("2025-03-14T10:02:00Z"), 3),
				}},
			{Metric: "run.googleapis.com/container/instance_count", MetricLabels: map[string]string{"state": "idle"}, ResourceType: "cloud_run_revision",
				ResourceLabels: rev, MetricKind: "GAUGE", ValueType: "INT64", Points: []model.Point{
					withInt(gauge("2025-03-14T10:02:00Z"), 1),
				}},
		}},
		{"billable_instance_time.json", []model.Series{
			{Metric: "run.googleapis.com/container/billable_instance_time", ResourceType: "cloud_run_revision",
				ResourceLabels: rev, MetricKind: "DELTA", ValueType: "DOUBLE", Unit: "s", Points: []model.Point{
					withDouble(tsDelta(t, "2025-03-14T10:00:00.123456789Z", "2025-03-14T10:01:00.123456789Z"), 64.9),
					withDouble(tsDelta(t, "2025-03-14T10:01:00.123456789Z", "2025-03-14T10:02:00.123456789Z"), 151.3),
				}},
		}},
		{"request_latencies.json", []model.Series{
			{Metric: "run.googleapis.com/request_latencies", MetricLabels: codeLabels("200", "2xx"), ResourceType: "cloud_run_revision",
				ResourceLabels: rev, MetricKind: "DELTA", ValueType: "DISTRIBUTION", Unit: "ms", Points: []model.Point{
					withDist(tsDelta(t, "2025-03-14T10:00:00Z", "2025-03-14T10:01:00Z"), &model.Distribution{
						Count: 2, Mean: 550, SumSq: 20000, Bounds: latencyBounds,
						Counts: []int64{0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}}),
					withDist(tsDelta(t, "2025-03-14T10:01:00Z", "2025-03-14T10:02:00Z"), &model.Distribution{
						Count: 6, Mean: 5516.666666666667, SumSq: 719588333.3333333, Bounds: latencyBounds,
						Counts: []int64{0, 0, 1, 3, 1, 0, 0, 0, 0, 1, 0, 0}}), // 10 counts padded to 12
				}},
		}},
		{"series_array.json", []model.Series{
			{Metric: "monitoring.googleapis.com/uptime_check/check_passed",
				MetricLabels: map[string]string{"check_id": "mobilenet-health", "checker_location": "eur-belgium"}, ResourceType: "uptime_url",
				ResourceLabels: map[string]string{"host": "mobilenet-abc123-ew.a.run.app", "project_id": "runlens-demo"},
				MetricKind:     "GAUGE", ValueType: "BOOL", Points: []model.Point{
					withInt(gauge("2025-03-14T10:00:00Z"), 1),
					withInt(gauge("2025-03-14T10:01:00Z"), 0),
				}},
			{Metric: "run.googleapis.com/container/max_request_concurrencies", ResourceType: "cloud_run_revision",
				ResourceLabels: rev, MetricKind: "GAUGE", ValueType: "INT64", Points: []model.Point{
					withInt(gauge("2025-03-14T10:00:00Z"), 7), // a bare JSON number
				}},
		}},
		{"empty_response.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ds, n, err := tsRead(t, tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(tt.want) {
				t.Errorf("returned %d series, want %d", n, len(tt.want))
			}
			if diff := cmp.Diff(tt.want, ds.Metrics); diff != "" {
				t.Errorf("series (-want +got):\n%s", diff)
			}
			if len(ds.Warnings) != 0 {
				t.Errorf("warnings: %q", ds.Warnings)
			}
			wantSrc := []model.Source{{Path: filepath.Join("testdata", "timeseries", tt.file), Format: "timeseries", Items: len(tt.want)}}
			if diff := cmp.Diff(wantSrc, ds.Sources); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadTimeSeriesPages(t *testing.T) {
	ds, n, err := tsRead(t, "utilizations_pages.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(ds.Metrics) != 2 {
		t.Fatalf("got %d series, want 2 (one per page)", n)
	}
	cpu, mem := ds.Metrics[0], ds.Metrics[1]
	if cpu.Metric != "run.googleapis.com/container/cpu/utilizations" || mem.Metric != "run.googleapis.com/container/memory/utilizations" {
		t.Errorf("metrics %q, %q", cpu.Metric, mem.Metric)
	}
	if cpu.Unit != "10^2.%" || mem.Unit != "10^2.%" {
		t.Errorf("units %q, %q: want the response unit 10^2.%%", cpu.Unit, mem.Unit)
	}
	// linearBuckets {10, 0.1, 0}: 11 bounds, 12 buckets.
	old := cpu.Points[0].Dist
	if len(old.Bounds) != 11 || len(old.Counts) != 12 || old.Bounds[10] != 1 {
		t.Fatalf("bounds %v counts %v", old.Bounds, old.Counts)
	}
	if diff := cmp.Diff([]int64{0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, old.Counts); diff != "" {
		t.Errorf("oldest cpu counts (-want +got):\n%s", diff)
	}
	// One value in [0, 0.1), one in [0.1, 0.2): rank 1 of 2 is the top of [0, 0.1).
	if q := old.Quantile(0.5); q != 0.1 {
		t.Errorf("cpu p50 = %v, want 0.1", q)
	}
	if got := mem.Points[0].Dist.Counts[10]; got != 4 {
		t.Errorf("memory bucket [0.9, 1.0) = %d, want 4", got)
	}
	if &cpu.Points[0].Dist.Bounds[0] != &cpu.Points[1].Dist.Bounds[0] {
		t.Error("points with one layout do not share their bounds")
	}
}

func TestReadTimeSeriesEdgeCases(t *testing.T) {
	ds, n, err := tsRead(t, "edge_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Fatalf("got %d series, want 4 (the fifth has a malformed metric)", n)
	}
	var counts []int
	for _, s := range ds.Metrics {
		counts = append(counts, len(s.Points))
	}
	if diff := cmp.Diff([]int{2, 1, 2, 0}, counts); diff != "" {
		t.Errorf("points per series (-want +got):\n%s", diff)
	}
	ints := ds.Metrics[0]
	if ints.ResourceLabels["big_id"] != "22241654114540837222" {
		t.Errorf("numeric label = %q, want the digits kept exactly", ints.ResourceLabels["big_id"])
	}
	if p := ints.Points[0]; p.Int != 5 || !p.Start.Equal(tsAt(t, "2025-03-14T10:00:00Z")) {
		t.Errorf("first int point %+v, want 5 from 10:00", p)
	}
	if p := ints.Points[1]; p.Int != 12 || !p.Start.Equal(p.End) {
		t.Errorf("point with start after end: %+v, want 12 with start = end", p)
	}
	if got := ds.Metrics[1].Points[0].Double; got != 0.25 {
		t.Errorf("quoted double = %v, want 0.25", got)
	}
	dists := ds.Metrics[2].Points
	if diff := cmp.Diff(&model.Distribution{Count: 3, Bounds: []float64{0, 5, 10}, Counts: []int64{0, 0, 0, 0}}, dists[0].Dist); diff != "" {
		t.Errorf("distribution without bucketCounts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{1, 2, 3}, dists[1].Dist.Counts); diff != "" {
		t.Errorf("truncated counts (-want +got):\n%s", diff)
	}
	name := filepath.Join("testdata", "timeseries", "edge_cases.json")
	wantWarn := []string{
		"1 points with an invalid endTime dropped",
		"1 points with no value dropped",
		"1 points with startTime after endTime kept with start = end",
		"2 points with a non-finite double dropped",
		"2 points with an invalid distribution dropped",
		"1 distributions with more bucket counts than buckets truncated",
		"1 points with a STRING value dropped",
		"1 malformed series skipped",
	}
	if len(ds.Warnings) != len(wantWarn) {
		t.Fatalf("got %d warnings, want %d:\n%s", len(ds.Warnings), len(wantWarn), strings.Join(ds.Warnings, "\n"))
	}
	for i, w := range wantWarn {
		if !strings.HasPrefix(ds.Warnings[i], "timeseries "+name+": "+w) {
			t.Errorf("warning %d = %q, want it to start with %q", i, ds.Warnings[i], w)
		}
	}
	if !strings.Contains(ds.Warnings[4], "numFiniteBuckets 1000000000: want 1 to 10000") {
		t.Errorf("bucket cap warning = %q", ds.Warnings[4])
	}
}

func TestReadTimeSeriesShapes(t *testing.T) {
	series := func(metric, end, v string) string {
		return `{"metric":{"type":"` + metric + `"},"resource":{"type":"global"},"metricKind":"GAUGE","valueType":"INT64",` +
			`"points":[{"interval":{"endTime":"` + end + `"},"value":{"int64Value":"` + v + `"}}]}`
	}
	page := func(s ...string) string { return `{"timeSeries":[` + strings.Join(s, ",") + `],"unit":"1"}` }
	a, b := series("a", "2025-01-01T00:00:00Z", "1"), series("b", "2025-01-01T00:01:00Z", "2")
	tests := []struct {
		name    string
		in      string
		metrics []string
		warns   int
	}{
		{"back to back pages", page(a) + page(b), []string{"a", "b"}, 0},
		{"pages on lines", page(a) + "\n" + page(b) + "\n", []string{"a", "b"}, 0},
		{"array of responses", "[" + page(a) + "," + page(b) + "]", []string{"a", "b"}, 0},
		{"array of series", "[" + a + "," + b + "]", []string{"a", "b"}, 0},
		{"one series object", a, []string{"a"}, 0},
		{"null timeSeries", `{"timeSeries":null}`, nil, 0},
		{"empty object", `{}`, nil, 0},
		{"page then garbage", page(a) + "\n" + `{"timeSeries":[` + "\n", []string{"a"}, 1},
		{"page then a log entry", page(a) + `{"logName":"x"}`, []string{"a"}, 1},
		{"crlf and bom", "\ufeff" + page(a) + "\r\n", []string{"a"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, n, err := tsReadString(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range ds.Metrics {
				got = append(got, s.Metric)
			}
			if diff := cmp.Diff(tt.metrics, got); diff != "" || n != len(tt.metrics) {
				t.Errorf("n = %d, metrics (-want +got):\n%s", n, diff)
			}
			if len(ds.Warnings) != tt.warns {
				t.Errorf("warnings %q, want %d", ds.Warnings, tt.warns)
			}
		})
	}
}

func TestReadTimeSeriesEncodings(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "timeseries", "request_count.json"))
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"gzip": logtest.Gzip(t, raw), "utf16": utf16} {
		t.Run(name, func(t *testing.T) {
			ds := &model.Dataset{}
			n, err := ReadTimeSeries("rc", bytes.NewReader(b), ds)
			if err != nil || n != 2 || len(ds.Metrics[0].Points) != 3 || ds.Metrics[0].Points[2].Int != 187 {
				t.Errorf("n = %d, err = %v; want 2 series, newest point 187", n, err)
			}
		})
	}
}

func TestReadTimeSeriesErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"log entries", "", "testdata/timeseries/not_timeseries.json: not a ListTimeSeries response"},
		{"number", "42", "inline.json: not a ListTimeSeries response"},
		{"empty file", "", "inline.json: not a ListTimeSeries response"},
		{"syntax error", "{\n\"timeSeries\": [\n}", "inline.json:3: invalid character '}'"},
		{"truncated", "{\n\"timeSeries\": [\n", "inline.json:3: unexpected EOF"},
		{"log object", `{"logName": "projects/p/logs/x", "insertId": "1"}`, "inline.json: not a ListTimeSeries response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ds *model.Dataset
			var err error
			if tt.name == "log entries" {
				ds, _, err = tsRead(t, "not_timeseries.json")
			} else {
				ds, _, err = tsReadString(tt.in)
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v, want prefix %q", err, tt.want)
			}
			if len(ds.Metrics)+len(ds.Sources)+len(ds.Warnings) != 0 {
				t.Errorf("a failed read changed the dataset: %+v", ds)
			}
		})
	}
	if _, err := ReadTimeSeries("x", strings.NewReader("{}"), nil); err == nil {
		t.Error("nil dataset: no error")
	}
}

// tsNear compares floats to 1e-12 relative.
func tsNear(got, want float64) bool {
	return math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want))
}

func tsReadFile(t *testing.T, path string) (*model.Dataset, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds := &model.Dataset{}
	n, err := ReadTimeSeries(path, f, ds)
	if err != nil {
		t.Fatal(err)
	}
	return ds, n
}

// realMonitoring describes every file of realdata/monitoring: counts taken
// from the files with jq and python, and one checked value each.
var realMonitoring = map[string]struct {
	series, points int
	valueType      string
	warnings       int
	check          func(t *testing.T, ds *model.Dataset)
}{
	"dynatrace-wiremock_gce-cpu-usage-time_double.json": {17, 17, "DOUBLE", 1, func(t *testing.T, ds *model.Dataset) {
		s := ds.Metrics[0]
		if s.Unit != "s{CPU}" || s.MetricLabels["instance_name"] != "gke-pawel-001-k8s-cluser-pool-1-300a62b1-9ihv" {
			t.Errorf("unit %q labels %v", s.Unit, s.MetricLabels)
		}
		p := s.Points[0]
		end := tsAt(t, "2033-05-02T12:14:12Z")
		if p.Double != 39.793698984663934 || !p.End.Equal(end) || !p.Start.Equal(end) {
			t.Errorf("point %+v, want 39.793698984663934 at 2033-05-02T12:14:12Z with start = end", p)
		}
	}},
	"dynatrace-wiremock_serviceruntime-request-count_int64.json": {45, 45, "INT64", 1, func(t *testing.T, ds *model.Dataset) {
		var sum int64
		for _, s := range ds.Metrics {
			sum += s.Points[0].Int
		}
		s := ds.Metrics[2]
		if sum != 1532 || s.Unit != "1" || s.MetricLabels["response_code"] != "404" || s.Points[0].Int != 2 {
			t.Errorf("sum %d (want 1532); series 2: unit %q, labels %v, value %d (want 404, 2)", sum, s.Unit, s.MetricLabels, s.Points[0].Int)
		}
	}},
	"dynatrace-wiremock_serviceruntime-request-latencies_distribution.json": {41, 41, "DISTRIBUTION", 1, func(t *testing.T, ds *model.Dataset) {
		d := ds.Metrics[40].Points[0].Dist
		if d.Count != 699 || len(d.Bounds) != 30 || len(d.Counts) != 31 || d.Bounds[0] != 1e-6 || !tsNear(d.Bounds[29], 536.870912) {
			t.Errorf("series 40: count %d, %d bounds from %v to %v, %d counts; want 699, 30 from 1e-6 to 536.870912, 31 (21 padded)",
				d.Count, len(d.Bounds), d.Bounds[0], d.Bounds[len(d.Bounds)-1], len(d.Counts))
		}
		if p50 := d.Quantile(0.5); !tsNear(p50, 0.014702122905027933) { // 8.192e-3 + (349.5-65)/358 * 8.192e-3
			t.Errorf("series 40 p50 = %v, want 0.014702122905027933", p50)
		}
		empty := 0
		for _, s := range ds.Metrics {
			if d := s.Points[0].Dist; d.Count == 0 {
				empty++
				if len(d.Counts) != 18 || d.Bounds[16] != math.Pow(4, 16) {
					t.Errorf("{16, 4, 1} layout: %d counts, last bound %v", len(d.Counts), d.Bounds[16])
				}
			}
		}
		if empty != 4 {
			t.Errorf("%d points without count, want 4", empty)
		}
	}},
	"grafana-testdata_distribution-without-points.json": {1, 0, "DISTRIBUTION", 0, func(t *testing.T, ds *model.Dataset) {
		if s := ds.Metrics[0]; s.Metric != "loadbalancing.googleapis.com/https/backend_latencies" || s.Points != nil {
			t.Errorf("metric %q (\\/ unescaped?), points %v", s.Metric, s.Points)
		}
	}},
	"grafana-testdata_gce-cpu-usage_double-with-unit.json": {3, 9, "DOUBLE", 0, func(t *testing.T, ds *model.Dataset) {
		s := ds.Metrics[0]
		if s.Unit != "10^2.%" || ds.Metrics[1].ResourceLabels["instance_id"] != "22241654114540837222" {
			t.Errorf("unit %q, instance_id %q", s.Unit, ds.Metrics[1].ResourceLabels["instance_id"])
		}
		first, last := s.Points[0], s.Points[2]
		if !first.End.Equal(tsAt(t, "2018-09-11T12:29:00Z")) || first.Double != 9.8566497180145 || last.Double != 9.7730520330369 {
			t.Errorf("oldest %v %v, newest %v: want 12:29 9.8566497180145 first, 9.7730520330369 last", first.End, first.Double, last.Double)
		}
	}},
	"grafana-testdata_lb-backend-latencies_distribution-exponential.json": {1, 3, "DISTRIBUTION", 0, func(t *testing.T, ds *model.Dataset) {
		p := ds.Metrics[0].Points[0]
		want := &model.Distribution{Count: 3, Bounds: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024},
			Counts: []int64{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0}} // 11 counts padded to 12
		if diff := cmp.Diff(want, p.Dist); diff != "" || !p.End.Equal(tsAt(t, "2018-09-11T12:29:00Z")) {
			t.Errorf("oldest point at %v (-want +got):\n%s", p.End, diff)
		}
	}},
	"grafana-testdata_opencensus-grpc-latency_distribution-explicit.json": {1, 2, "DISTRIBUTION", 0, func(t *testing.T, ds *model.Dataset) {
		p := ds.Metrics[0].Points[0]
		d := p.Dist
		if !p.End.Equal(tsAt(t, "2019-02-22T18:11:26Z")) || d.Count != 1887 || d.Mean != 17.654277577766 || len(d.Bounds) != 41 || len(d.Counts) != 42 {
			t.Errorf("oldest point %v: count %d mean %v, %d bounds %d counts", p.End, d.Count, d.Mean, len(d.Bounds), len(d.Counts))
		}
		if p50 := d.Quantile(0.5); !tsNear(p50, 1.1220472440944882) { // 1 + (943.5-897)/381 in [1, 2)
			t.Errorf("p50 = %v, want 1.1220472440944882", p50)
		}
	}},
	"plutono-testdata_distribution-explicit_trailing-zeros-omitted.json": {1, 2, "DISTRIBUTION", 0, func(t *testing.T, ds *model.Dataset) {
		// The same data as Grafana's copy, with the trailing zeros left out:
		// padded, the distributions must be identical.
		g, _ := tsReadFile(t, filepath.Join(realdata.Dir(t), "monitoring", "grafana-testdata_opencensus-grpc-latency_distribution-explicit.json"))
		for i, p := range ds.Metrics[0].Points {
			if diff := cmp.Diff(g.Metrics[0].Points[i].Dist, p.Dist); diff != "" || len(p.Dist.Counts) != 42 {
				t.Errorf("point %d differs from grafana's (-grafana +plutono):\n%s", i, diff)
			}
		}
	}},
}

func TestRealdataMonitoring(t *testing.T) {
	for _, path := range realdata.Files(t, "monitoring") {
		base := filepath.Base(path)
		t.Run(base, func(t *testing.T) {
			want, ok := realMonitoring[base]
			if !ok {
				t.Fatalf("%s has no entry in realMonitoring: add its counts", base)
			}
			ds, n := tsReadFile(t, path)
			points := 0
			for _, s := range ds.Metrics {
				points += len(s.Points)
				if s.ValueType != want.valueType {
					t.Errorf("%s: value type %s, want %s", s.Metric, s.ValueType, want.valueType)
				}
				for i := 1; i < len(s.Points); i++ {
					if s.Points[i].End.Before(s.Points[i-1].End) {
						t.Errorf("%s: points not oldest first at %d", s.Metric, i)
					}
				}
			}
			if n != want.series || len(ds.Metrics) != want.series || points != want.points {
				t.Fatalf("%d series (returned %d), %d points; want %d, %d", len(ds.Metrics), n, points, want.series, want.points)
			}
			if len(ds.Warnings) != want.warnings {
				t.Errorf("warnings %q, want %d", ds.Warnings, want.warnings)
			}
			if want.warnings == 1 {
				prefix := fmt.Sprintf("timeseries %s: %d points with an invalid startTime kept with start = end", path, want.points)
				if !strings.HasPrefix(ds.Warnings[0], prefix) {
					t.Errorf("warning %q, want prefix %q", ds.Warnings[0], prefix)
				}
			}
			want.check(t, ds)
			t.Logf("covered: %d series, %d points, %s", n, points, want.valueType)
		})
	}
}

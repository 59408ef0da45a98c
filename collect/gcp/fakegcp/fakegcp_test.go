package fakegcp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const logs = "projects/p/logs/run.googleapis.com%2Frequests"

// writeSnapshot writes n request entries one second apart from 10:00, with
// status 200 for even and 500 for odd i, and one request_count series.
func writeSnapshot(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"logName":%q,"resource":{"type":"cloud_run_revision","labels":{"service_name":"svc","location":"r"}},`+
			`"timestamp":"2026-11-20T10:00:%02dZ","severity":%q,"insertId":"id%02d","httpRequest":{"status":%d,"latency":"0.5s"},"labels":{"instanceId":"i%d"}}`+"\n",
			logs, i, []string{"INFO", "ERROR"}[i%2], i, 200+300*(i%2), i%3)
	}
	// One entry of another project, which no query of project p may see.
	b.WriteString(`{"logName":"projects/q/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision"},"timestamp":"2026-11-20T10:00:00Z","insertId":"other"}` + "\n")
	write(t, filepath.Join(dir, "requests.ndjson"), b.String())
	write(t, filepath.Join(dir, "metrics", "request_count.json"), `{"timeSeries":[{"metric":{"type":"run.googleapis.com/request_count"},`+
		`"resource":{"type":"cloud_run_revision","labels":{"project_id":"p","service_name":"svc","location":"r"}},"metricKind":"DELTA","valueType":"INT64","unit":"1",`+
		`"points":[{"interval":{"startTime":"2026-11-20T10:01:00Z","endTime":"2026-11-20T10:02:00Z"},"value":{"int64Value":"7"}},`+
		`{"interval":{"startTime":"2026-11-20T10:00:00Z","endTime":"2026-11-20T10:01:00Z"},"value":{"int64Value":"5"}}]}]}`)
	return dir
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// dialFake serves dir and returns raw gRPC clients of it.
func dialFake(t *testing.T, dir string) (*Server, loggingpb.LoggingServiceV2Client, monitoringpb.MetricServiceClient, context.Context) {
	t.Helper()
	s, conn := serveConn(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return s, loggingpb.NewLoggingServiceV2Client(conn), monitoringpb.NewMetricServiceClient(conn), ctx
}

// serveConn serves dir until the test ends and returns a connection to it.
func serveConn(t *testing.T, dir string) (*Server, *grpc.ClientConn) {
	t.Helper()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient(s.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return s, conn
}

// list pages through a query and returns the insertIds, page by page.
func list(ctx context.Context, c loggingpb.LoggingServiceV2Client, req *loggingpb.ListLogEntriesRequest) ([][]string, error) {
	var pages [][]string
	for {
		resp, err := c.ListLogEntries(ctx, req)
		if err != nil {
			return pages, err
		}
		var ids []string
		for _, e := range resp.GetEntries() {
			ids = append(ids, e.GetInsertId())
		}
		pages = append(pages, ids)
		if resp.GetNextPageToken() == "" {
			return pages, nil
		}
		req.PageToken = resp.GetNextPageToken()
	}
}

func TestListLogEntries(t *testing.T) {
	_, c, _, ctx := dialFake(t, writeSnapshot(t, 10))
	window := `timestamp >= "2026-11-20T10:00:02Z" AND timestamp < "2026-11-20T10:00:07Z"`
	for _, tc := range []struct {
		name, filter, order string
		size                int32
		want                [][]string
	}{
		{"window, pages of 2", window, "", 2, [][]string{{"id02", "id03"}, {"id04", "id05"}, {"id06"}}},
		{"descending", window, "timestamp desc", 3, [][]string{{"id06", "id05", "id04"}, {"id03", "id02"}}},
		{"severity and status", `severity>=ERROR AND httpRequest.status=500 AND ` + window, "", 10, [][]string{{"id03", "id05"}}},
		{"labels and log", `labels.instanceId="i0" AND logName="` + logs + `" AND resource.labels.service_name="svc"`, "", 0, [][]string{{"id00", "id03", "id06", "id09"}}},
		{"parentheses and NOT", `resource.type="cloud_run_revision" AND (NOT labels.instanceId="i0" AND -severity=ERROR)`, "", 0, [][]string{{"id02", "id04", "id08"}}},
		{"nothing", `resource.labels.location="elsewhere"`, "", 0, [][]string{nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := list(ctx, c, &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, Filter: tc.filter, OrderBy: tc.order, PageSize: tc.size})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListLogEntriesRefuses(t *testing.T) {
	_, c, _, ctx := dialFake(t, writeSnapshot(t, 3))
	for _, tc := range []struct {
		name string
		req  *loggingpb.ListLogEntriesRequest
		want string
	}{
		{"no resource", &loggingpb.ListLogEntriesRequest{}, "resource_names is empty"},
		{"OR", &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, Filter: `severity=INFO OR severity=ERROR`}, "OR is not supported"},
		{"unknown field", &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, Filter: `operation.id="x"`}, `cannot filter on "operation.id"`},
		{"foreign token", &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, PageToken: "MTA6MDox"}, "is invalid or belongs to another request"},
		{"bad order", &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, OrderBy: "severity"}, "order_by"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ListLogEntries(ctx, tc.req)
			if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want InvalidArgument with %q", err, tc.want)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	s, c, _, ctx := dialFake(t, writeSnapshot(t, 6))
	s.Inject(Fault{Page: 2, Code: codes.Unavailable, Times: 2})
	s.Inject(Fault{Page: 2, BreakToken: true})
	req := &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, PageSize: 2}
	var codesSeen []codes.Code
	for range 2 {
		_, err := list(ctx, c, req)
		codesSeen = append(codesSeen, status.Code(err))
	}
	// Page 1, then Unavailable twice on page 2 (list keeps the token),
	// then page 2 with a broken token: InvalidArgument for page 3.
	pages, err := list(ctx, c, req)
	codesSeen = append(codesSeen, status.Code(err))
	want := []codes.Code{codes.Unavailable, codes.Unavailable, codes.InvalidArgument}
	if diff := cmp.Diff(want, codesSeen); diff != "" || !cmp.Equal(pages, [][]string{{"id02", "id03"}}) {
		t.Errorf("codes (-want +got):\n%s\npages %v", diff, pages)
	}
	if got := s.Calls()["ListLogEntries"]; got != 5 {
		t.Errorf("ListLogEntries calls = %d, want 5", got)
	}

	s.Inject(Fault{Delay: 10 * time.Second})
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.ListLogEntries(short, &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}})
	if status.Code(err) != codes.DeadlineExceeded || time.Since(start) > 2*time.Second {
		t.Errorf("slow call: err = %v after %s, want DeadlineExceeded at the caller's deadline", err, time.Since(start))
	}
}

func TestListTimeSeries(t *testing.T) {
	_, _, m, ctx := dialFake(t, writeSnapshot(t, 1))
	at := func(hhmm string) *timestamppb.Timestamp {
		tm, _ := time.Parse(time.RFC3339, "2026-11-20T"+hhmm+":00Z")
		return timestamppb.New(tm)
	}
	for _, tc := range []struct {
		name, filter string
		start, end   string
		want         []int64
	}{
		{"both points", `metric.type = "run.googleapis.com/request_count" AND resource.labels.service_name = "svc"`, "10:00", "10:02", []int64{7, 5}},
		{"start excluded", `metric.type = "run.googleapis.com/request_count"`, "10:01", "10:02", []int64{7}},
		{"other service", `metric.type = "run.googleapis.com/request_count" AND resource.label.service_name = "x"`, "10:00", "10:02", nil},
		{"other metric", `metric.type = "run.googleapis.com/request_latencies"`, "10:00", "10:02", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := m.ListTimeSeries(ctx, &monitoringpb.ListTimeSeriesRequest{Name: "projects/p", Filter: tc.filter,
				Interval: &monitoringpb.TimeInterval{StartTime: at(tc.start), EndTime: at(tc.end)}})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, ts := range resp.GetTimeSeries() {
				for _, p := range ts.GetPoints() {
					got = append(got, p.GetValue().GetInt64Value())
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("points (-want +got):\n%s", diff)
			}
		})
	}
	d, err := m.GetMetricDescriptor(ctx, &monitoringpb.GetMetricDescriptorRequest{Name: "projects/p/metricDescriptors/run.googleapis.com/request_count"})
	if err != nil || d.GetMetricKind().String() != "DELTA" || d.GetValueType().String() != "INT64" || d.GetUnit() != "1" {
		t.Errorf("descriptor = %v, %v; want DELTA INT64 unit 1", d, err)
	}
}

func TestParseFilter(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want filter
		err  string
	}{
		{`a="x y" AND b>=3`, filter{{field: "a", op: "=", value: "x y"}, {field: "b", op: ">=", value: "3"}}, ""},
		{`a:"q\"uote" (b!=2 c<1)`, filter{{field: "a", op: ":", value: `q"uote`}, {field: "b", op: "!=", value: "2"}, {field: "c", op: "<", value: "1"}}, ""},
		{`NOT a=1`, filter{{field: "a", op: "=", value: "1", not: true}}, ""},
		{`a="unterminated`, nil, "unterminated string"},
		{`(a=1`, nil, "missing )"},
		{`a=1 OR b=2`, nil, "OR is not supported"},
		{`word`, nil, "incomplete term"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseFilter(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(cond{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// seriesJSON is one series of metric in service svc and region loc, one
// point a minute from 10:00 with the given values.
func seriesJSON(metric, kind, vt, svc, loc string, vals ...int) string {
	var pts []string
	for i, v := range vals {
		s := time.Date(2026, 11, 20, 10, i, 0, 0, time.UTC)
		e := s.Add(time.Minute)
		start := s
		if kind == "GAUGE" {
			start = e
		}
		val := fmt.Sprintf(`{"int64Value":"%d"}`, v)
		if vt == "DISTRIBUTION" {
			val = fmt.Sprintf(`{"distributionValue":{"count":"%d","mean":1,"bucketOptions":{"explicitBuckets":{"bounds":[1]}},"bucketCounts":["0","%d"]}}`, v, v)
		}
		pts = append(pts, fmt.Sprintf(`{"interval":{"startTime":%q,"endTime":%q},"value":%s}`, start.Format(time.RFC3339), e.Format(time.RFC3339), val))
	}
	return fmt.Sprintf(`{"metric":{"type":%q,"labels":{"response_code_class":"2xx"}},"resource":{"type":"cloud_run_revision","labels":{"project_id":"p","service_name":%q,"location":%q,"revision_name":"%s-1"}},"metricKind":%q,"valueType":%q,"points":[%s]}`,
		metric, svc, loc, svc, kind, vt, strings.Join(pts, ","))
}

func strictFake(t *testing.T) (*Server, monitoringpb.MetricServiceClient, context.Context) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "metrics", "m.json"), `{"timeSeries":[`+strings.Join([]string{
		seriesJSON("run.googleapis.com/request_count", "DELTA", "INT64", "a", "r1", 1, 2, 3, 4),
		seriesJSON("run.googleapis.com/request_count", "DELTA", "INT64", "b", "r1", 10, 20, 30, 40),
		seriesJSON("run.googleapis.com/request_count", "DELTA", "INT64", "c", "r2", 100, 200, 300, 400),
		seriesJSON("run.googleapis.com/request_latencies", "DELTA", "DISTRIBUTION", "a", "r1", 5, 6, 7, 8),
		seriesJSON("run.googleapis.com/container/instance_count", "GAUGE", "INT64", "a", "r1", 1, 3, 2, 1),
	}, ",")+`]}`)
	s, _, m, ctx := dialFake(t, dir)
	return s, m, ctx
}

func minuteInterval(from, to int) *monitoringpb.TimeInterval {
	at := func(m int) *timestamppb.Timestamp {
		return timestamppb.New(time.Date(2026, 11, 20, 10, m, 0, 0, time.UTC))
	}
	return &monitoringpb.TimeInterval{StartTime: at(from), EndTime: at(to)}
}

func TestAggregationRefused(t *testing.T) {
	_, m, ctx := strictFake(t)
	minute := durationpb.New(time.Minute)
	for _, tc := range []struct {
		name, metric string
		agg          *monitoringpb.Aggregation
	}{
		{"max of a distribution", "request_latencies", &monitoringpb.Aggregation{AlignmentPeriod: minute, PerSeriesAligner: monitoringpb.Aggregation_ALIGN_MAX}},
		{"mean of a distribution", "request_latencies", &monitoringpb.Aggregation{AlignmentPeriod: minute, PerSeriesAligner: monitoringpb.Aggregation_ALIGN_MEAN}},
		{"delta of a gauge", "container/instance_count", &monitoringpb.Aggregation{AlignmentPeriod: minute, PerSeriesAligner: monitoringpb.Aggregation_ALIGN_DELTA}},
		{"reducer without aligner", "request_count", &monitoringpb.Aggregation{AlignmentPeriod: minute, CrossSeriesReducer: monitoringpb.Aggregation_REDUCE_SUM}},
		{"aligner without period", "request_count", &monitoringpb.Aggregation{PerSeriesAligner: monitoringpb.Aggregation_ALIGN_DELTA}},
		{"period under 60 s", "request_count", &monitoringpb.Aggregation{AlignmentPeriod: durationpb.New(30 * time.Second), PerSeriesAligner: monitoringpb.Aggregation_ALIGN_DELTA}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.ListTimeSeries(ctx, &monitoringpb.ListTimeSeriesRequest{Name: "projects/p",
				Filter: `metric.type = "run.googleapis.com/` + tc.metric + `"`, Interval: minuteInterval(0, 4), Aggregation: tc.agg})
			if status.Code(err) != codes.InvalidArgument {
				t.Errorf("err = %v, want InvalidArgument", err)
			}
		})
	}
}

// points returns each series' name and values, in answer order.
func points(resp *monitoringpb.ListTimeSeriesResponse) []string {
	var out []string
	for _, ts := range resp.GetTimeSeries() {
		var vals []string
		for _, p := range ts.GetPoints() {
			v := p.GetValue()
			switch {
			case v.GetDistributionValue() != nil:
				vals = append(vals, fmt.Sprint(v.GetDistributionValue().GetCount()))
			case v.GetDoubleValue() != 0:
				vals = append(vals, fmt.Sprint(v.GetDoubleValue()))
			default:
				vals = append(vals, fmt.Sprint(v.GetInt64Value()))
			}
		}
		out = append(out, fmt.Sprintf("%s %v", ts.GetResource().GetLabels()["service_name"], vals))
	}
	return out
}

func TestAlignReduceNewestFirst(t *testing.T) {
	_, m, ctx := strictFake(t)
	agg := func(period time.Duration, a monitoringpb.Aggregation_Aligner, r monitoringpb.Aggregation_Reducer, by ...string) *monitoringpb.Aggregation {
		return &monitoringpb.Aggregation{AlignmentPeriod: durationpb.New(period), PerSeriesAligner: a, CrossSeriesReducer: r, GroupByFields: by}
	}
	for _, tc := range []struct {
		name, metric string
		agg          *monitoringpb.Aggregation
		want         []string
	}{
		{"raw, newest first", "request_count", nil, []string{"a [4 3 2 1]", "b [40 30 20 10]", "c [400 300 200 100]"}},
		{"delta per minute keeps the points", "request_count", agg(time.Minute, monitoringpb.Aggregation_ALIGN_DELTA, 0), []string{"a [4 3 2 1]", "b [40 30 20 10]", "c [400 300 200 100]"}},
		{"delta per 2 minutes sums pairs", "request_count", agg(2*time.Minute, monitoringpb.Aggregation_ALIGN_DELTA, 0), []string{"a [7 3]", "b [70 30]", "c [700 300]"}},
		{"distributions merge", "request_latencies", agg(4*time.Minute, monitoringpb.Aggregation_ALIGN_DELTA, 0), []string{"a [26]"}},
		{"max of a gauge", "container/instance_count", agg(2*time.Minute, monitoringpb.Aggregation_ALIGN_MAX, 0), []string{"a [2 3]"}},
		{"mean of a gauge", "container/instance_count", agg(4*time.Minute, monitoringpb.Aggregation_ALIGN_MEAN, 0), []string{"a [1.75]"}},
		{"sum grouped by location", "request_count", agg(4*time.Minute, monitoringpb.Aggregation_ALIGN_DELTA, monitoringpb.Aggregation_REDUCE_SUM, "resource.label.location"),
			[]string{" [110]", " [1000]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := m.ListTimeSeries(ctx, &monitoringpb.ListTimeSeriesRequest{Name: "projects/p",
				Filter: `metric.type = "run.googleapis.com/` + tc.metric + `"`, Interval: minuteInterval(0, 4), Aggregation: tc.agg})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, points(resp)); diff != "" {
				t.Errorf("series (-want +got):\n%s", diff)
			}
		})
	}
	// Grouped series carry the group-by labels only.
	resp, err := m.ListTimeSeries(ctx, &monitoringpb.ListTimeSeriesRequest{Name: "projects/p", Filter: `metric.type = "run.googleapis.com/request_count"`,
		Interval: minuteInterval(0, 4), Aggregation: agg(4*time.Minute, monitoringpb.Aggregation_ALIGN_DELTA, monitoringpb.Aggregation_REDUCE_SUM, "resource.label.location")})
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range resp.GetTimeSeries() {
		if len(ts.GetResource().GetLabels()) != 1 || len(ts.GetMetric().GetLabels()) != 0 || ts.GetResource().GetLabels()["location"] == "" {
			t.Errorf("grouped series labels: resource %v, metric %v; want location only", ts.GetResource().GetLabels(), ts.GetMetric().GetLabels())
		}
	}
}

func TestTimeSeriesPagesCountPoints(t *testing.T) {
	_, m, ctx := strictFake(t)
	req := &monitoringpb.ListTimeSeriesRequest{Name: "projects/p", Filter: `metric.type = "run.googleapis.com/request_count"`,
		Interval: minuteInterval(0, 4), PageSize: 5}
	var pages [][]string
	for {
		resp, err := m.ListTimeSeries(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, points(resp))
		if resp.GetNextPageToken() == "" {
			break
		}
		req.PageToken = resp.GetNextPageToken()
	}
	want := [][]string{{"a [4 3 2 1]", "b [40]"}, {"b [30 20 10]", "c [400 300]"}, {"c [200 100]"}}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages of 5 points (-want +got):\n%s", diff)
	}
	req.PageToken, req.View = "", monitoringpb.ListTimeSeriesRequest_HEADERS
	req.PageSize = 2
	resp, err := m.ListTimeSeries(ctx, req)
	if err != nil || len(resp.GetTimeSeries()) != 2 || resp.GetNextPageToken() == "" || len(resp.GetTimeSeries()[0].GetPoints()) != 0 {
		t.Errorf("headers, page of 2: %v series, token %q, err %v; want 2 series without points and a next page", len(resp.GetTimeSeries()), resp.GetNextPageToken(), err)
	}
}

func TestPartialFault(t *testing.T) {
	s, m, ctx := strictFake(t)
	s.Inject(Fault{Method: "ListTimeSeries", Match: "request_count", Partial: true})
	req := &monitoringpb.ListTimeSeriesRequest{Name: "projects/p", Filter: `metric.type = "run.googleapis.com/request_count"`, Interval: minuteInterval(0, 4)}
	resp, err := m.ListTimeSeries(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a [4 3]", "b [40 30]", "c [400 300]"}, points(resp)); diff != "" || len(resp.GetExecutionErrors()) != 1 {
		t.Errorf("partial answer: %d execution errors, series (-want +got):\n%s", len(resp.GetExecutionErrors()), diff)
	}
	if resp, _ = m.ListTimeSeries(ctx, req); len(resp.GetExecutionErrors()) != 0 {
		t.Errorf("the fault was used once; the next answer has execution errors %v", resp.GetExecutionErrors())
	}
}

func TestRefusedAsGoogleRefuses(t *testing.T) {
	dir := writeSnapshot(t, 3)
	write(t, filepath.Join(dir, "service.json"), `{"name":"projects/p/locations/r/services/svc","template":{"containers":[{"image":"x"}]}}`)
	_, l, _, ctx := dialFake(t, dir)
	_, err := l.ListLogEntries(ctx, &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, PageSize: 1001})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("log page_size 1001: err = %v, want InvalidArgument (Cloud Logging refuses, it does not clamp)", err)
	}
	if _, err := l.ListLogEntries(ctx, &loggingpb.ListLogEntriesRequest{ResourceNames: []string{"projects/p"}, PageSize: 1000}); err != nil {
		t.Errorf("log page_size 1000: %v", err)
	}
	_, conn := serveConn(t, dir)
	run := runpb.NewServicesClient(conn)
	if _, err := run.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/p/locations/-"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("ListServices in location -: err = %v, want InvalidArgument", err)
	}
	resp, err := run.ListServices(ctx, &runpb.ListServicesRequest{Parent: "projects/p/locations/r"})
	if err != nil || len(resp.GetServices()) != 1 {
		t.Errorf("ListServices in r: %v, %v; want the one service", resp, err)
	}
}

package fakegcp

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

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

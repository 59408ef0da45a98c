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
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
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

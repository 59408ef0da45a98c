package fakegcp

import (
	"strings"
	"testing"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Monitoring refuses a metric type it does not know (NOT_FOUND) and a
// project-level logging metric asked for on a Cloud Run revision
// (INVALID_ARGUMENT); a known metric with no data answers empty.
func TestMetricTypesRefusedAsGoogleRefuses(t *testing.T) {
	_, _, m, ctx := dialFake(t, writeSnapshot(t, 1))
	for _, tc := range []struct {
		name, filter string
		code         codes.Code
		msg          string
	}{
		{"unknown type", `metric.type = "run.googleapis.com/container/network/sent_bytes"`, codes.NotFound, "Cannot find metric(s) that match type"},
		{"global metric on a revision", `metric.type = "logging.googleapis.com/billing/bytes_ingested" AND resource.type = "cloud_run_revision"`,
			codes.InvalidArgument, "valid combination of metric and monitored resource"},
		{"log bytes, no data", `metric.type = "logging.googleapis.com/byte_count" AND resource.type = "cloud_run_revision"`, codes.OK, ""},
		{"egress, no data", `metric.type = "run.googleapis.com/container/network/sent_bytes_count" AND resource.type = "cloud_run_revision"`, codes.OK, ""},
		{"a type the snapshot holds", `metric.type = "run.googleapis.com/request_count"`, codes.OK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := m.ListTimeSeries(ctx, &monitoringpb.ListTimeSeriesRequest{Name: "projects/p", Filter: tc.filter, Interval: minuteInterval(0, 4)})
			if status.Code(err) != tc.code || err != nil && !strings.Contains(status.Convert(err).Message(), tc.msg) {
				t.Fatalf("err = %v, want %s with %q", err, tc.code, tc.msg)
			}
			if err == nil && strings.Contains(tc.name, "no data") && len(resp.GetTimeSeries()) != 0 {
				t.Errorf("%d series, want none", len(resp.GetTimeSeries()))
			}
		})
	}
}

// A metric runlens reads is described without data, as Monitoring
// describes its metrics; an unknown one is not found.
func TestMetricDescriptorWithoutData(t *testing.T) {
	_, _, m, ctx := dialFake(t, writeSnapshot(t, 1))
	d, err := m.GetMetricDescriptor(ctx, &monitoringpb.GetMetricDescriptorRequest{Name: "projects/p/metricDescriptors/logging.googleapis.com/byte_count"})
	if err != nil || d.GetMetricKind().String() != "DELTA" || d.GetValueType().String() != "INT64" || d.GetUnit() != "By" {
		t.Errorf("byte_count: %v, %v; want DELTA INT64 By", d, err)
	}
	_, err = m.GetMetricDescriptor(ctx, &monitoringpb.GetMetricDescriptorRequest{Name: "projects/p/metricDescriptors/run.googleapis.com/nope"})
	if status.Code(err) != codes.NotFound {
		t.Errorf("unknown metric: %v, want NotFound", err)
	}
}

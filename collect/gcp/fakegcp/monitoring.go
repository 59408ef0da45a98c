package fakegcp

import (
	"context"
	"strings"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	metricpb "google.golang.org/genproto/googleapis/api/metric"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// metricServer is the Cloud Monitoring MetricService service.
type metricServer struct {
	monitoringpb.UnimplementedMetricServiceServer
	s *Server
}

// ListTimeSeries answers the series that match the filter with their points
// whose end time lies in the interval (start, end]. The snapshot's points are already
// aligned, so the requested aggregation is checked but not redone.
func (m *metricServer) ListTimeSeries(ctx context.Context, req *monitoringpb.ListTimeSeriesRequest) (*monitoringpb.ListTimeSeriesResponse, error) {
	m.s.count("ListTimeSeries")
	if err := m.s.fault(ctx, "ListTimeSeries", 0, req.GetFilter()); err != nil {
		return nil, err
	}
	project, err := projectOf(req.GetName())
	if err != nil {
		return nil, err
	}
	start, end, err := interval(req.GetInterval())
	if err != nil {
		return nil, err
	}
	if p := req.GetAggregation().GetAlignmentPeriod(); p != nil && p.AsDuration() < time.Minute {
		return nil, status.Errorf(codes.InvalidArgument, "alignment period %s is shorter than 60s", p.AsDuration())
	}
	f, err := parseFilter(req.GetFilter())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "filter: %v", err)
	}
	var all []*monitoringpb.TimeSeries
	for _, ts := range m.s.data.series {
		if p, ok := ts.GetResource().GetLabels()["project_id"]; ok && p != project {
			continue
		}
		ok, err := f.match(seriesGetter(ts))
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "filter: %v", err)
		}
		if ok {
			if out := clip(ts, start, end, req.GetView()); out != nil {
				all = append(all, out)
			}
		}
	}
	return page(all, req)
}

// page cuts the answer into pages of page_size series.
func page(all []*monitoringpb.TimeSeries, req *monitoringpb.ListTimeSeriesRequest) (*monitoringpb.ListTimeSeriesResponse, error) {
	hash := requestHash(req.GetName(), req.GetFilter(), req.GetInterval().String())
	tok, err := parseToken(req.GetPageToken(), hash)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	size := int(req.GetPageSize())
	if size <= 0 {
		size = len(all) + 1
	}
	end := min(tok.offset+size, len(all))
	resp := &monitoringpb.ListTimeSeriesResponse{TimeSeries: all[min(tok.offset, end):end]}
	if end < len(all) {
		resp.NextPageToken = pageToken{offset: end, hash: hash}.String()
	}
	if len(resp.TimeSeries) > 0 {
		resp.Unit = resp.TimeSeries[0].GetUnit()
	}
	return resp, nil
}

// GetMetricDescriptor describes a metric from the first series of it the
// snapshots hold.
func (m *metricServer) GetMetricDescriptor(ctx context.Context, req *monitoringpb.GetMetricDescriptorRequest) (*metricpb.MetricDescriptor, error) {
	m.s.count("GetMetricDescriptor")
	if err := m.s.fault(ctx, "GetMetricDescriptor", 0, req.GetName()); err != nil {
		return nil, err
	}
	_, typ, ok := strings.Cut(req.GetName(), "/metricDescriptors/")
	if !ok {
		return nil, status.Errorf(codes.InvalidArgument, "name %q: want projects/P/metricDescriptors/TYPE", req.GetName())
	}
	for _, ts := range m.s.data.series {
		if ts.GetMetric().GetType() == typ {
			return &metricpb.MetricDescriptor{
				Name: req.GetName(), Type: typ,
				MetricKind: ts.GetMetricKind(), ValueType: ts.GetValueType(), Unit: ts.GetUnit(),
			}, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "metric descriptor %q not found", req.GetName())
}

func projectOf(name string) (string, error) {
	p, ok := strings.CutPrefix(name, "projects/")
	if !ok || p == "" || strings.Contains(p, "/") {
		return "", status.Errorf(codes.InvalidArgument, "name %q: want projects/P", name)
	}
	return p, nil
}

// interval returns the request's interval; a missing start means the end.
func interval(in *monitoringpb.TimeInterval) (time.Time, time.Time, error) {
	if in.GetEndTime() == nil {
		return time.Time{}, time.Time{}, status.Error(codes.InvalidArgument, "interval.end_time is required")
	}
	end := in.GetEndTime().AsTime()
	start := end
	if in.GetStartTime() != nil {
		start = in.GetStartTime().AsTime()
	}
	if start.After(end) {
		return time.Time{}, time.Time{}, status.Error(codes.InvalidArgument, "interval starts after it ends")
	}
	return start, end, nil
}

// clip returns a copy of ts with the points whose end time is within
// (start, end], as Monitoring reads intervals (or at end, when start is
// end), or nil when none is.
func clip(ts *monitoringpb.TimeSeries, start, end time.Time, view monitoringpb.ListTimeSeriesRequest_TimeSeriesView) *monitoringpb.TimeSeries {
	var pts []*monitoringpb.Point
	for _, p := range ts.GetPoints() {
		t := p.GetInterval().GetEndTime().AsTime()
		if (t.After(start) || t.Equal(end)) && !t.After(end) {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		return nil
	}
	out := proto.CloneOf(ts)
	out.Points = pts
	if view == monitoringpb.ListTimeSeriesRequest_HEADERS {
		out.Points = nil
	}
	return out
}

// seriesGetter reads the fields of a series that Monitoring filters compare.
func seriesGetter(ts *monitoringpb.TimeSeries) getter {
	return func(field string) (string, kind, bool) {
		switch field {
		case "metric.type":
			return ts.GetMetric().GetType(), kindString, true
		case "resource.type":
			return ts.GetResource().GetType(), kindString, true
		}
		for _, p := range []string{"resource.labels.", "resource.label."} {
			if k, ok := strings.CutPrefix(field, p); ok {
				v, ok := ts.GetResource().GetLabels()[k]
				return v, kindString, ok
			}
		}
		for _, p := range []string{"metric.labels.", "metric.label."} {
			if k, ok := strings.CutPrefix(field, p); ok {
				v, ok := ts.GetMetric().GetLabels()[k]
				return v, kindString, ok
			}
		}
		return "", kindString, false
	}
}

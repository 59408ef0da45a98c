package fakegcp

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"github.com/runlens/runlens/model"
	metricpb "google.golang.org/genproto/googleapis/api/metric"
	rpcstatus "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// metricServer is the Cloud Monitoring MetricService service.
type metricServer struct {
	monitoringpb.UnimplementedMetricServiceServer
	s *Server
}

// ListTimeSeries answers as Monitoring does: the series that match the
// filter, with their points whose end time lies in the interval (start,
// end], aligned and reduced as the aggregation asks (an aggregation that is
// not valid for the metric's kind and value type is refused), each series'
// points newest first, in pages of page_size points (default and most
// 100,000) in the FULL view or page_size series in the HEADERS view.
func (m *metricServer) ListTimeSeries(ctx context.Context, req *monitoringpb.ListTimeSeriesRequest) (*monitoringpb.ListTimeSeriesResponse, error) {
	m.s.count("ListTimeSeries")
	fault := m.s.take("ListTimeSeries", 0, req.GetFilter())
	if err := fault.apply(ctx); err != nil {
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
	if req.GetPageSize() < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "page_size %d is negative", req.GetPageSize())
	}
	f, err := parseFilter(req.GetFilter())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "filter: %v", err)
	}
	if err := m.s.data.checkMetricFilter(f); err != nil {
		return nil, err
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
			if out := clip(ts, start, end); out != nil {
				all = append(all, out)
			}
		}
	}
	agg := req.GetAggregation()
	if err := checkAggregation(agg, all); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	for i, ts := range all {
		all[i] = align(ts, agg, end)
	}
	if all, err = reduce(all, agg); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	for _, ts := range all {
		slices.SortStableFunc(ts.Points, func(a, b *monitoringpb.Point) int {
			return b.GetInterval().GetEndTime().AsTime().Compare(a.GetInterval().GetEndTime().AsTime())
		})
	}
	var execErrs []*rpcstatus.Status
	if fault != nil && fault.Partial {
		all, execErrs = partial(all)
	}
	resp, err := page(all, req)
	if err != nil {
		return nil, err
	}
	resp.ExecutionErrors = execErrs
	return resp, nil
}

// partial drops the older half of every series' points and says so in an
// execution error, as Monitoring answers a query it could run only in part.
func partial(all []*monitoringpb.TimeSeries) ([]*monitoringpb.TimeSeries, []*rpcstatus.Status) {
	dropped := 0
	for _, ts := range all {
		keep := (len(ts.Points) + 1) / 2
		dropped += len(ts.Points) - keep
		ts.Points = ts.Points[:keep]
	}
	return all, []*rpcstatus.Status{{Code: int32(codes.Unavailable),
		Message: fmt.Sprintf("fake-gcp: injected: %d points could not be read", dropped)}}
}

// maxPoints is Monitoring's default and largest page, in points.
const maxPoints = 100_000

// page cuts the answer into pages: of page_size points in the FULL view,
// a series that does not fit going on in the next page under its header
// again; of page_size series in the HEADERS view. A page_size of 0 or
// above 100,000 means 100,000.
func page(all []*monitoringpb.TimeSeries, req *monitoringpb.ListTimeSeriesRequest) (*monitoringpb.ListTimeSeriesResponse, error) {
	hash := requestHash(req.GetName(), req.GetFilter(), req.GetInterval().String(), req.GetAggregation().String(), req.GetView().String())
	tok, err := parseToken(req.GetPageToken(), hash)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	size := int(req.GetPageSize())
	if size <= 0 || size > maxPoints {
		size = maxPoints
	}
	resp := &monitoringpb.ListTimeSeriesResponse{}
	if req.GetView() == monitoringpb.ListTimeSeriesRequest_HEADERS {
		end := min(tok.offset+size, len(all))
		for _, ts := range all[min(tok.offset, end):end] {
			h := proto.CloneOf(ts)
			h.Points = nil
			resp.TimeSeries = append(resp.TimeSeries, h)
		}
		if end < len(all) {
			resp.NextPageToken = pageToken{offset: end, hash: hash}.String()
		}
	} else {
		// offset counts the points answered so far, over all series in order.
		skip, room, total := tok.offset, size, 0
		for _, ts := range all {
			n := len(ts.GetPoints())
			total += n
			if skip >= n {
				skip -= n
				continue
			}
			if room == 0 {
				continue
			}
			take := min(n-skip, room)
			out := proto.CloneOf(ts)
			out.Points = ts.Points[skip : skip+take]
			resp.TimeSeries = append(resp.TimeSeries, out)
			skip, room = 0, room-take
		}
		if next := tok.offset + size - room; next < total {
			resp.NextPageToken = pageToken{offset: next, hash: hash}.String()
		}
	}
	if len(resp.TimeSeries) > 0 {
		resp.Unit = resp.TimeSeries[0].GetUnit()
	}
	return resp, nil
}

// GetMetricDescriptor describes a metric from the first series of it the
// snapshots hold, or, for a metric of model.Metrics they hold none of, as
// model.Metrics gives it: Monitoring describes its metrics whether or not
// they have data.
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
	if spec, ok := model.MetricByType(typ); ok {
		return &metricpb.MetricDescriptor{
			Name: req.GetName(), Type: typ, Unit: spec.Unit,
			MetricKind: metricpb.MetricDescriptor_MetricKind(metricpb.MetricDescriptor_MetricKind_value[spec.Kind]),
			ValueType:  metricpb.MetricDescriptor_ValueType(metricpb.MetricDescriptor_ValueType_value[spec.ValueType]),
		}, nil
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
func clip(ts *monitoringpb.TimeSeries, start, end time.Time) *monitoringpb.TimeSeries {
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

package gcp

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"google.golang.org/api/iterator"
	metricpb "google.golang.org/genproto/googleapis/api/metric"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/runlens/runlens/model"
)

// alignmentPeriod is Cloud Run's metric sampling period.
const alignmentPeriod = time.Minute

// metricKind is a metric's kind and value type.
type metricKind struct {
	kind      metricpb.MetricDescriptor_MetricKind
	valueType metricpb.MetricDescriptor_ValueType
}

// Metrics are the Cloud Run metrics collected, GPUMetrics those read
// besides them for services with an accelerator
// (template.node_selector.accelerator), and AroundMetrics those read
// besides them with Config.Around: model.Metrics, in its order.
var Metrics, GPUMetrics, AroundMetrics = metricTypes()

func metricTypes() (all, gpu, around []string) {
	for _, m := range model.Metrics {
		switch {
		case m.GPU:
			gpu = append(gpu, m.Type)
		case m.Around:
			around = append(around, m.Type)
		default:
			all = append(all, m.Type)
		}
	}
	return all, gpu, around
}

// assumedKind is the kind and value type model.Metrics gives a metric,
// assumed when its descriptor cannot be read. The descriptor read at run
// time wins: only four of these kinds are confirmed by primary sources
// (Cloud Run's metrics list in Google Cloud's documentation, and its
// dashboard samples; see doc.go).
func assumedKind(metric string) metricKind {
	m, _ := model.MetricByType(metric)
	return metricKind{
		kind:      metricpb.MetricDescriptor_MetricKind(metricpb.MetricDescriptor_MetricKind_value[m.Kind]),
		valueType: metricpb.MetricDescriptor_ValueType(metricpb.MetricDescriptor_ValueType_value[m.ValueType]),
	}
}

// metricResult is what one metric's query returned.
type metricResult struct {
	metric string
	series []*monitoringpb.TimeSeries
	unit   string
	how    string // the query, for the manifest
	// partial holds the execution errors of a query answered in part.
	partial []string
	err     error
	// calls counts the calls the metric cost, by method, retries included.
	calls map[string]int
}

// readMetrics queries every metric in parallel.
func (c *collector) readMetrics(ctx context.Context, metrics []string) []metricResult {
	out := make([]metricResult, len(metrics))
	var wg sync.WaitGroup
	for i, m := range metrics {
		wg.Go(func() { out[i] = c.readMetric(ctx, m) })
	}
	wg.Wait()
	return out
}

// readMetric reads a metric's descriptor, then its series over the window
// widened to whole alignment periods, aligned by kind.
func (c *collector) readMetric(ctx context.Context, metric string) metricResult {
	calls := map[string]int{}
	k, unit, err := c.describe(ctx, metric, calls)
	if err != nil {
		return metricResult{metric: metric, err: err, calls: calls}
	}
	start, end := c.cfg.Start.Truncate(alignmentPeriod), ceil(c.cfg.End, alignmentPeriod)
	req := &monitoringpb.ListTimeSeriesRequest{
		Name:        "projects/" + c.cfg.Project,
		Filter:      c.metricFilter(metric),
		Interval:    &monitoringpb.TimeInterval{StartTime: timestamppb.New(start), EndTime: timestamppb.New(end)},
		Aggregation: aggregation(k),
		View:        monitoringpb.ListTimeSeriesRequest_FULL,
	}
	r := metricResult{metric: metric, unit: unit, how: describeQuery(req), calls: calls}
	var seen map[string]*monitoringpb.TimeSeries
	r.partial, r.err = c.listSeries(ctx, req, calls, func() { r.series, seen = r.series[:0], map[string]*monitoringpb.TimeSeries{} }, func(ts *monitoringpb.TimeSeries) {
		r.series = appendSeries(r.series, seen, ts)
	})
	if r.err != nil {
		r.err = fmt.Errorf("reading metric %s: %w", metric, explain(r.err, "roles/monitoring.viewer", c.cfg.Project))
	}
	return r
}

// appendSeries adds a series to a metric's list. Monitoring's pages hold at
// most page_size points (ListTimeSeriesRequest.page_size: "If view is set to
// FULL, this is the maximum number of Points returned"), so a series may go
// on in the next page under the same header: its points join the series
// already seen, and the snapshot holds each series once.
func appendSeries(list []*monitoringpb.TimeSeries, seen map[string]*monitoringpb.TimeSeries, ts *monitoringpb.TimeSeries) []*monitoringpb.TimeSeries {
	head := proto.CloneOf(ts)
	head.Points = nil
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(head)
	if have, ok := seen[string(b)]; ok {
		have.Points = append(have.Points, ts.GetPoints()...)
		return list
	}
	seen[string(b)] = ts
	return append(list, ts)
}

// describe reads a metric's descriptor, falling back to the assumed kind.
func (c *collector) describe(ctx context.Context, metric string, calls map[string]int) (metricKind, string, error) {
	var d *metricpb.MetricDescriptor
	err := c.retry(ctx, "GetMetricDescriptor", func() error {
		calls["GetMetricDescriptor"]++
		var err error
		d, err = c.cl.metric.GetMetricDescriptor(ctx, &monitoringpb.GetMetricDescriptorRequest{
			Name: "projects/" + c.cfg.Project + "/metricDescriptors/" + metric,
		}, noRetry)
		return err
	})
	switch status.Code(err) {
	case codes.OK:
		return metricKind{d.GetMetricKind(), d.GetValueType()}, d.GetUnit(), nil
	case codes.PermissionDenied, codes.Unauthenticated:
		return metricKind{}, "", fmt.Errorf("reading metric %s: %w", metric, explain(err, "roles/monitoring.viewer", c.cfg.Project))
	}
	return assumedKind(metric), "", nil
}

// metricFilter selects a metric's series of the service.
func (c *collector) metricFilter(metric string) string {
	return strings.Join([]string{
		`metric.type = ` + quote(metric),
		`resource.type = "cloud_run_revision"`,
		`resource.labels.service_name = ` + quote(c.cfg.Service),
		`resource.labels.location = ` + quote(c.cfg.Region),
	}, " AND ")
}

// aggregation aligns per kind: DELTA (and CUMULATIVE) sums per period with
// ALIGN_DELTA, which keeps distributions whole; numeric GAUGEs keep the
// period's maximum (INT64, so counts stay counts) or mean (DOUBLE); other
// gauges come raw.
func aggregation(k metricKind) *monitoringpb.Aggregation {
	var a monitoringpb.Aggregation_Aligner
	switch {
	case k.kind == metricpb.MetricDescriptor_DELTA || k.kind == metricpb.MetricDescriptor_CUMULATIVE:
		a = monitoringpb.Aggregation_ALIGN_DELTA
	case k.kind == metricpb.MetricDescriptor_GAUGE && k.valueType == metricpb.MetricDescriptor_INT64:
		a = monitoringpb.Aggregation_ALIGN_MAX
	case k.kind == metricpb.MetricDescriptor_GAUGE && k.valueType == metricpb.MetricDescriptor_DOUBLE:
		a = monitoringpb.Aggregation_ALIGN_MEAN
	default:
		return nil
	}
	return &monitoringpb.Aggregation{AlignmentPeriod: durationpb.New(alignmentPeriod), PerSeriesAligner: a}
}

// describeQuery says how a metric was read, for the manifest.
func describeQuery(req *monitoringpb.ListTimeSeriesRequest) string {
	how := "raw points"
	if a := req.GetAggregation(); a != nil {
		how = fmt.Sprintf("%s per %s", a.GetPerSeriesAligner(), a.GetAlignmentPeriod().AsDuration())
	}
	return fmt.Sprintf("Cloud Monitoring ListTimeSeries, %s, interval (%s, %s]",
		how, stamp(req.GetInterval().GetStartTime().AsTime()), stamp(req.GetInterval().GetEndTime().AsTime()))
}

// writeMetric writes a metric's series as one ListTimeSeries response.
func (c *collector) writeMetric(r metricResult) (string, error) {
	rel := model.MetricFile(r.metric)
	msgs := make([]proto.Message, len(r.series))
	for i, ts := range r.series {
		msgs[i] = ts
	}
	var extra map[string]string
	if r.unit != "" {
		extra = map[string]string{"unit": r.unit}
	}
	return rel, writeProtoJSON(filepath.Join(c.cfg.OutDir, rel), "timeSeries", msgs, extra)
}

// requestEstimate sums request_count over the window: the number of request
// log entries to expect, or -1 when the metric returned nothing.
func requestEstimate(results []metricResult) int64 {
	for _, r := range results {
		if r.metric != model.MetricRequestCount || r.err != nil || len(r.series) == 0 {
			continue
		}
		var n int64
		for _, ts := range r.series {
			for _, p := range ts.GetPoints() {
				n += p.GetValue().GetInt64Value()
			}
		}
		return n
	}
	return -1
}

func ceil(t time.Time, d time.Duration) time.Time {
	if f := t.Truncate(d); !f.Equal(t) {
		return f.Add(d)
	}
	return t
}

// listSeries pages through a ListTimeSeries query, retried as a whole:
// reset clears what an earlier attempt gathered, each receives every series.
// It returns the execution errors Monitoring attached to any page
// (ListTimeSeriesResponse.execution_errors: "query execution errors that
// may have caused the time series data returned to be incomplete"), one
// line each: the answer is then partial, not failed.
func (c *collector) listSeries(ctx context.Context, req *monitoringpb.ListTimeSeriesRequest, calls map[string]int, reset func(), each func(*monitoringpb.TimeSeries)) ([]string, error) {
	var partial []string
	err := c.retry(ctx, "ListTimeSeries", func() error {
		reset()
		partial = partial[:0]
		it := c.cl.metric.ListTimeSeries(ctx, req, noRetry)
		fetch := it.InternalFetch
		// Every page is looked at, also the empty ones the iterator skips.
		it.InternalFetch = func(size int, token string) ([]*monitoringpb.TimeSeries, string, error) {
			if calls != nil {
				calls["ListTimeSeries"]++
			}
			items, next, err := fetch(size, token)
			if resp, ok := it.Response.(*monitoringpb.ListTimeSeriesResponse); ok && err == nil {
				for _, e := range resp.GetExecutionErrors() {
					partial = append(partial, fmt.Sprintf("%s: %s", codes.Code(e.GetCode()), e.GetMessage()))
				}
			}
			return items, next, err
		}
		for {
			ts, err := it.Next()
			if err == iterator.Done {
				return nil
			}
			if err != nil {
				return err
			}
			each(ts)
		}
	})
	return partial, err
}

// partialWarning is the warning for a query Monitoring answered in part.
func partialWarning(what string, errs []string) string {
	return fmt.Sprintf("partial: %s: Cloud Monitoring reported %d execution errors, so its series may be incomplete: %s",
		what, len(errs), strings.Join(errs, "; "))
}

package fakegcp

import (
	"slices"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/runlens/runlens/model"
)

// metricResources are the monitored resources Google Cloud's metrics list
// (cloud.google.com/monitoring/api/metrics_gcp) gives the metrics runlens
// reads where the fake checks them; nil means any resource (Cloud
// Logging's byte_count counts entries on their own resource).
var metricResources = map[string][]string{
	model.MetricLogBytes: nil,
	// Project-level Cloud Logging metrics on the global resource: known,
	// so that a query of them for a Cloud Run revision is refused as Google
	// refuses it, not answered empty.
	"logging.googleapis.com/billing/bytes_ingested":         {"global"},
	"logging.googleapis.com/billing/monthly_bytes_ingested": {"global"},
}

// knownMetric reports whether Monitoring knows a metric type: a metric of
// model.Metrics, of metricResources, or of a series the server holds.
func (d *dataset) knownMetric(typ string) bool {
	if _, ok := model.MetricByType(typ); ok {
		return true
	}
	if _, ok := metricResources[typ]; ok {
		return true
	}
	return slices.ContainsFunc(d.series, func(ts *monitoringpb.TimeSeries) bool { return ts.GetMetric().GetType() == typ })
}

// resourcesOf returns the monitored resource types a metric is written
// against; nil means any (or not checked: Cloud Run's container metrics
// are written for revisions and jobs).
func resourcesOf(typ string) []string { return metricResources[typ] }

// checkMetricFilter refuses, as Monitoring does, a filter naming a metric
// type it does not know (NOT_FOUND, "Cannot find metric(s) that match
// type = ...") or a metric with a monitored resource it is not written
// against (INVALID_ARGUMENT, "The supplied filter does not specify a valid
// combination of metric and monitored resource descriptors").
func (d *dataset) checkMetricFilter(f filter) error {
	var metric, resource string
	for _, c := range f {
		if c.op != "=" || c.not {
			continue
		}
		switch c.field {
		case "metric.type":
			metric = c.value
		case "resource.type":
			resource = c.value
		}
	}
	if metric == "" {
		return nil
	}
	if !d.knownMetric(metric) {
		return status.Errorf(codes.NotFound, "Cannot find metric(s) that match type = %q. If a metric was created recently, it could take up to 10 minutes to become available. Please try again soon.", metric)
	}
	if rs := resourcesOf(metric); resource != "" && rs != nil && !slices.Contains(rs, resource) {
		return status.Error(codes.InvalidArgument, "The supplied filter does not specify a valid combination of metric and monitored resource descriptors. The query will not return any time series.")
	}
	return nil
}

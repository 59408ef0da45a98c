package model

import "strings"

// The Cloud Run metrics runlens reads, in one table that collection
// (collect/gcp), the simulator (collect/sim), the analysis and its list of
// missing sources all read: adding a metric is a row here, then the code
// that uses it.

// Cloud Run metric types.
const (
	MetricRequestCount          = "run.googleapis.com/request_count"
	MetricRequestLatencies      = "run.googleapis.com/request_latencies"
	MetricInstanceCount         = "run.googleapis.com/container/instance_count"
	MetricBillableTime          = "run.googleapis.com/container/billable_instance_time"
	MetricCPUUtilizations       = "run.googleapis.com/container/cpu/utilizations"
	MetricMemoryUtilizations    = "run.googleapis.com/container/memory/utilizations"
	MetricStartupLatencies      = "run.googleapis.com/container/startup_latencies"
	MetricMaxConcurrencies      = "run.googleapis.com/container/max_request_concurrencies"
	MetricCPUAllocation         = "run.googleapis.com/container/cpu/allocation_time"
	MetricMemoryAllocation      = "run.googleapis.com/container/memory/allocation_time"
	MetricGPUUtilizations       = "run.googleapis.com/container/gpu/utilizations"
	MetricGPUMemoryUtilizations = "run.googleapis.com/container/gpu/memory_utilizations"
	// MetricSentBytes is the bytes a revision's containers sent, by
	// metric label "kind" (the destination, e.g. "internet").
	MetricSentBytes = "run.googleapis.com/container/network/sent_bytes_count"
	// MetricLogBytes is Cloud Logging's count of the bytes of log entries
	// stored in a log bucket, by metric labels "log" and "severity", on
	// the entries' own monitored resource (cloud_run_revision for a Cloud
	// Run service's logs).
	MetricLogBytes = "logging.googleapis.com/byte_count"
)

// MetricSpec is one Cloud Run metric runlens reads.
type MetricSpec struct {
	Type string
	// Kind (DELTA or GAUGE), ValueType (INT64, DOUBLE or DISTRIBUTION)
	// and Unit, as a MetricDescriptor names them: what collection assumes
	// where the descriptor cannot be read (the descriptor read at run time
	// wins; only request_count, billable_instance_time and the two
	// allocation times are confirmed DELTA by Google's documentation), and
	// what the simulator writes. Unit is "" where none is assumed.
	Kind, ValueType, Unit string
	// GPU metrics are read only for services with an accelerator.
	GPU bool
	// Around metrics measure the costs around a service (the bytes of its
	// logs, its network egress); the audit reads them.
	Around bool
	// Missing, when set, is what the report does without the metric: the
	// report lists it among its missing sources.
	Missing string
}

// Metrics lists the Cloud Run metrics runlens reads, in the order it reads
// them.
var Metrics = []MetricSpec{
	{Type: MetricRequestCount, Kind: "DELTA", ValueType: "INT64", Unit: "1", Missing: "no metric count to reconcile against"},
	{Type: MetricRequestLatencies, Kind: "DELTA", ValueType: "DISTRIBUTION", Unit: "ms"},
	{Type: MetricInstanceCount, Kind: "GAUGE", ValueType: "INT64", Unit: "1", Missing: "no active/idle instance chart"},
	{Type: MetricBillableTime, Kind: "DELTA", ValueType: "DOUBLE", Unit: "s", Missing: "cost rebuilt from request logs"},
	{Type: MetricCPUUtilizations, Kind: "DELTA", ValueType: "DISTRIBUTION", Unit: "10^2.%", Missing: "no CPU percentiles"},
	{Type: MetricMemoryUtilizations, Kind: "DELTA", ValueType: "DISTRIBUTION", Unit: "10^2.%", Missing: "no memory percentiles"},
	{Type: MetricStartupLatencies, Kind: "DELTA", ValueType: "DISTRIBUTION", Unit: "ms"},
	{Type: MetricMaxConcurrencies, Kind: "DELTA", ValueType: "DISTRIBUTION", Unit: "1"},
	{Type: MetricCPUAllocation, Kind: "DELTA", ValueType: "DOUBLE"},
	{Type: MetricMemoryAllocation, Kind: "DELTA", ValueType: "DOUBLE"},
	{Type: MetricGPUUtilizations, Kind: "DELTA", ValueType: "DISTRIBUTION", Unit: "10^2.%", GPU: true},
	{Type: MetricGPUMemoryUtilizations, Kind: "DELTA", ValueType: "DISTRIBUTION", Unit: "10^2.%", GPU: true},
	// Both DELTA INT64 "By" in Google Cloud's metrics list
	// (cloud.google.com/monitoring/api/metrics_gcp).
	{Type: MetricLogBytes, Kind: "DELTA", ValueType: "INT64", Unit: "By", Around: true},
	{Type: MetricSentBytes, Kind: "DELTA", ValueType: "INT64", Unit: "By", Around: true},
}

// MetricByType returns the row of Metrics for a metric type, and whether
// there is one.
func MetricByType(metric string) (MetricSpec, bool) {
	for _, m := range Metrics {
		if m.Type == metric {
			return m, true
		}
	}
	return MetricSpec{}, false
}

// ShortMetric is a metric type without "run.googleapis.com/" and
// "container/": "cpu/utilizations".
func ShortMetric(metric string) string {
	return strings.TrimPrefix(strings.TrimPrefix(metric, "run.googleapis.com/"), "container/")
}

// MetricsDir is the snapshot directory of the metrics, one file per metric.
const MetricsDir = "metrics"

// MetricFile returns the snapshot path, relative to the snapshot directory,
// of a metric's ListTimeSeries response: the metric type without its
// "run.googleapis.com/" and "container/" prefixes, slashes turned into
// underscores. "run.googleapis.com/container/cpu/utilizations" is stored in
// metrics/cpu_utilizations.json.
func MetricFile(metricType string) string {
	short := metricType
	if i := strings.Index(short, ".googleapis.com/"); i >= 0 {
		short = short[i+len(".googleapis.com/"):]
	}
	short = strings.TrimPrefix(short, "container/")
	short = strings.ReplaceAll(short, "/", "_")
	return MetricsDir + "/" + short + ".json"
}

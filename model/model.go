package model

import (
	"fmt"
	"time"
)

// Dataset is everything known about one service over one window: the stage
// boundary between collect and analyze.
type Dataset struct {
	Manifest Manifest
	Service  *ServiceConfig // nil when no service resource was given
	Requests []Request      // request log entries, in file order
	Events   []InstanceEvent
	Metrics  []Series
	Client   *ClientRun // nil without load-test results

	// Skipped counts log entries that were read but are not Cloud Run
	// request or system entries, keyed by resource type or log name.
	Skipped map[string]int
	// Scope, when set (a snapshot's manifest sets it), is what the data
	// is about: log entries of other services or regions, or outside
	// its window, are counted in OutOfScope by reason (the Out*
	// constants) and left out, with a warning naming the file.
	Scope      Scope
	OutOfScope map[string]int
	// Warnings are problems with the input that did not stop the reading:
	// malformed lines, unknown formats, missing parts. Each names its file.
	Warnings []string
	// Sources lists the files read, with the format each was sniffed as.
	Sources []Source

	// Sink, when set, takes every request entry in place of Requests, so
	// that the memory an input takes does not grow with its requests;
	// SunkRequests counts them.
	Sink         RequestSink
	SunkRequests int
	// Repeats counts the log entries left out for repeating one read
	// before, Unchecked those read once too many were remembered to tell
	// (collect's repeat check); collect.NoteRepeats turns them into
	// warnings.
	Repeats, Unchecked int
	// Reading is what the readers share while they fill the Dataset
	// (the log entries read so far, to count a repeated one once); only
	// they know what is inside. collect.NoteRepeats, once every file is
	// read, lets it go.
	Reading any
	// Read tunes how log files are read; the zero value is what a user
	// gets (a worker per core, chunks growing to 4 MiB). The results do
	// not depend on it.
	Read ReadOptions
}

// ReadOptions tunes the reading of log files.
type ReadOptions struct {
	Workers    int // parsing goroutines; zero: one per core
	ChunkBytes int // the size of the chunks workers parse; zero: 64 KiB growing to 4 MiB
}

// Source is one input file and the format it was read as.
type Source struct {
	Path   string `json:"path"`
	Format string `json:"format"` // e.g. "logging-array", "logging-ndjson", "timeseries", "locust-stats"
	Items  int    `json:"items"`  // entries, series or rows read; -1 for a load-test run's files, counted together
}

// Warnf appends a warning.
func (d *Dataset) Warnf(format string, args ...any) {
	d.Warnings = append(d.Warnings, fmt.Sprintf(format, args...))
}

// Manifest is the snapshot's manifest.json.
type Manifest struct {
	Schema   string            `json:"schema"` // "runlens.snapshot/v1"
	Project  string            `json:"project"`
	Region   string            `json:"region"`
	Service  string            `json:"service"`
	Window   Window            `json:"window"`
	Filters  map[string]string `json:"filters,omitempty"`
	Sources  map[string]string `json:"sources,omitempty"`
	APICalls map[string]int    `json:"api_calls,omitempty"`
	// SourceCalls counts, for each file of Sources read from a Google API,
	// the calls it cost by method, retries included.
	SourceCalls map[string]map[string]int `json:"source_calls,omitempty"`
	Retries     map[string]int            `json:"retries,omitempty"`
	Warnings    []string                  `json:"warnings,omitempty"`
	// BigQuery, when set, says the snapshot's request and system logs were
	// read from BigQuery: the request log as its summary (summary.json).
	BigQuery *BigQueryRead `json:"bigquery,omitempty"`
}

// BigQueryRead is where a snapshot's logs were read in BigQuery, and the
// queries that read them.
type BigQueryRead struct {
	Dataset string  `json:"dataset"` // PROJECT.DATASET[.VIEW_OR_TABLE_PREFIX]
	Layout  string  `json:"layout"`
	Queries []Query `json:"queries"`
}

// Query is one BigQuery query runlens ran (or refused to run): its SQL,
// its job and the bytes it scanned and was billed.
type Query struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
	// JobID is empty for a refused query; Location is where it ran.
	JobID    string `json:"job_id,omitempty"`
	Location string `json:"location,omitempty"`
	// EstimatedBytes is the dry run's estimate; ProcessedBytes and
	// BilledBytes are the job's statistics.
	EstimatedBytes int64 `json:"estimated_bytes"`
	ProcessedBytes int64 `json:"processed_bytes"`
	BilledBytes    int64 `json:"billed_bytes"`
	CacheHit       bool  `json:"cache_hit,omitempty"`
	Rows           int   `json:"rows"`
	Refused        bool  `json:"refused,omitempty"`
}

// SnapshotSchema is the manifest schema this version writes and reads.
const SnapshotSchema = "runlens.snapshot/v1"

// Window is a half-open time interval [Start, End), in UTC.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// IsZero reports whether the window is unset.
func (w Window) IsZero() bool { return w.Start.IsZero() && w.End.IsZero() }

// Request is one Cloud Run request log entry (run.googleapis.com/requests).
type Request struct {
	Time         time.Time     // LogEntry.timestamp: when the request arrived
	Method       string        // httpRequest.requestMethod
	URL          string        // httpRequest.requestUrl, as logged
	Path         string        // URL path without scheme, host or query
	Status       int           // httpRequest.status; 0 when the client went away before a response
	Latency      time.Duration // httpRequest.latency, exact to the nanosecond
	RequestSize  int64
	ResponseSize int64
	UserAgent    string
	RemoteIP     string
	Protocol     string
	InstanceID   string // labels.instanceId
	Revision     string // resource.labels.revision_name
	Service      string // resource.labels.service_name
	Location     string // resource.labels.location
	Trace        string
	InsertID     string
	Severity     string
	// ColdStart is set when the entry carries the platform's marker text
	// saying that the request caused a new container instance to start.
	ColdStart bool
}

// EventKind classifies a Cloud Run system log entry.
type EventKind string

// Kinds of instance events read from run.googleapis.com/varlog/system.
const (
	EventStart               EventKind = "start"                 // "Starting new instance. Reason: ..."
	EventProbeSucceeded      EventKind = "probe_succeeded"       // "Default STARTUP TCP probe succeeded after 1 attempt ..."
	EventProbeFailed         EventKind = "probe_failed"          // "... probe failed ..."
	EventMemoryLimitExceeded EventKind = "memory_limit_exceeded" // "Memory limit of 2048 MiB exceeded ..."
	EventShutdown            EventKind = "shutdown"              // instance shut down or was retired
	EventCrash               EventKind = "crash"                 // "Container called exit(1).", terminated by signal
	EventOther               EventKind = "other"
)

// InstanceEvent is one Cloud Run system log entry about an instance.
type InstanceEvent struct {
	Time       time.Time
	Kind       EventKind
	InstanceID string
	Revision   string
	Reason     string // labels.scaling_reason or the reason in the text, e.g. "AUTOSCALING"
	Text       string // the entry's text, as logged
}

// Series is one Cloud Monitoring time series.
type Series struct {
	Metric         string            // metric.type, e.g. "run.googleapis.com/request_count"
	MetricLabels   map[string]string // metric.labels, e.g. response_code_class, state
	ResourceLabels map[string]string // resource.labels
	ResourceType   string
	MetricKind     string // GAUGE, DELTA or CUMULATIVE
	ValueType      string // INT64, DOUBLE, DISTRIBUTION, BOOL
	Unit           string
	Points         []Point // sorted by End, oldest first
}

// Point is one sample of a Series. Exactly one of Int, Double and Dist is
// meaningful, as the Series' ValueType says.
type Point struct {
	Start  time.Time // interval start; equals End for GAUGE points
	End    time.Time
	Int    int64
	Double float64
	Dist   *Distribution
}

// Value returns the point's scalar value: Int or Double, or a distribution's mean.
func (p Point) Value() float64 {
	switch {
	case p.Dist != nil:
		return p.Dist.Mean
	case p.Int != 0:
		return float64(p.Int)
	}
	return p.Double
}

// Distribution is a Cloud Monitoring distribution value with its buckets
// made explicit. Bounds holds the finite boundaries in increasing order;
// Counts has len(Bounds)+1 entries: Counts[0] is the underflow bucket
// (-inf, Bounds[0]), Counts[i] is [Bounds[i-1], Bounds[i]), and the last is
// the overflow bucket [Bounds[len-1], +inf).
type Distribution struct {
	Count  int64
	Mean   float64
	SumSq  float64
	Bounds []float64
	Counts []int64
}

// ServiceConfig is what runlens needs of a Cloud Run service resource.
type ServiceConfig struct {
	Project      string   `json:"project"`
	Region       string   `json:"region"`
	Name         string   `json:"name"`
	CPU          float64  `json:"cpu"` // vCPUs per instance
	MemoryMiB    int64    `json:"memory_mib"`
	Concurrency  int      `json:"concurrency"`
	MinInstances int      `json:"min_instances"`
	MaxInstances int      `json:"max_instances"`
	Billing      string   `json:"billing"` // "request" (CPU only during requests) or "instance" (CPU always allocated)
	Revisions    []string `json:"revisions,omitempty"`
	// Containers is the number of containers per instance; CPU and
	// MemoryMiB are the sum of their limits.
	Containers int `json:"containers,omitempty"`
	// ScalingMode is "automatic" or "manual" (a fixed number of instances,
	// then both MinInstances and MaxInstances).
	ScalingMode string `json:"scaling_mode,omitempty"`
	// Accelerator is the GPU type, e.g. "nvidia-l4"; GPUs is the number per
	// instance.
	Accelerator string `json:"accelerator,omitempty"`
	GPUs        int    `json:"gpus,omitempty"`
	// StartupCPUBoost is Cloud Run's startup CPU boost: more CPU
	// (BoostedCPU) while an instance starts and for BoostAfterReady after.
	StartupCPUBoost bool `json:"startup_cpu_boost,omitempty"`
	// Traffic is where the traffic goes (the v2 Service's
	// traffic_statuses): each revision's percent and its tag.
	Traffic []TrafficTarget `json:"traffic,omitempty"`
}

// TrafficTarget is a revision's share of a service's traffic, in percent,
// and its tag ("" when untagged). Latest is set when the entry stands for
// the latest ready revision, whatever its name.
type TrafficTarget struct {
	Revision string `json:"revision,omitempty"`
	Percent  int    `json:"percent"`
	Tag      string `json:"tag,omitempty"`
	Latest   bool   `json:"latest,omitempty"`
	// MinInstances is the revision's own minimum instance count, from the
	// Revisions API (a snapshot's revisions.json); nil when not read.
	MinInstances *int `json:"min_instances,omitempty"`
}

// BoostAfterReady is how long startup CPU boost lasts once the instance
// has started: Cloud Run gives the boosted CPU during startup and for 10 s
// after (https://cloud.google.com/run/docs/configuring/services/cpu#startup-boost).
const BoostAfterReady = 10 * time.Second

// BoostedCPU is the vCPUs an instance with cpu vCPUs has while startup CPU
// boost is on: twice its limit, at most 8 (the largest limit, which is not
// boosted further), per the boost table of
// https://cloud.google.com/run/docs/configuring/services/cpu#startup-boost.
func BoostedCPU(cpu float64) float64 { return max(cpu, min(2*cpu, 8)) }

// Scaling modes of ServiceConfig.ScalingMode.
const (
	ScalingAutomatic = "automatic"
	ScalingManual    = "manual"
)

// Billing modes of ServiceConfig.Billing.
const (
	BillingRequest  = "request"
	BillingInstance = "instance"
)

// ClientRun is what a load generator reported about its run.
type ClientRun struct {
	Tool    string // "locust", "k6", "jmeter", "vegeta"
	Version string // format generation, e.g. "2.x", "1.x", "0.x"
	// Endpoints holds per-endpoint totals, without the aggregate row.
	Endpoints []ClientEndpoint
	Total     ClientEndpoint
	// History is the client's timeline, oldest first: aggregate rows and,
	// with full history, per-endpoint rows.
	History    []ClientSample
	Failures   []ClientFailure
	Exceptions []ClientException
	// ApproximatePercentiles is set when the tool stores response times in
	// rounded buckets (Locust), so percentiles are approximate.
	ApproximatePercentiles bool
	Files                  []string

	// TotalsOnly is set when the tool gave a summary of the run (a k6
	// summary export, a vegeta JSON report): Total only, with no
	// Endpoints and no History.
	TotalsOnly bool
}

// ClientEndpoint is one row of a load generator's statistics.
type ClientEndpoint struct {
	Method         string // "GET"; empty where the tool gives none
	Name           string // as the tool names it: a path or a label
	Requests       int64
	Failures       int64
	Median         time.Duration
	Avg            time.Duration
	Min            time.Duration
	Max            time.Duration
	AvgContentSize float64 // bytes
	RPS            float64 // requests per second over the run
	FailuresPerSec float64
	Percentiles    []Percentile // as reported, in increasing Q
}

// Percentile is a reported quantile: Q in [0, 1].
type Percentile struct {
	Q     float64
	Value time.Duration
}

// ClientSample is one row of a load generator's timeline.
type ClientSample struct {
	Time           time.Time
	Users          int
	Method         string
	Name           string // "Aggregated" for the aggregate row
	RPS            float64
	FailuresPerSec float64
	Percentiles    []Percentile // nil where the tool printed N/A
	TotalRequests  int64
	TotalFailures  int64
	Median         time.Duration
	Avg            time.Duration
	Min            time.Duration
	Max            time.Duration
}

// ClientFailure is one row of a failures file: an error and how often it occurred.
type ClientFailure struct {
	Method      string
	Name        string
	Error       string
	Occurrences int64
}

// ClientException is one row of an exceptions file.
type ClientException struct {
	Count     int64
	Message   string
	Traceback string
	Nodes     string
}

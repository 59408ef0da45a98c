package collect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The types in this file mirror Google's REST JSON shapes, as exports and
// the snapshot store them. Readers decode into them; writers (the simulator,
// the live collector) encode from them.

// LogEntry is a Cloud Logging LogEntry in its REST JSON form.
type LogEntry struct {
	LogName          string             `json:"logName"`
	Resource         *MonitoredResource `json:"resource,omitempty"`
	Timestamp        string             `json:"timestamp,omitempty"`
	ReceiveTimestamp string             `json:"receiveTimestamp,omitempty"`
	Severity         string             `json:"severity,omitempty"`
	InsertID         string             `json:"insertId,omitempty"`
	HTTPRequest      *HTTPRequest       `json:"httpRequest,omitempty"`
	Labels           map[string]string  `json:"labels,omitempty"`
	TextPayload      string             `json:"textPayload,omitempty"`
	JSONPayload      json.RawMessage    `json:"jsonPayload,omitempty"`
	ProtoPayload     json.RawMessage    `json:"protoPayload,omitempty"`
	Trace            string             `json:"trace,omitempty"`
	SpanID           string             `json:"spanId,omitempty"`
	TraceSampled     bool               `json:"traceSampled,omitempty"`
}

// MonitoredResource is a resource type and its labels.
type MonitoredResource struct {
	Type   string            `json:"type"`
	Labels map[string]string `json:"labels,omitempty"`
}

// HTTPRequest is LogEntry.httpRequest. Sizes are int64 strings in JSON and
// latency is a Duration string like "0.700123s".
type HTTPRequest struct {
	RequestMethod string `json:"requestMethod,omitempty"`
	RequestURL    string `json:"requestUrl,omitempty"`
	RequestSize   Int64  `json:"requestSize,omitempty"`
	Status        int    `json:"status,omitempty"`
	ResponseSize  Int64  `json:"responseSize,omitempty"`
	UserAgent     string `json:"userAgent,omitempty"`
	RemoteIP      string `json:"remoteIp,omitempty"`
	ServerIP      string `json:"serverIp,omitempty"`
	Referer       string `json:"referer,omitempty"`
	Latency       string `json:"latency,omitempty"`
	Protocol      string `json:"protocol,omitempty"`
}

// Int64 is a proto3 int64: a decimal string in JSON, though a bare number is
// accepted on input.
type Int64 int64

// MarshalJSON writes the value as a quoted decimal string.
func (n Int64) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(n), 10) + `"`), nil
}

// UnmarshalJSON reads a quoted or bare integer.
func (n *Int64) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	if len(b) == 0 || string(b) == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("int64 %q: %w", b, err)
	}
	*n = Int64(v)
	return nil
}

// ListTimeSeriesResponse is a Cloud Monitoring projects.timeSeries.list
// response, the form metrics/*.json files take.
type ListTimeSeriesResponse struct {
	TimeSeries    []TimeSeries `json:"timeSeries"`
	NextPageToken string       `json:"nextPageToken,omitempty"`
	Unit          string       `json:"unit,omitempty"`
}

// TimeSeries is one series of a ListTimeSeries response.
type TimeSeries struct {
	Metric     Metric            `json:"metric"`
	Resource   MonitoredResource `json:"resource"`
	MetricKind string            `json:"metricKind,omitempty"`
	ValueType  string            `json:"valueType,omitempty"`
	Unit       string            `json:"unit,omitempty"`
	Points     []WirePoint       `json:"points,omitempty"`
}

// Metric is a metric type and its labels.
type Metric struct {
	Type   string            `json:"type"`
	Labels map[string]string `json:"labels,omitempty"`
}

// WirePoint is a time series point as the REST API writes it.
type WirePoint struct {
	Interval TimeInterval `json:"interval"`
	Value    TypedValue   `json:"value"`
}

// TimeInterval holds RFC 3339 times; StartTime may be absent for gauges.
type TimeInterval struct {
	StartTime string `json:"startTime,omitempty"`
	EndTime   string `json:"endTime"`
}

// TypedValue holds exactly one value.
type TypedValue struct {
	BoolValue         *bool              `json:"boolValue,omitempty"`
	Int64Value        *Int64             `json:"int64Value,omitempty"`
	DoubleValue       *float64           `json:"doubleValue,omitempty"`
	StringValue       *string            `json:"stringValue,omitempty"`
	DistributionValue *DistributionValue `json:"distributionValue,omitempty"`
}

// DistributionValue is a Monitoring distribution. BucketCounts may be shorter
// than the number of buckets: the missing trailing counts are zero.
type DistributionValue struct {
	Count                 Int64         `json:"count,omitempty"`
	Mean                  float64       `json:"mean,omitempty"`
	SumOfSquaredDeviation float64       `json:"sumOfSquaredDeviation,omitempty"`
	BucketOptions         BucketOptions `json:"bucketOptions"`
	BucketCounts          []Int64       `json:"bucketCounts,omitempty"`
}

// BucketOptions holds one of the three bucket layouts.
type BucketOptions struct {
	LinearBuckets      *LinearBuckets      `json:"linearBuckets,omitempty"`
	ExponentialBuckets *ExponentialBuckets `json:"exponentialBuckets,omitempty"`
	ExplicitBuckets    *ExplicitBuckets    `json:"explicitBuckets,omitempty"`
}

// LinearBuckets: boundaries offset + width*i for i in 0..NumFiniteBuckets.
type LinearBuckets struct {
	NumFiniteBuckets int     `json:"numFiniteBuckets"`
	Width            float64 `json:"width"`
	Offset           float64 `json:"offset"`
}

// ExponentialBuckets: boundaries scale * growthFactor^i for i in 0..NumFiniteBuckets.
type ExponentialBuckets struct {
	NumFiniteBuckets int     `json:"numFiniteBuckets"`
	GrowthFactor     float64 `json:"growthFactor"`
	Scale            float64 `json:"scale"`
}

// ExplicitBuckets lists the boundaries.
type ExplicitBuckets struct {
	Bounds []float64 `json:"bounds"`
}

// RunService is the part of a Cloud Run Admin API v2 Service resource that
// runlens reads and writes (service.json). Readers also accept the v1
// (Knative) shape that `gcloud run services describe --format=json` prints.
type RunService struct {
	Name                string           `json:"name"` // projects/P/locations/R/services/S
	UID                 string           `json:"uid,omitempty"`
	Template            RevisionTemplate `json:"template"`
	Scaling             *ServiceScaling  `json:"scaling,omitempty"`
	LatestReadyRevision string           `json:"latestReadyRevision,omitempty"`
	URI                 string           `json:"uri,omitempty"`
	// Traffic is Service.traffic, what was asked; TrafficStatuses is
	// Service.traffic_statuses, what serves: the revisions, their share
	// of the traffic and their tags.
	Traffic         []TrafficTarget `json:"traffic,omitempty"`
	TrafficStatuses []TrafficTarget `json:"trafficStatuses,omitempty"`
}

// RunRevision is the part of a Cloud Run Admin API v2 Revision runlens
// reads and writes: its name (projects/P/locations/R/services/S/revisions/V)
// and its own scaling, which a tagged revision keeps without traffic.
type RunRevision struct {
	Name       string           `json:"name"`
	Service    string           `json:"service,omitempty"`
	Scaling    *RevisionScaling `json:"scaling,omitempty"`
	Containers []Container      `json:"containers,omitempty"`
}

// TrafficTarget is an entry of Service.traffic or Service.traffic_statuses:
// a revision (or the latest ready one, Type TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST),
// its percent of the traffic and its tag, reachable at URI when tagged.
type TrafficTarget struct {
	Type     string `json:"type,omitempty"`
	Revision string `json:"revision,omitempty"`
	Percent  int    `json:"percent,omitempty"`
	Tag      string `json:"tag,omitempty"`
	URI      string `json:"uri,omitempty"`
}

// RevisionTemplate is Service.template.
type RevisionTemplate struct {
	Scaling                       *RevisionScaling `json:"scaling,omitempty"`
	MaxInstanceRequestConcurrency int              `json:"maxInstanceRequestConcurrency,omitempty"`
	Containers                    []Container      `json:"containers"`
	ExecutionEnvironment          string           `json:"executionEnvironment,omitempty"`
	NodeSelector                  *NodeSelector    `json:"nodeSelector,omitempty"`
}

// ServiceScaling is Service.scaling: service-level instance counts.
type ServiceScaling struct {
	MinInstanceCount    int    `json:"minInstanceCount,omitempty"`
	MaxInstanceCount    int    `json:"maxInstanceCount,omitempty"`
	ScalingMode         string `json:"scalingMode,omitempty"` // AUTOMATIC or MANUAL
	ManualInstanceCount *int   `json:"manualInstanceCount,omitempty"`
}

// NodeSelector is template.nodeSelector: the GPU type.
type NodeSelector struct {
	Accelerator string `json:"accelerator"`
}

// RevisionScaling is template.scaling.
type RevisionScaling struct {
	MinInstanceCount int `json:"minInstanceCount,omitempty"`
	MaxInstanceCount int `json:"maxInstanceCount,omitempty"`
}

// Container is one container of the template.
type Container struct {
	Image     string               `json:"image,omitempty"`
	Ports     []ContainerPort      `json:"ports,omitempty"`
	Resources ResourceRequirements `json:"resources"`
}

// ContainerPort is a container port.
type ContainerPort struct {
	ContainerPort int `json:"containerPort"`
}

// ResourceRequirements holds limits like {"cpu": "1", "memory": "2Gi"}.
// CPUIdle true means CPU is allocated only during requests (request-based billing).
// StartupCPUBoost true means the instance gets more CPU while it starts.
type ResourceRequirements struct {
	Limits          map[string]string `json:"limits,omitempty"`
	CPUIdle         *bool             `json:"cpuIdle,omitempty"`
	StartupCPUBoost bool              `json:"startupCpuBoost,omitempty"`
}

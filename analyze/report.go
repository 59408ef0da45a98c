package analyze

import "time"

// Schema is the version of the JSON report contract.
const Schema = "runlens.report/v1"

// Report is the result of an analysis. Its JSON form is the report contract:
// snake_case keys, durations in milliseconds, money in USD, numbers unrounded.
type Report struct {
	Schema         string           `json:"schema"`
	Generated      time.Time        `json:"generated"`
	Window         Window           `json:"window"`
	Service        Service          `json:"service"`
	Client         *Client          `json:"client,omitempty"`
	Server         Server           `json:"server"`
	Alignment      Alignment        `json:"alignment"`
	Reconciliation []Reconciliation `json:"reconciliation"`
	ColdStarts     ColdStarts       `json:"cold_starts"`
	Instances      Instances        `json:"instances"`
	Cost           Cost             `json:"cost"`
	Resources      Resources        `json:"resources"`
	Findings       []Finding        `json:"findings"`
	// Verdict is the report in a sentence, and what to do about it.
	Verdict Verdict `json:"verdict"`
	// WhatIf, with report -whatif, is the replay that checked the billing
	// and min-instances recommendations (ApplyWhatIf).
	WhatIf *WhatIf `json:"whatif,omitempty"`
	// Billed, with -billing-export, is the Cloud Billing export's cost
	// beside the model's, per SKU category (AttachBilled).
	Billed   *Billed  `json:"billed,omitempty"`
	Warnings []string `json:"warnings"`
	// Missing names each source the report had to do without, with what it
	// costs the reader, e.g. "client: no load-test results; client columns are empty".
	Missing []string `json:"missing"`
	// Percentiles are the quantiles (0..100) that tables and charts show.
	Percentiles []float64 `json:"percentiles"`
	// Series holds the time series the report's charts draw.
	Series Series `json:"series"`
	// Sources lists the files read.
	Sources []Source `json:"sources"`
	// Thresholds are the thresholds checked against this report (runlens
	// report -fail-on, -config), each with pass, fail or no_data; charts
	// draw the ones they can show.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
}

// Source is one input file and the format it was read as.
type Source struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	Items  int    `json:"items"`
}

// Window is the analyzed interval, RFC 3339 UTC in JSON.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Service is the service's configuration as the report uses it.
type Service struct {
	Project      string  `json:"project"`
	Region       string  `json:"region"`
	Name         string  `json:"name"`
	CPU          float64 `json:"cpu"`
	MemoryMiB    int64   `json:"memory_mib"`
	Concurrency  int     `json:"concurrency"`
	MinInstances int     `json:"min_instances"`
	MaxInstances int     `json:"max_instances"`
	Billing      string  `json:"billing"`
	// Containers is the number of containers per instance (the ingress
	// container and its sidecars); CPU and MemoryMiB are their sum.
	Containers int `json:"containers"`
	// ScalingMode is "automatic", or "manual" with MinInstances and
	// MaxInstances both the manual instance count.
	ScalingMode string `json:"scaling_mode"`
	// Accelerator is the GPU type ("nvidia-l4"), empty without GPU; GPUs
	// is the number per instance.
	Accelerator string `json:"accelerator,omitempty"`
	GPUs        int    `json:"gpus"`
	// StartupCPUBoost is set when the instances get more CPU while they
	// start (model.BoostedCPU), billed as such (Cost.BoostVCPUSeconds).
	StartupCPUBoost bool `json:"startup_cpu_boost,omitempty"`
	// TaggedMinInstances is the minimum instances kept by revisions that
	// get no traffic but carry a tag and their own minimum (Cloud Run keeps
	// a tagged revision's minimum instances): idle time the service is
	// billed for beside MinInstances.
	TaggedMinInstances int `json:"tagged_min_instances,omitempty"`
	// Assumed is set when no service resource was given and CPU, memory and
	// billing are defaults.
	Assumed bool `json:"assumed"`
}

// Client is the load generator's view of the run.
type Client struct {
	Tool      string           `json:"tool"`
	Endpoints []ClientEndpoint `json:"endpoints"`
	Total     ClientEndpoint   `json:"total"`
	// ApproximatePercentiles is set when the tool rounds response times into
	// buckets before computing percentiles (Locust).
	ApproximatePercentiles bool    `json:"approximate_percentiles"`
	DurationSeconds        float64 `json:"duration_seconds"`
}

// ClientEndpoint is one row of client statistics.
type ClientEndpoint struct {
	Method string `json:"method"`
	Name   string `json:"name"`
	// Server is the server endpoint ("POST /predict") this one maps to;
	// empty when none matched.
	Server          string     `json:"server"`
	Requests        int64      `json:"requests"`
	Failures        int64      `json:"failures"`
	AvgMS           float64    `json:"avg_ms"`
	MinMS           float64    `json:"min_ms"`
	MaxMS           float64    `json:"max_ms"`
	P50MS           float64    `json:"p50_ms"`
	P95MS           float64    `json:"p95_ms"`
	P99MS           float64    `json:"p99_ms"`
	AvgContentBytes float64    `json:"avg_content_bytes"`
	RequestsPerSec  float64    `json:"requests_per_sec"`
	FailuresPerSec  float64    `json:"failures_per_sec"`
	Percentiles     []Quantile `json:"percentiles"` // at Report.Percentiles where known
}

// Quantile is a percentile value: P in 0..100.
type Quantile struct {
	P  float64 `json:"p"`
	MS float64 `json:"ms"`
	// Missing is set when the source has no value at P (for example a Locust
	// file without that column).
	Missing bool `json:"missing,omitempty"`
}

// Server is the service's view of the run, from its request logs.
type Server struct {
	Endpoints []ServerEndpoint `json:"endpoints"`
	Total     ServerEndpoint   `json:"total"`
	// UserAgents are the most frequent user agents, most requests first:
	// traffic from other clients shows here.
	UserAgents []UserAgent `json:"user_agents"`
}

// UserAgent is a user agent and how many requests it sent.
type UserAgent struct {
	UserAgent string `json:"user_agent"`
	Requests  int64  `json:"requests"`
}

// ServerEndpoint is one row of server statistics: one method and path.
type ServerEndpoint struct {
	Method           string     `json:"method"`
	Path             string     `json:"path"`
	Requests         int64      `json:"requests"`
	Status2xx        int64      `json:"status_2xx"`
	Status3xx        int64      `json:"status_3xx"`
	Status4xx        int64      `json:"status_4xx"`
	Status5xx        int64      `json:"status_5xx"`
	AvgMS            float64    `json:"avg_ms"`
	MinMS            float64    `json:"min_ms"`
	MaxMS            float64    `json:"max_ms"`
	P50MS            float64    `json:"p50_ms"`
	P95MS            float64    `json:"p95_ms"`
	P99MS            float64    `json:"p99_ms"`
	AvgResponseBytes float64    `json:"avg_response_bytes"`
	RequestsPerSec   float64    `json:"requests_per_sec"`
	Percentiles      []Quantile `json:"percentiles"`
	// Sketched is set when the percentiles come from a DDSketch (within
	// 1 % of the nearest rank) because the endpoint had more than 10,000
	// requests; they are exact otherwise. Minimum and maximum are exact.
	Sketched bool `json:"sketched"`
}

// Alignment says how client and server times were put on one clock.
type Alignment struct {
	ClockOffsetMS float64 `json:"clock_offset_ms"` // client minus server
	Method        string  `json:"method"`          // "none", "cross-correlation", "user"
	// Correlation is the estimate's correlation coefficient (0..1).
	Correlation float64   `json:"correlation"`
	ClientStart time.Time `json:"client_start"`
	// ClientStep is the spacing of the client's timeline: the client
	// stopped at most one step after ClientEnd.
	ClientStep time.Duration `json:"-"`
	ClientEnd  time.Time     `json:"client_end"`
}

// Reconciliation compares request counts for one endpoint (or "total").
type Reconciliation struct {
	Endpoint       string   `json:"endpoint"`
	ClientRequests int64    `json:"client_requests"`
	ClientFailures int64    `json:"client_failures"`
	ServerRequests int64    `json:"server_requests"`
	MetricRequests int64    `json:"metric_requests"` // -1 where no request_count metric was given
	Difference     int64    `json:"difference"`      // server_requests - client_requests
	Explanations   []string `json:"explanations"`
}

// ColdStarts summarizes the instance starts that requests waited on.
type ColdStarts struct {
	Count           int     `json:"count"`
	ShareOfRequests float64 `json:"share_of_requests"`
	PenaltyP50MS    float64 `json:"penalty_p50_ms"`
	PenaltyP95MS    float64 `json:"penalty_p95_ms"`
	// Churn counts the starts that happened while traffic was steady.
	Churn     int         `json:"churn"`
	Instances []ColdStart `json:"instances"`
}

// ColdStart is one instance start.
type ColdStart struct {
	InstanceID     string    `json:"instance_id"`
	StartedAt      time.Time `json:"started_at"`
	Reason         string    `json:"reason"`
	Evidence       []string  `json:"evidence"`         // "marker", "first_request", "system_log"
	StartupMS      float64   `json:"startup_ms"`       // -1 when unknown
	FirstRequestMS float64   `json:"first_request_ms"` // -1 when the instance served nothing
	FirstRequest   string    `json:"first_request"`    // "POST /predict"
	PenaltyMS      float64   `json:"penalty_ms"`
	Churn          bool      `json:"churn"` // started while traffic was steady
}

// Instances summarizes the container instances seen.
type Instances struct {
	Distinct               int     `json:"distinct"`
	MaxActive              int     `json:"max_active"`
	RequestsPerInstanceP50 float64 `json:"requests_per_instance_p50"`
	MaxConcurrency         int     `json:"max_concurrency"`
}

// Cost is the window's cost from billable instance time and the service's
// configuration, at the dated prices of PriceTable. It is gross: the free
// tier is per billing account and is not subtracted.
type Cost struct {
	BillableInstanceSeconds float64 `json:"billable_instance_seconds"`
	BillableSource          string  `json:"billable_source"` // "metric" or "request_logs"
	VCPUSeconds             float64 `json:"vcpu_seconds"`
	// BoostVCPUSeconds, part of VCPUSeconds, is the extra CPU of startup
	// CPU boost billed: (boosted - limit) vCPUs while each instance starts
	// and, under instance-based billing, for model.BoostAfterReady after;
	// 0 without boost or where VCPUSeconds is the allocation metric's.
	BoostVCPUSeconds float64 `json:"boost_vcpu_seconds,omitempty"`
	MemoryGiBSeconds float64 `json:"memory_gib_seconds"`
	// ResourceSource says where VCPUSeconds and MemoryGiBSeconds come
	// from: "allocation_time" (the cpu/allocation_time and
	// memory/allocation_time metrics, what was billed) or "limits"
	// (billable instance time times the sum of every container's limits).
	ResourceSource string `json:"resource_source"`
	// IdleMinInstanceSeconds is the billable instance time of idle minimum
	// instances, priced at the idle rates of request-based billing (zero
	// under instance-based billing, where idle time costs the same).
	IdleMinInstanceSeconds float64 `json:"idle_min_instance_seconds"`
	// GPUSeconds is the GPU time billed (GPUs per instance times billable
	// instance time: a GPU is billed for the instance's whole life).
	GPUSeconds float64 `json:"gpu_seconds"`
	GPUUSD     float64 `json:"gpu_usd"`
	// GPUCostIncluded is false when the service has GPUs but the price
	// table has no GPU rate: TotalUSD then leaves GPU time out.
	GPUCostIncluded  bool    `json:"gpu_cost_included"`
	Requests         int64   `json:"requests"`
	CPUUSD           float64 `json:"cpu_usd"`
	MemoryUSD        float64 `json:"memory_usd"`
	RequestsUSD      float64 `json:"requests_usd"`
	TotalUSD         float64 `json:"total_usd"`
	IdleShare        float64 `json:"idle_share"`
	USDPer1kRequests float64 `json:"usd_per_1k_requests"`
	// ColdStartUSD is the startup time of the window's cold starts, billed.
	ColdStartUSD float64 `json:"cold_start_usd"`
	// MinInstance1USDPerMonth is what one more idle minimum instance would
	// cost over a 30-day month: at the idle rates under request-based
	// billing, at the instance-based rates otherwise (and with GPUs, which
	// need instance-based billing), GPU time left out where unpriced.
	MinInstance1USDPerMonth float64 `json:"min_instance_1_usd_per_month"`
	// OtherBilling is what the same window would have cost in the other
	// billing mode, rebuilt from the request logs.
	OtherBilling *BillingAlternative `json:"other_billing,omitempty"`
	PriceTable   PriceTable          `json:"price_table"`
}

// BillingAlternative is the window's cost in another billing mode.
type BillingAlternative struct {
	Billing                 string  `json:"billing"`
	BillableInstanceSeconds float64 `json:"billable_instance_seconds"`
	TotalUSD                float64 `json:"total_usd"`
}

// PriceTable is a dated Cloud Run price list for one tier and billing mode.
type PriceTable struct {
	Date              string  `json:"date"`   // when the prices were read, YYYY-MM-DD
	Source            string  `json:"source"` // where they were read
	Tier              int     `json:"tier"`
	Billing           string  `json:"billing"`
	USDPerVCPUSecond  float64 `json:"usd_per_vcpu_second"`
	USDPerGiBSecond   float64 `json:"usd_per_gib_second"`
	USDPerMillionReqs float64 `json:"usd_per_million_requests"`
	// USDPerIdleVCPUSecond and USDPerIdleGiBSecond are what an idle
	// minimum instance costs; equal to the active rates under
	// instance-based billing.
	USDPerIdleVCPUSecond float64 `json:"usd_per_idle_vcpu_second"`
	USDPerIdleGiBSecond  float64 `json:"usd_per_idle_gib_second"`
	// USDPerGPUSecond is the GPU rate; zero where none is known.
	USDPerGPUSecond float64 `json:"usd_per_gpu_second,omitempty"`
}

// Resources summarizes CPU and memory utilization (fractions of the limit, 0..1).
type Resources struct {
	CPUP50                    float64 `json:"cpu_p50"`
	CPUP95                    float64 `json:"cpu_p95"`
	CPUP99                    float64 `json:"cpu_p99"`
	MemoryP50                 float64 `json:"memory_p50"`
	MemoryP95                 float64 `json:"memory_p95"`
	MemoryP99                 float64 `json:"memory_p99"`
	MemoryLimitExceededEvents int     `json:"memory_limit_exceeded_events"`
	CrashEvents               int     `json:"crash_events"`
	HasCPU                    bool    `json:"has_cpu"`
	HasMemory                 bool    `json:"has_memory"`
	// GPU utilization and GPU memory utilization (fractions, 0..1), from
	// the container/gpu metrics of services with GPUs.
	GPUP50       float64 `json:"gpu_p50"`
	GPUP95       float64 `json:"gpu_p95"`
	GPUP99       float64 `json:"gpu_p99"`
	GPUMemoryP50 float64 `json:"gpu_memory_p50"`
	GPUMemoryP95 float64 `json:"gpu_memory_p95"`
	GPUMemoryP99 float64 `json:"gpu_memory_p99"`
	HasGPU       bool    `json:"has_gpu"`
	HasGPUMemory bool    `json:"has_gpu_memory"`
}

// Severity of a Finding.
const (
	SeverityInfo = "info"
	SeverityWarn = "warn"
	SeverityCrit = "crit"
)

// Finding is one conclusion with the number behind it.
type Finding struct {
	ID       string  `json:"id"`
	Severity string  `json:"severity"`
	Message  string  `json:"message"`
	Value    float64 `json:"value"`
}

// Series holds what the report's charts draw, on one time axis (server
// time; client points are shifted by the clock offset).
type Series struct {
	// Client is the client's per-second timeline (Aggregated rows).
	Client []ClientPoint `json:"client"`
	// Server is request counts and latency percentiles from the request
	// logs, one point per ServerStepS seconds.
	Server []ServerPoint `json:"server"`
	// Endpoints is the server latency of the busiest endpoints (at most
	// five, most requests first), one point per EndpointStepS seconds.
	Endpoints     []EndpointSeries `json:"endpoints"`
	EndpointStepS float64          `json:"endpoint_step_s"`
	// LaneStepS is the step of Lanes[].Busy in seconds: 10 s for windows
	// up to half an hour, longer beyond so that a lane has at most 200.
	LaneStepS float64 `json:"lane_step_s"`
	// ServerStepS is the step of Server in seconds (SeriesStep of the
	// window): 1 for windows up to an hour, larger beyond so that Server
	// keeps at most 3,600 points (a 24 h window: 30 s, 2,880 points).
	// Points start at multiples of the step in Unix time; their requests
	// and errors are counts within the step, not per second, and their
	// percentiles are over the step's requests. Zero in reports written
	// before the key existed: read it as 1.
	ServerStepS float64 `json:"server_step_s"`
	// MetricStepS is the interval, in seconds, that each point of
	// Instances, Billable, CPU, Memory, GPU and GPUMemory covers (Cloud
	// Run's metrics: 60); those points are stamped at their interval's
	// end. Zero in reports written before the key existed: read it as 60.
	MetricStepS float64 `json:"metric_step_s"`
	// Instances is the instance_count metric by state.
	Instances []InstancePoint `json:"instances"`
	// Billable is billable instance seconds per metric interval.
	Billable []ValuePoint `json:"billable"`
	// StatusClasses is request_count by response_code_class (metric), or
	// from the request logs where the metric is absent.
	StatusClasses []StatusPoint `json:"status_classes"`
	// StatusStepS is the interval, in seconds, that each point of
	// StatusClasses covers from its time: the metric's (60), or 10 from the
	// request logs. Zero in reports written before the key existed.
	StatusStepS float64 `json:"status_step_s"`
	// CPU and Memory are utilization percentiles over time (0..1).
	CPU    []UtilPoint `json:"cpu"`
	Memory []UtilPoint `json:"memory"`
	// GPU and GPUMemory are GPU utilization and GPU memory utilization
	// percentiles over time (0..1), for services with GPUs.
	GPU       []UtilPoint `json:"gpu,omitempty"`
	GPUMemory []UtilPoint `json:"gpu_memory,omitempty"`
	// Startup is startup latency per instance start, in ms.
	Startup []ValuePoint `json:"startup"`
	// Lanes is one lane per instance: when it started, served and went away.
	Lanes []Lane `json:"lanes"`
	// Latency is per-request server latency, downsampled for display.
	Latency []LatencyPoint `json:"latency"`
}

// ClientPoint is one second of the client's timeline.
type ClientPoint struct {
	Time           time.Time `json:"time"`
	Users          int       `json:"users"`
	RequestsPerSec float64   `json:"requests_per_sec"`
	FailuresPerSec float64   `json:"failures_per_sec"`
	P50MS          float64   `json:"p50_ms"`
	P95MS          float64   `json:"p95_ms"`
	P99MS          float64   `json:"p99_ms"`
	HasPercentiles bool      `json:"has_percentiles"`
}

// ServerPoint is one step (Series.ServerStepS) of server request logs.
type ServerPoint struct {
	Time     time.Time `json:"time"`
	Requests int64     `json:"requests"`
	Errors   int64     `json:"errors"` // status 5xx or 0
	// Sketched is set when the step's percentiles come from a DDSketch
	// (more than 1,000 requests in the step): within 1 %, else exact.
	Sketched bool    `json:"sketched,omitempty"`
	P50MS    float64 `json:"p50_ms"`
	P95MS    float64 `json:"p95_ms"`
	P99MS    float64 `json:"p99_ms"`
}

// InstancePoint is one sample of instance_count.
type InstancePoint struct {
	Time   time.Time `json:"time"`
	Active float64   `json:"active"`
	Idle   float64   `json:"idle"`
}

// ValuePoint is a time and a value.
type ValuePoint struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
	Label string    `json:"label,omitempty"`
}

// StatusPoint is request counts by status class over an interval: a
// metric's (a minute) or, from the request logs, 10 s.
type StatusPoint struct {
	Time time.Time `json:"time"` // the interval's start
	C2xx float64   `json:"c2xx"`
	C3xx float64   `json:"c3xx"`
	C4xx float64   `json:"c4xx"`
	C5xx float64   `json:"c5xx"`
}

// UtilPoint is utilization percentiles at one time, as fractions.
type UtilPoint struct {
	Time time.Time `json:"time"`
	P50  float64   `json:"p50"`
	P95  float64   `json:"p95"`
	P99  float64   `json:"p99"`
}

// Lane is one instance's life.
type Lane struct {
	// Number is the instance's place in the lanes, from 1: pages show
	// "#3" for it, and InstanceID on hover.
	Number       int       `json:"number"`
	InstanceID   string    `json:"instance_id"`
	Start        time.Time `json:"start"`           // start, or first request where no start was logged
	Ready        time.Time `json:"ready,omitempty"` // its startup probe succeeded; zero when not logged
	FirstRequest time.Time `json:"first_request"`   // zero when it served nothing
	LastRequest  time.Time `json:"last_request"`
	End          time.Time `json:"end"` // see EndReason
	// EndReason is what ended the lane: "shutdown", "crash",
	// "memory_limit" (killed for exceeding its memory), or "window_end".
	EndReason   string `json:"end_reason"`
	MemoryKills int    `json:"memory_kills"`
	Requests    int64  `json:"requests"`
	ColdStart   bool   `json:"cold_start"`
	// Busy is the share of each step (Series.LaneStepS) from Start to End
	// with at least one request in flight, from the request intervals.
	Busy []BusyShare `json:"busy"`
}

// EndpointSeries is one endpoint's latency over time.
type EndpointSeries struct {
	Endpoint string          `json:"endpoint"` // "POST /predict"
	Points   []EndpointPoint `json:"points"`
}

// EndpointPoint is one step of an endpoint's requests: their count and
// latency percentiles (none without requests).
type EndpointPoint struct {
	Time     time.Time `json:"time"`
	Requests int64     `json:"requests"`
	P50MS    float64   `json:"p50_ms"`
	P95MS    float64   `json:"p95_ms"`
	Sketched bool      `json:"sketched,omitempty"`
}

// BusyShare is the share, 0 to 1, of a step with a request in flight.
type BusyShare struct {
	Time  time.Time `json:"time"` // the step's start
	Share float64   `json:"share"`
}

// LatencyPoint is one request's server latency.
type LatencyPoint struct {
	Time      time.Time `json:"time"`
	MS        float64   `json:"ms"`
	ColdStart bool      `json:"cold_start"`
	Endpoint  string    `json:"endpoint"`
}

package audit

import (
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

// Schema is the version of the audit's JSON contract.
const Schema = "runlens.audit/v1"

// Audit is the result of a nightly audit of a project. Its JSON form is the
// audit contract: snake_case keys, money in USD, durations in ms, numbers
// unrounded, null where a value could not be measured.
type Audit struct {
	Schema    string         `json:"schema"`
	Generated time.Time      `json:"generated"`
	Project   string         `json:"project"`
	Region    string         `json:"region"` // "-" for every region
	Window    analyze.Window `json:"window"`
	// Services has one row per service, most expensive first.
	Services      []Service `json:"services"`
	TotalCostUSD  float64   `json:"total_cost_usd"`
	TotalRequests int64     `json:"total_requests"`
	// Baseline is the total cost of the last runs, as Trend does per service.
	Baseline *Trend `json:"baseline,omitempty"`
	// APICalls counts the Google API calls the audit made, by method.
	APICalls  map[string]int `json:"api_calls"`
	LogBudget LogBudget      `json:"log_budget"`
	// Thresholds holds every threshold checked, for every service.
	Thresholds []analyze.ThresholdResult `json:"thresholds"`
	// Crossed counts the thresholds that failed.
	Crossed int `json:"crossed"`
	// Recommender says how Google's recommendations were read; nil when
	// they were not.
	Recommender *RecommenderRead `json:"recommender,omitempty"`
	// History lists the earlier runs compared with, oldest first.
	History []HistoryRun `json:"history"`
	// Billed, with -billing-export and its standard table (which does not
	// name the services), is the project's Cloud Run bill beside the sum
	// of the services' models.
	Billed   *analyze.Billed `json:"billed,omitempty"`
	Warnings []string        `json:"warnings"`
	// Around totals the costs around the services (Cloud Logging
	// ingestion, egress); nil when no service has them.
	Around *AroundTotals `json:"around,omitempty"`
	// BigQuery, with audit -bigquery, is the dataset the logs were read
	// from and the queries that read them (their SQL, jobs and bytes).
	BigQuery *model.BigQueryRead `json:"bigquery,omitempty"`
}

// LogBudget is the Cloud Logging entries.list budget of a run, shared by
// every service.
type LogBudget struct {
	MaxCalls  int `json:"max_calls"` // -1: no limit
	PerMinute int `json:"per_minute"`
	PageSize  int `json:"page_size"`
	Needed    int `json:"needed"`  // calls every service's logs needed, estimated from request_count
	Planned   int `json:"planned"` // calls granted
	Used      int `json:"used"`    // ListLogEntries calls made
}

// Service is one row of the audit.
type Service struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	// Requests is the larger of the request log entries and the
	// request_count metric.
	Requests         int64   `json:"requests"`
	CostUSD          float64 `json:"cost_usd"`
	USDPer1kRequests float64 `json:"usd_per_1k_requests"`
	// The values below are null when the logs needed were not read.
	IdleShare      *float64 `json:"idle_share"`
	ColdStarts     *int     `json:"cold_starts"`
	ColdStartShare *float64 `json:"cold_start_share"`
	ErrorRate      *float64 `json:"error_rate"`
	P95MS          *float64 `json:"p95_ms"`
	// Sources say where error_rate and p95_ms come from: "request_logs",
	// "request_logs_sample" or "metric".
	ErrorRateSource string      `json:"error_rate_source,omitempty"`
	P95Source       string      `json:"p95_source,omitempty"`
	Logs            LogCoverage `json:"logs"`
	// Trend compares the cost with earlier runs; nil without history.
	Trend *Trend `json:"trend,omitempty"`
	// Findings are the crossed thresholds and the analysis' findings, most
	// severe first, crossed thresholds first within a severity.
	Findings   []analyze.Finding         `json:"findings"`
	Thresholds []analyze.ThresholdResult `json:"thresholds"`
	// Recommendations are Google's own recommendations for the service
	// (Recommender API, the Cloud Run recommenders), each with what
	// runlens's figures say of it; null when no recommender could be read,
	// empty when those read (RecommendersRead, for the service's region)
	// have none. RecommendationsNote says where runlens's model finds a
	// saving Google's cost recommender, read, does not.
	Recommendations     []Recommendation `json:"recommendations"`
	RecommendersRead    []string         `json:"recommenders_read,omitempty"`
	RecommendationsNote string           `json:"recommendations_note,omitempty"`
	// Cheapest, with audit -whatif and the request log read whole, is the
	// cheapest setting that a replay of the window's traffic predicts
	// within today's p95 (package whatif); nil otherwise.
	Cheapest *Cheapest `json:"cheapest,omitempty"`
	// Around is what the service costs around itself: Cloud Logging
	// ingestion and network egress (around.go); nil without their metrics.
	Around *Around `json:"around,omitempty"`
	// Waste is what the service spends for nothing it needs, with the
	// saving of each (waste.go); each is also among Findings.
	Waste []Waste `json:"waste"`
	// Billed, with -billing-export and its detailed table, is the bill
	// of the service beside its model, per SKU category; its source and
	// the BigQuery calls it cost are in it.
	Billed *analyze.Billed `json:"billed,omitempty"`
	// Error says why the service could not be collected or analyzed.
	Error string `json:"error,omitempty"`
	// Report is the service's full report, without the chart series.
	Report *analyze.Report `json:"report,omitempty"`
}

// Log coverage statuses.
const (
	LogsFull    = "full"    // both logs read completely
	LogsPartial = "partial" // request log complete, system log cut short by the budget
	LogsSampled = "sampled" // request log cut short: the first entries of the window
	LogsSkipped = "skipped" // not read: the budget was spent
	LogsNone    = "none"    // not read: request_count says there was no request
	LogsFailed  = "failed"  // reading failed
)

// LogCoverage says how much of a service's logs the audit read.
type LogCoverage struct {
	Status string `json:"status"`
	// EstimatedRequests is the request_count metric's sum; -1 unknown.
	EstimatedRequests int64 `json:"estimated_requests"`
	CallsNeeded       int   `json:"calls_needed"`
	CallsAllowed      int   `json:"calls_allowed"`
	CallsMade         int   `json:"calls_made"`
	EntriesRead       int   `json:"entries_read"`
	// ReadUntil is the time of the last request entry read when the
	// request log was cut short.
	ReadUntil *time.Time `json:"read_until,omitempty"`
	Note      string     `json:"note"`
}

// Complete reports whether the request log was read whole.
func (l LogCoverage) Complete() bool { return l.Status == LogsFull || l.Status == LogsPartial }

// Trend compares a cost with the median of the same service's cost in the
// last runs, each scaled to this run's window length.
type Trend struct {
	Runs            int          `json:"runs"` // earlier runs with a cost, at most MedianOf
	BaselineCostUSD float64      `json:"baseline_cost_usd"`
	CostChangePct   *float64     `json:"cost_change_pct"` // null when the baseline is 0
	Points          []TrendPoint `json:"points"`          // the earlier runs, oldest first, then this one
}

// TrendPoint is one run's cost.
type TrendPoint struct {
	Date     string  `json:"date"` // the window's end, YYYY-MM-DD
	CostUSD  float64 `json:"cost_usd"`
	Requests int64   `json:"requests"`
}

// HistoryRun is an earlier run compared with.
type HistoryRun struct {
	Date         string         `json:"date"`
	File         string         `json:"file"`
	Window       analyze.Window `json:"window"`
	TotalCostUSD float64        `json:"total_cost_usd"`
	Services     int            `json:"services"`
}

// Cheapest is the cheapest setting a replay predicts for a service within
// today's p95: Setting (MinInstances and Billing), its predicted cost and
// p95, and Change, its cost's relative change from the observed setting
// replayed, beside ErrorBound, the prediction's error bound on cost. Text
// says it in a sentence; a change within the bound is not a saving.
type Cheapest struct {
	Setting    analyze.WhatIfSetting `json:"setting"`
	CostUSD    float64               `json:"cost_usd"`
	P95MS      float64               `json:"p95_ms"`
	Change     float64               `json:"change"`
	ErrorBound float64               `json:"error_bound"`
	Saves      bool                  `json:"saves"`
	Text       string                `json:"text"`
}

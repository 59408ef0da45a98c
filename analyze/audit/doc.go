// Package audit summarizes the reports of every Cloud Run service of a
// project over one window into a nightly cost audit.
//
// Build takes one analyze.Report per service (with how much of its logs
// could be read), the audits of earlier runs and the thresholds, and returns
// an *Audit: a row per service, most expensive first, with cost, requests,
// idle share, cold starts, error rate and p95; each service's cost against
// the median of the last seven runs; every threshold checked; each
// service's waste (Wastes), each with the dollars a change saves, priced
// from the report's cost figures; and Google's own recommendations for the
// service, when given, each set against the report's cost in both billing
// modes in a sentence. PlanLogs
// shares a budget of Cloud Logging calls between services. NewAround reads a
// service's Cloud Logging bytes (by log) and network egress (by kind) from
// its metrics, and Build prices them: the logging beyond the project's free
// allotment prorated to the window, shared by bytes, and the internet
// egress, at analyze.Around's dated rates. Its JSON form is
// the audit contract (schema runlens.audit/v1). Like analyze, it performs no
// I/O and reads no clock.
package audit

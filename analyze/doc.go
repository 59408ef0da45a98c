// Package analyze aligns server request logs with client load-test counts and
// derives per-endpoint statistics, reconciliation, cold starts, cost and
// findings.
//
// Run takes a model.Dataset and Options and returns a *Report whose fields
// are raw values (durations in milliseconds, money in USD); rounding belongs to
// render. It performs no I/O, reads no clock and never panics on empty input.
//
// # One summary, one analysis
//
// The request log reaches the analysis as a Summary (summary.go): bounded,
// mergeable state that readers add each request to, a summary per chunk of
// a file that the sink merges. Run reads only the summary (with the events,
// metrics, service and client of the Dataset), whatever the log's size:
// there is one definition of each figure and one code path for it. Requests
// kept in Dataset.Requests are added to a summary first. A summary is also a
// file (runlens.summary/v1, summary_json.go), so that parts of a log
// summarized apart merge into one report.
//
// The same requests give the same report however they came: NDJSON, JSON
// array or gzip, in one file or several in any order, with any number of
// workers and any chunk size. Counts and sums are integers, so the order of
// addition changes nothing, and lists are ordered by content, never by
// arrival.
//
// # What is exact, and what is sketched
//
// Exact at every size: request counts in all, per endpoint, per status
// class, per second and per 10 s; errors per second; minimum, maximum and
// mean latency; response bytes; user agents (the first 10,000 distinct
// ones; later ones only in the total); distinct instances, requests per
// instance, their first request and last completion (the lanes); busy time
// and billing (each busy span rounded up to 100 ms) and the most requests in
// flight on one instance, from the union of each instance's request
// intervals (busy.go); cold starts and their evidence; churn (from arrivals
// per second); reconciliation (per endpoint and user agent, arrivals per
// second and completions per 100 ms: the load generator's agent is the one
// with most requests during the client's run, other agents' requests are
// counted, and in-flight requests are those that arrived during the run and
// completed after its end); the clock offset (completions per 100 ms).
//
// Exact while small, within 1 % when large: latency percentiles keep every
// latency up to 10,000 per endpoint (and in total) and up to 1,000 per
// interval of the server series, then become a DDSketch of 1 % relative
// accuracy answering the same nearest-rank definition. Every fixture is
// below both limits. server.endpoints[].sketched and
// series.server[].sketched say where a sketch answered. The warm median a
// cold-start penalty is measured against is the endpoint's median without
// the requests that waited, exact or from the sketch less those requests.
//
// Bounded samples: the latency scatter is every request found to have
// waited on a cold start and the 5,000 others of smallest hash of time and
// latency (all of them in a smaller log); requests that waited on a startup
// probe are found among each instance's 32 earliest; the cold-start marker
// is kept for the earliest 10,000 requests that carry it.
//
// Bounds on what is told apart, past which the order of the files decides
// which are: 2,000 method and path pairs (later ones are counted as
// "(other)"), 10,000 user agents, 16 user agents per endpoint for
// reconciliation (later ones are counted as other clients).
//
// Busy spans need every interval of a span; a summary keeps those within
// 10 minutes of the edges of each file's span of arrivals and closes the
// rest (busy.go). A request that reaches into a span already closed, one
// logged out of order by more than that or in flight longer, is counted
// apart, and the report warns how many did.
//
// Latency intervals of the server series are 1 s wide for a log that
// spans up to 2 hours, and widen (2 s, 10 s, 30 s, 1 min, 5 min, ...) so
// that its span holds at most 7,200; the series' step is a multiple of
// them. Memory grows with the span of time (a few bytes a second, per
// endpoint and user agent a byte per 100 ms) and with distinct endpoints,
// instances and agents, never with the number of requests.
//
// # Cost: the rules and where they come from
//
//   - Billable time is container/billable_instance_time where collected.
//     Rebuilt from the logs under request-based billing it is busy time
//     (each span rounded up to 100 ms), startup and shutdown, as Google
//     bills an instance "while starting, serving and shutting down"
//     (cloud.google.com/run/pricing); shutdown is the time from a shutdown
//     entry to the container's exit, at most the 10 s between SIGTERM and
//     SIGKILL (cloud.google.com/run/docs/container-contract).
//   - vCPU- and GiB-seconds are container/cpu/allocation_time and
//     container/memory/allocation_time where both are collected: they count
//     every container and are the billed quantities. Otherwise billable time
//     times the sum of every container's limits (RevisionTemplate.containers
//     is repeated: sidecars are billed). Cost.resource_source says which.
//   - Under request-based billing, idle minimum instances are charged at
//     idle rates (Tier 1 $0.0000025 per vCPU-second and per GiB-second,
//     against $0.000024 per active vCPU-second; Tier 2 1.4 times), read from
//     cloud.google.com/run/pricing as firebase-tools' pricing.ts
//     transcribes it. Billable time beyond the active time is idle
//     minimum-instance time, at most min_instances times the window. The
//     min-instances estimate prices one more idle instance at those rates,
//     at instance-based rates under instance-based billing.
//   - GPU services need instance-based billing, bill the GPU for the
//     instance's whole life and charge minimum instances at the full rate
//     (cloud.google.com/run/docs/configuring/services/gpu). No GPU rate is
//     built in (none was read from Google's price page): GPU-seconds are
//     reported, and GPU cost is left out and listed in Missing unless a
//     -prices file gives usd_per_gpu_second.
//
// # Against the bill
//
// AttachBilled sets the Cloud Billing export's rows for a service
// (BilledInput, read by collect/bigquery) beside the model per SKU category
// (SKUCategory: CPU, memory, requests, GPU, networking, other), the model
// taken for the hours billed so far (ModelledBySKU), and adds a
// billed_differs finding where a category differs by more than
// BilledTolerance and BilledToleranceUSD.
package analyze

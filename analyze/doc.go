// Package analyze aligns server request logs with client load-test counts and
// derives per-endpoint statistics, reconciliation, cold starts, cost and
// findings.
//
// Run takes a collect.Dataset and Options and returns a *Report whose fields
// are raw values (durations in milliseconds, money in USD); rounding belongs to
// render. It performs no I/O, reads no clock and never panics on empty input.
//
// # Large inputs
//
// Up to collect.DefaultSpillAt request entries (Dataset.SpillAt) the
// requests are kept in Dataset.Requests and every figure is exact. Past it,
// a reader given an Accumulator as the Dataset's Sink hands each request to
// a shard per parsing goroutine; the shards add it to bounded state and
// merge at the end, and Run reports from that state. Memory then no longer
// grows with the number of requests (only with the span of time, by a few
// bytes per second, and with distinct endpoints, instances and agents, each
// capped). What stays exact and what becomes approximate:
//
// Exact: request counts in all, per endpoint, per status class, per second
// and per 10 s; errors per second; minimum, maximum and mean latency;
// response bytes; user agents (the first 10,000 distinct ones; later ones
// only in the total); distinct instances, requests per instance, their first
// request and last completion (the lanes); cold starts and their evidence,
// first-request latency and churn (churn from arrivals per second); window.
//
// Approximate: latency percentiles per endpoint and in total come from
// DDSketch (1 % relative accuracy, against the same nearest-rank
// definition); the server series' p50/p95/p99 are, for steps under a
// minute, those of the step's minute and, for longer steps, those of its
// minutes' sketches merged; the latency scatter is a uniform sample of 5,000 requests (chosen
// by a hash of time and latency, so the same in every run) plus every
// request that waited on a cold start; cold-start penalties subtract the
// endpoint's median over all its requests (not only warm ones); requests
// that waited on a startup probe are found among each instance's 32
// earliest; busy time for billing and the most requests in flight on an
// instance are swept per 1 MiB chunk of the file, so a busy span crossing
// a chunk's end is billed as two (a few ms too many) and concurrency across
// it is missed; the clock-offset estimate counts completions per 100 ms; in
// reconciliation, requests outside the client's run are counted per second,
// the load generator's agent is the most frequent over the whole log, and
// other agents' requests inside the run are prorated. Past 2,000 distinct
// method+path pairs, further paths are counted as "(other)".
package analyze

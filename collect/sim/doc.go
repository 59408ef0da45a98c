// Package sim simulates a Cloud Run service under a load test and writes
// what it did as a runlens snapshot.
//
// The Cloud Run model (cloudrun.go, spans.go, metrics.go, logs.go) knows
// instances that start, become ready and are retired when idle, requests
// routed to ready instances within the concurrency limit, billing rounded up
// to 100 ms, and how Cloud Monitoring samples its metrics per minute. The
// load-test model (client.go, locust.go) runs Locust-like users and computes
// Locust's own statistics and CSV files. A scenario (paper.go, with the
// latency construction in latency.go) sets the parameters of both; Write
// turns a scenario and a seed into a snapshot directory: the same seed gives
// byte-identical files.
package sim

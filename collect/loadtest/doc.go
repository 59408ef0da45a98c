// Package loadtest reads the result files of load generators into a
// collect.ClientRun.
//
// Read takes the files of one run, sniffs each by its content rather than
// its name (Sniff) and hands them to the reader of their tool: Locust,
// k6, JMeter or vegeta. ReadLocust takes the CSV files of one Locust run
// (stats, stats_history, failures and exceptions from 1.x and 2.x; the
// 0.13/0.14 transitional layout; 0.x requests and distribution files) and
// merges them into one run. Files that list single requests (k6 --out
// json, JMeter JTL as CSV or XML, vegeta results as gob, JSON or CSV) give
// exact nearest-rank percentiles and a per-second timeline; a summary (k6
// --summary-export or handleSummary, vegeta's JSON report) gives the
// run's totals only. BOMs, UTF-16, gzip and legacy GBK are decoded.
// Malformed rows become warnings naming file and line; only a file that
// no reader takes, or that holds nothing usable, is an error. Nothing here
// talks to a network.
package loadtest

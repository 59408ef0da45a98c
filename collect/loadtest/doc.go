// Package loadtest reads the result files of load generators into a
// collect.ClientRun.
//
// ReadLocust takes the CSV files of one Locust run (stats, stats_history,
// failures and exceptions from 1.x and 2.x; the 0.13/0.14 transitional
// layout; 0.x requests and distribution files), sniffs each by its header
// row rather than its name, decodes BOMs, UTF-16, gzip and legacy GBK, and
// merges them into one run. Malformed rows become warnings naming file and
// line; only a file that is not a Locust CSV at all is an error. Nothing here
// talks to a network.
package loadtest

// Package analyze aligns server request logs with client load-test counts and
// derives per-endpoint statistics, reconciliation, cold starts, cost and
// findings.
//
// Run takes a collect.Dataset and Options and returns a *Report whose fields
// are raw values (durations in milliseconds, money in USD); rounding belongs to
// render. It performs no I/O, reads no clock and never panics on empty input.
package analyze

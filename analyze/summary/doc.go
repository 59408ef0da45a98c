// Package summary is the request-log summary that runlens analyzes: one
// bounded, mergeable state of a Cloud Run request log, whatever its size.
//
// Readers add requests to a Summary (a summary per chunk of a file, which
// the sink merges in file order); summaries of other files or of other
// parts of a day merge with Combine; analyze reads the merged one. The
// same requests give the same summary however the log was cut into
// files, chunks and workers and in whatever order they were read, with
// one exception named in busy.go (spans still open are held per file).
// A reader that knows, before it adds a file's requests, the arrivals of
// two of them (a mapped file's first and last request entries) tells
// Spans, and the latency intervals start as wide as they would end.
//
// It keeps per-second counts of arrivals, errors and status classes,
// per-endpoint counts and latency state (every latency up to
// ExactPerEndpoint, then a DDSketch of 1 % relative accuracy), latency
// state per interval of arrival, per-agent arrivals per second and
// completions per 100 ms, per-instance counts, earliest requests and busy
// intervals, the requests with the cold-start marker and a bottom-k
// sample. Its JSON (Schema, runlens.summary/v1) is written by WriteJSON
// and read by Read: summary_json.go documents every field.
package summary

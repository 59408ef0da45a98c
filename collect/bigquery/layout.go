package bigquery

import "fmt"

// Layout is how Cloud Run's logs are kept in BigQuery.
type Layout int

const (
	// Linked is a Log Analytics bucket's linked dataset: one view of every
	// log entry (_AllLogs by default), the LogEntry fields in snake_case,
	// resource.labels, labels and json_payload as JSON, http_request a
	// record whose latency is an INTERVAL (or, in some views, a duration
	// string such as "0.115239727s").
	Linked Layout = iota
	// Sink is a log sink's dataset: a table per log
	// (run_googleapis_com_requests, run_googleapis_com_varlog_system),
	// date-sharded (NAME_YYYYMMDD) or partitioned by timestamp, the
	// LogEntry fields in camelCase, labels and resource.labels records,
	// httpRequest.latency a FLOAT64 number of seconds.
	Sink
)

func (l Layout) String() string {
	switch l {
	case Linked:
		return "linked dataset"
	case Sink:
		return "log sink"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// The tables a sink writes Cloud Run's logs to, and the view a linked
// dataset has of every log.
const (
	SinkRequests = "run_googleapis_com_requests"
	SinkSystem   = "run_googleapis_com_varlog_system"
	LinkedView   = "_AllLogs"
)

// Source is where a project's Cloud Run logs are in BigQuery, as Detect
// found them from the dataset's metadata.
type Source struct {
	Project, Dataset string
	Layout           Layout
	// Linked: View is the view (or table) of log entries. Sink: Requests
	// and System are the tables, or with Sharded their prefixes (the
	// shards are PREFIX_YYYYMMDD); empty when the dataset has none.
	View             string
	Requests, System string
	Sharded          bool
	// LatencyType is the BigQuery type of the latency column: INTERVAL,
	// STRING ("1.5s"), FLOAT64 or NUMERIC (seconds).
	LatencyType string
}

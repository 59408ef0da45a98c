package collect

// RequestSink takes the request entries of an input too large to keep:
// see Dataset.Sink. Readers give each goroutine that parses its own shard
// and merge the shards, one at a time, when they are done.
type RequestSink interface {
	// NewShard returns a shard for one goroutine.
	NewShard() RequestShard
	// Merge folds a shard, which is no longer added to, into the sink.
	Merge(RequestShard)
}

// RequestShard accumulates requests for one goroutine. The strings of the
// request given to Add may point into a buffer that is reused once Add
// returns: a shard that keeps one copies it.
type RequestShard interface {
	Add(r *Request)
}

// DefaultSpillAt is the number of request entries past which a Dataset
// with a Sink stops keeping them in Requests.
const DefaultSpillAt = 10_000

// spill moves the Requests into the Sink once there are more than SpillAt
// of them; from then on readers send requests to the Sink.
func (d *Dataset) spill() {
	if d.Sink == nil || d.Spilled {
		return
	}
	limit := d.SpillAt
	if limit <= 0 {
		limit = DefaultSpillAt
	}
	if len(d.Requests) <= limit {
		return
	}
	sh := d.Sink.NewShard()
	for i := range d.Requests {
		sh.Add(&d.Requests[i])
	}
	d.Sink.Merge(sh)
	d.SpilledRequests += len(d.Requests)
	d.Requests, d.Spilled = nil, true
}

// RequestCount is the number of request entries read: those kept in
// Requests and those sent to the Sink.
func (d *Dataset) RequestCount() int { return len(d.Requests) + d.SpilledRequests }

// cloneRequest copies the strings of r out of the buffer they point into.
func cloneRequest(r *Request) {
	r.Method, r.URL, r.Path = intern(r.Method), cloneStr(r.URL), cloneStr(r.Path)
	r.UserAgent, r.RemoteIP, r.Protocol = cloneStr(r.UserAgent), cloneStr(r.RemoteIP), intern(r.Protocol)
	r.InstanceID, r.Revision, r.Service = cloneStr(r.InstanceID), cloneStr(r.Revision), cloneStr(r.Service)
	r.Location, r.Trace, r.InsertID, r.Severity = cloneStr(r.Location), cloneStr(r.Trace), cloneStr(r.InsertID), intern(r.Severity)
}

// cloneStr copies s; the empty string needs no copy.
func cloneStr(s string) string {
	if s == "" {
		return ""
	}
	return string([]byte(s))
}

// intern returns a constant for the common short values (methods,
// protocols, severities), and a copy of anything else.
func intern(s string) string {
	switch s {
	case "GET":
		return "GET"
	case "POST":
		return "POST"
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/2":
		return "HTTP/2"
	case "INFO":
		return "INFO"
	case "ERROR":
		return "ERROR"
	case "DEFAULT":
		return "DEFAULT"
	case "WARNING":
		return "WARNING"
	}
	return cloneStr(s)
}

package collect

// RequestSink takes the request entries of a log in place of
// Dataset.Requests: see Dataset.Sink. Readers give each goroutine that
// parses its own shard and merge the shards, one at a time, when they are
// done. What a shard cannot merge in any order (what straddles the end of
// a chunk of the file) it hands over at each chunk's end, and readers give
// those pieces to MergeChunk in file order.
type RequestSink interface {
	// NewShard returns a shard for one goroutine.
	NewShard() RequestShard
	// Merge folds a shard, which is no longer added to, into the sink.
	Merge(RequestShard)
	// MergeChunk folds what a shard handed over at the end of a chunk;
	// the chunks of one file come in file order.
	MergeChunk(ChunkPiece)
}

// RequestShard accumulates requests for one goroutine. The strings of the
// request given to Add may point into a buffer that is reused once Add
// returns: a shard that keeps one copies it.
type RequestShard interface {
	Add(r *Request)
	// EndChunk says that a run of consecutive requests of a file (a
	// chunk) ended, and returns what of it the sink must merge in file
	// order.
	EndChunk() ChunkPiece
}

// ChunkPiece is what a shard hands over at the end of a chunk; only the
// sink that made the shard knows what is inside.
type ChunkPiece any

// RequestCount is the number of request entries read: those kept in
// Requests and those sent to the Sink.
func (d *Dataset) RequestCount() int { return len(d.Requests) + d.SunkRequests }

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

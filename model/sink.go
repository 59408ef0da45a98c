package model

import "time"

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

// SpanSink is a RequestSink that a reader can tell, before it adds a
// file's requests, the arrivals of two of them that it will add (the
// file's first and last request entries, when it can read them first):
// the sink's state can then start as wide as the span of the whole file
// needs. The reader must add both; the sink's result is the same either
// way.
type SpanSink interface {
	Spans(a, b time.Time)
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

package collect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"sync"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/runlens/runlens/collect/internal/logscan"
	"github.com/runlens/runlens/model"
)

// NDJSON files, the form log sinks write and the large ones come in, are
// read in parallel: one goroutine reads (and, for gzip, inflates) the file
// into chunks of whole lines, a worker per core parses them, and the chunks'
// results are merged in file order, so that Requests, Events and the
// warnings come out as a sequential reading would give them.

// chunkSize is how much of the file a worker parses at a time, once the
// file has shown itself large: the first chunks are smaller, from
// firstChunk on, doubling, so that a small file costs small buffers. A
// chunk costs a merge in file order and a hand-over between goroutines:
// at 4 MiB rather than 1 MiB, a million entries read in 0.82 s rather than
// 0.92 s (median of 7 alternating runs, 2 cores), at 115 MiB rather than
// 113 MiB of peak RSS for ten million.
const (
	chunkSize  = 4 << 20
	firstChunk = 64 << 10
)

// ndjsonChunk is a run of whole lines. Its workers number the lines from
// 1; the merge, which knows how many came before, numbers them in the file.
type ndjsonChunk struct {
	seq    int
	data   []byte
	final  bool // the file's last chunk: its text after the last newline is a line
	mapped bool // data is a slice of the file's mapping, not a buffer
}

// chunkResult is what a worker read from one chunk.
type chunkResult struct {
	seq   int
	lr    *logReader       // the chunk's reader: counts, warnings, a scratch Dataset
	piece model.ChunkPiece // what the worker's shard handed over at the chunk's end
	// mapped is the chunk, when it is a slice of the file's mapping: once
	// it is merged, the pages before it can go.
	mapped []byte
}

// readNDJSON reads one LogEntry per line; blank lines are allowed and a
// malformed line is a warning.
func (lr *logReader) readNDJSON(br *bufio.Reader, line int) {
	var readErr error
	split := func(out chan<- ndjsonChunk, free chan []byte) {
		readErr = splitChunks(br, out, free, lr.chunkBytes)
	}
	if m := lr.mapped; m != nil && m.br == br {
		split = func(out chan<- ndjsonChunk, free chan []byte) {
			readErr = m.splitChunks(br, out, free, lr.chunkBytes)
		}
		if sink, ok := lr.ds.Sink.(model.SpanSink); ok {
			lr.tellSpan(sink, m.data[m.off-int64(br.Buffered()):])
		}
	}
	readChunks(lr, line, split, (*logReader).parseLines)
	if readErr != nil {
		lr.stop(lr.lineBase, readErr)
	}
}

// spanProbe is how much of each end of a mapped file tellSpan reads.
const spanProbe = 64 << 10

// tellSpan tells the sink the arrivals of the first and the last request
// entry of data, the whole lines of a mapped file still to be read, when
// the fast path reads them (so the reading will add them as it is): the
// sink's state can then start as wide as the file's span needs.
func (lr *logReader) tellSpan(sink model.SpanSink, data []byte) {
	var first, last time.Time
	var ok1, ok2 bool
	_ = faultless(func() {
		head := data[:min(len(data), spanProbe)]
		head = head[:bytes.LastIndexByte(head, '\n')+1]
		first, ok1 = lr.probeLines(head, true)
		end := bytes.LastIndexByte(data, '\n') + 1 // whole lines only
		tail := data[max(0, end-spanProbe):end]
		if end > spanProbe { // from a line's start
			if i := bytes.IndexByte(tail, '\n'); i >= 0 && i+1 < len(tail) {
				tail = tail[i+1:]
			} else {
				tail = nil // a line longer than spanProbe
			}
		}
		last, ok2 = lr.probeLines(tail, false)
	})
	if ok1 && ok2 {
		sink.Spans(first, last)
	}
}

// probeLines is the arrival of the first (or the last) request entry of
// the lines that the fast path reads and the scope keeps.
func (lr *logReader) probeLines(data []byte, first bool) (t time.Time, ok bool) {
	pr := &logReader{name: lr.name, ds: &model.Dataset{}, chunk: true, aids: new(logscan.State), paths: new(pathCache), scope: lr.scope}
	lines := pr.aids.Lines(data, false)
	defer lines.Done()
	for {
		line, form, more := lines.Next()
		if !more {
			return t, ok
		}
		pr.ds.Requests = pr.ds.Requests[:0]
		if len(line) > 0 && pr.fastRequest(1, line, form) && len(pr.ds.Requests) == 1 {
			t, ok = pr.ds.Requests[0].Time, true
			if first {
				return t, ok
			}
		}
	}
}

// chunk is a run of whole lines or elements, which a worker parses.
type chunk interface {
	index() int         // its place in the file: 0, 1, 2 and so on
	buffer() []byte     // the buffer it is in, free once it is parsed
	mappedData() []byte // the slice of the file's mapping it is, or nil
}

func (c ndjsonChunk) index() int     { return c.seq }
func (c ndjsonChunk) buffer() []byte { return c.data }

func (c ndjsonChunk) mappedData() []byte {
	if c.mapped {
		return c.data
	}
	return nil
}

// readChunks reads in parallel: split sends the file's chunks, in order,
// and takes the buffers of parsed ones from free; a worker per core parses
// them with parse; the merge takes the results in file order.
func readChunks[C chunk](lr *logReader, line int, split func(out chan<- C, free chan []byte), parse func(*logReader, C)) {
	workers := lr.workers()
	chunks := make(chan C, workers)
	results := make(chan chunkResult, workers)
	free := make(chan []byte, 2*workers+1)
	var wg sync.WaitGroup
	shards := make([]model.RequestShard, workers)
	for w := 0; w < workers; w++ {
		if lr.ds.Sink != nil {
			shards[w] = lr.ds.Sink.NewShard()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			parseChunks(lr, chunks, results, free, shards[w], parse)
		}()
	}
	go func() {
		split(chunks, free)
		close(chunks)
		wg.Wait()
		close(results)
	}()
	lr.lineBase = line
	lr.mergeChunks(results)
	for _, sh := range shards {
		if sh != nil {
			lr.ds.Sink.Merge(sh)
		}
	}
}

// workers is how many goroutines parse: one per core, but one fewer when
// the reading goroutine inflates gzip and so keeps a core busy itself.
// (2 cores, 1 M entries gzipped, alternating runs: 2.41-3.26 s with one
// worker, 2.68-3.83 s with two.)
// Dataset.Read.Workers, when set, says how many.
func (lr *logReader) workers() int {
	if n := lr.ds.Read.Workers; n > 0 {
		return n
	}
	n := runtime.GOMAXPROCS(0)
	if lr.gzipped && n > 1 {
		n--
	}
	return n
}

// chunkBytes is the size of the round-th chunk: from firstChunk,
// doubling, to chunkSize, or Dataset.Read.ChunkBytes throughout.
func (lr *logReader) chunkBytes(round int) int {
	if n := lr.ds.Read.ChunkBytes; n > 0 {
		return n
	}
	return min(firstChunk<<min(round, 8), chunkSize)
}

// splitChunks reads br into chunks of whole lines. It returns the error
// that stopped the reading, if not EOF.
func splitChunks(br *bufio.Reader, out chan<- ndjsonChunk, free chan []byte, size func(round int) int) error {
	return splitFrom(br, nil, 0, 0, out, free, size)
}

// splitFrom is splitChunks once seq chunks were sent, in round rounds,
// and carry is the start of a line they left.
func splitFrom(br *bufio.Reader, carry []byte, seq, round int, out chan<- ndjsonChunk, free chan []byte, size func(round int) int) error {
	// seq counts the chunks sent: the merge takes them in this order, with no gap
	for ; ; round++ {
		buf := takeBuf(free, max(size(round), 2*len(carry)))
		buf = append(buf[:0], carry...)
		buf, err := fill(br, buf)
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			out <- ndjsonChunk{seq: seq, data: buf, final: true}
			return err
		}
		cut := bytes.LastIndexByte(buf, '\n') + 1
		if cut == 0 { // a line longer than the buffer: read on
			carry = buf
			continue
		}
		carry = append(carry[:0], buf[cut:]...)
		out <- ndjsonChunk{seq: seq, data: buf[:cut]}
		seq++
	}
}

// fill reads into buf until it is full or the reader fails, EOF included.
func fill(r io.Reader, buf []byte) ([]byte, error) {
	for len(buf) < cap(buf) {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// takeBuf returns a free buffer of at least n bytes' capacity.
func takeBuf(free chan []byte, n int) []byte {
	select {
	case b := <-free:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, n)
}

// parseChunks is a worker: it parses chunks until there are none left,
// giving their requests to its shard of the Sink where there is one.
func parseChunks[C chunk](lr *logReader, in <-chan C, out chan<- chunkResult, free chan []byte, shard model.RequestShard, parse func(*logReader, C)) {
	var entry LogEntry
	aids := new(logscan.State) // kept from chunk to chunk: its guesses and its buffer
	paths := new(pathCache)
	cursor := &setCursor{lease: true} // released after each chunk
	strs := stringTable{}             // kept from chunk to chunk, as paths
	for c := range in {
		cr := &logReader{name: lr.name, ds: &model.Dataset{}, chunk: true, clone: true, shard: shard, scope: lr.scope, seen: lr.seen, strs: strs}
		cr.entry, cr.aids, cr.paths, cr.cursor = entry, aids, paths, cursor
		mapped := c.mappedData()
		if mapped != nil {
			if err := faultless(func() { parse(cr, c) }); err != nil {
				cr.stop(cr.lineBase, err)
			}
		} else {
			parse(cr, c)
		}
		cursor.release() // before this worker waits on the others
		var piece model.ChunkPiece
		if shard != nil {
			piece = shard.EndChunk()
		}
		entry = cr.entry
		if mapped == nil {
			select {
			case free <- c.buffer()[:0]:
			default:
			}
		} else {
			lr.mapped.parsed(mapped)
		}
		out <- chunkResult{seq: c.index(), lr: cr, piece: piece, mapped: mapped}
	}
}

// parseLines parses the lines of one chunk.
func (lr *logReader) parseLines(c ndjsonChunk) {
	lines := lr.aids.Lines(c.data, c.final)
	defer lines.Done()
	for {
		t, form, ok := lines.Next()
		if !ok {
			return
		}
		lr.lineBase++
		if len(t) > 0 && !lr.fastRequest(lr.lineBase, t, form) {
			lr.handle(lr.lineBase, lr.decodeEntry(t))
		}
	}
}

// decodeEntry decodes one line into lr.entry, whose strings then point
// into the line. goccy/go-json decodes; where it fails, encoding/json
// decodes again so that the warning says what it always said.
func (lr *logReader) decodeEntry(t []byte) error {
	resetEntry(&lr.entry)
	err := gojson.UnmarshalWithOption(t, &lr.entry, gojson.DecodeNoCopyString())
	if err == nil {
		return nil
	}
	resetEntry(&lr.entry)
	return json.Unmarshal(t, &lr.entry)
}

// mergeChunks takes the chunks' results in file order and adds each to
// the file's reader and the Dataset.
func (lr *logReader) mergeChunks(results <-chan chunkResult) {
	pending := map[int]chunkResult{}
	next := 0
	for r := range results {
		pending[r.seq] = r
		for cr, ok := pending[next]; ok; cr, ok = pending[next] {
			delete(pending, next)
			next++
			lr.absorb(cr.lr)
			if cr.piece != nil {
				lr.ds.Sink.MergeChunk(cr.piece)
			}
			if cr.mapped != nil {
				lr.mapped.merged(cr.mapped)
			}
		}
	}
}

// absorb adds a chunk's counts, warnings, requests and events.
func (lr *logReader) absorb(cr *logReader) {
	if lr.stopErr != nil { // an earlier chunk stopped the reading
		return
	}
	if cr.stopErr != nil {
		defer lr.stop(lr.lineBase+cr.stopLine, cr.stopErr)
	}
	lr.n += cr.n
	lr.values += cr.values
	lr.repeats += cr.repeats
	lr.cuts += cr.cuts
	lr.longest = max(lr.longest, cr.longest)
	lr.unchecked += cr.unchecked
	lr.closedLate = lr.closedLate || cr.closedLate
	for i, v := range cr.out {
		lr.out[i] += v
	}
	for _, w := range cr.deferred {
		lr.warnf(lr.lineBase+w.line, "%s", w.msg)
	}
	lr.lineBase += cr.lineBase
	lr.warnings += cr.warnings - len(cr.deferred)
	for k, p := range cr.skipped {
		q := lr.skipped[k]
		if q == nil {
			if lr.skipped == nil {
				lr.skipped = make(map[skipKey]*int)
			}
			q = new(int)
			lr.skipped[k] = q
		}
		*q += *p
	}
	lr.ds.Events = append(lr.ds.Events, cr.ds.Events...)
	lr.ds.SunkRequests += cr.sunk
	lr.ds.Requests = append(lr.ds.Requests, cr.ds.Requests...)
}

package collect

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// A log entry read twice (two exports of overlapping windows put together,
// a sink that wrote a batch again) is counted once. An entry is a repeat
// when it has an insertId and everything runlens reads of it (insertId,
// timestamp, request, instance, revision, service, text) is that of an
// entry read before in the same Dataset, in any of its log files. Entries
// that share an insertId but differ are each counted: which of them
// Cloud Logging would have kept cannot be told. As every copy of a repeat
// is the same, which copy is counted does not matter, and the result is
// the same however the logs are cut into files, chunks and workers.
//
// The entries are remembered by a 64-bit hash, MaxCheckedEntries of them
// at most (about 16 MiB): entries read once the set is full are not
// checked, and a warning says how many. Past the bound, which entries
// were remembered depends on the order the workers read them in.

// MaxCheckedEntries bounds the entries remembered to find repeats.
const MaxCheckedEntries = 1 << 20

// entrySet is the hashes of the entries read, shared by a Dataset's
// readers and their workers: 64 shards by the hash's top bits, each an
// open-addressing table (linear probing, 0 for empty) under its lock.
type entrySet struct {
	seed   maphash.Seed
	n      atomic.Int64
	shards [64]struct {
		sync.Mutex
		slots []uint64
		n     int
	}
}

func newEntrySet() *entrySet { return &entrySet{seed: maphash.MakeSeed()} }

// add remembers h and reports whether it was new; full is set when the
// set had no room left to remember it.
func (s *entrySet) add(h uint64) (isNew, full bool) {
	h |= 1 // 0 marks an empty slot
	sh := &s.shards[h>>58]
	sh.Lock()
	defer sh.Unlock()
	if sh.slots == nil {
		sh.slots = grow(nil)
	}
	mask := uint64(len(sh.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch sh.slots[i] {
		case h:
			return false, false
		case 0:
			if s.n.Load() >= MaxCheckedEntries {
				return true, true
			}
			sh.slots[i] = h
			sh.n++
			s.n.Add(1)
			if 4*sh.n >= 3*len(sh.slots) {
				sh.slots = grow(sh.slots)
			}
			return true, false
		}
	}
}

// grow returns slots' entries in a table twice as large (1024 slots at
// first).
func grow(slots []uint64) []uint64 {
	out := make([]uint64, max(2*len(slots), 1024))
	mask := uint64(len(out) - 1)
	for _, h := range slots {
		if h == 0 {
			continue
		}
		i := h & mask
		for out[i] != 0 {
			i = (i + 1) & mask
		}
		out[i] = h
	}
	return out
}

// repeatedRequest reports whether r repeats an entry read before, and
// remembers it if not.
func (lr *logReader) repeatedRequest(r *Request) bool {
	if r.InsertID == "" || lr.seen == nil {
		return false
	}
	b := append(lr.hashBuf[:0], 'r')
	for _, s := range [...]string{r.InsertID, r.Method, r.URL, r.UserAgent, r.RemoteIP, r.Protocol,
		r.InstanceID, r.Revision, r.Service, r.Location, r.Trace, r.Severity} {
		b = appendField(b, s)
	}
	for _, n := range [...]int64{r.Time.UnixNano(), int64(r.Latency), int64(r.Status), r.RequestSize, r.ResponseSize} {
		b = binary.LittleEndian.AppendUint64(b, uint64(n))
	}
	if r.ColdStart {
		b = append(b, 1)
	}
	lr.hashBuf = b
	return lr.repeated(maphash.Bytes(lr.seen.seed, b))
}

// repeatedEvent is repeatedRequest for the system entry e, of time t and
// text text.
func (lr *logReader) repeatedEvent(e *LogEntry, t time.Time, text string) bool {
	if e.InsertID == "" || lr.seen == nil {
		return false
	}
	b := append(lr.hashBuf[:0], 'e')
	rl := e.Resource.Labels
	for _, s := range [...]string{e.InsertID, e.Labels["instanceId"], e.Labels["scaling_reason"],
		rl["revision_name"], rl["service_name"], rl["location"], text} {
		b = appendField(b, s)
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(t.UnixNano()))
	lr.hashBuf = b
	return lr.repeated(maphash.Bytes(lr.seen.seed, b))
}

func (lr *logReader) repeated(h uint64) bool {
	isNew, full := lr.seen.add(h)
	if full {
		lr.unchecked++
	}
	if !isNew {
		lr.repeats++
	}
	return !isNew
}

// appendField appends s and its length, so that fields cannot run
// together.
func appendField(b []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint32(b, uint32(len(s))), s...)
}

// NoteRepeats adds to the warnings, once all log files are read, how many
// entries repeated an earlier one and were counted once, and how many
// were not checked.
func (d *Dataset) NoteRepeats() {
	if d.Repeats > 0 {
		d.Warnf("request and system logs: %d entries repeat an earlier entry (its insertId, timestamp and content): each counted once", d.Repeats)
	}
	if d.Unchecked > 0 {
		d.Warnf("request and system logs: %d entries read after the first %d were not checked for repeats", d.Unchecked, MaxCheckedEntries)
	}
}

package collect

import (
	"encoding/binary"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// A log entry read twice (two exports of overlapping windows put together,
// a sink that wrote a batch again) is counted once. As Cloud Logging does
// within a query ("log entries in the same project, with the same
// timestamp, and with the same insert_id" are duplicates: LogEntry's
// insert_id in google/logging/v2/log_entry.proto), an entry is a repeat
// when its insertId and timestamp, and the service and location it is of,
// are those of an entry read before in the same Dataset, in any of its log
// files; request and system entries are told apart. Which copy is counted does not matter, and the result is the
// same however the logs are cut into files, chunks and workers.
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
		// Room for the shard's share of MaxCheckedEntries at half load, at
		// once: growing the tables cost a fifth of the checking's time.
		sh.slots = make([]uint64, 2*MaxCheckedEntries/len(s.shards))
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
	return lr.repeated(entryHash(lr.seen.seed, 'r', r.InsertID, r.Service, r.Location, r.Time))
}

// repeatedEvent is repeatedRequest for the system entry e of time t.
func (lr *logReader) repeatedEvent(e *LogEntry, t time.Time, _ string) bool {
	if e.InsertID == "" || lr.seen == nil {
		return false
	}
	rl := e.Resource.Labels
	return lr.repeated(entryHash(lr.seen.seed, 'e', e.InsertID, rl["service_name"], rl["location"], t))
}

// entryHash mixes an entry's kind, insertId, service, location and
// timestamp.
func entryHash(seed maphash.Seed, kind byte, insertID, service, location string, t time.Time) uint64 {
	x := maphash.String(seed, insertID) ^ uint64(kind)<<56
	x ^= maphash.String(seed, service) * 0xff51afd7ed558ccd
	x ^= maphash.String(seed, location) * 0xc4ceb9fe1a85ec53
	x ^= uint64(t.UnixNano()) * 0x9e3779b97f4a7c15
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	return x ^ x>>32
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
		d.Warnf("request and system logs: %d entries repeat an earlier entry (its insertId and timestamp): each counted once", d.Repeats)
	}
	if d.Unchecked > 0 {
		d.Warnf("request and system logs: %d entries read after the first %d were not checked for repeats", d.Unchecked, MaxCheckedEntries)
	}
}

package collect

import (
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
// files; request and system entries are told apart. Which copy is
// counted does not matter, and the result is the same however the logs are
// cut into files, chunks and workers.
//
// The entries are remembered by a 64-bit hash, MaxCheckedEntries of them
// at most (about 20 MiB). Once the set is full, an entry is still looked
// up among those remembered but is not remembered itself, so a repeat of
// it would go unseen; a warning says how many entries were left
// unremembered. Past the bound, which entries were remembered depends on
// the order the workers read them in.

// MaxCheckedEntries bounds the entries remembered to find repeats.
const MaxCheckedEntries = 1 << 20

// entrySet is the hashes of the entries read, shared by a Dataset's
// readers and their workers, by the second of their timestamp: a repeat
// has the same timestamp, and a log's entries come roughly in time order,
// so the second's bucket a worker looks in is small and was just looked
// in. 256 shards by second, each under its lock.
type entrySet struct {
	seed   maphash.Seed
	n      atomic.Int64
	shards [256]struct {
		sync.Mutex
		bySec map[int64][]uint64
	}
}

func newEntrySet() *entrySet { return &entrySet{seed: maphash.MakeSeed()} }

// add remembers the hash h of an entry of second sec and reports whether
// it was new; full is set when the set had no room left to remember it.
func (s *entrySet) add(sec int64, h uint64) (isNew, full bool) {
	sh := &s.shards[uint64(sec)%uint64(len(s.shards))]
	sh.Lock()
	defer sh.Unlock()
	b := sh.bySec[sec]
	for _, x := range b {
		if x == h {
			return false, false
		}
	}
	if s.n.Load() >= MaxCheckedEntries {
		return true, true
	}
	if sh.bySec == nil {
		sh.bySec = map[int64][]uint64{}
	}
	sh.bySec[sec] = append(b, h)
	s.n.Add(1)
	return true, false
}

// repeatedRequest reports whether r repeats an entry read before, and
// remembers it if not.
func (lr *logReader) repeatedRequest(r *Request) bool {
	if r.InsertID == "" || lr.seen == nil {
		return false
	}
	if r.Service != lr.placeSvc || r.Location != lr.placeLoc || !lr.placeSet { // a file is mostly of one service
		lr.placeSvc, lr.placeLoc, lr.placeSet = cloneStr(r.Service), cloneStr(r.Location), true
		lr.placeHash = placeHash(lr.seen.seed, r.Service, r.Location)
	}
	return lr.repeated(r.Time.Unix(), entryHash(lr.seen.seed, 'r', r.InsertID, lr.placeHash, r.Time))
}

// repeatedEvent is repeatedRequest for the system entry e of time t.
func (lr *logReader) repeatedEvent(e *LogEntry, t time.Time, _ string) bool {
	if e.InsertID == "" || lr.seen == nil {
		return false
	}
	rl := e.Resource.Labels
	return lr.repeated(t.Unix(), entryHash(lr.seen.seed, 'e', e.InsertID, placeHash(lr.seen.seed, rl["service_name"], rl["location"]), t))
}

// placeHash mixes a service and a location.
func placeHash(seed maphash.Seed, service, location string) uint64 {
	return maphash.String(seed, service)*0xff51afd7ed558ccd ^ maphash.String(seed, location)*0xc4ceb9fe1a85ec53
}

// entryHash mixes an entry's kind, insertId, place (placeHash) and
// timestamp.
func entryHash(seed maphash.Seed, kind byte, insertID string, place uint64, t time.Time) uint64 {
	x := maphash.String(seed, insertID) ^ uint64(kind)<<56 ^ place
	x ^= uint64(t.UnixNano()) * 0x9e3779b97f4a7c15
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	return x ^ x>>32
}

func (lr *logReader) repeated(sec int64, h uint64) bool {
	isNew, full := lr.seen.add(sec, h)
	if full {
		lr.unchecked++
	}
	if !isNew {
		lr.repeats++
	}
	return !isNew
}

// NoteRepeats adds to the warnings, once all log files are read, how many
// entries repeated an earlier one and were counted once, and how many
// were not checked.
func (d *Dataset) NoteRepeats() {
	if d.Repeats > 0 {
		d.Warnf("request and system logs: %d entries repeat an earlier entry (its insertId and timestamp): each counted once", d.Repeats)
	}
	if d.Unchecked > 0 {
		d.Warnf("request and system logs: %d entries read after the first %d were not remembered: a later repeat of one of them is counted twice", d.Unchecked, MaxCheckedEntries)
	}
}

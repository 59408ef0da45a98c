package collect

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/runlens/runlens/internal/prefault"
	"github.com/runlens/runlens/model"
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
// at most (about 20 MiB); each cursor takes room for cursorQuota at a
// time, so up to that many a cursor may go unused. Once the set is full,
// an entry is still looked up among those remembered but is not
// remembered itself, so a repeat of it would go unseen; a warning says
// how many entries were left unremembered. Past the bound, which entries
// were remembered depends on the order the workers read them in.

// MaxCheckedEntries bounds the entries remembered to find repeats.
const MaxCheckedEntries = 1 << 20

// entrySet is the hashes of the entries read, shared by a Dataset's
// readers and their workers, in buckets of ten seconds of their
// timestamps: a repeat has the same timestamp, and a log's entries come
// roughly in time order, so the bucket a worker looks in is the one it
// looked in last (its setCursor keeps it) and is in its cache. A bucket
// is an open-addressed table (linear probing; 0 marks an empty slot), so
// a busy second costs no more per entry than a quiet one. Buckets are
// in 256 shards by their key, each under its lock.
type entrySet struct {
	seed   maphash.Seed // read for every entry: not on the line n is on
	_      [56]byte
	n      atomic.Int64 // the hashes remembered or promised to a cursor
	_      [56]byte
	shards [256]entryShard
}

type entryShard struct {
	sync.Mutex
	buckets map[int64]*entryBucket
	_       [48]byte // a cache line each: workers' locks do not share one
}

// entryBucket is the hashes of ten seconds' entries.
type entryBucket struct {
	slots []uint64 // a power of two long
	used  int
}

// bucketSeconds is how many seconds of timestamps a bucket holds: few
// enough that it is in cache, many enough that a log of a request a
// minute does not cost a bucket per entry.
const bucketSeconds = 10

// setCursor is a reader's (or a worker's) place in an entrySet: the
// bucket it used last.
type setCursor struct {
	key   int64
	b     *entryBucket
	sh    *entryShard
	used  int  // the hashes b held when the cursor last looked in it
	quota int  // hashes it may still remember: taken from the set's count cursorQuota at a time
	lease bool // keeps sh locked between adds (a parsing worker's): see add
	held  bool // sh is locked
}

// cursorQuota is how many hashes a cursor takes from the set's count at
// once, so that the workers do not each write the shared count for every
// entry. Of MaxCheckedEntries, at most this many a cursor go unused.
const cursorQuota = 256

func newEntrySet() *entrySet { return &entrySet{seed: maphash.MakeSeed()} }

// add remembers the hash h of an entry of second sec and reports whether
// it was new; full is set when the set had no room left to remember it.
// A leasing cursor keeps its bucket's shard locked from one entry to the
// next while they fall in the same bucket (a hundred or so in a row),
// rather than locking it for each: its worker releases it after each
// chunk, before it waits on anything.
func (s *entrySet) add(c *setCursor, sec int64, h uint64) (isNew, full bool) {
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	key := floorDiv(sec, bucketSeconds)
	if c.b == nil || c.key != key {
		c.release()
		c.key, c.sh = key, &s.shards[uint64(key)%uint64(len(s.shards))]
		c.sh.Lock()
		c.held = true
		b := c.sh.buckets[key]
		if b == nil {
			if c.sh.buckets == nil {
				c.sh.buckets = map[int64]*entryBucket{}
			}
			// As large as the cursor's last bucket needed: a log's rate
			// changes slowly, and growing a table costs more than filling it.
			b = &entryBucket{}
			if c.used > 0 {
				b.slots = newSlots(tableFor(c.used))
			}
			c.sh.buckets[key] = b
		}
		c.b = b
	} else if !c.held {
		c.sh.Lock()
		c.held = true
	}
	if !c.lease {
		defer c.release()
	}
	b := c.b
	c.used = b.used // under b's lock
	if b.has(h) {
		return false, false
	}
	if c.quota == 0 && !s.take(c) {
		return true, true
	}
	b.insert(h)
	c.quota--
	return true, false
}

// release unlocks the shard c holds, if it holds one.
func (c *setCursor) release() {
	if c != nil && c.held {
		c.held = false
		c.sh.Unlock()
	}
}

// take gives c up to cursorQuota more hashes to remember, and reports
// whether it got any: none once the set has promised MaxCheckedEntries.
func (s *entrySet) take(c *setCursor) bool {
	if s.n.Load() >= MaxCheckedEntries {
		return false
	}
	end := s.n.Add(cursorQuota)
	c.quota = int(min(cursorQuota, max(0, MaxCheckedEntries-(end-cursorQuota))))
	return c.quota > 0
}

// has reports whether the bucket holds h.
func (b *entryBucket) has(h uint64) bool {
	if len(b.slots) == 0 {
		return false
	}
	mask := uint64(len(b.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch b.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

// insert adds h, which the bucket does not hold, growing the table at
// three quarters full.
func (b *entryBucket) insert(h uint64) {
	if 4*(b.used+1) > 3*len(b.slots) {
		old := b.slots
		b.slots = newSlots(tableFor(b.used + 1))
		for _, x := range old {
			if x != 0 {
				b.put(x)
			}
		}
	}
	b.put(h)
	b.used++
}

// tableFor is the length of a table for n hashes: a power of two, at
// least 8, at most three quarters full.
func tableFor(n int) int {
	l := 8
	for 3*l < 4*n {
		l *= 2
	}
	return l
}

// newSlots returns an empty table of n slots, its pages written: a
// table's first look (has) reads it (see prefault).
func newSlots(n int) []uint64 { return prefault.Touch(make([]uint64, n)) }

func (b *entryBucket) put(h uint64) {
	mask := uint64(len(b.slots) - 1)
	i := h & mask
	for b.slots[i] != 0 {
		i = (i + 1) & mask
	}
	b.slots[i] = h
}

// floorDiv is a/b rounded toward minus infinity, for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// repeatedRequest reports whether r repeats an entry read before, and
// remembers it if not.
func (lr *logReader) repeatedRequest(r *model.Request) bool {
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
	if lr.cursor == nil {
		lr.cursor = new(setCursor)
	}
	isNew, full := lr.seen.add(lr.cursor, sec, h)
	if full {
		lr.unchecked++
	}
	if !isNew {
		lr.repeats++
	}
	return !isNew
}

// NoteRepeats adds to d's warnings, once all log files are read, how many
// entries repeated an earlier one and were counted once, and how many
// were not checked; and lets go of the entries remembered (about 20 MiB
// at a million), which the analysis would otherwise carry.
func NoteRepeats(d *model.Dataset) {
	d.Reading = nil
	if d.Repeats > 0 {
		d.Warnf("request and system logs: %d entries repeat an earlier entry (its insertId and timestamp): each counted once", d.Repeats)
	}
	if d.Unchecked > 0 {
		d.Warnf("request and system logs: %d entries read once room for %d was taken were not remembered: a later repeat of one of them is counted twice", d.Unchecked, MaxCheckedEntries)
	}
}

package summary

import (
	"cmp"
	"iter"
	"maps"
	"math"
	"math/bits"
	"slices"
	"sync/atomic"
	"time"

	"github.com/runlens/runlens/model"
)

// Summary is the bounded, mergeable state of a request log that the
// analysis reads: the log's requests are added to a summary (each parsing
// worker its own), summaries merge, and Run turns the merged one, with the
// metrics, the service and the client, into the Report. Merging is
// associative and commutative: the same requests give the same summary
// however the log was cut into files and chunks, in whatever order they
// were read. The analyze package doc lists what is exact and what is
// sketched.
//
// A Summary is a collect.RequestSink: NewShard gives a parsing worker a
// shard that adds the requests of each chunk of a file to a summary of
// their own, which the reader hands to MergeChunk in file order (busy
// spans must be joined in order, busy.go); the sink then holds the one
// summary of the whole log, and the workers only a chunk's.
type Summary struct {
	n           int64
	first       time.Time // earliest arrival
	firstSvc    [2]string // service and location of the earliest request
	lastArrival time.Time
	lastEnd     time.Time // latest arrival + latency

	endpoints map[Key]*Endpoint
	total     *Endpoint // counts only: its Quantiles are the endpoints' merged
	agents    map[string]*Agent
	agentRest int64 // requests of agents past MaxAgents

	instances map[string]*Instance
	perSec    BucketCounts    // arrivals per second
	errSec    BucketCounts    // 5xx and status 0 per second
	status10  [4]BucketCounts // arrivals per 10 s by status class

	// Latency by arrival interval: width seconds, from Widths, so that
	// the summary's span holds at most maxIntervals intervals.
	width     int64
	intervals map[int64]*Quantiles

	// run is the span of arrivals added to this summary; curRun, in a
	// sink, that of the file whose chunks MergeChunk is given (busy.go).
	run, curRun *runHull

	marked []Point    // requests with the cold-start marker, the earliest MaxMarked
	sample sampleHeap // bottom-k sample by hash: the same whatever the sharding
	// sampleCut, in a chunk's summary, is the largest hash the sink's
	// full sample holds: a request with a larger one cannot enter it.
	sampleCut *atomic.Uint64
	// earlyCuts, likewise, is the last of each instance's earliest
	// requests in the sink, once it holds EarlyPerInstance of them.
	earlyCuts *atomic.Pointer[map[string]Point]
	// sketchedNow, likewise, is the endpoints whose latencies the sink
	// holds as a sketch: their state is a sketch whatever else comes, so a
	// chunk's summary sketches them from the start (the same bins).
	sketchedNow *atomic.Pointer[map[Key]bool]
	nSketched   int // in a sink, the endpoints sketched when last published
	// widthNow, likewise, is the sink's interval width: a chunk's summary
	// starts at it, not to be coarsened on merging.
	widthNow *atomic.Int64
	// epWidth is the width of each endpoint's latency intervals: coarser
	// than width, so that a span holds at most maxEndpointIntervals.
	epWidth    int64
	epWidthNow *atomic.Int64
	cutsDirty  bool // a sink's early lists changed since it published them

	// The endpoint and agent last added to, which the next request often
	// has too: found without hashing.
	lastEndpoint *Endpoint
	lastAgent    *Agent
	lastInterval *Quantiles
	lastIntKey   int64
	// Direct-mapped caches in front of the maps, a slot per recentSlot of
	// the key, checked against it: a load test has few endpoints, agents
	// and instances, in turn, and a map hashes the whole key (96 hex
	// digits for an instance).
	recentEndpoints [recentSlots]*Endpoint
	recentAgents    [recentSlots]*Agent
	recentInstances [recentSlots]*Instance
}

// Bounds on what a summary keeps, whatever the input's size.
const (
	// MaxEndpoints is how many distinct method+path pairs are told apart;
	// later ones are counted under the path "(other)".
	MaxEndpoints = 2000
	// OtherPath is the path the requests of endpoints past MaxEndpoints
	// are counted under, with their method.
	OtherPath = "(other)"
	// MaxAgents is how many distinct user agents are counted exactly;
	// requests of later ones are only counted in all.
	MaxAgents = 10000
	// MaxAgentSeries is how many user agents of one endpoint keep their
	// own arrivals per second, for reconciliation; later ones share one.
	MaxAgentSeries = 16
	// EarlyPerInstance is how many of an instance's earliest requests are
	// kept, for its first request and those before its startup probe.
	EarlyPerInstance = 32
	// MaxMarked bounds the requests kept for carrying the cold-start marker.
	MaxMarked = 10000
	// SampleSize is how many requests the latency scatter shows.
	SampleSize = 5000
	// maxIntervals bounds the latency intervals over the summary's span.
	maxIntervals = 7200
)

// Widths are the interval Widths, in seconds; each divides the next, so
// that intervals coarsen exactly.
var Widths = []int64{1, 2, 10, 30, 60, 300, 600, 1800, 3600, 86400}

// Key identifies a server endpoint: a method and a path.
type Key struct{ Method, Path string }

func (k Key) String() string { return k.Method + " " + k.Path }

// The parts of a summary that the analysis reads: a summary gives them
// out through its methods, and they are read, never changed, outside
// this package.

// Endpoint is one endpoint's totals and latency state.
type Endpoint struct {
	Key           Key
	N             int64
	Status        [6]int64 // by hundred: [2] is 2xx; [0] is status 0 and other
	ResponseBytes int64
	LatencySum    time.Duration
	First, Last   time.Time // earliest and latest arrival
	Latency       *Quantiles
	// Intervals is the latency state per interval of arrival, the
	// interval EndpointIntervalWidth wide, keyed by its number from the
	// epoch.
	Intervals map[int64]*Quantiles
	Recon     Recon
	lastK     int64
	lastQ     *Quantiles
}

// Instance is what is kept of one instance's requests.
type Instance struct {
	ID      string
	N       int64
	Marker  bool    // a request carried the cold-start marker
	Early   []Point // its earliest requests, by time
	LastEnd time.Time
	Busy    Busy
	// cut, in a chunk's summary, is the last of the sink's full list of
	// the instance's earliest requests: a later request cannot enter it.
	cut    Point
	hasCut bool
	// changed, in a sink, says its full list changed since last published.
	changed bool
	// The last of early once it is full, here beside the counts: most
	// requests come after it, and the test needs no load from early.
	earlyLastT    time.Time
	earlyLastHash uint64
}

// Recon is one endpoint's counts for reconciliation, per user agent.
type Recon struct {
	ByAgent  map[*Agent]*AgentSeries // nil: agents past MaxAgentSeries
	last     *Agent
	lastS    *AgentSeries
	Rejected int64 // 429 or 503 with no instance
}

// AgentSeries is one agent's requests of one endpoint: arrivals per
// second, completions per 100 ms (to tell those still in flight when the
// client stopped, and to align the clocks).
type AgentSeries struct {
	N        int64
	Arrive   BucketCounts // per second
	Complete TenthCounts  // per 100 ms
}

// Agent is one user agent's requests.
type Agent struct {
	UA string
	N  int64
}

// Point is what is kept of one request.
type Point struct {
	T       time.Time
	Latency time.Duration
	Key     Key
	Marker  bool
	Hash    uint64 // of time and latency: orders points, picks the sample
}

// New returns an empty summary.
func New() *Summary {
	return &Summary{endpoints: map[Key]*Endpoint{}, total: newEndpoint(Key{Path: "Aggregated"}),
		agents: map[string]*Agent{}, instances: map[string]*Instance{},
		width: Widths[0], epWidth: Widths[0], intervals: map[int64]*Quantiles{}, run: newRunHull()}
}

func newEndpoint(k Key) *Endpoint {
	return &Endpoint{Key: k, Latency: NewQuantiles(ExactPerEndpoint), Intervals: map[int64]*Quantiles{}, Recon: Recon{ByAgent: map[*Agent]*AgentSeries{}}}
}

// NewShard implements collect.RequestSink.
func (s *Summary) NewShard() model.RequestShard {
	if s.sampleCut == nil {
		s.sampleCut = new(atomic.Uint64)
		s.sampleCut.Store(math.MaxUint64)
		s.earlyCuts = new(atomic.Pointer[map[string]Point])
		s.sketchedNow = new(atomic.Pointer[map[Key]bool])
		s.widthNow = new(atomic.Int64)
		s.epWidthNow = new(atomic.Int64)
		s.cutsDirty = true
		s.publishCut()
	}
	sh := &shard{cut: s.sampleCut, early: s.earlyCuts, width: s.widthNow, epWidth: s.epWidthNow, sketched: s.sketchedNow}
	sh.cur = sh.newChunk()
	return sh
}

// Spans implements model.SpanSink: the summary will hold requests that
// arrived at a and at b, so its span will be at least theirs, and its
// intervals at least as wide as that span makes them. They start that
// wide, here and in the shards made from now on, instead of widening step
// by step as the requests come: the state they end in is the same (each
// width divides the next, and a latency state depends only on what it
// holds), and a summary of a day's log never holds the seven thousand
// narrow intervals of its first hours.
func (s *Summary) Spans(a, b time.Time) {
	if b.Before(a) {
		a, b = b, a
	}
	if w := widthWithin(a, b, maxIntervals); w > s.width {
		s.coarsen(w)
	}
	if w := widthWithin(a, b, maxEndpointIntervals); w > s.epWidth {
		s.coarsenEndpoints(w)
	}
	s.publishCut()
}

// Merge implements collect.RequestSink. A file's reader merges its
// shards when the file ends: the file's run of chunks ends with it.
func (s *Summary) Merge(o model.RequestShard) {
	if sh := o.(*shard); sh.cur.n > 0 || len(sh.cur.instances) > 0 {
		s.merge(sh.cur) // its busy intervals went chunk by chunk
		sh.cur.release()
	}
	s.curRun = nil
	s.publishCut()
}

// MergeChunk implements collect.RequestSink: it joins a chunk's busy
// intervals to its file's (a file's chunks come in file order), and
// merges the shard's summary when the shard handed it over.
func (s *Summary) MergeChunk(p model.ChunkPiece) {
	cp, ok := p.(*chunkPiece)
	if !ok || cp == nil {
		return
	}
	if s.curRun == nil {
		s.curRun = newRunHull()
	}
	if cp.run.lo <= cp.run.hi {
		s.curRun.see(cp.run.lo)
		s.curRun.see(cp.run.hi)
	}
	for i := range cp.busy {
		b := &cp.busy[i]
		s.instanceByID(b.id).Busy.extend(s.curRun, &b.busy)
		for _, g := range b.busy.segs {
			putSlice(&spans, g.open)
			g.tens.release()
			*g = busySeg{}
			segPool.Put(g)
		}
	}
	if cp.rest != nil {
		s.merge(cp.rest)
		s.publishCut()
		cp.rest.release()
	}
}

// chunkPiece is what a shard hands over at the end of a chunk: the
// chunk's busy intervals, and every chunksPerHandover chunks the
// summary of everything else it read since it last handed one over.
type chunkPiece struct {
	run  runHull // the chunk's arrivals
	busy []instanceBusy
	rest *Summary
}

type instanceBusy struct {
	id   string
	busy Busy
}

// chunksPerHandover is how many chunks a shard reads before it hands its
// summary over: merging costs the sink's goroutine about as much whatever
// a summary holds, so the fewer the better, within the pages a shard
// holds (about 16 MiB of log at a time).
const chunksPerHandover = 32

// release hands a merged chunk's pages back for reuse.
func (s *Summary) release() {
	s.perSec.release()
	s.errSec.release()
	for i := range s.status10 {
		s.status10[i].release()
	}
	for _, e := range s.endpoints {
		for _, as := range e.Recon.ByAgent {
			as.Arrive.release()
			as.Complete.release()
		}
		e.Latency.release()
		for _, q := range e.Intervals {
			q.release()
		}
	}
	for _, q := range s.intervals {
		q.release()
	}
	for _, in := range s.instances {
		for _, g := range in.Busy.segs {
			putSlice(&spans, g.open)
			g.open = nil
		}
	}
}

// publishCut tells the shards the largest hash the full sample holds,
// and the last of each instance's full list of earliest requests.
func (s *Summary) publishCut() {
	if s.sampleCut != nil && len(s.sample) >= SampleSize {
		s.sampleCut.Store(s.sample[0].Hash)
	}
	if s.widthNow != nil {
		s.widthNow.Store(s.width)
		s.epWidthNow.Store(s.epWidth)
	}
	if s.sketchedNow != nil {
		n := 0
		for _, e := range s.endpoints {
			if e.Latency.Sketched() {
				n++
			}
		}
		if n != s.nSketched {
			m := map[Key]bool{}
			for k, e := range s.endpoints {
				if e.Latency.Sketched() {
					m[k] = true
				}
			}
			s.sketchedNow.Store(&m)
			s.nSketched = n
		}
	}
	if s.earlyCuts != nil && s.cutsDirty {
		m := map[string]Point{}
		for id, in := range s.instances {
			if len(in.Early) == EarlyPerInstance {
				m[id] = in.Early[EarlyPerInstance-1]
			}
		}
		s.earlyCuts.Store(&m)
		s.cutsDirty = false
	}
}

// shard is a parsing worker's: a summary, and the busy intervals of the
// chunk being read.
type shard struct {
	cur      *Summary
	chunks   int // ended since cur was made
	cut      *atomic.Uint64
	early    *atomic.Pointer[map[string]Point]
	width    *atomic.Int64
	epWidth  *atomic.Int64
	sketched *atomic.Pointer[map[Key]bool]
}

func (sh *shard) newChunk() *Summary {
	c := New()
	c.sampleCut, c.earlyCuts, c.sketchedNow = sh.cut, sh.early, sh.sketched
	c.width = max(c.width, sh.width.Load())
	c.epWidth = max(c.epWidth, sh.epWidth.Load())
	return c
}

// Add implements collect.RequestShard.
func (sh *shard) Add(r *model.Request) { sh.cur.Add(r) }

// EndChunk implements collect.RequestShard: it hands over the busy
// intervals of the chunk just read, and its summary every
// chunksPerHandover chunks.
func (sh *shard) EndChunk() model.ChunkPiece {
	c := sh.cur
	p := &chunkPiece{run: *c.run, busy: make([]instanceBusy, 0, len(c.instances))}
	for id, in := range c.instances {
		if len(in.Busy.segs) > 0 {
			p.busy = append(p.busy, instanceBusy{id, in.Busy})
			in.Busy = Busy{}
		}
	}
	c.run = newRunHull()
	if sh.chunks++; sh.chunks >= chunksPerHandover {
		p.rest, sh.cur, sh.chunks = c, sh.newChunk(), 0
	}
	return p
}

// Add implements collect.RequestShard. The strings of r are copied before
// they become keys.
func (s *Summary) Add(r *model.Request) {
	s.n++
	end := r.Time.Add(r.Latency)
	s.run.see(r.Time.UnixNano())
	if s.first.IsZero() || r.Time.Before(s.first) {
		s.first, s.firstSvc = r.Time, [2]string{clone(r.Service), clone(r.Location)}
	} else if r.Time.Equal(s.first) {
		s.firstSvc = minSvc(s.firstSvc, [2]string{r.Service, r.Location})
	}
	if r.Time.After(s.lastArrival) {
		s.lastArrival = r.Time
	}
	if end.After(s.lastEnd) {
		s.lastEnd = end
	}
	e := s.endpoint(r)
	e.add(r)
	sec := r.Time.Unix()
	s.endpointInterval(e, sec).add(r.Latency)
	s.total.addCounts(r)
	agent := s.agent(r.UserAgent)
	s.perSec.add(sec, 1)
	if r.Status >= 500 || r.Status == 0 {
		s.errSec.add(sec, 1)
	}
	s.status10[classIndex(r.Status)].add(FloorDiv(sec, 10), 1)
	s.interval(sec).add(r.Latency)
	e.Recon.add(agent, r, sec, FloorDiv(end.UnixNano(), int64(100*time.Millisecond)))
	p := Point{T: r.Time, Latency: r.Latency, Key: e.Key, Marker: r.ColdStart, Hash: pointHash(r)}
	if r.ColdStart {
		s.mark(p)
	}
	if s.sampleCut == nil || p.Hash < s.sampleCut.Load() {
		s.sample.offer(p, SampleSize)
	}
	if r.InstanceID != "" {
		in := s.instance(r.InstanceID)
		in.add(p, end)
		in.Busy.seg(s.run).add(span{r.Time.UnixNano(), end.UnixNano()})
	}
}

// minSvc is the smaller of two service and location pairs: of requests
// that arrived at the same instant, the one named first.
func minSvc(a, b [2]string) [2]string {
	if cmp.Or(cmp.Compare(b[0], a[0]), cmp.Compare(b[1], a[1])) < 0 {
		return [2]string{clone(b[0]), clone(b[1])}
	}
	return a
}

// mark keeps a request with the cold-start marker: the earliest MaxMarked.
func (s *Summary) mark(p Point) {
	s.marked = append(s.marked, p)
	if len(s.marked) >= 2*MaxMarked {
		s.trimMarked()
	}
}

func (s *Summary) trimMarked() {
	slices.SortFunc(s.marked, Point.Compare)
	s.marked = s.marked[:min(len(s.marked), MaxMarked)]
}

// pointHash is a request's hash: FarmHash's Fingerprint64 of its arrival
// and latency in Unix nanoseconds, 8 bytes each, big-endian. It decides
// the sample, the same from run to run, and it is what GoogleSQL's
// FARM_FINGERPRINT gives of those bytes, so that a summary computed in
// BigQuery holds the same points.
func pointHash(r *model.Request) uint64 { return PointHash(r.Time.UnixNano(), int64(r.Latency)) }

// PointHash is pointHash of an arrival and a latency in nanoseconds:
// Fingerprint64 (farmhashna's Hash64) of their 16 bytes, big-endian, as
// its code for 8 to 16 bytes reads them (two little-endian words), here
// without a buffer: go-farm's assembly takes a slice, which escapes, and
// so cost an allocation per request.
func PointHash(tNS, latencyNS int64) uint64 {
	const k2 = 0x9ae16a3b2f90404f
	const mul = k2 + 16*2
	a := bits.ReverseBytes64(uint64(tNS)) + k2
	b := bits.ReverseBytes64(uint64(latencyNS))
	c := bits.RotateLeft64(b, -37)*mul + a
	d := (bits.RotateLeft64(a, -25) + b) * mul
	// hashLen16Mul
	x := (c ^ d) * mul
	x ^= x >> 47
	y := (d ^ x) * mul
	y ^= y >> 47
	return y * mul
}

// interval returns the latency state of the interval holding second sec,
// coarsening the intervals first when the summary's span has outgrown
// them.
func (s *Summary) interval(sec int64) *Quantiles {
	k := FloorDiv(sec, s.width)
	if s.lastInterval != nil && k == s.lastIntKey {
		return s.lastInterval
	}
	if w := widthWithin(s.first, s.lastArrival, maxIntervals); w > s.width {
		s.coarsen(w)
		k = FloorDiv(sec, s.width)
	}
	q := s.intervals[k]
	if q == nil {
		q = NewQuantiles(ExactPerInterval)
		s.intervals[k] = q
	}
	s.lastInterval, s.lastIntKey = q, k
	return q
}

// maxEndpointIntervals bounds each endpoint's latency intervals over the
// summary's span.
const maxEndpointIntervals = 240

// endpointInterval is the latency state of the endpoint's interval
// holding second sec, coarsening every endpoint's intervals first when the
// span has outgrown them.
func (s *Summary) endpointInterval(e *Endpoint, sec int64) *Quantiles {
	k := FloorDiv(sec, s.epWidth)
	if e.lastQ != nil && k == e.lastK {
		return e.lastQ
	}
	if w := widthWithin(s.first, s.lastArrival, maxEndpointIntervals); w > s.epWidth {
		s.coarsenEndpoints(w)
		k = FloorDiv(sec, s.epWidth)
	}
	q := e.Intervals[k]
	if q == nil {
		q = NewQuantiles(ExactPerInterval)
		e.Intervals[k] = q
	}
	e.lastK, e.lastQ = k, q
	return q
}

// coarsenEndpoints merges every endpoint's intervals into ones w seconds
// wide.
func (s *Summary) coarsenEndpoints(w int64) {
	for _, e := range s.endpoints {
		e.Intervals = coarsened(e.Intervals, s.epWidth, w)
		e.lastQ = nil
	}
	s.epWidth = w
}

// coarsened merges intervals from seconds wide into w seconds wide.
func coarsened(in map[int64]*Quantiles, from, w int64) map[int64]*Quantiles {
	out := make(map[int64]*Quantiles, len(in))
	for _, k := range sortedKeys(in) {
		nk := FloorDiv(k*from, w)
		if q := out[nk]; q != nil {
			q.merge(in[k])
		} else {
			out[nk] = in[k]
		}
	}
	return out
}

// widthWithin is the narrowest width that splits the span from first to
// last into at most n intervals.
func widthWithin(first, last time.Time, n int64) int64 {
	span := last.Unix() - first.Unix() + 1
	for _, w := range Widths {
		if span <= n*w {
			return w
		}
	}
	return Widths[len(Widths)-1]
}

// coarsen merges the intervals into ones w seconds wide.
func (s *Summary) coarsen(w int64) {
	s.intervals, s.width, s.lastInterval = coarsened(s.intervals, s.width, w), w, nil
}

// endpoint returns the request's endpoint, "(other)" past MaxEndpoints.
func (s *Summary) endpoint(r *model.Request) *Endpoint {
	if e := s.lastEndpoint; e != nil && e.Key.Method == r.Method && e.Key.Path == r.Path {
		return e
	}
	slot := &s.recentEndpoints[recentSlot(r.Path)]
	if e := *slot; e != nil && e.Key.Method == r.Method && e.Key.Path == r.Path {
		s.lastEndpoint = e
		return e
	}
	k := Key{r.Method, r.Path}
	e := s.endpoints[k]
	if e == nil {
		if len(s.endpoints) >= MaxEndpoints {
			k.Path = OtherPath
		}
		e = s.endpointFor(k)
	}
	s.lastEndpoint = e
	if e.Key.Path == r.Path { // not "(other)"
		*slot = e
	}
	return e
}

// endpointFor returns the endpoint of k, new if need be.
func (s *Summary) endpointFor(k Key) *Endpoint {
	e := s.endpoints[k]
	if e == nil {
		k = Key{clone(k.Method), clone(k.Path)}
		e = newEndpoint(k)
		s.endpoints[k] = e
		if s.sketchedNow != nil {
			if m := s.sketchedNow.Load(); m != nil && (*m)[k] {
				e.Latency.toSketch()
			}
		}
	}
	return e
}

// agent counts a request of the user agent and returns the agent's
// counter, nil past MaxAgents.
func (s *Summary) agent(ua string) *Agent {
	if c := s.lastAgent; c != nil && c.UA == ua {
		c.N++
		return c
	}
	slot := &s.recentAgents[recentSlot(ua)]
	if c := *slot; c != nil && c.UA == ua {
		s.lastAgent = c
		c.N++
		return c
	}
	c := s.agents[ua]
	if c == nil {
		if len(s.agents) >= MaxAgents {
			s.agentRest++
			return nil
		}
		c = &Agent{UA: clone(ua)}
		s.agents[c.UA] = c
	}
	s.lastAgent, *slot = c, c
	c.N++
	return c
}

func (s *Summary) instance(id string) *Instance {
	slot := &s.recentInstances[recentSlot(id)]
	if in := *slot; in != nil && in.ID == id {
		return in
	}
	in := s.instanceByID(id)
	*slot = in
	return in
}

func (s *Summary) instanceByID(id string) *Instance {
	in := s.instances[id]
	if in == nil {
		in = &Instance{ID: clone(id)}
		s.instances[in.ID] = in
		if s.earlyCuts != nil {
			if m := s.earlyCuts.Load(); m != nil {
				if cut, ok := (*m)[id]; ok {
					in.cut, in.hasCut = cut, true
				}
			}
		}
	}
	return in
}

// recentSlots is the size of Summary's caches.
const (
	recentBits  = 6
	recentSlots = 1 << recentBits
)

// recentSlot is a key's slot in Summary's caches: its length and its
// last eight bytes (first and last of a shorter one), mixed, without a
// loop whose length would vary from key to key.
func recentSlot(s string) int {
	n := len(s)
	x := uint64(n)
	switch {
	case n >= 8:
		t := s[n-8:]
		x ^= uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
	case n > 0:
		x ^= uint64(s[0])<<8 | uint64(s[n-1])<<16
	}
	x *= 0x9e3779b97f4a7c15
	return int(x >> (64 - recentBits))
}

func (ra *Recon) add(agent *Agent, r *model.Request, sec, end100 int64) {
	as := ra.lastS
	if as == nil || agent != ra.last {
		as = ra.series(agent)
		ra.last, ra.lastS = agent, as
	}
	as.N++
	as.Arrive.add(sec, 1)
	as.Complete.add(end100, 1)
	if r.InstanceID == "" && (r.Status == 429 || r.Status == 503) {
		ra.Rejected++
	}
}

// series returns the agent's series, the shared one past MaxAgentSeries.
func (ra *Recon) series(agent *Agent) *AgentSeries {
	as := ra.ByAgent[agent]
	if as == nil {
		if agent != nil && len(ra.ByAgent) >= MaxAgentSeries {
			return ra.series(nil)
		}
		as = &AgentSeries{}
		ra.ByAgent[agent] = as
	}
	return as
}

// merge adds o, whose agents tr translates into this state's.
func (ra *Recon) merge(o *Recon, tr map[*Agent]*Agent) {
	var agents []*Agent // nil: the map's order, which matters only past MaxAgentSeries
	if len(ra.ByAgent)+len(o.ByAgent) > MaxAgentSeries {
		agents = sortedAgents(o.ByAgent)
	}
	for a, os := range keyOrder(o.ByAgent, agents) {
		as := ra.series(tr[a])
		as.N += os.N
		as.Arrive.merge(&os.Arrive)
		as.Complete.merge(&os.Complete)
	}
	ra.last, ra.lastS = nil, nil
	ra.Rejected += o.Rejected
}

// sortedAgents lists the agents of a map by name, nil first: merges then
// fill MaxAgentSeries in the same order whatever the map's.
func sortedAgents[V any](m map[*Agent]V) []*Agent {
	out := make([]*Agent, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *Agent) int {
		switch {
		case a == nil:
			return -1
		case b == nil:
			return 1
		}
		return cmp.Compare(a.UA, b.UA)
	})
	return out
}

func (e *Endpoint) add(r *model.Request) {
	e.addCounts(r)
	e.Latency.add(r.Latency)
}

// addCounts is add without the latency state.
func (e *Endpoint) addCounts(r *model.Request) {
	e.N++
	c := r.Status / 100
	if c < 1 || c > 5 {
		c = 0
	}
	e.Status[c]++
	e.ResponseBytes += r.ResponseSize
	e.LatencySum += r.Latency
	if e.First.IsZero() || r.Time.Before(e.First) {
		e.First = r.Time
	}
	if r.Time.After(e.Last) {
		e.Last = r.Time
	}
}

func (e *Endpoint) mergeCounts(o *Endpoint) {
	e.N += o.N
	for i := range e.Status {
		e.Status[i] += o.Status[i]
	}
	e.ResponseBytes += o.ResponseBytes
	e.LatencySum += o.LatencySum
	if !o.First.IsZero() && (e.First.IsZero() || o.First.Before(e.First)) {
		e.First = o.First
	}
	if o.Last.After(e.Last) {
		e.Last = o.Last
	}
}

func (in *Instance) add(p Point, end time.Time) {
	in.N++
	in.Marker = in.Marker || p.Marker
	if end.After(in.LastEnd) {
		in.LastEnd = end
	}
	in.keepEarly(p)
}

// keepEarly keeps the instance's earliest requests, in time order.
func (in *Instance) keepEarly(p Point) {
	if in.hasCut && !p.Before(in.cut) {
		return
	}
	if len(in.Early) == EarlyPerInstance {
		if c := p.T.Compare(in.earlyLastT); c > 0 || c == 0 && p.Hash >= in.earlyLastHash { // !p.Before(last)
			return
		}
	}
	if in.Early == nil {
		in.Early = make([]Point, 0, EarlyPerInstance+1)
	}
	i, _ := slices.BinarySearchFunc(in.Early, p, func(a, b Point) int { return a.Compare(b) })
	in.Early = slices.Insert(in.Early, i, p)
	if len(in.Early) > EarlyPerInstance {
		in.Early = in.Early[:EarlyPerInstance]
	}
	last := in.Early[len(in.Early)-1]
	in.earlyLastT, in.earlyLastHash = last.T, last.Hash
}

// merge adds o; its busy intervals continue run, or are of runs of their
// own when run is nil.
func (in *Instance) merge(o *Instance, run *runHull) {
	in.N += o.N
	in.Marker = in.Marker || o.Marker
	in.LastEnd = maxTime(in.LastEnd, o.LastEnd)
	var last Point
	if len(in.Early) > 0 {
		last = in.Early[len(in.Early)-1]
	}
	for _, p := range o.Early {
		in.keepEarly(p)
	}
	if n := len(in.Early); n == EarlyPerInstance && in.Early[n-1] != last {
		in.changed = true
	}
	if run != nil {
		in.Busy.extend(run, &o.Busy)
	} else {
		in.Busy.merge(&o.Busy)
	}
}

// compare orders requests by time, then by hash, so that the order does
// not depend on which shard read which.
func (p Point) Compare(q Point) int {
	return cmp.Or(p.T.Compare(q.T), cmp.Compare(p.Hash, q.Hash))
}

func (p Point) Before(q Point) bool { return p.Compare(q) < 0 }

// Combine adds the requests another summary holds (of other files, or of
// another part of the day): the merged summary is the one the requests of
// both would have given.
func (s *Summary) Combine(o *Summary) { s.merge(o) }

// Requests is the number of requests the summary holds.
func (s *Summary) Requests() int64 { return s.n }

// merge adds o, whose runs stay its own.
func (s *Summary) merge(o *Summary) { s.mergeInto(o, nil) }

// mergeInto adds o; its busy intervals continue run where run is set.
func (s *Summary) mergeInto(o *Summary, run *runHull) {
	if o.n == 0 && len(o.instances) == 0 {
		return
	}
	if s.n == 0 || (o.n > 0 && o.first.Before(s.first)) {
		s.first, s.firstSvc = o.first, o.firstSvc
	} else if o.n > 0 && o.first.Equal(s.first) {
		s.firstSvc = minSvc(s.firstSvc, o.firstSvc)
	}
	s.n += o.n
	if o.lastArrival.After(s.lastArrival) {
		s.lastArrival = o.lastArrival
	}
	s.lastEnd = maxTime(s.lastEnd, o.lastEnd)
	tr := map[*Agent]*Agent{nil: nil}
	for _, ua := range keysFor(o.agents, len(s.agents)+len(o.agents) > MaxAgents) {
		c := o.agents[ua]
		if mine := s.agents[ua]; mine != nil {
			mine.N += c.N
			tr[c] = mine
		} else if len(s.agents) < MaxAgents {
			mine = &Agent{UA: ua, N: c.N}
			s.agents[ua] = mine
			tr[c] = mine
		} else {
			s.agentRest += c.N
		}
	}
	if w := max(s.epWidth, o.epWidth, widthWithin(s.first, s.lastArrival, maxEndpointIntervals)); w > s.epWidth {
		s.coarsenEndpoints(w)
	}
	var ekeys []Key // nil: the map's order, which matters only past MaxEndpoints
	if len(s.endpoints)+len(o.endpoints) > MaxEndpoints {
		ekeys = sortedEndpointKeys(o.endpoints)
	}
	for k, e := range keyOrder(o.endpoints, ekeys) {
		mine := s.endpoints[k]
		if mine == nil {
			if len(s.endpoints) >= MaxEndpoints {
				k.Path = OtherPath
			}
			mine = s.endpointFor(k)
		}
		mine.mergeCounts(e)
		mine.Latency.merge(e.Latency)
		for k, q := range e.Intervals {
			nk := FloorDiv(k*o.epWidth, s.epWidth)
			mq := mine.Intervals[nk]
			if mq == nil {
				mq = NewQuantiles(ExactPerInterval)
				mine.Intervals[nk] = mq
			}
			mq.merge(q)
		}
		mine.lastQ = nil
		mine.Recon.merge(&e.Recon, tr)
	}
	s.total.mergeCounts(o.total)
	s.agentRest += o.agentRest
	for id, oi := range o.instances {
		in := s.instanceByID(id)
		in.merge(oi, run)
		if in.changed {
			s.cutsDirty, in.changed = true, false
		}
	}
	s.perSec.merge(&o.perSec)
	s.errSec.merge(&o.errSec)
	for i := range s.status10 {
		s.status10[i].merge(&o.status10[i])
	}
	if w := max(s.width, o.width, widthWithin(s.first, s.lastArrival, maxIntervals)); w > s.width {
		s.coarsen(w)
	}
	for k, oq := range o.intervals {
		nk := FloorDiv(k*o.width, s.width)
		q := s.intervals[nk]
		if q == nil {
			q = NewQuantiles(ExactPerInterval)
			s.intervals[nk] = q
		}
		q.merge(oq)
	}
	s.lastInterval = nil
	s.marked = append(s.marked, o.marked...)
	if len(s.marked) > MaxMarked {
		s.trimMarked()
	}
	for _, p := range o.sample {
		s.sample.offer(p, SampleSize)
	}
	s.lastEndpoint, s.lastAgent = nil, nil
	s.recentEndpoints, s.recentAgents, s.recentInstances = [recentSlots]*Endpoint{}, [recentSlots]*Agent{}, [recentSlots]*Instance{}
}

// classIndex is a status's class as an index: 2xx, 3xx, 4xx, else 5xx.
func classIndex(status int) int {
	switch status / 100 {
	case 2:
		return 0
	case 3:
		return 1
	case 4:
		return 2
	}
	return 3
}

func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func clone(s string) string {
	if s == "" {
		return ""
	}
	return string([]byte(s))
}

// keyOrder iterates a map in the order of keys, or in the map's own
// order when keys is nil.
func keyOrder[K comparable, V any](m map[K]V, keys []K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if keys == nil {
			for k, v := range m {
				if !yield(k, v) {
					return
				}
			}
			return
		}
		for _, k := range keys {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}

// keysFor lists a map's keys, sorted when the order matters: when a bound
// on what is told apart is reached, the order decides which are.
func keysFor[K cmp.Ordered, V any](m map[K]V, sorted bool) []K {
	if sorted {
		return sortedKeys(m)
	}
	return slices.Collect(maps.Keys(m))
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortedEndpointKeys[V any](m map[Key]V) []Key {
	out := make([]Key, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	return out
}

// sampleHeap keeps the requests with the k smallest hashes: a uniform
// sample that is the same however the requests were split into shards. It
// is a max-heap on hash.
type sampleHeap []Point

func (h sampleHeap) Len() int           { return len(h) }
func (h sampleHeap) Less(i, j int) bool { return h[i].Hash > h[j].Hash }
func (h sampleHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sampleHeap) Push(x any)        { *h = append(*h, x.(Point)) }
func (h *sampleHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

func (h *sampleHeap) offer(p Point, k int) {
	switch {
	case len(*h) < k:
		*h = append(*h, p)
		h.up(len(*h) - 1)
	case p.Hash < (*h)[0].Hash:
		(*h)[0] = p
		h.down(0)
	}
}

// up and down restore the heap after a change at i, as container/heap
// does, without boxing each point into an interface.
func (h sampleHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.Less(i, p) {
			return
		}
		h.Swap(i, p)
		i = p
	}
}

func (h sampleHeap) down(i int) {
	for {
		l, m := 2*i+1, i
		if l < len(h) && h.Less(l, m) {
			m = l
		}
		if l+1 < len(h) && h.Less(l+1, m) {
			m = l + 1
		}
		if m == i {
			return
		}
		h.Swap(i, m)
		i = m
	}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

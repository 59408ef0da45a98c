package analyze

import (
	"cmp"
	"container/heap"
	"maps"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"github.com/runlens/runlens/collect"
)

// Summary is the bounded, mergeable state of a request log that the
// analysis reads: the log's requests are added to a summary (each parsing
// worker its own), summaries merge, and Run turns the merged one, with the
// metrics, the service and the client, into the Report. Merging is
// associative and commutative: the same requests give the same summary
// however the log was cut into files and chunks, in whatever order they
// were read. doc.go lists what it keeps and what is exact.
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

	endpoints map[endpointKey]*epAcc
	total     *epAcc // counts only: its quantiles are the endpoints' merged
	agents    map[string]*agentCount
	agentRest int64 // requests of agents past maxAgents

	instances map[string]*instAcc
	perSec    bucketCounts    // arrivals per second
	errSec    bucketCounts    // 5xx and status 0 per second
	status10  [4]bucketCounts // arrivals per 10 s by status class

	// Latency by arrival interval: width seconds, from widths, so that
	// the summary's span holds at most maxIntervals intervals.
	width     int64
	intervals map[int64]*quantiles

	// run is the span of arrivals added to this summary; curRun, in a
	// sink, that of the file whose chunks MergeChunk is given (busy.go).
	run, curRun *runHull

	marked []reqPoint // requests with the cold-start marker, the earliest maxMarked
	sample sampleHeap // bottom-k sample by hash: the same whatever the sharding
	// sampleCut, in a chunk's summary, is the largest hash the sink's
	// full sample holds: a request with a larger one cannot enter it.
	sampleCut *atomic.Uint64
	// earlyCuts, likewise, is the last of each instance's earliest
	// requests in the sink, once it holds earlyPerInstance of them.
	earlyCuts *atomic.Pointer[map[string]reqPoint]
	// widthNow, likewise, is the sink's interval width: a chunk's summary
	// starts at it, not to be coarsened on merging.
	widthNow  *atomic.Int64
	cutsDirty bool // a sink's early lists changed since it published them

	// The endpoint and agent last added to, which the next request often
	// has too: found without hashing.
	lastEndpoint *epAcc
	lastAgent    *agentCount
	lastInterval *quantiles
	lastIntKey   int64
	// Direct-mapped caches in front of the maps, a slot per recentSlot of
	// the key, checked against it: a load test has few endpoints, agents
	// and instances, in turn, and a map hashes the whole key (96 hex
	// digits for an instance).
	recentEndpoints [recentSlots]*epAcc
	recentAgents    [recentSlots]*agentCount
	recentInstances [recentSlots]*instAcc
}

// Bounds on what a summary keeps, whatever the input's size.
const (
	// maxEndpoints is how many distinct method+path pairs are told apart;
	// later ones are counted under the path "(other)".
	maxEndpoints = 2000
	// maxAgents is how many distinct user agents are counted exactly;
	// requests of later ones are only counted in all.
	maxAgents = 10000
	// maxAgentSeries is how many user agents of one endpoint keep their
	// own arrivals per second, for reconciliation; later ones share one.
	maxAgentSeries = 16
	// earlyPerInstance is how many of an instance's earliest requests are
	// kept, for its first request and those before its startup probe.
	earlyPerInstance = 32
	// maxMarked bounds the requests kept for carrying the cold-start marker.
	maxMarked = 10000
	// sampleSize is how many requests the latency scatter shows.
	sampleSize = 5000
	// maxIntervals bounds the latency intervals over the summary's span.
	maxIntervals = 7200
)

// widths are the interval widths, in seconds; each divides the next, so
// that intervals coarsen exactly.
var widths = []int64{1, 2, 10, 30, 60, 300, 600, 1800, 3600, 86400}

// epAcc is one endpoint's totals and latency state.
type epAcc struct {
	key         endpointKey
	n           int64
	status      [6]int64 // by hundred: [2] is 2xx; [0] is status 0 and other
	respBytes   int64
	sum         time.Duration
	first, last time.Time
	q           *quantiles
	recon       reconAcc
}

// instAcc is what is kept of one instance's requests.
type instAcc struct {
	id      string
	n       int64
	marker  bool
	early   []reqPoint // its earliest requests, by time
	lastEnd time.Time
	busy    busyState
	// cut, in a chunk's summary, is the last of the sink's full list of
	// the instance's earliest requests: a later request cannot enter it.
	cut    reqPoint
	hasCut bool
	// changed, in a sink, says its full list changed since last published.
	changed bool
	// The last of early once it is full, here beside the counts: most
	// requests come after it, and the test needs no load from early.
	earlyLastT    time.Time
	earlyLastHash uint64
}

// reconAcc is one endpoint's counts for reconciliation, per user agent.
type reconAcc struct {
	byAgent  map[*agentCount]*agentSeries // nil: agents past maxAgentSeries
	last     *agentCount
	lastS    *agentSeries
	rejected int64 // 429 or 503 with no instance
}

// agentSeries is one agent's requests of one endpoint: arrivals per
// second, completions per 100 ms (to tell those still in flight when the
// client stopped, and to align the clocks).
type agentSeries struct {
	n        int64
	arrive   bucketCounts
	complete tenthCounts
}

// agentCount is one user agent's requests.
type agentCount struct {
	ua string
	n  int64
}

// reqPoint is what is kept of one request.
type reqPoint struct {
	t       time.Time
	latency time.Duration
	key     endpointKey
	marker  bool
	hash    uint64
}

// NewSummary returns an empty summary.
func NewSummary() *Summary {
	return &Summary{endpoints: map[endpointKey]*epAcc{}, total: newEpAcc(endpointKey{path: "Aggregated"}),
		agents: map[string]*agentCount{}, instances: map[string]*instAcc{},
		width: widths[0], intervals: map[int64]*quantiles{}, run: newRunHull()}
}

func newEpAcc(k endpointKey) *epAcc {
	return &epAcc{key: k, q: newQuantiles(exactPerEndpoint), recon: reconAcc{byAgent: map[*agentCount]*agentSeries{}}}
}

// NewShard implements collect.RequestSink.
func (s *Summary) NewShard() collect.RequestShard {
	if s.sampleCut == nil {
		s.sampleCut = new(atomic.Uint64)
		s.sampleCut.Store(math.MaxUint64)
		s.earlyCuts = new(atomic.Pointer[map[string]reqPoint])
		s.widthNow = new(atomic.Int64)
		s.cutsDirty = true
		s.publishCut()
	}
	sh := &shard{cut: s.sampleCut, early: s.earlyCuts, width: s.widthNow}
	sh.cur = sh.newChunk()
	return sh
}

// Merge implements collect.RequestSink. A file's reader merges its
// shards when the file ends: the file's run of chunks ends with it.
func (s *Summary) Merge(o collect.RequestShard) {
	if sh := o.(*shard); sh.cur.n > 0 || len(sh.cur.instances) > 0 {
		s.merge(sh.cur)
	}
	s.curRun = nil
	s.publishCut()
}

// MergeChunk implements collect.RequestSink: it merges a chunk's summary;
// a file's come in file order, and its busy intervals join the file's.
func (s *Summary) MergeChunk(p collect.ChunkPiece) {
	c, ok := p.(*Summary)
	if !ok || c == nil {
		return
	}
	if s.curRun == nil {
		s.curRun = newRunHull()
	}
	if c.n > 0 {
		s.curRun.see(c.run.lo)
		s.curRun.see(c.run.hi)
	}
	s.mergeInto(c, s.curRun)
	s.publishCut()
	c.release()
}

// release hands a merged chunk's pages back for reuse.
func (s *Summary) release() {
	s.perSec.release()
	s.errSec.release()
	for i := range s.status10 {
		s.status10[i].release()
	}
	for _, e := range s.endpoints {
		for _, as := range e.recon.byAgent {
			as.arrive.release()
			as.complete.release()
		}
		e.q.release()
	}
	for _, q := range s.intervals {
		q.release()
	}
	for _, in := range s.instances {
		for _, g := range in.busy.segs {
			putSlice(&spans, g.open)
			g.open = nil
		}
	}
}

// publishCut tells the shards the largest hash the full sample holds,
// and the last of each instance's full list of earliest requests.
func (s *Summary) publishCut() {
	if s.sampleCut != nil && len(s.sample) >= sampleSize {
		s.sampleCut.Store(s.sample[0].hash)
	}
	if s.widthNow != nil {
		s.widthNow.Store(s.width)
	}
	if s.earlyCuts != nil && s.cutsDirty {
		m := map[string]reqPoint{}
		for id, in := range s.instances {
			if len(in.early) == earlyPerInstance {
				m[id] = in.early[earlyPerInstance-1]
			}
		}
		s.earlyCuts.Store(&m)
		s.cutsDirty = false
	}
}

// shard is a parsing worker's: a summary per chunk.
type shard struct {
	cur   *Summary
	cut   *atomic.Uint64
	early *atomic.Pointer[map[string]reqPoint]
	width *atomic.Int64
}

func (sh *shard) newChunk() *Summary {
	c := NewSummary()
	c.sampleCut, c.earlyCuts = sh.cut, sh.early
	c.width = max(c.width, sh.width.Load())
	return c
}

// Add implements collect.RequestShard.
func (sh *shard) Add(r *collect.Request) { sh.cur.Add(r) }

// EndChunk implements collect.RequestShard: it hands over the summary of
// the chunk just read.
func (sh *shard) EndChunk() collect.ChunkPiece {
	if sh.cur.n == 0 && len(sh.cur.instances) == 0 {
		return nil
	}
	c := sh.cur
	sh.cur = sh.newChunk()
	return c
}

// Add implements collect.RequestShard. The strings of r are copied before
// they become keys.
func (s *Summary) Add(r *collect.Request) {
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
	s.total.addCounts(r)
	agent := s.agent(r.UserAgent)
	sec := r.Time.Unix()
	s.perSec.add(sec, 1)
	if r.Status >= 500 || r.Status == 0 {
		s.errSec.add(sec, 1)
	}
	s.status10[classIndex(r.Status)].add(floorDiv(sec, 10), 1)
	s.interval(sec).add(r.Latency)
	e.recon.add(agent, r, sec, floorDiv(end.UnixNano(), int64(100*time.Millisecond)))
	p := reqPoint{t: r.Time, latency: r.Latency, key: e.key, marker: r.ColdStart, hash: pointHash(r)}
	if r.ColdStart {
		s.mark(p)
	}
	if s.sampleCut == nil || p.hash < s.sampleCut.Load() {
		s.sample.offer(p, sampleSize)
	}
	if r.InstanceID != "" {
		in := s.instance(r.InstanceID)
		in.add(p, end)
		in.busy.seg(s.run).add(span{r.Time.UnixNano(), end.UnixNano()})
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

// mark keeps a request with the cold-start marker: the earliest maxMarked.
func (s *Summary) mark(p reqPoint) {
	s.marked = append(s.marked, p)
	if len(s.marked) >= 2*maxMarked {
		s.trimMarked()
	}
}

func (s *Summary) trimMarked() {
	slices.SortFunc(s.marked, reqPoint.compare)
	s.marked = s.marked[:min(len(s.marked), maxMarked)]
}

// pointHash mixes a request's time and latency (splitmix64's finalizer):
// the sample it decides is the same from run to run.
func pointHash(r *collect.Request) uint64 {
	x := uint64(r.Time.UnixNano()) ^ uint64(r.Latency)*0x9e3779b97f4a7c15
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// interval returns the latency state of the interval holding second sec,
// coarsening the intervals first when the summary's span has outgrown
// them.
func (s *Summary) interval(sec int64) *quantiles {
	k := floorDiv(sec, s.width)
	if s.lastInterval != nil && k == s.lastIntKey {
		return s.lastInterval
	}
	if w := widthFor(s.first, s.lastArrival); w > s.width {
		s.coarsen(w)
		k = floorDiv(sec, s.width)
	}
	q := s.intervals[k]
	if q == nil {
		q = newQuantiles(exactPerInterval)
		s.intervals[k] = q
	}
	s.lastInterval, s.lastIntKey = q, k
	return q
}

// widthFor is the narrowest interval width that splits the span from
// first to last into at most maxIntervals intervals.
func widthFor(first, last time.Time) int64 {
	span := last.Unix() - first.Unix() + 1
	for _, w := range widths {
		if span <= maxIntervals*w {
			return w
		}
	}
	return widths[len(widths)-1]
}

// coarsen merges the intervals into ones w seconds wide.
func (s *Summary) coarsen(w int64) {
	out := make(map[int64]*quantiles, len(s.intervals))
	for _, k := range sortedKeys(s.intervals) {
		nk := floorDiv(k*s.width, w)
		if q := out[nk]; q != nil {
			q.merge(s.intervals[k])
		} else {
			out[nk] = s.intervals[k]
		}
	}
	s.intervals, s.width, s.lastInterval = out, w, nil
}

// endpoint returns the request's endpoint, "(other)" past maxEndpoints.
func (s *Summary) endpoint(r *collect.Request) *epAcc {
	if e := s.lastEndpoint; e != nil && e.key.method == r.Method && e.key.path == r.Path {
		return e
	}
	slot := &s.recentEndpoints[recentSlot(r.Path)]
	if e := *slot; e != nil && e.key.method == r.Method && e.key.path == r.Path {
		s.lastEndpoint = e
		return e
	}
	k := endpointKey{r.Method, r.Path}
	e := s.endpoints[k]
	if e == nil {
		if len(s.endpoints) >= maxEndpoints {
			k.path = "(other)"
		}
		e = s.endpointFor(k)
	}
	s.lastEndpoint = e
	if e.key.path == r.Path { // not "(other)"
		*slot = e
	}
	return e
}

// endpointFor returns the endpoint of k, new if need be.
func (s *Summary) endpointFor(k endpointKey) *epAcc {
	e := s.endpoints[k]
	if e == nil {
		k = endpointKey{clone(k.method), clone(k.path)}
		e = newEpAcc(k)
		s.endpoints[k] = e
	}
	return e
}

// agent counts a request of the user agent and returns the agent's
// counter, nil past maxAgents.
func (s *Summary) agent(ua string) *agentCount {
	if c := s.lastAgent; c != nil && c.ua == ua {
		c.n++
		return c
	}
	slot := &s.recentAgents[recentSlot(ua)]
	if c := *slot; c != nil && c.ua == ua {
		s.lastAgent = c
		c.n++
		return c
	}
	c := s.agents[ua]
	if c == nil {
		if len(s.agents) >= maxAgents {
			s.agentRest++
			return nil
		}
		c = &agentCount{ua: clone(ua)}
		s.agents[c.ua] = c
	}
	s.lastAgent, *slot = c, c
	c.n++
	return c
}

func (s *Summary) instance(id string) *instAcc {
	slot := &s.recentInstances[recentSlot(id)]
	if in := *slot; in != nil && in.id == id {
		return in
	}
	in := s.instanceByID(id)
	*slot = in
	return in
}

func (s *Summary) instanceByID(id string) *instAcc {
	in := s.instances[id]
	if in == nil {
		in = &instAcc{id: clone(id)}
		s.instances[in.id] = in
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

func (ra *reconAcc) add(agent *agentCount, r *collect.Request, sec, end100 int64) {
	as := ra.lastS
	if as == nil || agent != ra.last {
		as = ra.series(agent)
		ra.last, ra.lastS = agent, as
	}
	as.n++
	as.arrive.add(sec, 1)
	as.complete.add(end100, 1)
	if r.InstanceID == "" && (r.Status == 429 || r.Status == 503) {
		ra.rejected++
	}
}

// series returns the agent's series, the shared one past maxAgentSeries.
func (ra *reconAcc) series(agent *agentCount) *agentSeries {
	as := ra.byAgent[agent]
	if as == nil {
		if agent != nil && len(ra.byAgent) >= maxAgentSeries {
			return ra.series(nil)
		}
		as = &agentSeries{}
		ra.byAgent[agent] = as
	}
	return as
}

// merge adds o, whose agents tr translates into this state's.
func (ra *reconAcc) merge(o *reconAcc, tr map[*agentCount]*agentCount) {
	agents := slices.Collect(maps.Keys(o.byAgent))
	if len(ra.byAgent)+len(o.byAgent) > maxAgentSeries {
		agents = sortedAgents(o.byAgent)
	}
	for _, a := range agents {
		os := o.byAgent[a]
		as := ra.series(tr[a])
		as.n += os.n
		as.arrive.merge(&os.arrive)
		as.complete.merge(&os.complete)
	}
	ra.last, ra.lastS = nil, nil
	ra.rejected += o.rejected
}

// sortedAgents lists the agents of a map by name, nil first: merges then
// fill maxAgentSeries in the same order whatever the map's.
func sortedAgents[V any](m map[*agentCount]V) []*agentCount {
	out := make([]*agentCount, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *agentCount) int {
		switch {
		case a == nil:
			return -1
		case b == nil:
			return 1
		}
		return cmp.Compare(a.ua, b.ua)
	})
	return out
}

func (e *epAcc) add(r *collect.Request) {
	e.addCounts(r)
	e.q.add(r.Latency)
}

// addCounts is add without the latency state.
func (e *epAcc) addCounts(r *collect.Request) {
	e.n++
	c := r.Status / 100
	if c < 1 || c > 5 {
		c = 0
	}
	e.status[c]++
	e.respBytes += r.ResponseSize
	e.sum += r.Latency
	if e.first.IsZero() || r.Time.Before(e.first) {
		e.first = r.Time
	}
	if r.Time.After(e.last) {
		e.last = r.Time
	}
}

func (e *epAcc) mergeCounts(o *epAcc) {
	e.n += o.n
	for i := range e.status {
		e.status[i] += o.status[i]
	}
	e.respBytes += o.respBytes
	e.sum += o.sum
	if !o.first.IsZero() && (e.first.IsZero() || o.first.Before(e.first)) {
		e.first = o.first
	}
	if o.last.After(e.last) {
		e.last = o.last
	}
}

func (in *instAcc) add(p reqPoint, end time.Time) {
	in.n++
	in.marker = in.marker || p.marker
	if end.After(in.lastEnd) {
		in.lastEnd = end
	}
	in.keepEarly(p)
}

// keepEarly keeps the instance's earliest requests, in time order.
func (in *instAcc) keepEarly(p reqPoint) {
	if in.hasCut && !p.before(in.cut) {
		return
	}
	if len(in.early) == earlyPerInstance {
		if c := p.t.Compare(in.earlyLastT); c > 0 || c == 0 && p.hash >= in.earlyLastHash { // !p.before(last)
			return
		}
	}
	if in.early == nil {
		in.early = make([]reqPoint, 0, earlyPerInstance+1)
	}
	i, _ := slices.BinarySearchFunc(in.early, p, func(a, b reqPoint) int { return a.compare(b) })
	in.early = slices.Insert(in.early, i, p)
	if len(in.early) > earlyPerInstance {
		in.early = in.early[:earlyPerInstance]
	}
	last := in.early[len(in.early)-1]
	in.earlyLastT, in.earlyLastHash = last.t, last.hash
}

// merge adds o; its busy intervals continue run, or are of runs of their
// own when run is nil.
func (in *instAcc) merge(o *instAcc, run *runHull) {
	in.n += o.n
	in.marker = in.marker || o.marker
	in.lastEnd = maxTime(in.lastEnd, o.lastEnd)
	var last reqPoint
	if len(in.early) > 0 {
		last = in.early[len(in.early)-1]
	}
	for _, p := range o.early {
		in.keepEarly(p)
	}
	if n := len(in.early); n == earlyPerInstance && in.early[n-1] != last {
		in.changed = true
	}
	if run != nil {
		in.busy.extend(run, &o.busy)
	} else {
		in.busy.merge(&o.busy)
	}
}

// compare orders requests by time, then by hash, so that the order does
// not depend on which shard read which.
func (p reqPoint) compare(q reqPoint) int {
	return cmp.Or(p.t.Compare(q.t), cmp.Compare(p.hash, q.hash))
}

func (p reqPoint) before(q reqPoint) bool { return p.compare(q) < 0 }

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
	tr := map[*agentCount]*agentCount{nil: nil}
	for _, ua := range keysFor(o.agents, len(s.agents)+len(o.agents) > maxAgents) {
		c := o.agents[ua]
		if mine := s.agents[ua]; mine != nil {
			mine.n += c.n
			tr[c] = mine
		} else if len(s.agents) < maxAgents {
			mine = &agentCount{ua: ua, n: c.n}
			s.agents[ua] = mine
			tr[c] = mine
		} else {
			s.agentRest += c.n
		}
	}
	ekeys := slices.Collect(maps.Keys(o.endpoints))
	if len(s.endpoints)+len(o.endpoints) > maxEndpoints {
		ekeys = sortedEndpointKeys(o.endpoints) // which are told apart must not depend on the map's order
	}
	for _, k := range ekeys {
		e := o.endpoints[k]
		mine := s.endpoints[k]
		if mine == nil {
			if len(s.endpoints) >= maxEndpoints {
				k.path = "(other)"
			}
			mine = s.endpointFor(k)
		}
		mine.mergeCounts(e)
		mine.q.merge(e.q)
		mine.recon.merge(&e.recon, tr)
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
	if w := max(s.width, o.width, widthFor(s.first, s.lastArrival)); w > s.width {
		s.coarsen(w)
	}
	for k, oq := range o.intervals {
		nk := floorDiv(k*o.width, s.width)
		q := s.intervals[nk]
		if q == nil {
			q = newQuantiles(exactPerInterval)
			s.intervals[nk] = q
		}
		q.merge(oq)
	}
	s.lastInterval = nil
	s.marked = append(s.marked, o.marked...)
	if len(s.marked) > maxMarked {
		s.trimMarked()
	}
	for _, p := range o.sample {
		s.sample.offer(p, sampleSize)
	}
	s.lastEndpoint, s.lastAgent = nil, nil
	s.recentEndpoints, s.recentAgents, s.recentInstances = [recentSlots]*epAcc{}, [recentSlots]*agentCount{}, [recentSlots]*instAcc{}
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

func floorDiv(a, b int64) int64 {
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

func sortedEndpointKeys[V any](m map[endpointKey]V) []endpointKey {
	out := make([]endpointKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b endpointKey) int {
		return cmp.Or(cmp.Compare(a.path, b.path), cmp.Compare(a.method, b.method))
	})
	return out
}

// sampleHeap keeps the requests with the k smallest hashes: a uniform
// sample that is the same however the requests were split into shards. It
// is a max-heap on hash.
type sampleHeap []reqPoint

func (h sampleHeap) Len() int           { return len(h) }
func (h sampleHeap) Less(i, j int) bool { return h[i].hash > h[j].hash }
func (h sampleHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sampleHeap) Push(x any)        { *h = append(*h, x.(reqPoint)) }
func (h *sampleHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

func (h *sampleHeap) offer(p reqPoint, k int) {
	switch {
	case len(*h) < k:
		heap.Push(h, p)
	case p.hash < (*h)[0].hash:
		(*h)[0] = p
		heap.Fix(h, 0)
	}
}

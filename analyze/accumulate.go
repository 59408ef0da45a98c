package analyze

import (
	"cmp"
	"container/heap"
	"slices"
	"time"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"

	"github.com/runlens/runlens/collect"
)

// Accumulator is the analysis of request entries too many to keep: a
// collect.RequestSink whose shards, one per parsing goroutine, add each
// request to bounded state and merge at the end. Run uses it in place of
// Dataset.Requests once the Dataset has spilled.
type Accumulator struct {
	acc *accState
}

// NewAccumulator returns an empty accumulator.
func NewAccumulator() *Accumulator { return &Accumulator{acc: newAccState()} }

// NewShard implements collect.RequestSink.
func (a *Accumulator) NewShard() collect.RequestShard { return newAccState() }

// Merge implements collect.RequestSink.
func (a *Accumulator) Merge(s collect.RequestShard) { a.acc.merge(s.(*accState)) }

// Bounds on what the accumulator keeps, whatever the input's size.
const (
	// sketchAccuracy is the DDSketch relative accuracy of percentiles.
	sketchAccuracy = 0.01
	// sketchBins bounds a sketch's memory; at 1 % accuracy 2048 bins
	// span more than 1 µs to 1 h without collapsing.
	sketchBins = 2048
	// maxEndpoints is how many distinct method+path pairs are told apart;
	// later ones are counted under the path "(other)".
	maxEndpoints = 2000
	// maxAgents is how many distinct user agents are counted exactly;
	// requests of later ones are only counted in all.
	maxAgents = 10000
	// earlyPerInstance is how many of an instance's earliest requests are
	// kept, for its first request and those before its startup probe.
	earlyPerInstance = 32
	// maxMarked bounds the requests kept for carrying the cold-start marker.
	maxMarked = 10000
	// sampleSize is how many requests the latency scatter shows.
	sampleSize = 5000
	// sketchMinute is the span of the per-second series' percentile sketches.
	sketchMinute = int64(60)
)

// accState is a shard's, and the merged, state.
type accState struct {
	n           int64
	first       time.Time // earliest arrival
	firstSvc    [2]string // service and location of the earliest request
	lastArrival time.Time
	lastEnd     time.Time // latest arrival + latency

	endpoints map[endpointKey]*epAcc
	total     *epAcc
	agents    map[string]*agentCount
	agentRest int64 // requests of agents past maxAgents

	instances map[string]*instAcc
	perSec    bucketCounts // arrivals per second
	errSec    bucketCounts // 5xx and status 0 per second
	done100   bucketCounts // completions per 100 ms
	doneSec   bucketCounts // completions per second
	status10  [4]bucketCounts
	minute    map[int64]*ddsketch.DDSketch // latency by arrival minute

	lastMinute int64 // the minute whose sketch was last added to
	lastSketch *ddsketch.DDSketch
	// The endpoint and agent last added to, which the next request often
	// has too: found without hashing.
	lastEndpoint *epAcc
	lastAgent    *agentCount
	// Direct-mapped caches in front of the maps, a slot per recentSlot of
	// the key, checked against it: a load test has few endpoints, agents
	// and instances, in turn, and a map hashes the whole key (96 hex
	// digits for an instance).
	recentEndpoints [recentSlots]*epAcc
	recentAgents    [recentSlots]*agentCount
	recentInstances [recentSlots]*instAcc

	marked []reqPoint // requests with the cold-start marker (bounded)
	sample sampleHeap // bottom-k sample by hash: the same whatever the sharding
}

// epAcc is one endpoint's totals and latency sketch.
type epAcc struct {
	key       endpointKey
	n         int64
	status    [6]int64
	respBytes int64
	sum       time.Duration
	min, max  time.Duration
	first     time.Time
	last      time.Time
	sketch    *ddsketch.DDSketch
	// requests by agent, per-second arrivals and completions, and
	// rejected requests, for reconciliation.
	recon reconAcc
}

// instAcc is what is kept of one instance's requests.
type instAcc struct {
	id     string
	n      int64
	marker bool
	early  []reqPoint // its earliest requests, by time
	// The last of early once it is full, here beside the counts: most
	// requests come after it, and the test needs no load from early.
	earlyLastT    time.Time
	earlyLastHash uint64
	lastEnd       time.Time

	// A sweep over the requests in the order read (a log is in time order):
	// the open busy span and the ends of requests in flight.
	spanStart, spanEnd time.Time
	busy               time.Duration // busy spans rounded up to the billing quantum
	inFlight           time.Duration // busy spans as they were
	inflight           timeHeap
	maxConc            int
}

// reconAcc is one endpoint's counts for reconciliation.
type reconAcc struct {
	byAgent map[*agentCount]int64
	// A run of requests of one agent not yet in byAgent: most requests
	// have the agent of the one before. flush adds it.
	runAgent *agentCount
	run      int64
	arrive   bucketCounts // per second
	complete bucketCounts // per second
	rejected int64
}

// reqPoint is what is kept of one request.
type reqPoint struct {
	t       time.Time
	latency time.Duration
	key     endpointKey
	marker  bool
	hash    uint64
}

func newAccState() *accState {
	return &accState{endpoints: map[endpointKey]*epAcc{}, total: newEpAcc(endpointKey{path: "Aggregated"}),
		agents: map[string]*agentCount{}, instances: map[string]*instAcc{}, minute: map[int64]*ddsketch.DDSketch{}}
}

// sketchMapping maps latencies to a sketch's bins. The cubically
// interpolated mapping keeps DDSketch's relative accuracy without a
// logarithm per value (it reads the float's exponent and interpolates the
// mantissa), for about 1 % more bins than the logarithmic one.
var sketchMapping = func() mapping.IndexMapping {
	m, err := mapping.NewCubicallyInterpolatedMapping(sketchAccuracy)
	if err != nil {
		panic(err) // a constant, valid accuracy
	}
	return m
}()

func newSketch() *ddsketch.DDSketch {
	return ddsketch.NewDDSketch(sketchMapping, store.NewCollapsingLowestDenseStore(sketchBins),
		store.NewCollapsingLowestDenseStore(sketchBins))
}

func newEpAcc(k endpointKey) *epAcc {
	return &epAcc{key: k, sketch: newSketch(), min: -1, recon: reconAcc{byAgent: map[*agentCount]int64{}}}
}

// Add implements collect.RequestShard. The strings of r are copied before
// they become keys.
func (a *accState) Add(r *collect.Request) {
	a.n++
	end := r.Time.Add(r.Latency)
	if a.first.IsZero() || r.Time.Before(a.first) {
		a.first, a.firstSvc = r.Time, [2]string{clone(r.Service), clone(r.Location)}
	}
	if r.Time.After(a.lastArrival) {
		a.lastArrival = r.Time
	}
	if end.After(a.lastEnd) {
		a.lastEnd = end
	}
	e := a.endpoint(r)
	k := e.key
	e.add(r)
	a.total.addCounts(r)
	agent := a.agent(r.UserAgent)
	sec := r.Time.Unix()
	a.perSec.add(sec, 1)
	if r.Status >= 500 || r.Status == 0 {
		a.errSec.add(sec, 1)
	}
	a.done100.add(end.UnixNano()/int64(100*time.Millisecond), 1)
	a.doneSec.add(end.Unix(), 1)
	a.status10[classIndex(r.Status)].add(floorDiv(sec, 10), 1)
	a.minuteSketch(floorDiv(sec, sketchMinute)).Add(ms(r.Latency))
	e.recon.add(agent, r, sec, end.Unix())
	p := reqPoint{t: r.Time, latency: r.Latency, key: k, marker: r.ColdStart, hash: pointHash(r)}
	if r.ColdStart && len(a.marked) < maxMarked {
		a.marked = append(a.marked, p)
	}
	a.sample.offer(p, sampleSize)
	if r.InstanceID != "" {
		a.instance(r.InstanceID).add(p, end)
	}
}

// EndChunk closes what the shard's sweeps have open: a chunk of the file
// ends. Closing them at every chunk's end makes the result the same
// whichever shard reads which chunk.
func (a *accState) EndChunk() {
	for _, in := range a.instances {
		in.closeSpan()
		in.inflight = in.inflight[:0]
	}
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

// endpoint returns the request's endpoint, "(other)" past maxEndpoints.
func (a *accState) endpoint(r *collect.Request) *epAcc {
	if e := a.lastEndpoint; e != nil && e.key.method == r.Method && e.key.path == r.Path {
		return e
	}
	slot := &a.recentEndpoints[recentSlot(r.Path)]
	if e := *slot; e != nil && e.key.method == r.Method && e.key.path == r.Path {
		a.lastEndpoint = e
		return e
	}
	e := a.endpointSlow(r)
	if e.key.path == r.Path { // not "(other)"
		*slot = e
	}
	return e
}

// endpointSlow is endpoint from the map.
func (a *accState) endpointSlow(r *collect.Request) *epAcc {
	k := endpointKey{r.Method, r.Path}
	e := a.endpoints[k]
	if e == nil {
		if len(a.endpoints) >= maxEndpoints {
			k.path = "(other)"
		}
		e = a.endpointFor(k)
	}
	a.lastEndpoint = e
	return e
}

// endpointFor returns the endpoint of k, new if need be.
func (a *accState) endpointFor(k endpointKey) *epAcc {
	e := a.endpoints[k]
	if e == nil {
		k = endpointKey{clone(k.method), clone(k.path)}
		e = newEpAcc(k)
		a.endpoints[k] = e
	}
	return e
}

// agent counts a request of the user agent and returns the agent's
// counter, nil past maxAgents.
func (a *accState) agent(ua string) *agentCount {
	if c := a.lastAgent; c != nil && c.ua == ua {
		c.n++
		return c
	}
	slot := &a.recentAgents[recentSlot(ua)]
	if c := *slot; c != nil && c.ua == ua {
		a.lastAgent = c
		c.n++
		return c
	}
	c := a.agents[ua]
	if c == nil {
		if len(a.agents) >= maxAgents {
			a.agentRest++
			return nil
		}
		c = &agentCount{ua: clone(ua)}
		a.agents[c.ua] = c
	}
	a.lastAgent, *slot = c, c
	c.n++
	return c
}

// agentCount is one user agent's requests.
type agentCount struct {
	ua string
	n  int64
}

func (a *accState) instance(id string) *instAcc {
	slot := &a.recentInstances[recentSlot(id)]
	if in := *slot; in != nil && in.id == id {
		return in
	}
	in := a.instances[id]
	if in == nil {
		in = &instAcc{id: clone(id)}
		a.instances[in.id] = in
	}
	*slot = in
	return in
}

// recentSlots is the size of accState's caches.
const (
	recentBits  = 6
	recentSlots = 1 << recentBits
)

// recentSlot is a key's slot in accState's caches: its length and its
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

func (a *accState) minuteSketch(m int64) *ddsketch.DDSketch {
	if a.lastSketch != nil && m == a.lastMinute {
		return a.lastSketch
	}
	s := a.minute[m]
	if s == nil {
		s = newSketch()
		a.minute[m] = s
	}
	a.lastMinute, a.lastSketch = m, s
	return s
}

func (ra *reconAcc) add(agent *agentCount, r *collect.Request, sec, endSec int64) {
	if agent != ra.runAgent || ra.run == 0 {
		ra.flush()
		ra.runAgent = agent // nil: agents past maxAgents
	}
	ra.run++
	ra.arrive.add(sec, 1)
	ra.complete.add(endSec, 1)
	if r.InstanceID == "" && (r.Status == 429 || r.Status == 503) {
		ra.rejected++
	}
}

func (e *epAcc) add(r *collect.Request) {
	e.addCounts(r)
	e.sketch.Add(ms(r.Latency))
}

// addCounts is add without the sketch: the total's sketch is the merge of
// the endpoints'.
func (e *epAcc) addCounts(r *collect.Request) {
	e.n++
	c := r.Status / 100
	if c < 1 || c > 5 {
		c = 0
	}
	e.status[c]++
	e.respBytes += r.ResponseSize
	e.sum += r.Latency
	if e.min < 0 || r.Latency < e.min {
		e.min = r.Latency
	}
	e.max = max(e.max, r.Latency)
	if e.first.IsZero() || r.Time.Before(e.first) {
		e.first = r.Time
	}
	if r.Time.After(e.last) {
		e.last = r.Time
	}
}

func (e *epAcc) merge(o *epAcc) {
	e.n += o.n
	for i := range e.status {
		e.status[i] += o.status[i]
	}
	e.respBytes += o.respBytes
	e.sum += o.sum
	if o.min >= 0 && (e.min < 0 || o.min < e.min) {
		e.min = o.min
	}
	e.max = max(e.max, o.max)
	if !o.first.IsZero() && (e.first.IsZero() || o.first.Before(e.first)) {
		e.first = o.first
	}
	if o.last.After(e.last) {
		e.last = o.last
	}
	e.sketch.MergeWith(o.sketch)
}

// flush adds the run of requests of one agent to byAgent.
func (ra *reconAcc) flush() {
	if ra.run > 0 {
		ra.byAgent[ra.runAgent] += ra.run
		ra.run = 0
	}
}

// merge adds o, whose agents tr translates into this state's.
func (ra *reconAcc) merge(o *reconAcc, tr map[*agentCount]*agentCount) {
	ra.flush()
	o.flush()
	for ua, n := range o.byAgent {
		ra.byAgent[tr[ua]] += n
	}
	ra.arrive.merge(&o.arrive)
	ra.complete.merge(&o.complete)
	ra.rejected += o.rejected
}

func (in *instAcc) add(p reqPoint, end time.Time) {
	in.n++
	in.marker = in.marker || p.marker
	if end.After(in.lastEnd) {
		in.lastEnd = end
	}
	in.keepEarly(p)
	switch {
	case in.spanEnd.IsZero():
		in.spanStart, in.spanEnd = p.t, end
	case !p.t.After(in.spanEnd) && !p.t.Before(in.spanStart):
		in.spanEnd = maxTime(in.spanEnd, end)
	default:
		in.closeSpan()
		in.spanStart, in.spanEnd = p.t, end
	}
	for len(in.inflight) > 0 && !in.inflight[0].After(p.t) {
		in.inflight.pop()
	}
	in.inflight.push(end)
	in.maxConc = max(in.maxConc, len(in.inflight))
}

func (in *instAcc) closeSpan() {
	if !in.spanEnd.IsZero() {
		in.busy += roundUp(in.spanEnd.Sub(in.spanStart), billingQuantum)
		in.inFlight += in.spanEnd.Sub(in.spanStart)
	}
	in.spanStart, in.spanEnd = time.Time{}, time.Time{}
}

// keepEarly keeps the instance's earliest requests, in time order.
func (in *instAcc) keepEarly(p reqPoint) {
	if len(in.early) == earlyPerInstance {
		if c := p.t.Compare(in.earlyLastT); c > 0 || c == 0 && p.hash >= in.earlyLastHash { // !p.before(last)
			return
		}
	}
	i, _ := slices.BinarySearchFunc(in.early, p, func(a, b reqPoint) int { return a.compare(b) })
	in.early = slices.Insert(in.early, i, p)
	if len(in.early) > earlyPerInstance {
		in.early = in.early[:earlyPerInstance]
	}
	last := in.early[len(in.early)-1]
	in.earlyLastT, in.earlyLastHash = last.t, last.hash
}

func (in *instAcc) merge(o *instAcc) {
	in.n += o.n
	in.marker = in.marker || o.marker
	in.lastEnd = maxTime(in.lastEnd, o.lastEnd)
	for _, p := range o.early {
		in.keepEarly(p)
	}
	o.closeSpan()
	in.busy += o.busy
	in.inFlight += o.inFlight
	in.maxConc = max(in.maxConc, o.maxConc)
}

// compare orders requests by time, then by hash, so that the order does
// not depend on which shard read which.
func (p reqPoint) compare(q reqPoint) int {
	return cmp.Or(p.t.Compare(q.t), cmp.Compare(p.hash, q.hash))
}
func (p reqPoint) before(q reqPoint) bool { return p.compare(q) < 0 }

func (a *accState) merge(o *accState) {
	o.EndChunk()
	a.EndChunk()
	if a.n == 0 || (o.n > 0 && o.first.Before(a.first)) {
		a.first, a.firstSvc = o.first, o.firstSvc
	}
	a.n += o.n
	if o.lastArrival.After(a.lastArrival) {
		a.lastArrival = o.lastArrival
	}
	a.lastEnd = maxTime(a.lastEnd, o.lastEnd)
	tr := map[*agentCount]*agentCount{}
	for ua, c := range o.agents {
		if mine := a.agents[ua]; mine != nil {
			mine.n += c.n
			tr[c] = mine
		} else if len(a.agents) < maxAgents {
			a.agents[ua] = c
			tr[c] = c
		} else {
			a.agentRest += c.n
		}
	}
	for k, e := range o.endpoints {
		mine := a.endpoints[k]
		if mine == nil {
			if len(a.endpoints) >= maxEndpoints {
				k.path = "(other)"
			}
			mine = a.endpointFor(k)
		}
		mine.merge(e)
		mine.recon.merge(&e.recon, tr)
	}
	a.total.merge(o.total)
	a.agentRest += o.agentRest
	for id, in := range o.instances {
		if mine := a.instances[id]; mine != nil {
			mine.merge(in)
		} else {
			in.closeSpan()
			a.instances[id] = in
		}
	}
	a.perSec.merge(&o.perSec)
	a.errSec.merge(&o.errSec)
	a.done100.merge(&o.done100)
	a.doneSec.merge(&o.doneSec)
	for i := range a.status10 {
		a.status10[i].merge(&o.status10[i])
	}
	for m, s := range o.minute {
		if mine := a.minute[m]; mine != nil {
			mine.MergeWith(s)
		} else {
			a.minute[m] = s
		}
	}
	for _, p := range o.marked {
		if len(a.marked) < maxMarked {
			a.marked = append(a.marked, p)
		}
	}
	for _, p := range o.sample {
		a.sample.offer(p, sampleSize)
	}
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

// timeHeap is a min-heap of times, without container/heap's boxing.
type timeHeap []time.Time

func (h *timeHeap) push(t time.Time) {
	*h = append(*h, t)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].Before(s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *timeHeap) pop() {
	s := *h
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && s[l].Before(s[m]) {
			m = l
		}
		if l+1 < n && s[l+1].Before(s[m]) {
			m = l + 1
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
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

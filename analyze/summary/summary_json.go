package summary

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/runlens/runlens/internal/jsonerr"
)

// Schema is the version of the summary's JSON contract.
const Schema = "runlens.summary/v1"

// The JSON of a summary (runlens.summary/v1), written by "runlens
// summarize" and read by "runlens report -summary", so that machines can
// summarize parts of a log and one report merge them. Times are RFC 3339
// with nanoseconds; durations and instants inside lists are integer
// nanoseconds (Unix nanoseconds for instants). Every list is in a fixed
// order, so the same requests give the same bytes:
//
//   - requests, first (earliest arrival, its service and location),
//     last_arrival, last_end (latest arrival + latency);
//   - sketch: the DDSketch of every sketched latency state: the cubically
//     interpolated mapping of relative accuracy 0.01 (gamma 1.02020...,
//     no index offset), values in milliseconds, at most 2,048 bins a
//     store; exact_per_endpoint and exact_per_interval: how many
//     latencies a state keeps before it is sketched;
//   - endpoints, by path then method: counts by status hundred (index 0
//     is status 0 and others), response bytes, the latency sum, first and
//     last arrival, the latency state and its state per interval of
//     endpoint_interval_s (at most 240 over the span), and per user agent (the first 16;
//     "other" for the rest) arrivals per second and completions per 100 ms;
//   - total: the counts over all endpoints;
//   - user_agents: requests per agent (the first 10,000), and
//     other_agent_requests;
//   - instances, by ID: requests, whether one carried the cold-start
//     marker, the last completion, the 32 earliest requests, and the busy
//     intervals per run (busy.go): the run's span of arrivals, the
//     intervals still open, and the closed spans' totals, hull and busy
//     milliseconds per 10 s;
//   - arrivals_per_s, errors_per_s (status 5xx or 0), status_per_10s;
//   - interval_s and intervals: the latency state per interval of
//     arrival;
//   - marked (requests with the cold-start marker, the earliest 10,000)
//     and sample (the 5,000 requests of smallest hash).
//
// A latency state is {count, min_ns, max_ns} and either exact_ns (every
// latency, sorted) or sketch ({zero, bins: [[index, count], ...]}).
// Counts per bucket are runs: [{start, counts: [...]}], buckets numbered
// from the Unix epoch. A request point is {t_ns, latency_ns, endpoint
// (its index in endpoints), marker, hash}.
type Wire struct {
	Schema        string           `json:"schema"`
	Requests      int64            `json:"requests"`
	First         time.Time        `json:"first"`
	FirstService  string           `json:"first_service"`
	FirstLocation string           `json:"first_location"`
	LastArrival   time.Time        `json:"last_arrival"`
	LastEnd       time.Time        `json:"last_end"`
	Sketch        WireSketchParams `json:"sketch"`
	Endpoints     []WireEndpoint   `json:"endpoints"`
	Total         WireCounts       `json:"total"`
	UserAgents    []WireAgent      `json:"user_agents"`
	OtherAgents   int64            `json:"other_agent_requests"`
	Instances     []WireInstance   `json:"instances"`
	ArrivalsPerS  []WireRun        `json:"arrivals_per_s"`
	ErrorsPerS    []WireRun        `json:"errors_per_s"`
	StatusPer10S  [4][]WireRun     `json:"status_per_10s"` // 2xx, 3xx, 4xx, 5xx and other
	IntervalS     int64            `json:"interval_s"`
	EndpointIntS  int64            `json:"endpoint_interval_s"`
	Intervals     []WireInterval   `json:"intervals"`
	Marked        []WirePoint      `json:"marked"`
	Sample        []WirePoint      `json:"sample"`
}

type WireSketchParams struct {
	Mapping          string  `json:"mapping"`
	RelativeAccuracy float64 `json:"relative_accuracy"`
	MaxBins          int     `json:"max_bins"`
	ExactPerEndpoint int     `json:"exact_per_endpoint"`
	ExactPerInterval int     `json:"exact_per_interval"`
}

var thisSketch = WireSketchParams{Mapping: "cubically_interpolated", RelativeAccuracy: SketchAccuracy, MaxBins: sketchBins,
	ExactPerEndpoint: ExactPerEndpoint, ExactPerInterval: ExactPerInterval}

type WireCounts struct {
	Requests      int64     `json:"requests"`
	Status        [6]int64  `json:"status_by_hundred"`
	ResponseBytes int64     `json:"response_bytes"`
	LatencySumNS  int64     `json:"latency_sum_ns"`
	First         time.Time `json:"first"`
	Last          time.Time `json:"last"`
}

type WireEndpoint struct {
	Method    string            `json:"method"`
	Path      string            `json:"path"`
	Counts    WireCounts        `json:"counts"`
	Latency   WireQuantiles     `json:"latency"`
	Intervals []WireInterval    `json:"intervals"` // latency per endpoint_interval_s
	Agents    []WireAgentSeries `json:"agents"`
	Rejected  int64             `json:"rejected"`
}

type WireAgentSeries struct {
	UserAgent      string    `json:"user_agent"`
	Other          bool      `json:"other,omitempty"`
	Requests       int64     `json:"requests"`
	ArrivalsPerS   []WireRun `json:"arrivals_per_s"`
	CompletionsPer []WireRun `json:"completions_per_100ms"`
}

type WireAgent struct {
	UserAgent string `json:"user_agent"`
	Requests  int64  `json:"requests"`
}

type WireQuantiles struct {
	Count   int64       `json:"count"`
	MinNS   int64       `json:"min_ns"`
	MaxNS   int64       `json:"max_ns"`
	ExactNS []int64     `json:"exact_ns,omitempty"`
	Sketch  *WireSketch `json:"sketch,omitempty"`
}

type WireSketch struct {
	Zero float64      `json:"zero"`
	Bins [][2]float64 `json:"bins"` // index, count
}

type WireInstance struct {
	ID        string      `json:"id"`
	Requests  int64       `json:"requests"`
	Marker    bool        `json:"marker"`
	LastEnd   time.Time   `json:"last_end"`
	Early     []WirePoint `json:"early"`
	Conflicts int64       `json:"busy_conflicts"`
	Busy      []WireBusy  `json:"busy"`
}

type WireBusy struct {
	FromNS   int64      `json:"from_ns"` // the run's span of arrivals
	ToNS     int64      `json:"to_ns"`
	Open     [][2]int64 `json:"open"` // [start, end] ns
	Closed   WireClosed `json:"closed"`
	BusyMS   []WireRun  `json:"closed_busy_ms_per_10s"` // the closed spans' busy milliseconds per 10 s
	ClosedLo int64      `json:"closed_from_ns"`
	ClosedHi int64      `json:"closed_to_ns"`
}

type WireClosed struct {
	BilledNS       int64 `json:"billed_ns"`
	InFlightNS     int64 `json:"in_flight_ns"`
	MaxConcurrency int   `json:"max_concurrency"`
	Spans          int64 `json:"spans"`
}

type WireInterval struct {
	Start   int64         `json:"start"` // in intervals of interval_s from the epoch
	Latency WireQuantiles `json:"latency"`
}

type WirePoint struct {
	TNS       int64  `json:"t_ns"`
	LatencyNS int64  `json:"latency_ns"`
	Endpoint  int    `json:"endpoint"`
	Marker    bool   `json:"marker,omitempty"`
	Hash      uint64 `json:"hash"`
}

type WireRun struct {
	Start  int64    `json:"start"`
	Counts []uint64 `json:"counts"`
}

// WriteJSON writes the summary as runlens.summary/v1.
func (s *Summary) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(s.toJSON())
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func (s *Summary) toJSON() *Wire {
	out := &Wire{Schema: Schema, Requests: s.n, FirstService: s.firstSvc[0], FirstLocation: s.firstSvc[1],
		First: s.first.UTC(), LastArrival: s.lastArrival.UTC(), LastEnd: s.lastEnd.UTC(), Sketch: thisSketch,
		Total: s.total.wireCounts(), OtherAgents: s.agentRest, IntervalS: s.width, EndpointIntS: s.epWidth,
		ArrivalsPerS: runsOf(&s.perSec), ErrorsPerS: runsOf(&s.errSec)}
	for i := range s.status10 {
		out.StatusPer10S[i] = runsOf(&s.status10[i])
	}
	keys := sortedEndpointKeys(s.endpoints)
	index := make(map[Key]int, len(keys))
	for i, k := range keys {
		index[k] = i
	}
	point := func(p Point) WirePoint {
		return WirePoint{TNS: p.T.UnixNano(), LatencyNS: int64(p.Latency), Endpoint: index[p.Key], Marker: p.Marker, Hash: p.Hash}
	}
	points := func(ps []Point) []WirePoint {
		ps = slices.Clone(ps)
		slices.SortFunc(ps, Point.Compare)
		out := make([]WirePoint, len(ps))
		for i, p := range ps {
			out[i] = point(p)
		}
		return out
	}
	for _, k := range keys {
		e := s.endpoints[k]
		ej := WireEndpoint{Method: k.Method, Path: k.Path, Counts: e.wireCounts(), Latency: e.Latency.toJSON(), Rejected: e.Recon.Rejected,
			Intervals: []WireInterval{}}
		for _, ik := range sortedKeys(e.Intervals) {
			ej.Intervals = append(ej.Intervals, WireInterval{Start: ik, Latency: e.Intervals[ik].toJSON()})
		}
		for _, a := range sortedAgents(e.Recon.ByAgent) {
			as := e.Recon.ByAgent[a]
			aj := WireAgentSeries{Other: a == nil, Requests: as.N, ArrivalsPerS: runsOf(&as.Arrive), CompletionsPer: runsOf(&as.Complete)}
			if a != nil {
				aj.UserAgent = a.UA
			}
			ej.Agents = append(ej.Agents, aj)
		}
		out.Endpoints = append(out.Endpoints, ej)
	}
	for _, ua := range sortedKeys(s.agents) {
		out.UserAgents = append(out.UserAgents, WireAgent{UserAgent: ua, Requests: s.agents[ua].N})
	}
	for _, id := range sortedKeys(s.instances) {
		in := s.instances[id]
		ij := WireInstance{ID: id, Requests: in.N, Marker: in.Marker, LastEnd: in.LastEnd.UTC(), Early: points(in.Early),
			Conflicts: in.Busy.conflicts}
		for _, g := range in.Busy.segs {
			bj := WireBusy{FromNS: g.run.lo, ToNS: g.run.hi, Open: make([][2]int64, len(g.open)),
				Closed:   WireClosed{BilledNS: g.closed.Billed, InFlightNS: g.closed.InFlight, MaxConcurrency: g.closed.MaxConc, Spans: g.closed.Spans},
				ClosedLo: g.cLo, ClosedHi: g.cHi, BusyMS: runsOf(&g.tens)}
			for i, iv := range g.open {
				bj.Open[i] = [2]int64{iv.s, iv.e}
			}
			ij.Busy = append(ij.Busy, bj)
		}
		slices.SortFunc(ij.Busy, func(a, b WireBusy) int { return cmp.Or(cmp.Compare(a.FromNS, b.FromNS), cmp.Compare(a.ToNS, b.ToNS)) })
		out.Instances = append(out.Instances, ij)
	}
	for _, k := range sortedKeys(s.intervals) {
		out.Intervals = append(out.Intervals, WireInterval{Start: k, Latency: s.intervals[k].toJSON()})
	}
	out.Marked = points(s.Marked())
	out.Sample = points(s.sample)
	return out
}

func (e *Endpoint) wireCounts() WireCounts {
	return WireCounts{Requests: e.N, Status: e.Status, ResponseBytes: e.ResponseBytes, LatencySumNS: int64(e.LatencySum),
		First: e.First.UTC(), Last: e.Last.UTC()}
}

func (q *Quantiles) toJSON() WireQuantiles {
	out := WireQuantiles{Count: q.n, MinNS: int64(q.min), MaxNS: int64(q.max)}
	if q.sk == nil {
		out.ExactNS = make([]int64, 0, len(q.exact))
		for _, d := range q.sortedExact() {
			out.ExactNS = append(out.ExactNS, int64(d))
		}
		return out
	}
	sj := &WireSketch{Zero: q.sk.GetZeroCount(), Bins: [][2]float64{}}
	q.sk.GetPositiveValueStore().ForEach(func(i int, c float64) bool {
		if c != 0 {
			sj.Bins = append(sj.Bins, [2]float64{float64(i), c})
		}
		return false
	})
	slices.SortFunc(sj.Bins, func(a, b [2]float64) int { return cmp.Compare(a[0], b[0]) })
	out.Sketch = sj
	return out
}

// runsOf lists counts as runs of buckets, a new run after 8 empty ones.
func runsOf[T uint8 | uint32](c *Counts[T]) []WireRun {
	out := []WireRun{}
	c.Each(func(b int64, n uint64) {
		if k := len(out) - 1; k >= 0 {
			r := &out[k]
			if gap := b - (r.Start + int64(len(r.Counts))); gap < 8 {
				for range gap {
					r.Counts = append(r.Counts, 0)
				}
				r.Counts = append(r.Counts, n)
				return
			}
		}
		out = append(out, WireRun{Start: b, Counts: []uint64{n}})
	})
	return out
}

// FromWire makes a summary of the contract's structure, as Read does of
// its JSON, with the same checks: for a source that computes the summary
// elsewhere (a query pushed down to BigQuery) and fills the structure
// itself. Schema and Sketch, when empty, are taken to be this version's.
func FromWire(w *Wire) (*Summary, error) {
	if w.Schema == "" {
		w.Schema = Schema
	}
	if w.Sketch == (WireSketchParams{}) {
		w.Sketch = thisSketch
	}
	return fromJSON(w)
}

// Read reads a summary written by WriteJSON, checking what it
// holds; name is the file's, for the errors.
func Read(name string, r io.Reader) (*Summary, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var in Wire
	if err := dec.Decode(&in); err != nil {
		return nil, jsonerr.AtOffset(name, err)
	}
	s, err := fromJSON(&in)
	if err != nil {
		return nil, jsonerr.In(name, err)
	}
	return s, nil
}

func fromJSON(in *Wire) (*Summary, error) {
	switch {
	case in.Schema != Schema:
		return nil, fmt.Errorf("schema %q, want %q", in.Schema, Schema)
	case in.Sketch != thisSketch:
		return nil, fmt.Errorf("sketch %+v, want %+v: made by another version", in.Sketch, thisSketch)
	case in.Requests < 0:
		return nil, fmt.Errorf("requests %d < 0", in.Requests)
	case !slices.Contains(Widths, in.IntervalS):
		return nil, fmt.Errorf("interval_s %d is not one of %v", in.IntervalS, Widths)
	case !slices.Contains(Widths, in.EndpointIntS):
		return nil, fmt.Errorf("endpoint_interval_s %d is not one of %v", in.EndpointIntS, Widths)
	}
	s := New()
	s.n, s.firstSvc = in.Requests, [2]string{in.FirstService, in.FirstLocation}
	if in.Requests > 0 {
		s.first, s.lastArrival, s.lastEnd = in.First, in.LastArrival, in.LastEnd
	}
	s.width, s.epWidth = in.IntervalS, in.EndpointIntS
	var err error
	check := func(e error) {
		if err == nil {
			err = e
		}
	}
	s.total = newEndpoint(Key{Path: "Aggregated"})
	check(s.total.fromCounts(in.Total))
	keys := make([]Key, len(in.Endpoints))
	for i, ej := range in.Endpoints {
		k := Key{ej.Method, ej.Path}
		if s.endpoints[k] != nil {
			return nil, fmt.Errorf("endpoint %s twice", k)
		}
		keys[i] = k
		e := newEndpoint(k)
		check(e.fromCounts(ej.Counts))
		e.Latency, err = quantilesFrom(ej.Latency, ExactPerEndpoint, err)
		for _, ij := range ej.Intervals {
			if e.Intervals[ij.Start] != nil {
				return nil, fmt.Errorf("endpoint %s: interval %d twice", k, ij.Start)
			}
			e.Intervals[ij.Start], err = quantilesFrom(ij.Latency, ExactPerInterval, err)
		}
		e.Recon.Rejected = ej.Rejected
		for _, aj := range ej.Agents {
			var a *Agent
			if !aj.Other {
				a = s.agents[aj.UserAgent]
				if a == nil {
					a = &Agent{UA: aj.UserAgent}
					s.agents[aj.UserAgent] = a // its count is set from user_agents
				}
			}
			if e.Recon.ByAgent[a] != nil {
				return nil, fmt.Errorf("endpoint %s: agent %q twice", k, aj.UserAgent)
			}
			as := &AgentSeries{N: aj.Requests}
			check(runsInto(&as.Arrive, aj.ArrivalsPerS))
			check(runsInto(&as.Complete, aj.CompletionsPer))
			e.Recon.ByAgent[a] = as
		}
		s.endpoints[k] = e
	}
	for _, aj := range in.UserAgents {
		a := s.agents[aj.UserAgent]
		if a == nil {
			a = &Agent{UA: aj.UserAgent}
			s.agents[aj.UserAgent] = a
		}
		a.N = aj.Requests
	}
	s.agentRest = in.OtherAgents
	point := func(p WirePoint) Point {
		if p.Endpoint < 0 || p.Endpoint >= len(keys) {
			check(fmt.Errorf("a request point names endpoint %d of %d", p.Endpoint, len(keys)))
			return Point{}
		}
		return Point{T: time.Unix(0, p.TNS).UTC(), Latency: time.Duration(p.LatencyNS), Key: keys[p.Endpoint], Marker: p.Marker, Hash: p.Hash}
	}
	for _, ij := range in.Instances {
		if s.instances[ij.ID] != nil {
			return nil, fmt.Errorf("instance %q twice", ij.ID)
		}
		inst := &Instance{ID: ij.ID, N: ij.Requests, Marker: ij.Marker, LastEnd: ij.LastEnd}
		if len(ij.Early) > EarlyPerInstance {
			return nil, fmt.Errorf("instance %q: %d early requests, at most %d", ij.ID, len(ij.Early), EarlyPerInstance)
		}
		for _, p := range ij.Early {
			inst.keepEarly(point(p))
		}
		inst.Busy.conflicts = ij.Conflicts
		for _, bj := range ij.Busy {
			g := newBusySeg(&runHull{lo: bj.FromNS, hi: bj.ToNS})
			g.closed = BusyTotals{Billed: bj.Closed.BilledNS, InFlight: bj.Closed.InFlightNS, MaxConc: bj.Closed.MaxConcurrency, Spans: bj.Closed.Spans}
			g.cLo, g.cHi = bj.ClosedLo, bj.ClosedHi
			check(runsInto(&g.tens, bj.BusyMS))
			for _, iv := range bj.Open {
				if iv[1] < iv[0] {
					return nil, fmt.Errorf("instance %q: busy interval %v ends before it starts", ij.ID, iv)
				}
				g.open = append(g.open, span{iv[0], iv[1]})
			}
			slices.SortFunc(g.open, span.Compare)
			inst.Busy.segs = append(inst.Busy.segs, g)
		}
		s.instances[ij.ID] = inst
	}
	check(runsInto(&s.perSec, in.ArrivalsPerS))
	check(runsInto(&s.errSec, in.ErrorsPerS))
	for i := range s.status10 {
		check(runsInto(&s.status10[i], in.StatusPer10S[i]))
	}
	for _, ij := range in.Intervals {
		if s.intervals[ij.Start] != nil {
			return nil, fmt.Errorf("interval %d twice", ij.Start)
		}
		s.intervals[ij.Start], err = quantilesFrom(ij.Latency, ExactPerInterval, err)
	}
	for _, p := range in.Marked {
		s.marked = append(s.marked, point(p))
	}
	for _, p := range in.Sample {
		if len(s.sample) < SampleSize {
			s.sample.offer(point(p), SampleSize)
		}
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (e *Endpoint) fromCounts(c WireCounts) error {
	if c.Requests < 0 || c.LatencySumNS < 0 {
		return fmt.Errorf("endpoint %s: negative counts", e.Key)
	}
	var sum int64
	for _, n := range c.Status {
		if n < 0 {
			return fmt.Errorf("endpoint %s: negative status count", e.Key)
		}
		sum += n
	}
	if sum != c.Requests {
		return fmt.Errorf("endpoint %s: status counts add up to %d, not its %d requests", e.Key, sum, c.Requests)
	}
	e.N, e.Status, e.ResponseBytes, e.LatencySum, e.First, e.Last = c.Requests, c.Status, c.ResponseBytes, time.Duration(c.LatencySumNS), c.First, c.Last
	if c.Requests == 0 {
		e.First, e.Last = time.Time{}, time.Time{}
	}
	return nil
}

// quantilesFrom reads a latency state; err, when set, is passed on.
func quantilesFrom(j WireQuantiles, limit int, err error) (*Quantiles, error) {
	q := NewQuantiles(limit)
	if err != nil {
		return q, err
	}
	q.n, q.min, q.max = j.Count, time.Duration(j.MinNS), time.Duration(j.MaxNS)
	switch {
	case j.Count < 0 || j.MinNS < 0 || j.MaxNS < j.MinNS:
		return q, fmt.Errorf("latency state: count %d, min %d, max %d", j.Count, j.MinNS, j.MaxNS)
	case j.Sketch == nil:
		if int64(len(j.ExactNS)) != j.Count || len(j.ExactNS) > limit {
			return q, fmt.Errorf("latency state: %d exact latencies for a count of %d (at most %d)", len(j.ExactNS), j.Count, limit)
		}
		for _, v := range j.ExactNS {
			if v < j.MinNS || v > j.MaxNS {
				return q, fmt.Errorf("latency state: %d ns outside its minimum and maximum", v)
			}
			q.exact = append(q.exact, time.Duration(v))
		}
		return q, nil
	}
	q.sk = newSketch()
	total := j.Sketch.Zero
	if j.Sketch.Zero < 0 || math.IsNaN(j.Sketch.Zero) || len(j.Sketch.Bins) > 2*sketchBins {
		return q, fmt.Errorf("latency sketch: zero count %v, %d bins", j.Sketch.Zero, len(j.Sketch.Bins))
	}
	if j.Sketch.Zero > 0 {
		if e := q.sk.AddWithCount(0, j.Sketch.Zero); e != nil {
			return q, fmt.Errorf("latency sketch: %w", e)
		}
	}
	pos := q.sk.GetPositiveValueStore()
	for _, b := range j.Sketch.Bins {
		if b[1] <= 0 || b[1] != math.Trunc(b[1]) || b[0] != math.Trunc(b[0]) || math.Abs(b[0]) > 1<<20 {
			return q, fmt.Errorf("latency sketch: bin %v", b)
		}
		pos.AddWithCount(int(b[0]), b[1])
		total += b[1]
	}
	if total != float64(j.Count) {
		return q, fmt.Errorf("latency sketch holds %v latencies for a count of %d", total, j.Count)
	}
	return q, nil
}

// runsInto adds runs of counts.
func runsInto[T uint8 | uint32](c *Counts[T], runs []WireRun) error {
	for _, r := range runs {
		if len(r.Counts) > 1<<24 {
			return fmt.Errorf("a run of %d buckets", len(r.Counts))
		}
		for i, n := range r.Counts {
			for n > 0 {
				step := min(n, math.MaxUint32)
				c.add(r.Start+int64(i), uint32(step))
				n -= step
			}
		}
	}
	return nil
}

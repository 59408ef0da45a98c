package bigquery

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
)

// Row is one row of SummarySQL's answer: its kind, strings a, b and c,
// integers by position and two integer lists.
type Row struct {
	Kind    string
	A, B, C string
	I       []int64
	X, Y    []int64
}

// quantileParts gathers the latency state of one key, which may come in
// several rows (endpoints whose paths decode to one): exact latencies and
// sketch bins, finished by wire into the state the Go summary would hold
// (exact up to limit, else every latency in the sketch's bins).
type quantileParts struct {
	n, min, max int64
	exact       []int64
	zero        int64
	bins        map[int64]int64
}

func (q *quantileParts) addState(n, lo, hi int64, exact []int64) {
	if n == 0 {
		return
	}
	if q.n == 0 || lo < q.min {
		q.min = lo
	}
	q.max = max(q.max, hi)
	q.n += n
	q.exact = append(q.exact, exact...)
}

func (q *quantileParts) addBins(zero int64, idx, counts []int64) error {
	if len(idx) != len(counts) {
		return fmt.Errorf("%d bins and %d counts", len(idx), len(counts))
	}
	if q.bins == nil {
		q.bins = map[int64]int64{}
	}
	q.zero += zero
	for i, b := range idx {
		q.bins[b] += counts[i]
	}
	return nil
}

func (q *quantileParts) wire(limit int) (summary.WireQuantiles, error) {
	out := summary.WireQuantiles{Count: q.n, MinNS: q.min, MaxNS: q.max}
	if q.n <= int64(limit) {
		if int64(len(q.exact)) != q.n {
			return out, fmt.Errorf("%d exact latencies for a count of %d", len(q.exact), q.n)
		}
		out.ExactNS = slices.Sorted(slices.Values(q.exact))
		return out, nil
	}
	bins, zero := maps.Clone(q.bins), q.zero
	if bins == nil {
		bins = map[int64]int64{}
	}
	for _, v := range q.exact { // rows that were exact on their own
		if i, ok := summary.SketchIndex(time.Duration(v)); ok {
			bins[int64(i)]++
		} else {
			zero++
		}
	}
	sk := &summary.WireSketch{Zero: float64(zero), Bins: [][2]float64{}}
	for _, i := range slices.Sorted(maps.Keys(bins)) {
		sk.Bins = append(sk.Bins, [2]float64{float64(i), float64(bins[i])})
	}
	out.Sketch = sk
	return out, nil
}

// counter gathers counts per bucket.
type counter map[int64]uint64

func (c counter) add(buckets, counts []int64) error {
	if len(buckets) != len(counts) {
		return fmt.Errorf("%d buckets and %d counts", len(buckets), len(counts))
	}
	for i, b := range buckets {
		if counts[i] < 0 {
			return fmt.Errorf("bucket %d: count %d", b, counts[i])
		}
		c[b] += uint64(counts[i])
	}
	return nil
}

// runs lists the counts as runs of consecutive buckets.
func (c counter) runs() []summary.WireRun {
	out := []summary.WireRun{}
	for _, b := range slices.Sorted(maps.Keys(c)) {
		if n := len(out); n > 0 && out[n-1].Start+int64(len(out[n-1].Counts)) == b {
			out[n-1].Counts = append(out[n-1].Counts, c[b])
			continue
		}
		out = append(out, summary.WireRun{Start: b, Counts: []uint64{c[b]}})
	}
	return out
}

type endpointParts struct {
	key       summary.Key
	counts    summary.WireCounts
	rejected  int64
	latency   quantileParts
	intervals map[int64]*quantileParts
	arrive    map[string]counter // by user agent
	complete  map[string]counter
	agentN    map[string]int64
}

type instanceParts struct {
	n        int64
	marker   bool
	lastEnd  int64
	early    []summary.WirePoint
	busy     *summary.WireBusy
	busyMS   counter
	hasTotal bool
}

// need checks that a row has at least n integers.
func need(r Row, n int) error {
	if len(r.I) < n {
		return fmt.Errorf("a %q row with %d integers, want %d", r.Kind, len(r.I), n)
	}
	return nil
}

// BuildSummary makes the request log's summary of SummarySQL's rows: the
// endpoints keyed as the readers key them (method and decoded path,
// bounded), merged where several raw paths decode to one.
func BuildSummary(rows []Row) (*summary.Summary, error) {
	s, err := buildWire(rows)
	if err != nil {
		return nil, fmt.Errorf("BigQuery summary: %w", err)
	}
	sum, err := summary.FromWire(s)
	if err != nil {
		return nil, fmt.Errorf("BigQuery summary: %w", err)
	}
	return sum, nil
}

func buildWire(rows []Row) (*summary.Wire, error) {
	w := &summary.Wire{}
	eps := map[summary.Key]*endpointParts{}
	endpoint := func(method, path string) *endpointParts {
		k := summary.Key{Method: bound(method), Path: bound(collect.URLPath(path))}
		e := eps[k]
		if e == nil {
			e = &endpointParts{key: k, intervals: map[int64]*quantileParts{}, arrive: map[string]counter{},
				complete: map[string]counter{}, agentN: map[string]int64{}}
			eps[k] = e
		}
		return e
	}
	intervals := map[int64]*quantileParts{}
	interval := func(m map[int64]*quantileParts, k int64) *quantileParts {
		q := m[k]
		if q == nil {
			q = &quantileParts{}
			m[k] = q
		}
		return q
	}
	agents := map[string]int64{}
	insts := map[string]*instanceParts{}
	instance := func(id string) *instanceParts {
		id = bound(id)
		in := insts[id]
		if in == nil {
			in = &instanceParts{busyMS: counter{}}
			insts[id] = in
		}
		return in
	}
	perSec, errSec := counter{}, counter{}
	var status10 [4]counter
	for i := range status10 {
		status10[i] = counter{}
	}
	type keyedPoint struct {
		key summary.Key
		p   summary.WirePoint
	}
	var marked, sample []keyedPoint
	early := map[string][]keyedPoint{}
	point := func(r Row) (keyedPoint, error) {
		if err := need(r, 4); err != nil {
			return keyedPoint{}, err
		}
		e := endpoint(r.A, r.B)
		return keyedPoint{e.key, summary.WirePoint{TNS: r.I[0], LatencyNS: r.I[1], Marker: r.I[2] != 0, Hash: uint64(r.I[3])}}, nil
	}
	var firstSeen bool
	for _, r := range rows {
		var err error
		switch r.Kind {
		case "tot":
			if err = need(r, 6); err != nil {
				break
			}
			w.Requests = r.I[0]
			if w.Requests > 0 {
				w.First, w.LastArrival, w.LastEnd = time.Unix(0, r.I[1]).UTC(), time.Unix(0, r.I[2]).UTC(), time.Unix(0, r.I[3]).UTC()
				w.IntervalS, w.EndpointIntS = r.I[4], r.I[5]
			}
		case "first":
			w.FirstService, w.FirstLocation, firstSeen = bound(r.A), bound(r.B), true
		case "ep":
			if err = need(r, 14); err != nil {
				break
			}
			e := endpoint(r.A, r.B)
			c := &e.counts
			c.Requests += r.I[0]
			for i := range 6 {
				c.Status[i] += r.I[1+i]
			}
			c.ResponseBytes += r.I[7]
			c.LatencySumNS += r.I[8]
			first, last := time.Unix(0, r.I[9]).UTC(), time.Unix(0, r.I[10]).UTC()
			if c.First.IsZero() || first.Before(c.First) {
				c.First = first
			}
			if last.After(c.Last) {
				c.Last = last
			}
			e.rejected += r.I[11]
			e.latency.addState(r.I[0], r.I[12], r.I[13], r.X)
		case "epbin":
			if err = need(r, 1); err != nil {
				break
			}
			err = endpoint(r.A, r.B).latency.addBins(r.I[0], r.X, r.Y)
		case "epi":
			if err = need(r, 4); err != nil {
				break
			}
			interval(endpoint(r.A, r.B).intervals, r.I[0]).addState(r.I[1], r.I[2], r.I[3], r.X)
		case "epibin":
			if err = need(r, 2); err != nil {
				break
			}
			err = interval(endpoint(r.A, r.B).intervals, r.I[0]).addBins(r.I[1], r.X, r.Y)
		case "iv":
			if err = need(r, 4); err != nil {
				break
			}
			interval(intervals, r.I[0]).addState(r.I[1], r.I[2], r.I[3], r.X)
		case "ivbin":
			if err = need(r, 2); err != nil {
				break
			}
			err = interval(intervals, r.I[0]).addBins(r.I[1], r.X, r.Y)
		case "ua":
			if err = need(r, 1); err != nil {
				break
			}
			agents[bound(r.C)] += r.I[0]
		case "epa":
			if err = need(r, 1); err != nil {
				break
			}
			e, ua := endpoint(r.A, r.B), bound(r.C)
			if e.arrive[ua] == nil {
				e.arrive[ua], e.complete[ua] = counter{}, counter{}
			}
			e.agentN[ua] += r.I[0]
			err = e.arrive[ua].add(r.X, r.Y)
		case "epc":
			e, ua := endpoint(r.A, r.B), bound(r.C)
			if e.complete[ua] == nil {
				e.arrive[ua], e.complete[ua] = counter{}, counter{}
			}
			err = e.complete[ua].add(r.X, r.Y)
		case "sec":
			err = perSec.add(r.X, r.Y)
		case "err":
			err = errSec.add(r.X, r.Y)
		case "st":
			if err = need(r, 1); err != nil {
				break
			}
			if r.I[0] < 0 || r.I[0] > 3 {
				err = fmt.Errorf("status class %d", r.I[0])
				break
			}
			err = status10[r.I[0]].add(r.X, r.Y)
		case "in":
			if err = need(r, 3); err != nil {
				break
			}
			in := instance(r.C)
			in.n += r.I[0]
			in.marker = in.marker || r.I[1] != 0
			in.lastEnd = max(in.lastEnd, r.I[2])
		case "early":
			var p keyedPoint
			if p, err = point(r); err == nil {
				id := bound(r.C)
				early[id] = append(early[id], p)
			}
		case "busy":
			if err = need(r, 6); err != nil {
				break
			}
			in := instance(r.C)
			in.busy = &summary.WireBusy{Open: [][2]int64{}, Closed: summary.WireClosed{BilledNS: r.I[0], InFlightNS: r.I[1],
				Spans: r.I[2], MaxConcurrency: int(r.I[5])}, ClosedLo: r.I[3], ClosedHi: r.I[4]}
		case "busy10":
			err = instance(r.C).busyMS.add(r.X, r.Y)
		case "mark":
			var p keyedPoint
			if p, err = point(r); err == nil {
				marked = append(marked, p)
			}
		case "sample":
			var p keyedPoint
			if p, err = point(r); err == nil {
				sample = append(sample, p)
			}
		default:
			err = fmt.Errorf("a row of kind %q", r.Kind)
		}
		if err != nil {
			return nil, err
		}
	}
	if w.Requests > 0 && !firstSeen {
		return nil, fmt.Errorf("no row of the earliest request")
	}
	if w.IntervalS == 0 {
		w.IntervalS, w.EndpointIntS = summary.Widths[0], summary.Widths[0]
	}

	keys := slices.SortedFunc(maps.Keys(eps), func(a, b summary.Key) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	index := make(map[summary.Key]int, len(keys))
	for i, k := range keys {
		index[k] = i
	}
	points := func(ps []keyedPoint) []summary.WirePoint {
		out := make([]summary.WirePoint, len(ps))
		for i, p := range ps {
			p.p.Endpoint = index[p.key]
			out[i] = p.p
		}
		return out
	}
	var total summary.WireCounts
	for _, k := range keys {
		e := eps[k]
		lat, err := e.latency.wire(summary.ExactPerEndpoint)
		if err != nil {
			return nil, fmt.Errorf("endpoint %s: %w", k, err)
		}
		we := summary.WireEndpoint{Method: k.Method, Path: k.Path, Counts: e.counts, Latency: lat, Rejected: e.rejected,
			Intervals: []summary.WireInterval{}}
		for _, ik := range slices.Sorted(maps.Keys(e.intervals)) {
			q, err := e.intervals[ik].wire(summary.ExactPerInterval)
			if err != nil {
				return nil, fmt.Errorf("endpoint %s, interval %d: %w", k, ik, err)
			}
			we.Intervals = append(we.Intervals, summary.WireInterval{Start: ik, Latency: q})
		}
		// The first MaxAgentSeries agents by name keep their own series,
		// as a merge fills them; the rest share one.
		var other *summary.WireAgentSeries
		otherA, otherC := counter{}, counter{}
		for i, ua := range slices.Sorted(maps.Keys(e.agentN)) {
			if i < summary.MaxAgentSeries {
				we.Agents = append(we.Agents, summary.WireAgentSeries{UserAgent: ua, Requests: e.agentN[ua],
					ArrivalsPerS: e.arrive[ua].runs(), CompletionsPer: e.complete[ua].runs()})
				continue
			}
			if other == nil {
				other = &summary.WireAgentSeries{Other: true}
			}
			other.Requests += e.agentN[ua]
			for b, n := range e.arrive[ua] {
				otherA[b] += n
			}
			for b, n := range e.complete[ua] {
				otherC[b] += n
			}
		}
		if other != nil {
			other.ArrivalsPerS, other.CompletionsPer = otherA.runs(), otherC.runs()
			we.Agents = append([]summary.WireAgentSeries{*other}, we.Agents...)
		}
		w.Endpoints = append(w.Endpoints, we)
		total.Requests += e.counts.Requests
		for i := range total.Status {
			total.Status[i] += e.counts.Status[i]
		}
		total.ResponseBytes += e.counts.ResponseBytes
		total.LatencySumNS += e.counts.LatencySumNS
		if total.First.IsZero() || e.counts.First.Before(total.First) {
			total.First = e.counts.First
		}
		if e.counts.Last.After(total.Last) {
			total.Last = e.counts.Last
		}
	}
	w.Total = total
	for i, ua := range slices.Sorted(maps.Keys(agents)) {
		if i >= summary.MaxAgents {
			w.OtherAgents += agents[ua]
			continue
		}
		w.UserAgents = append(w.UserAgents, summary.WireAgent{UserAgent: ua, Requests: agents[ua]})
	}
	for _, id := range slices.Sorted(maps.Keys(insts)) {
		in := insts[id]
		wi := summary.WireInstance{ID: id, Requests: in.n, Marker: in.marker, LastEnd: time.Unix(0, in.lastEnd).UTC()}
		ps := early[id]
		slices.SortFunc(ps, func(a, b keyedPoint) int {
			return cmp.Or(cmp.Compare(a.p.TNS, b.p.TNS), cmp.Compare(a.p.Hash, b.p.Hash))
		})
		wi.Early = points(ps[:min(len(ps), summary.EarlyPerInstance)])
		if in.busy != nil {
			b := *in.busy
			// One run: the whole log of the window, every span closed.
			b.FromNS, b.ToNS = w.First.UnixNano(), w.LastArrival.UnixNano()
			b.BusyMS = in.busyMS.runs()
			wi.Busy = []summary.WireBusy{b}
		}
		w.Instances = append(w.Instances, wi)
	}
	w.ArrivalsPerS, w.ErrorsPerS = perSec.runs(), errSec.runs()
	for i := range status10 {
		w.StatusPer10S[i] = status10[i].runs()
	}
	for _, ik := range slices.Sorted(maps.Keys(intervals)) {
		q, err := intervals[ik].wire(summary.ExactPerInterval)
		if err != nil {
			return nil, fmt.Errorf("interval %d: %w", ik, err)
		}
		w.Intervals = append(w.Intervals, summary.WireInterval{Start: ik, Latency: q})
	}
	w.Marked, w.Sample = points(marked), points(sample)
	return w, nil
}

package loadtest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/runlens/runlens/model"
)

// epKey names an endpoint: the tool's method (empty where it gives none)
// and its name for the request (k6's name tag, JMeter's label, vegeta's URL).
type epKey struct{ method, name string }

// stats accumulates one endpoint's, one second's or the run's requests.
type stats struct {
	requests, failures int64
	lat                []time.Duration
	latSum             float64 // nanoseconds
	bytes              float64
	sized              int64 // requests with a known response size
}

func (s *stats) addLatency(d time.Duration) {
	s.lat = append(s.lat, d)
	s.latSum += float64(d)
}

// failKey is one row of the run's failures: an error of an endpoint.
type failKey struct {
	ep  epKey
	err string
}

// tally builds a client run from single requests, whatever tool recorded
// them: requests, latencies, failures and sizes may arrive as separate
// events (k6 writes one line per metric of a request) or together.
type tally struct {
	eps   map[epKey]*stats
	total stats
	secs  map[int64]*stats
	fails map[failKey]int64
	users map[int64]int // per second, the most users seen
	// startTimes is set when a request's time is when it started (JMeter,
	// vegeta), not when it ended (k6).
	startTimes bool
	lastEnd    time.Time // when the last request ended
	// folded counts the requests of endpoints past maxEndpoints, counted
	// as otherEndpoint.
	folded int64
}

// maxEndpoints bounds the endpoints told apart, as the server side's
// summary does: the requests of later ones are counted as otherEndpoint,
// with a warning, so that a run with a distinct URL per request costs
// what a run with 2,000 does.
const maxEndpoints = 2000

// otherEndpoint is where the endpoints past maxEndpoints are counted.
var otherEndpoint = epKey{name: "(other)"}

// key is k, or otherEndpoint once maxEndpoints others are known.
func (t *tally) key(k epKey) epKey {
	if _, ok := t.eps[k]; ok || len(t.eps) < maxEndpoints {
		return k
	}
	return otherEndpoint
}

// boundWarning says how many requests were counted as otherEndpoint.
func (t *tally) boundWarning() string {
	if t.folded == 0 {
		return ""
	}
	return fmt.Sprintf("more than %d distinct endpoints: the requests of the later ones (%d) are counted as %q", maxEndpoints, t.folded, otherEndpoint.name)
}

func newTally(startTimes bool) *tally {
	return &tally{eps: map[epKey]*stats{}, secs: map[int64]*stats{}, fails: map[failKey]int64{}, users: map[int64]int{}, startTimes: startTimes}
}

// ended notes that a request ended at end.
func (t *tally) ended(end time.Time) {
	if plausible(end) && end.After(t.lastEnd) {
		t.lastEnd = end
	}
}

func (t *tally) ep(k epKey) *stats {
	k = t.key(k)
	s := t.eps[k]
	if s == nil {
		s = &stats{}
		t.eps[k] = s
	}
	return s
}

// sec returns the stats of the second holding at, or nil for a zero time
// (a request without a usable time counts in the totals only).
func (t *tally) sec(at time.Time) *stats {
	if at.IsZero() {
		return nil
	}
	k := at.Unix()
	s := t.secs[k]
	if s == nil {
		s = &stats{}
		t.secs[k] = s
	}
	return s
}

// request counts n requests of endpoint k made at at.
func (t *tally) request(at time.Time, k epKey, n int64) {
	if t.key(k) == otherEndpoint && k != otherEndpoint {
		t.folded += n
	}
	t.ep(k).requests += n
	t.total.requests += n
	if s := t.sec(at); s != nil {
		s.requests += n
		t.ended(at)
	}
}

// latency records one request's response time.
func (t *tally) latency(at time.Time, k epKey, d time.Duration) {
	t.ep(k).addLatency(d)
	t.total.addLatency(d)
	if s := t.sec(at); s != nil {
		s.addLatency(d)
		if t.startTimes {
			t.ended(at.Add(d))
		}
	}
}

// failure counts n failed requests of endpoint k with the error msg.
func (t *tally) failure(at time.Time, k epKey, msg string, n int64) {
	t.ep(k).failures += n
	t.total.failures += n
	if s := t.sec(at); s != nil {
		s.failures += n
	}
	fk := failKey{t.key(k), msg}
	if _, ok := t.fails[fk]; !ok && len(t.fails) >= maxEndpoints {
		fk.err = "(other errors)"
	}
	t.fails[fk] += n
}

// size records one response's size in bytes.
func (t *tally) size(k epKey, bytes int64) {
	e := t.ep(k)
	e.bytes += float64(bytes)
	e.sized++
	t.total.bytes += float64(bytes)
	t.total.sized++
}

// user records how many users (k6 VUs, JMeter threads) were active at at.
func (t *tally) user(at time.Time, n int) {
	if at.IsZero() || n < 0 {
		return
	}
	k := at.Unix()
	t.users[k] = max(t.users[k], n)
}

// hit is one request as a tool that writes a line per request records it.
type hit struct {
	at      time.Time
	ep      epKey
	latency time.Duration // negative: unknown
	bytes   int64         // response size; negative: unknown
	failed  bool
	err     string // why it failed
	users   int    // active users; negative: unknown
}

func (t *tally) add(h hit) {
	t.request(h.at, h.ep, 1)
	if h.latency >= 0 {
		t.latency(h.at, h.ep, h.latency)
	}
	if h.bytes >= 0 {
		t.size(h.ep, h.bytes)
	}
	if h.failed {
		t.failure(h.at, h.ep, h.err, 1)
	}
	t.user(h.at, h.users)
}

// exactPercentiles are the percentiles computed from single requests, in percent,
// with the quantile each is reported as: Locust's columns and the
// report's default table (60, 70).
var exactPercentiles = []struct{ p, q float64 }{
	{50, 0.5}, {60, 0.6}, {66, 0.66}, {70, 0.7}, {75, 0.75}, {80, 0.8}, {90, 0.9},
	{95, 0.95}, {98, 0.98}, {99, 0.99}, {99.9, 0.999}, {99.99, 0.9999}, {100, 1},
}

// nearestRank is the p-th percentile (0..100) of sorted values: the value
// at rank ceil(p/100*n), as analyze computes it.
func nearestRank(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	r := int(math.Ceil(p / 100 * float64(n)))
	return sorted[min(max(r, 1), n)-1]
}

// summarize sorts s's latencies and makes an endpoint row of it; seconds
// is the run's length for the per-second rates (zero: no rates).
func (s *stats) summarize(k epKey, seconds float64) model.ClientEndpoint {
	e := model.ClientEndpoint{Method: k.method, Name: k.name, Requests: s.requests, Failures: s.failures}
	if seconds > 0 {
		e.RPS = float64(s.requests) / seconds
		e.FailuresPerSec = float64(s.failures) / seconds
	}
	if s.sized > 0 {
		e.AvgContentSize = s.bytes / float64(s.sized)
	}
	if len(s.lat) == 0 {
		return e
	}
	slices.Sort(s.lat)
	e.Min, e.Max = s.lat[0], s.lat[len(s.lat)-1]
	e.Median = nearestRank(s.lat, 50)
	e.Avg = nsDuration(s.latSum / float64(len(s.lat)))
	e.Percentiles = percentilesOf(s.lat)
	return e
}

func percentilesOf(sorted []time.Duration) []model.Percentile {
	out := make([]model.Percentile, len(exactPercentiles))
	for i, p := range exactPercentiles {
		out[i] = model.Percentile{Q: p.q, Value: nearestRank(sorted, p.p)}
	}
	return out
}

// aggregateName is the name of the total row and of the timeline's rows,
// as Locust names them.
const aggregateName = "Aggregated"

// fill sets run's endpoints (sorted by name, then method), total,
// per-second history and failures from the tally.
func (t *tally) fill(run *model.ClientRun) {
	first, last, ok := t.span()
	seconds := 0.0
	if ok {
		seconds = float64(last - first + 1)
	}
	keys := make([]epKey, 0, len(t.eps))
	for k := range t.eps {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b epKey) int { return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.method, b.method)) })
	run.Endpoints = make([]model.ClientEndpoint, 0, len(keys))
	for _, k := range keys {
		run.Endpoints = append(run.Endpoints, t.eps[k].summarize(k, seconds))
	}
	run.Total = t.total.summarize(epKey{name: aggregateName}, seconds)
	if ok {
		run.History = t.history(first, max(last, t.stopSecond()))
	}
	run.Failures = t.failures()
}

// span is the first and last second holding a request.
func (t *tally) span() (first, last int64, ok bool) {
	for k := range t.secs {
		if !ok || k < first {
			first = k
		}
		if !ok || k > last {
			last = k
		}
		ok = true
	}
	return first, last, ok
}

// stopSecond is the second from which the client had no request in
// flight: the timeline runs until then, so that no request the client
// counted seems in flight when it stopped.
func (t *tally) stopSecond() int64 {
	s := t.lastEnd.Unix()
	if t.lastEnd.Nanosecond() > 0 {
		s++
	}
	return s
}

// gapFill tells whether the timeline from first to last is filled with
// idle seconds: when it is at most an hour, or at most 20 times the busy
// seconds (and a week). Otherwise (a stray timestamp days away, a sparse
// soak) it lists the busy seconds only.
func (t *tally) gapFill(first, last int64) bool {
	span := last - first + 1
	return span <= 3600 || span <= 20*int64(len(t.secs)) && span <= 7*24*3600
}

// history is one aggregate row per second from first to last, each at the
// second's start: the second's requests, failures and latency
// percentiles, cumulative totals, and the users last seen. Idle seconds
// are rows with zero rates and no percentiles, so that a chart drops to
// zero rather than interpolating.
func (t *tally) history(first, last int64) []model.ClientSample {
	secs := make([]int64, 0, len(t.secs)+1)
	if t.gapFill(first, last) {
		for k := first; k <= last; k++ {
			secs = append(secs, k)
		}
	} else {
		for k := range t.secs {
			secs = append(secs, k)
		}
		slices.Sort(secs)
		if secs[len(secs)-1] < last {
			secs = append(secs, last)
		}
	}
	out := make([]model.ClientSample, 0, len(secs))
	var reqs, fails int64
	users := 0
	for _, k := range secs {
		if u, ok := t.users[k]; ok {
			users = u
		}
		s := t.secs[k]
		if s == nil {
			s = &stats{}
		}
		reqs += s.requests
		fails += s.failures
		e := s.summarize(epKey{name: aggregateName}, 1)
		out = append(out, model.ClientSample{
			Time: time.Unix(k, 0).UTC(), Users: users, Name: aggregateName,
			RPS: e.RPS, FailuresPerSec: e.FailuresPerSec, Percentiles: e.Percentiles,
			TotalRequests: reqs, TotalFailures: fails,
			Median: e.Median, Avg: e.Avg, Min: e.Min, Max: e.Max,
		})
	}
	return out
}

// failures lists the errors, most frequent first.
func (t *tally) failures() []model.ClientFailure {
	out := make([]model.ClientFailure, 0, len(t.fails))
	for k, n := range t.fails {
		out = append(out, model.ClientFailure{Method: k.ep.method, Name: k.ep.name, Error: k.err, Occurrences: n})
	}
	slices.SortFunc(out, func(a, b model.ClientFailure) int {
		return cmp.Or(cmp.Compare(b.Occurrences, a.Occurrences), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Method, b.Method), cmp.Compare(a.Error, b.Error))
	})
	if len(out) == 0 {
		return nil
	}
	return out
}

// consistent returns a summary's reported percentiles, or none with a
// warning when they decrease as the quantile grows: such a file is damaged
// or hand-edited, and no percentile of it can be trusted.
func (r *reader) consistent(ps []model.Percentile) []model.Percentile {
	for i := 1; i < len(ps); i++ {
		if ps[i].Value < ps[i-1].Value {
			r.warnf(1, "reported latency percentiles decrease (p%g %v > p%g %v); percentiles left out",
				ps[i-1].Q*100, ps[i-1].Value, ps[i].Q*100, ps[i].Value)
			return nil
		}
	}
	return ps
}

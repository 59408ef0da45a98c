package sim

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file re-implements Locust 2.x's stats history: the rows the CSV
// writer appends every second, with --csv-full-history one per endpoint
// and the aggregate, whose percentiles are "current" ones computed from
// the response-times cache over about the last 10 seconds.

// Locust's constants for the current response-time percentiles.
const (
	currentWindow = 10                 // CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW
	rtCacheSize   = currentWindow + 10 // entries kept in response_times_cache
)

// rtCache is response_times_cache: an OrderedDict from a Unix second to a
// copy of the response times and the request count at that second.
type rtCache struct {
	keys    []int64 // insertion order
	entries map[int64]cachedRT
}

type cachedRT struct {
	rt  map[int64]int64
	num int64
}

// cacheResponseTimes is _cache_response_times(t): a key already present
// keeps its place; the oldest keys go once there are more than 20.
func (e *locustEntry) cacheResponseTimes(t int64) {
	c := &e.cache
	if c.entries == nil {
		c.entries = map[int64]cachedRT{}
	}
	if _, ok := c.entries[t]; !ok {
		c.keys = append(c.keys, t)
	}
	c.entries[t] = cachedRT{rt: maps.Clone(e.rt), num: e.numRequests}
	for len(c.keys) > rtCacheSize {
		delete(c.entries, c.keys[0])
		c.keys = c.keys[1:]
	}
}

// currentPercentile is get_current_response_time_percentile at now: the
// percentile of the requests since the cached copy closest to 10 s ago
// (t-10, t-11, t-9, ... t-18, t-2), and ok false (Python None) without one.
func (e *locustEntry) currentPercentile(now time.Time, percent float64) (v int64, ok bool) {
	t := now.Unix()
	tries := []int64{t - currentWindow}
	for i := int64(1); i < 9; i++ {
		tries = append(tries, t-currentWindow-i, t-currentWindow+i)
	}
	for _, ts := range tries {
		c, found := e.cache.entries[ts]
		if !found {
			continue
		}
		diff := map[int64]int64{}
		for k, n := range e.rt {
			if d := n - c.rt[k]; d != 0 {
				diff[k] = d
			}
		}
		return percentileOf(diff, e.numRequests-c.num, percent), true
	}
	return 0, false
}

// percentileOf is calculate_response_time_percentile over a bucket map.
func percentileOf(rt map[int64]int64, num int64, percent float64) int64 {
	numOf := int64(float64(num) * percent)
	keys := slices.Sorted(maps.Keys(rt))
	var processed int64
	for _, k := range slices.Backward(keys) {
		processed += rt[k]
		if num-processed <= numOf {
			return k
		}
	}
	return 0
}

// currentPercentileFields are the percentile columns of a full-history
// row: N/A without requests, 0 where Python's value is None.
func (e *locustEntry) currentPercentileFields(now time.Time) []string {
	out := make([]string, len(e.stats.percentiles))
	for i, p := range e.stats.percentiles {
		if e.numRequests == 0 {
			out[i] = "N/A"
			continue
		}
		v, _ := e.currentPercentile(now, p)
		out[i] = strconv.FormatInt(v, 10)
	}
	return out
}

// historyRows are the rows written at now: with full history, one per
// endpoint (sorted by name, then method) and then the aggregate.
func (s *locustStats) historyRows(now time.Time, users int, full bool) string {
	if !full {
		return s.historyRow(now, users)
	}
	var b strings.Builder
	for _, e := range s.sorted() {
		b.WriteString(e.historyRow(now, users, true))
	}
	return b.String()
}

// locustOptions are how Locust was told to write its CSV files.
type locustOptions struct {
	percentiles []float64 // PERCENTILES_TO_REPORT
	fullHistory bool      // --csv-full-history
}

// writerLag is how long after each whole second of the run the CSV writer
// runs.
const writerLag = 2100 * time.Microsecond

// locustFiles computes Locust's four CSV files for a client run, on the
// client's clock: stats, stats history (one tick a second from the start,
// until the second after the last response, or until the stop when the
// stop killed the users), failures and exceptions. Abandoned calls are in
// none of them.
func locustFiles(run *ClientRun, o locustOptions) (stats, history, failures, exceptions []byte) {
	cr := run.onClientClock()
	var calls []Call
	for _, c := range cr.Calls {
		if !c.Abandoned {
			calls = append(calls, c)
		}
	}
	slices.SortStableFunc(calls, func(a, b Call) int { return a.Done().Compare(b.Done()) })
	s := newLocustStats(cr.Test.Start, o.percentiles)
	var h strings.Builder
	h.WriteString(s.historyHeader())
	end := cr.LastDone().Add(time.Second)
	if cr.Test.KillAtStop {
		end = cr.Test.Stop()
	}
	next := 0
	for t := cr.Test.Start.Add(writerLag); !t.After(end); t = t.Add(time.Second) {
		for ; next < len(calls) && !calls[next].Done().After(t); next++ {
			s.log(calls[next])
		}
		h.WriteString(s.historyRows(t, cr.Users(t), o.fullHistory))
	}
	for ; next < len(calls); next++ {
		s.log(calls[next])
	}
	return s.statsCSV(), []byte(h.String()), s.failuresCSV(),
		[]byte(csvRow([]string{"Count", "Message", "Traceback", "Nodes"}))
}

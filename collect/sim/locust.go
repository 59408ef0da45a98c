package sim

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file re-implements what Locust 2.x's stats.py computes and writes,
// with Python's number formatting, so that the simulated CSV files read
// exactly like Locust's own.

// locustEntry is Locust's StatsEntry: one endpoint, or the aggregate.
type locustEntry struct {
	method, name   string // method "" for the aggregate (Python None)
	stats          *locustStats
	numRequests    int64
	totalRT        float64 // sum of response times in ms, in the order logged
	minRT, maxRT   float64
	hasMin, hasMax bool  // min None and max the int 0 until the first request
	contentLength  int64 // total_content_length
	rt             map[int64]int64
	rtIsInt        map[int64]bool // Python key type: int below 100 ms, float above
	perSec         map[int64]int64
	lastTS         float64 // last_request_timestamp, valid once numRequests > 0
	numFailures    int64
	failPerSec     map[int64]int64
	cache          rtCache // response_times_cache
}

// locustStats is Locust's RequestStats: the entries and their total.
type locustStats struct {
	start       float64 // start_time, Unix seconds
	percentiles []float64
	entries     map[[2]string]*locustEntry // keyed by (name, method)
	total       *locustEntry
	errors      map[string]*locustError // keyed by StatsError.create_key
}

func newLocustStats(start time.Time, percentiles []float64) *locustStats {
	s := &locustStats{start: unixFloat(start), percentiles: percentiles, entries: map[[2]string]*locustEntry{}, errors: map[string]*locustError{}}
	s.total = s.newEntry("", "Aggregated", s.start)
	return s
}

// newEntry is a StatsEntry created (and reset) at now: its response-times
// cache starts with an empty copy for that second.
func (s *locustStats) newEntry(method, name string, now float64) *locustEntry {
	e := &locustEntry{method: method, name: name, stats: s, rt: map[int64]int64{}, rtIsInt: map[int64]bool{},
		perSec: map[int64]int64{}, failPerSec: map[int64]int64{}}
	e.cacheResponseTimes(int64(now))
	return e
}

func unixFloat(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// log records a response as Locust does when it arrives: the request,
// and its failure if it failed.
func (s *locustStats) log(c Call) {
	key := [2]string{c.Name, c.Method}
	now := unixFloat(c.Done())
	e := s.entries[key]
	if e == nil {
		e = s.newEntry(c.Method, c.Name, now)
		s.entries[key] = e
	}
	s.total.log(now, c.Latency, c.ContentLength)
	e.log(now, c.Latency, c.ContentLength)
	if c.Error != "" {
		s.logError(now, c.Method, c.Name, c.Error)
	}
}

func (e *locustEntry) log(now float64, rt time.Duration, contentLength int64) {
	ms := float64(rt) / float64(time.Millisecond)
	if t := int64(now); e.numRequests > 0 && t > int64(e.lastTS) {
		e.cacheResponseTimes(t - 1)
	}
	e.numRequests++
	e.perSec[int64(now)]++
	e.lastTS = now
	e.totalRT += ms
	if !e.hasMin || ms < e.minRT {
		e.minRT, e.hasMin = ms, true
	}
	if ms > e.maxRT { // Python: max(0, ms) keeps the int 0 when ms is 0.0
		e.maxRT, e.hasMax = ms, true
	}
	k, isInt := roundedResponseTime(rt)
	if _, seen := e.rt[k]; !seen {
		e.rtIsInt[k] = isInt
	}
	e.rt[k]++
	e.contentLength += contentLength
}

// roundedResponseTime is Locust's bucket key in ms: exact below 100 ms
// (round() gives an int), then rounded to 10, 100 and 1000 ms (round(x, -n)
// gives a float). Python rounds half to even on the exact value; response
// times are whole nanoseconds, so integer arithmetic gives the same result.
func roundedResponseTime(rt time.Duration) (key int64, isInt bool) {
	ns := int64(rt)
	switch {
	case ns < 100*1e6:
		return roundHalfEven(ns, 1e6), true
	case ns < 1000*1e6:
		return roundHalfEven(ns, 10e6) * 10, false
	case ns < 10000*1e6:
		return roundHalfEven(ns, 100e6) * 100, false
	}
	return roundHalfEven(ns, 1000e6) * 1000, false
}

func roundHalfEven(n, unit int64) int64 {
	q, r := n/unit, n%unit
	if 2*r > unit || (2*r == unit && q%2 == 1) {
		q++
	}
	return q
}

// percentile is calculate_response_time_percentile: the bucket holding the
// request that percent of the requests finished within, walking the
// buckets from the slowest.
func (e *locustEntry) percentile(percent float64) int64 {
	numOf := int64(float64(e.numRequests) * percent)
	keys := e.keys()
	var processed int64
	for _, k := range slices.Backward(keys) {
		processed += e.rt[k]
		if e.numRequests-processed <= numOf {
			return k
		}
	}
	return 0
}

func (e *locustEntry) keys() []int64 {
	keys := make([]int64, 0, len(e.rt))
	for k := range e.rt {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// medianValue is median_response_time: the bucket key from
// median_from_dict, clamped to the exact min and max. isInt tells how
// Python prints it.
func (e *locustEntry) medianValue() (v float64, isInt bool) {
	if len(e.rt) == 0 {
		return 0, true
	}
	pos := float64(e.numRequests-1) / 2
	keys := e.keys()
	k := keys[len(keys)-1]
	for _, key := range keys {
		if pos < float64(e.rt[key]) {
			k = key
			break
		}
		pos -= float64(e.rt[key])
	}
	switch {
	case float64(k) > e.maxRT:
		return e.maxRT, !e.hasMax
	case e.hasMin && float64(k) < e.minRT:
		return e.minRT, false
	}
	return float64(k), e.rtIsInt[k] || k == 0 // median_from_dict(...) or 0
}

// median is medianValue as Python prints it.
func (e *locustEntry) median() string {
	v, isInt := e.medianValue()
	if isInt {
		return strconv.FormatInt(int64(v), 10)
	}
	return pyFloat(v)
}

func (e *locustEntry) avg() string {
	if e.numRequests == 0 {
		return "0.0"
	}
	return pyFloat(e.totalRT / float64(e.numRequests))
}

func (e *locustEntry) min() string {
	if !e.hasMin || e.minRT == 0 {
		return "0" // min_response_time or 0
	}
	return pyFloat(e.minRT)
}

func (e *locustEntry) max() string {
	if !e.hasMax {
		return "0"
	}
	return pyFloat(e.maxRT)
}

func (e *locustEntry) avgContent() string {
	if e.numRequests == 0 {
		return "0"
	}
	return pyFloat(float64(e.contentLength) / float64(e.numRequests))
}

// totalRPS is total_rps: requests over the time from the start to the
// last response of all endpoints.
func (e *locustEntry) totalRPS() string {
	last := e.stats.total
	if last.numRequests == 0 || last.lastTS == 0 || e.stats.start == 0 {
		return "0.0"
	}
	return pyFloat(float64(e.numRequests) / (last.lastTS - e.stats.start))
}

// currentRPS is current_rps: the mean of the per-second counts over the
// seconds from 12 before the last response to 2 before it.
func (e *locustEntry) currentRPS() float64 { return e.currentRate(e.perSec) }

// currentFailRate is current_fail_per_sec, the same over failures.
func (e *locustEntry) currentFailRate() float64 { return e.currentRate(e.failPerSec) }

func (e *locustEntry) currentRate(perSec map[int64]int64) float64 {
	total := e.stats.total
	if total.numRequests == 0 {
		return 0
	}
	last := int64(total.lastTS)
	from := max(last-12, int64(e.stats.start))
	var sum float64
	n := 0
	for t := from; t < last-2; t++ {
		sum += float64(perSec[t])
		n++
	}
	return sum / float64(max(n, 1))
}

// percentileFields are the percentile columns: N/A without requests.
func (e *locustEntry) percentileFields() []string {
	out := make([]string, len(e.stats.percentiles))
	for i, p := range e.stats.percentiles {
		if e.numRequests == 0 {
			out[i] = "N/A"
			continue
		}
		out[i] = strconv.FormatInt(e.percentile(p), 10)
	}
	return out
}

// sorted returns the entries sorted by (name, method), then the total.
func (s *locustStats) sorted() []*locustEntry {
	keys := make([][2]string, 0, len(s.entries))
	for k := range s.entries {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	var out []*locustEntry
	for _, k := range keys {
		out = append(out, s.entries[k])
	}
	return append(out, s.total)
}

// readablePercentiles is get_readable_percentiles: "50%", "99.9%".
func readablePercentiles(ps []float64) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		v := p * 100
		if v == math.Trunc(v) {
			out[i] = strconv.FormatInt(int64(v), 10) + "%"
			continue
		}
		r, _ := strconv.ParseFloat(strconv.FormatFloat(100*p, 'f', 6, 64), 64)
		out[i] = pyFloat(r) + "%"
	}
	return out
}

// statsCSV is the _stats.csv file as Locust leaves it at the end.
func (s *locustStats) statsCSV() []byte {
	header := append([]string{"Type", "Name", "Request Count", "Failure Count", "Median Response Time",
		"Average Response Time", "Min Response Time", "Max Response Time", "Average Content Size",
		"Requests/s", "Failures/s"}, readablePercentiles(s.percentiles)...)
	var b strings.Builder
	b.WriteString(csvRow(header))
	for _, e := range s.sorted() {
		row := []string{e.method, e.name, strconv.FormatInt(e.numRequests, 10), strconv.FormatInt(e.numFailures, 10), e.median(), e.avg(),
			e.min(), e.max(), e.avgContent(), e.totalRPS(), e.totalFailRate()}
		b.WriteString(csvRow(append(row, e.percentileFields()...)))
	}
	return []byte(b.String())
}

// totalFailRate is total_fail_per_sec: failures over the time from the
// start to the last response of all endpoints.
func (e *locustEntry) totalFailRate() string {
	last := e.stats.total
	if last.numRequests == 0 || last.lastTS == 0 || e.stats.start == 0 {
		return "0.0"
	}
	return pyFloat(float64(e.numFailures) / (last.lastTS - e.stats.start))
}

// historyHeader is the _stats_history.csv header.
func (s *locustStats) historyHeader() string {
	h := append([]string{"Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"}, readablePercentiles(s.percentiles)...)
	h = append(h, "Total Request Count", "Total Failure Count", "Total Median Response Time",
		"Total Average Response Time", "Total Min Response Time", "Total Max Response Time", "Total Average Content Size")
	return csvRow(h)
}

// historyRow is the aggregate row Locust appends every second: current
// requests per second, cumulative percentiles (without
// --csv-full-history) and totals.
func (s *locustStats) historyRow(now time.Time, users int) string {
	e := s.total
	return e.historyRow(now, users, false)
}

// historyRow is the entry's row at now: current rates, percentiles
// (current ones with --csv-full-history, else cumulative) and totals.
func (e *locustEntry) historyRow(now time.Time, users int, current bool) string {
	row := []string{strconv.FormatInt(now.Unix(), 10), strconv.Itoa(users), e.method, e.name,
		strconv.FormatFloat(e.currentRPS(), 'f', 6, 64), strconv.FormatFloat(e.currentFailRate(), 'f', 6, 64)}
	if current {
		row = append(row, e.currentPercentileFields(now)...)
	} else {
		row = append(row, e.percentileFields()...)
	}
	row = append(row, strconv.FormatInt(e.numRequests, 10), strconv.FormatInt(e.numFailures, 10), e.median(), e.avg(), e.min(), e.max(), e.avgContent())
	return csvRow(row)
}

// csvRow writes fields as Python's csv module does by default: quoted only
// when needed, CRLF line ends.
func csvRow(fields []string) string {
	if len(fields) == 1 && fields[0] == "" {
		return "\"\"\r\n"
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		if strings.ContainsAny(f, ",\"\r\n") {
			f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
		}
		b.WriteString(f)
	}
	b.WriteString("\r\n")
	return b.String()
}

// pyFloat formats a float as Python's repr does: the shortest decimal that
// reads back exactly, always with a fraction or an exponent.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		mant, _, _ := strings.Cut(e, "e")
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return mant + "e" + sign + pad2(exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

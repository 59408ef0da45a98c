package loadtest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// jtlSample is one sample of a JTL file, CSV or XML, before its timeStamp
// is read (the pattern may be guessed from all of them).
type jtlSample struct {
	line     int
	ts       string
	label    string
	code     string // responseCode
	hasCode  bool   // the file has a responseCode column (attribute)
	message  string // responseMessage
	failMsg  string // failureMessage (assertion)
	dataType string
	url      string
	elapsed  time.Duration // negative: unknown
	success  bool
	bytes    int64 // negative: unknown
	threads  int   // allThreads; negative: unknown
	sub      bool  // nested in another sample (XML)
}

// transactionPrefix starts the responseMessage of a Transaction Controller's
// sample.
const transactionPrefix = "Number of samples in transaction"

// isTransaction tells a Transaction Controller's row: its message, or an
// empty response code (in a file that has the column) with no data type
// and no URL.
func (s *jtlSample) isTransaction() bool {
	return strings.HasPrefix(s.message, transactionPrefix) ||
		s.hasCode && s.code == "" && s.dataType == "" && (s.url == "" || s.url == "null")
}

// failMessage is why a sample failed: the assertion's message, else the
// response code and message ("Non HTTP response code: ...").
func (s *jtlSample) failMessage() string {
	if s.failMsg != "" {
		return s.failMsg
	}
	if m := strings.TrimSpace(s.code + " " + s.message); m != "" {
		return m
	}
	return "failed"
}

// subLabel matches a sub-sample's label: "HTTP Request-0" is the first
// redirect or embedded resource of "HTTP Request".
var subLabel = regexp.MustCompile(`^(.+)-\d+$`)

// jtlTally reads the timestamps of samples and counts them as requests,
// leaving out Transaction Controller rows and sub-samples (their parent
// is the request), with a warning that counts them. byLabel tells
// sub-samples by their label ("HTTP Request-0" beside "HTTP Request"), for
// CSV files, where they are not nested.
func (r *reader) jtlTally(samples []jtlSample, t *tally, byLabel bool) error {
	clock, err := r.jtlClock(samples)
	if err != nil {
		return err
	}
	labels := map[string]bool{}
	for i := range samples {
		if byLabel {
			labels[samples[i].label] = true
		}
	}
	var tx, sub, used int
	for i := range samples {
		s := &samples[i]
		m := subLabel.FindStringSubmatch(s.label)
		switch {
		case s.sub || m != nil && labels[m[1]]:
			sub++
		case s.isTransaction():
			tx++
		default:
			if r.jtlHit(s, clock, t) {
				used++
			}
		}
	}
	if tx+sub > 0 {
		r.warnf(1, "%d Transaction Controller rows and %d sub-samples (redirects, embedded resources: \"label-0\") are not requests; left out", tx, sub)
	}
	if used == 0 {
		return fmt.Errorf("%w: no sample with a readable time", errNothing)
	}
	return nil
}

func (r *reader) jtlHit(s *jtlSample, clock jmeterClock, t *tally) bool {
	at, ok := clock.parse(s.ts)
	if !ok {
		r.warnf(s.line, "timeStamp %q is neither epoch milliseconds nor %s; row skipped", s.ts, describePattern(clock))
		return false
	}
	h := hit{at: at, ep: epKey{name: s.label}, latency: s.elapsed, bytes: s.bytes, failed: !s.success, users: s.threads}
	if h.failed {
		h.err = s.failMessage()
	}
	t.add(h)
	return true
}

func describePattern(c jmeterClock) string {
	if c.pattern == "" {
		return "a date (give -jmeter-time-format)"
	}
	return fmt.Sprintf("a date like %q", c.pattern)
}

// jtlClock chooses how to read timeStamp: epoch milliseconds, the pattern
// given, or one guessed from the samples.
func (r *reader) jtlClock(samples []jtlSample) (jmeterClock, error) {
	if p := r.opts.JMeterTimeFormat; p != "" && p != "ms" {
		layout, err := JavaTimeLayout(p)
		if err != nil {
			return jmeterClock{}, err
		}
		c := jmeterClock{layout: layout, pattern: p}
		r.zoneWarning(c)
		return c, nil
	}
	var dates []string
	for i := 0; i < len(samples) && len(dates) < 200; i++ {
		if ts := samples[i].ts; ts != "" && !allDigits(ts) {
			dates = append(dates, ts)
		}
	}
	if len(dates) == 0 {
		return jmeterClock{}, nil
	}
	c, ambiguous := guessClock(dates)
	if c.layout == "" {
		r.warnf(samples[0].line, "timeStamp %q is not epoch milliseconds and no common date pattern reads it; give -jmeter-time-format (Java SimpleDateFormat)", dates[0])
		return c, nil
	}
	if ambiguous {
		r.warnf(samples[0].line, "timeStamp read with the pattern %q, guessed; another pattern reads the dates as well: give -jmeter-time-format if it is not this one", c.pattern)
	}
	r.zoneWarning(c)
	return c, nil
}

func (r *reader) zoneWarning(c jmeterClock) {
	if !c.hasZone() {
		r.warnf(1, "timeStamp dates carry no time zone (JMeter writes local time); read as UTC: give -clock-offset if the client's zone was another")
	}
}

// jtlField reads JTL numbers: integers, leniently also "12.0".
func jtlInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, n >= 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f >= math.MaxInt64 || f != math.Trunc(f) {
		return 0, false
	}
	return int64(f), true
}

// jtlElapsed reads elapsed milliseconds; negative when unreadable.
func (r *reader) jtlElapsed(line int, col, s string) time.Duration {
	n, ok := jtlInt(s)
	if ok && float64(n) <= maxMsDuration {
		return time.Duration(n) * time.Millisecond
	}
	r.warnf(line, "%s: want milliseconds, got %q; response time unknown", col, s)
	return -1
}

// jtlSuccess reads "true"/"false"; anything else is a failure, warned.
// Without the column (has is false) a response code of 2xx or 3xx is a
// success.
func (r *reader) jtlSuccess(line int, s string, has bool, code string) bool {
	if !has {
		return len(code) == 3 && (code[0] == '2' || code[0] == '3')
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true
	case "false":
		return false
	}
	r.warnf(line, "success: want true or false, got %q; counted as a failure", s)
	return false
}

// optInt reads an optional count (bytes, threads); -1 when absent or bad.
func optInt(s string) int64 {
	if n, ok := jtlInt(s); ok && s != "" {
		return n
	}
	return -1
}

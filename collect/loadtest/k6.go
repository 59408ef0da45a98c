package loadtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// k6Line is one line of k6's --out json: a Metric declaration or a Point.
// Newer k6 writes "metric" first, older k6 "type" first; the keys are the
// same.
type k6Line struct {
	Type   string `json:"type"`
	Metric string `json:"metric"`
	Data   struct {
		Time  string  `json:"time"`
		Value float64 `json:"value"`
		Tags  k6Tags  `json:"tags"`
	} `json:"data"`
}

// k6Tags are the tags of an HTTP metric point that runlens uses.
type k6Tags struct {
	Method           string `json:"method"`
	Name             string `json:"name"` // the URL unless the script named the request
	URL              string `json:"url"`
	Status           string `json:"status"` // "0" when no response came
	Error            string `json:"error"`
	ErrorCode        string `json:"error_code"`
	ExpectedResponse string `json:"expected_response"`
}

// endpoint groups k6 requests by method and name (the URL by default).
func (g k6Tags) endpoint() epKey {
	name := g.Name
	if name == "" {
		name = g.URL
	}
	return epKey{method: g.Method, name: name}
}

// failMessage is the error of a failed request: k6's error tag, else the
// status.
func (g k6Tags) failMessage() string {
	switch {
	case g.Error != "":
		return g.Error
	case g.Status == "0" || g.Status == "":
		return "no response (status 0)"
	}
	return "HTTP " + g.Status
}

// failedByStatus is k6's default expected-response rule, for requests whose
// http_req_failed point is missing: the expected_response tag where k6
// wrote one, else a status of 0 or at least 400.
func (g k6Tags) failedByStatus() bool {
	if g.ExpectedResponse != "" {
		return g.ExpectedResponse == "false"
	}
	s, err := strconv.Atoi(g.Status)
	return err != nil || s == 0 || s >= 400
}

// k6Request pairs a request's http_reqs points with its http_req_failed
// points (k6 writes them with the same time and tags).
type k6Request struct {
	at           time.Time
	tags         k6Tags
	reqs, failed int64
}

// k6State is what reading one --out json file keeps between lines.
type k6State struct {
	t       *tally
	pending map[string]*k6Request
	// legacy is set once many requests came without any http_req_failed
	// point (k6 before v0.31): failures then come from the status.
	legacy    bool
	sawFailed bool
	requests  int64
	valid     int
}

// maxPending is how many requests may await their http_req_failed point
// before a file is taken to have none.
const maxPending = 1 << 16

// k6JSON reads k6's --out json lines: requests from http_reqs, response
// times from http_req_duration, failures from http_req_failed (or from
// the status where that point is missing), users from vus.
func (r *reader) k6JSON(t *tally) error {
	f, br, err := openText(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	st := &k6State{t: t, pending: map[string]*k6Request{}}
	err = eachLine(br, func(line []byte, n int, last bool) { r.k6Line(st, line, n, last) })
	if err != nil {
		return err
	}
	st.flush()
	switch {
	case st.valid == 0:
		return errors.New("no k6 --out json lines (want {\"type\":\"Point\",...} per line)")
	case st.requests == 0:
		return errors.New("no http_reqs points: the run made no HTTP requests")
	}
	return nil
}

// k6Metrics are the metrics read; other lines are not decoded.
var k6Metrics = [][]byte{[]byte("http_reqs"), []byte("http_req_duration"), []byte("http_req_failed"), []byte(`"vus"`)}

func (r *reader) k6Line(st *k6State, line []byte, n int, last bool) {
	if !last && !containsAny(line, k6Metrics) {
		if !objectShaped(line) {
			r.warnf(n, "not a k6 JSON line (want one JSON object per line); ignored")
			return
		}
		st.valid++ // a point of another metric: not decoded
		return
	}
	var l k6Line
	if err := json.Unmarshal(line, &l); err != nil {
		if last {
			r.warnf(n, "the file ends in a half-written line; ignored")
			return
		}
		r.warnf(n, "not a k6 JSON line: %v", err)
		return
	}
	st.valid++
	if l.Type != "Point" {
		return
	}
	at, err := time.Parse(time.RFC3339Nano, l.Data.Time)
	if err != nil || !plausible(at) {
		r.warnf(n, "%s point: want an RFC 3339 time, got %q; ignored", l.Metric, l.Data.Time)
		return
	}
	r.k6Point(st, l, at.UTC(), n)
}

func (r *reader) k6Point(st *k6State, l k6Line, at time.Time, n int) {
	v, tags := l.Data.Value, l.Data.Tags
	switch l.Metric {
	case "http_reqs":
		if v < 0 || v > 1e12 || v != math.Trunc(v) {
			r.warnf(n, "http_reqs point: want a count, got %v; ignored", v)
			return
		}
		st.t.request(at, tags.endpoint(), int64(v))
		st.requests += int64(v)
		st.awaitFailed(at, tags, int64(v))
	case "http_req_duration":
		d, ok := msDuration(v)
		if !ok {
			r.warnf(n, "http_req_duration point: want milliseconds, got %v; ignored", v)
			return
		}
		st.t.latency(at, tags.endpoint(), d)
	case "http_req_failed":
		st.sawFailed = true
		if v != 0 {
			st.t.failure(at, tags.endpoint(), tags.failMessage(), 1)
		}
		st.gotFailed(at, tags)
	case "vus":
		if v >= 0 && v < 1e9 {
			st.t.user(at, int(v))
		}
	}
}

func k6Key(at time.Time, g k6Tags) string {
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s", at.UnixNano(), g.Method, g.Name, g.URL, g.Status, g.ErrorCode)
}

// awaitFailed notes n requests whose http_req_failed point is to come.
func (st *k6State) awaitFailed(at time.Time, g k6Tags, n int64) {
	if st.legacy {
		st.statusFailure(at, g, n)
		return
	}
	k := k6Key(at, g)
	p := st.pending[k]
	if p == nil {
		p = &k6Request{at: at, tags: g}
		st.pending[k] = p
	}
	p.reqs += n
	st.settle(k, p)
	if !st.sawFailed && len(st.pending) > maxPending {
		st.flush()
		st.legacy = true
	}
}

// gotFailed matches an http_req_failed point with its request.
func (st *k6State) gotFailed(at time.Time, g k6Tags) {
	k := k6Key(at, g)
	p := st.pending[k]
	if p == nil {
		p = &k6Request{at: at, tags: g}
		st.pending[k] = p
	}
	p.failed++
	st.settle(k, p)
}

func (st *k6State) settle(k string, p *k6Request) {
	if p.reqs == p.failed {
		delete(st.pending, k)
	}
}

// flush decides the failure of requests whose http_req_failed point never
// came (a file cut short, or a k6 that did not write one) by their status.
func (st *k6State) flush() {
	for k, p := range st.pending {
		if n := p.reqs - p.failed; n > 0 {
			st.statusFailure(p.at, p.tags, n)
		}
		delete(st.pending, k)
	}
}

func (st *k6State) statusFailure(at time.Time, g k6Tags, n int64) {
	if g.failedByStatus() {
		st.t.failure(at, g.endpoint(), g.failMessage(), n)
	}
}

// objectShaped reports whether a trimmed line looks like one JSON object:
// the cheap check that tells text, a cut line or binary from a point of a
// metric runlens does not decode (those are not decoded, for speed).
func objectShaped(line []byte) bool {
	return len(line) >= 2 && line[0] == '{' && line[len(line)-1] == '}'
}

func containsAny(b []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(b, s) {
			return true
		}
	}
	return false
}

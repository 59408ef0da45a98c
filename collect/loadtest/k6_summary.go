package loadtest

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/runlens/runlens/model"
)

// k6Summary reads a k6 end-of-test summary: the legacy --summary-export
// (each metric's statistics flat) or handleSummary's JSON (each metric's
// statistics under "values"). Either holds totals only. http_req_failed
// is a rate whose "passes" are the failed requests.
func (r *reader) k6Summary() (*summary, error) {
	f, br, err := openText(r.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(br)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Metrics map[string]json.RawMessage `json:"metrics"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not a k6 summary: %w", err)
	}
	reqs := k6Stats(doc.Metrics["http_reqs"])
	count, ok := reqs["count"]
	if !ok || count < 0 || count > 1e15 || count != math.Trunc(count) {
		return nil, errors.New("no http_reqs count in the summary's metrics: the run made no HTTP requests, or this is not a k6 summary")
	}
	total := model.ClientEndpoint{Name: aggregateName, Requests: int64(count), RPS: finite(reqs["rate"])}
	total.Failures = r.k6Failed(k6Stats(doc.Metrics["http_req_failed"]), total.Requests)
	if total.Requests > 0 {
		total.FailuresPerSec = float64(total.Failures) * total.RPS / float64(total.Requests)
	}
	r.k6Durations(&total, k6Stats(doc.Metrics["http_req_duration"]))
	return &summary{path: r.path, format: FormatK6Summary, total: total}, nil
}

// k6Stats returns a metric's numeric statistics, from "values" (handleSummary)
// or from the metric itself (--summary-export); other keys are left out.
func k6Stats(raw json.RawMessage) map[string]float64 {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	if v, ok := m["values"]; ok {
		if json.Unmarshal(v, &m) != nil {
			return nil
		}
	}
	out := map[string]float64{}
	for k, v := range m {
		var f float64
		if json.Unmarshal(v, &f) == nil {
			out[k] = f
		}
	}
	return out
}

// k6Failed is the number of failed requests: http_req_failed's passes,
// else its rate times the requests.
func (r *reader) k6Failed(s map[string]float64, requests int64) int64 {
	if p, ok := s["passes"]; ok && p >= 0 && p <= float64(requests) {
		return int64(p)
	}
	for _, k := range []string{"rate", "value"} {
		if v, ok := s[k]; ok && v >= 0 && v <= 1 {
			return int64(math.Round(v * float64(requests)))
		}
	}
	r.warnf(1, "no http_req_failed metric (k6 before v0.31 did not write one): failures unknown, taken as 0")
	return 0
}

// k6Durations sets the total's response times from http_req_duration, in
// milliseconds: avg, min, med, max and p(N) as k6 reported them (k6
// interpolates its percentiles).
func (r *reader) k6Durations(e *model.ClientEndpoint, s map[string]float64) {
	if len(s) == 0 {
		r.warnf(1, "no http_req_duration metric: no response times")
		return
	}
	get := func(k string) (time.Duration, bool) {
		v, ok := s[k]
		if !ok {
			return 0, false
		}
		d, ok := msDuration(v)
		if !ok {
			r.warnf(1, "http_req_duration %s: want milliseconds, got %v", k, v)
		}
		return d, ok
	}
	e.Avg, _ = get("avg")
	e.Min, _ = get("min")
	e.Median, _ = get("med")
	e.Max, _ = get("max")
	for k := range s {
		if q, ok := k6Quantile(k); ok {
			if d, ok := get(k); ok {
				e.Percentiles = append(e.Percentiles, model.Percentile{Q: q, Value: d})
			}
		}
	}
	slices.SortFunc(e.Percentiles, func(a, b model.Percentile) int { return cmp.Compare(a.Q, b.Q) })
	e.Percentiles = r.consistent(e.Percentiles)
}

// k6Quantile reads a statistic name "p(99.9)" as the quantile 0.999.
func k6Quantile(k string) (float64, bool) {
	num, ok := strings.CutPrefix(k, "p(")
	if !ok {
		return 0, false
	}
	num, ok = strings.CutSuffix(num, ")")
	if !ok {
		return 0, false
	}
	q, ok := percentileQ(num)
	if !ok {
		p, err := strconv.ParseFloat(num, 64)
		if err != nil || p <= 0 || p > 100 {
			return 0, false
		}
		q = p / 100
	}
	return q, true
}

func finite(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0
	}
	return f
}

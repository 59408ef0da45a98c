package analyze

import (
	"math"
	"time"

	"github.com/runlens/runlens/model"
)

// clientReport converts the load generator's statistics; nil without them.
func clientReport(c *model.ClientRun, ps []float64) *Client {
	if c == nil {
		return nil
	}
	out := &Client{
		Tool:                   c.Tool,
		Total:                  clientEndpoint(c.Total, ps),
		ApproximatePercentiles: c.ApproximatePercentiles,
		Endpoints:              []ClientEndpoint{},
	}
	for _, e := range c.Endpoints {
		out.Endpoints = append(out.Endpoints, clientEndpoint(e, ps))
	}
	if start, end := clientSpan(c); !start.IsZero() {
		out.DurationSeconds = end.Sub(start).Seconds()
	}
	return out
}

func clientEndpoint(e model.ClientEndpoint, ps []float64) ClientEndpoint {
	out := ClientEndpoint{
		Method:          e.Method,
		Name:            e.Name,
		Requests:        e.Requests,
		Failures:        e.Failures,
		AvgMS:           ms(e.Avg),
		MinMS:           ms(e.Min),
		MaxMS:           ms(e.Max),
		AvgContentBytes: e.AvgContentSize,
		RequestsPerSec:  e.RPS,
		FailuresPerSec:  e.FailuresPerSec,
		Percentiles:     make([]Quantile, len(ps)),
	}
	for i, p := range ps {
		v, ok := reported(e, p)
		out.Percentiles[i] = Quantile{P: p, MS: ms(v), Missing: !ok}
	}
	out.P50MS = pick(out.Percentiles, e, 50)
	out.P95MS = pick(out.Percentiles, e, 95)
	out.P99MS = pick(out.Percentiles, e, 99)
	return out
}

// reported finds the tool's own value at percentile p (0..100): a reported
// column, the median for 50, the maximum for 100.
func reported(e model.ClientEndpoint, p float64) (time.Duration, bool) {
	for _, q := range e.Percentiles {
		if math.Abs(q.Q*100-p) < 1e-9 {
			return q.Value, true
		}
	}
	switch {
	case p == 50 && e.Requests > 0:
		return e.Median, true
	case p == 100 && e.Requests > 0:
		return e.Max, true
	}
	return 0, false
}

func pick(qs []Quantile, e model.ClientEndpoint, p float64) float64 {
	for _, q := range qs {
		if q.P == p && !q.Missing {
			return q.MS
		}
	}
	v, _ := reported(e, p)
	return ms(v)
}

// clientSpan returns the first and last time of the client's timeline.
func clientSpan(c *model.ClientRun) (start, end time.Time) {
	for _, h := range c.History {
		if start.IsZero() || h.Time.Before(start) {
			start = h.Time
		}
		if h.Time.After(end) {
			end = h.Time
		}
	}
	return start, end
}

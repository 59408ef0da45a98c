package analyze

import (
	"cmp"
	"slices"

	"github.com/runlens/runlens/analyze/summary"
)

// maxUserAgents is how many user agents the report keeps.
const maxUserAgents = 10

// serverReport is the server's statistics per method and path, and the
// requests of each endpoint.
func serverReport(s *summary.Summary, ps []float64) (Server, map[summary.Key]int64) {
	tot := s.Total()
	seconds := tot.Last.Sub(tot.First).Seconds()
	out := Server{Endpoints: []ServerEndpoint{}, Total: endpointRow(tot, s.TotalLatency(), ps, seconds)}
	counts := map[summary.Key]int64{}
	for k, e := range s.Endpoints() {
		out.Endpoints = append(out.Endpoints, endpointRow(e, e.Latency, ps, seconds))
		counts[k] = e.N
	}
	slices.SortFunc(out.Endpoints, func(a, b ServerEndpoint) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	agents := make([]UserAgent, 0, len(s.Agents()))
	for ua, c := range s.Agents() {
		agents = append(agents, UserAgent{UserAgent: ua, Requests: c.N})
	}
	slices.SortFunc(agents, func(a, b UserAgent) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.UserAgent, b.UserAgent))
	})
	out.UserAgents = agents[:min(maxUserAgents, len(agents))]
	return out, counts
}

// endpointRow is an endpoint's row, its percentiles from q.
func endpointRow(e *summary.Endpoint, q *summary.Quantiles, ps []float64, seconds float64) ServerEndpoint {
	out := ServerEndpoint{Method: e.Key.Method, Path: e.Key.Path, Requests: e.N,
		Status2xx: e.Status[2], Status3xx: e.Status[3], Status4xx: e.Status[4], Status5xx: e.Status[5],
		MinMS: q.QuantileMS(0), MaxMS: q.QuantileMS(100),
		P50MS: q.QuantileMS(50), P95MS: q.QuantileMS(95), P99MS: q.QuantileMS(99),
		Percentiles: make([]Quantile, len(ps)), Sketched: q.Sketched()}
	for i, p := range ps {
		out.Percentiles[i] = Quantile{P: p, MS: q.QuantileMS(p), Missing: e.N == 0}
	}
	if e.N > 0 {
		out.AvgMS = ms(e.LatencySum) / float64(e.N)
		out.AvgResponseBytes = float64(e.ResponseBytes) / float64(e.N)
	}
	if seconds > 0 {
		out.RequestsPerSec = float64(e.N) / seconds
	}
	return out
}

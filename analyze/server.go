package analyze

import (
	"cmp"
	"slices"
)

// endpointKey identifies a server endpoint.
type endpointKey struct{ method, path string }

func (k endpointKey) String() string { return k.method + " " + k.path }

// maxUserAgents is how many user agents the report keeps.
const maxUserAgents = 10

// serverReport is the server's statistics per method and path, and the
// requests of each endpoint.
func serverReport(s *Summary, ps []float64) (Server, map[endpointKey]int64) {
	total := newQuantiles(exactPerEndpoint)
	for _, k := range sortedEndpointKeys(s.endpoints) {
		total.merge(s.endpoints[k].q)
	}
	seconds := s.total.last.Sub(s.total.first).Seconds()
	out := Server{Endpoints: []ServerEndpoint{}, Total: s.total.endpoint(total, ps, seconds)}
	counts := map[endpointKey]int64{}
	for k, e := range s.endpoints {
		out.Endpoints = append(out.Endpoints, e.endpoint(e.q, ps, seconds))
		counts[k] = e.n
	}
	slices.SortFunc(out.Endpoints, func(a, b ServerEndpoint) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	agents := make([]UserAgent, 0, len(s.agents))
	for ua, c := range s.agents {
		agents = append(agents, UserAgent{UserAgent: ua, Requests: c.n})
	}
	slices.SortFunc(agents, func(a, b UserAgent) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.UserAgent, b.UserAgent))
	})
	out.UserAgents = agents[:min(maxUserAgents, len(agents))]
	return out, counts
}

// endpoint is the endpoint's row, its percentiles from q.
func (e *epAcc) endpoint(q *quantiles, ps []float64, seconds float64) ServerEndpoint {
	out := ServerEndpoint{Method: e.key.method, Path: e.key.path, Requests: e.n,
		Status2xx: e.status[2], Status3xx: e.status[3], Status4xx: e.status[4], Status5xx: e.status[5],
		MinMS: q.quantileMS(0), MaxMS: q.quantileMS(100),
		P50MS: q.quantileMS(50), P95MS: q.quantileMS(95), P99MS: q.quantileMS(99),
		Percentiles: make([]Quantile, len(ps)), Sketched: q.sketched()}
	for i, p := range ps {
		out.Percentiles[i] = Quantile{P: p, MS: q.quantileMS(p), Missing: e.n == 0}
	}
	if e.n > 0 {
		out.AvgMS = ms(e.sum) / float64(e.n)
		out.AvgResponseBytes = float64(e.respBytes) / float64(e.n)
	}
	if seconds > 0 {
		out.RequestsPerSec = float64(e.n) / seconds
	}
	return out
}

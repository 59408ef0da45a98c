package analyze

import (
	"cmp"
	"slices"
	"time"

	"github.com/runlens/runlens/collect"
)

// endpointKey identifies a server endpoint.
type endpointKey struct{ method, path string }

func (k endpointKey) String() string { return k.method + " " + k.path }

// serverGroup accumulates the requests of one endpoint.
type serverGroup struct {
	key         endpointKey
	n           int64 // requests; len(latencies) where they are kept
	latencies   []time.Duration
	status      [6]int64 // by hundred: [2] is 2xx; [0] is status 0 and other
	respBytes   int64
	first, last time.Time
}

func (g *serverGroup) add(r *collect.Request) {
	g.n++
	g.latencies = append(g.latencies, r.Latency)
	c := r.Status / 100
	if c < 1 || c > 5 {
		c = 0
	}
	g.status[c]++
	g.respBytes += r.ResponseSize
	if g.first.IsZero() || r.Time.Before(g.first) {
		g.first = r.Time
	}
	if r.Time.After(g.last) {
		g.last = r.Time
	}
}

func (g *serverGroup) endpoint(ps []float64, seconds float64) ServerEndpoint {
	st := newDurationStats(g.latencies)
	n := int64(len(g.latencies))
	e := ServerEndpoint{
		Method:      g.key.method,
		Path:        g.key.path,
		Requests:    n,
		Status2xx:   g.status[2],
		Status3xx:   g.status[3],
		Status4xx:   g.status[4],
		Status5xx:   g.status[5],
		AvgMS:       st.avgMS(),
		MinMS:       st.minMS(),
		MaxMS:       st.maxMS(),
		P50MS:       st.percentileMS(50),
		P95MS:       st.percentileMS(95),
		P99MS:       st.percentileMS(99),
		Percentiles: st.quantiles(ps),
	}
	if n > 0 {
		e.AvgResponseBytes = float64(g.respBytes) / float64(n)
	}
	if seconds > 0 {
		e.RequestsPerSec = float64(n) / seconds
	}
	return e
}

// serverReport groups request log entries by method and path.
func serverReport(reqs []collect.Request, ps []float64) (Server, map[endpointKey]*serverGroup) {
	groups := map[endpointKey]*serverGroup{}
	total := &serverGroup{key: endpointKey{path: "Aggregated"}}
	for i := range reqs {
		r := &reqs[i]
		k := endpointKey{r.Method, r.Path}
		g := groups[k]
		if g == nil {
			g = &serverGroup{key: k}
			groups[k] = g
		}
		g.add(r)
		total.add(r)
	}
	seconds := total.last.Sub(total.first).Seconds()
	out := Server{Endpoints: []ServerEndpoint{}, Total: total.endpoint(ps, seconds)}
	for _, g := range groups {
		out.Endpoints = append(out.Endpoints, g.endpoint(ps, seconds))
	}
	out.UserAgents = userAgents(reqs, maxUserAgents)
	slices.SortFunc(out.Endpoints, func(a, b ServerEndpoint) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	return out, groups
}

// maxUserAgents is how many user agents the report keeps.
const maxUserAgents = 10

// userAgents counts requests per user agent and keeps the n most frequent.
func userAgents(reqs []collect.Request, n int) []UserAgent {
	counts := map[string]*int64{}
	for i := range reqs {
		c := counts[reqs[i].UserAgent]
		if c == nil {
			c = new(int64)
			counts[reqs[i].UserAgent] = c
		}
		*c++
	}
	out := make([]UserAgent, 0, len(counts))
	for ua, c := range counts {
		out = append(out, UserAgent{UserAgent: ua, Requests: *c})
	}
	slices.SortFunc(out, func(a, b UserAgent) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(a.UserAgent, b.UserAgent))
	})
	return out[:min(n, len(out))]
}

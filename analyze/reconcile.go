package analyze

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/collect"
)

// reconcileInput is what reconciliation compares.
type reconcileInput struct {
	client       *collect.ClientRun
	groups       map[endpointKey]*serverGroup
	reqs         []collect.Request
	total        int64                   // server requests in all
	cause        map[endpointKey]*strays // classified already (large inputs); nil: classify reqs
	metricTotal  int64                   // -1 without a request_count metric
	clientWindow collect.Window          // server time; zero when the client has no timeline
	endpointMap  map[string]string
}

// outsideMargin is how far before or after the client's run a server
// request may arrive and still count as the client's (latency, clock error).
const outsideMargin = 5 * time.Second

// strays counts server requests the client did not count, by cause, and
// requests of note that are in both.
type strays struct {
	outside     int64 // arrived outside the client's run
	otherClient int64 // inside the run, from another user agent
	inflight    int64 // the client's, still in flight when it stopped
	rejected    int64 // 429 or 503 with no instance: rejected before an instance
}

func (s *strays) add(o *strays) {
	s.outside += o.outside
	s.otherClient += o.otherClient
	s.inflight += o.inflight
	s.rejected += o.rejected
}

// classify sorts the server's requests by why the client may not have
// counted them, per endpoint.
func classify(in reconcileInput) map[endpointKey]*strays {
	out := map[endpointKey]*strays{}
	w := in.clientWindow
	ua := clientUserAgent(in.reqs, w)
	for i := range in.reqs {
		r := &in.reqs[i]
		k := endpointKey{r.Method, r.Path}
		s := out[k]
		if s == nil {
			s = &strays{}
			out[k] = s
		}
		if r.InstanceID == "" && (r.Status == 429 || r.Status == 503) {
			s.rejected++
		}
		switch {
		case !w.IsZero() && (r.Time.Before(w.Start.Add(-outsideMargin)) || r.Time.After(w.End.Add(outsideMargin))):
			s.outside++
		case r.UserAgent != ua:
			s.otherClient++
		case !w.IsZero() && r.Time.Add(r.Latency).After(w.End):
			// The client counts a request when its response arrives: one that
			// completed after the client stopped is not in its statistics
			// (an arrival just after the estimated stop is clock error).
			s.inflight++
		}
	}
	return out
}

// clientUserAgent is the user agent that sent the most requests during the
// client's run: the load generator's.
func clientUserAgent(reqs []collect.Request, w collect.Window) string {
	counts := map[string]int{}
	best, bestN := "", 0
	for i := range reqs {
		r := &reqs[i]
		if !w.IsZero() && (r.Time.Before(w.Start) || r.Time.After(w.End)) {
			continue
		}
		counts[r.UserAgent]++
		if n := counts[r.UserAgent]; n > bestN || (n == bestN && r.UserAgent < best) {
			best, bestN = r.UserAgent, n
		}
	}
	return best
}

// reconcile compares counts per endpoint and in total, and explains each
// difference it can. It returns the rows and the total left unexplained.
func reconcile(in reconcileInput) ([]Reconciliation, int64) {
	cause := in.cause
	if cause == nil {
		cause = classify(in)
	}
	type row struct {
		Reconciliation
		strays   strays
		connFail int64
	}
	var rows []row
	matched := map[endpointKey]bool{}
	if in.client != nil {
		for _, e := range in.client.Endpoints {
			r := row{Reconciliation: Reconciliation{Endpoint: endpointLabel(e), ClientRequests: e.Requests, ClientFailures: e.Failures, MetricRequests: -1}}
			if k, ok := matchServer(e, in.groups, in.endpointMap); ok {
				matched[k] = true
				r.ServerRequests = in.groups[k].n
				r.strays = *cause[k]
			}
			r.connFail = connectionFailures(in.client, endpointLabel(e))
			rows = append(rows, r)
		}
	}
	for k, g := range in.groups {
		if !matched[k] {
			rows = append(rows, row{Reconciliation: Reconciliation{Endpoint: k.String(), ServerRequests: g.n, MetricRequests: -1}, strays: *cause[k]})
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.ClientRequests+b.ServerRequests, a.ClientRequests+a.ServerRequests), cmp.Compare(a.Endpoint, b.Endpoint))
	})
	total := row{Reconciliation: Reconciliation{Endpoint: "total", ServerRequests: in.total, MetricRequests: in.metricTotal}}
	for _, s := range cause {
		total.strays.add(s)
	}
	if in.client != nil {
		total.ClientRequests, total.ClientFailures = in.client.Total.Requests, in.client.Total.Failures
		total.connFail = connectionFailures(in.client, "")
	}
	rows = append(rows, total)
	out := make([]Reconciliation, len(rows))
	var unexplained int64
	for i, r := range rows {
		r.Difference = r.ServerRequests - r.ClientRequests
		left := explain(&r.Reconciliation, r.strays, r.connFail, in.client != nil)
		if r.Endpoint == "total" {
			unexplained = left
		}
		out[i] = r.Reconciliation
	}
	return out, unexplained
}

// explain lists the causes behind a row's difference, with their counts, and
// returns what they leave unexplained.
func explain(row *Reconciliation, s strays, connFail int64, hasClient bool) int64 {
	row.Explanations = []string{}
	add := func(n int64, format string) {
		if n > 0 {
			row.Explanations = append(row.Explanations, fmt.Sprintf(format, n))
		}
	}
	if !hasClient {
		row.Explanations = append(row.Explanations, "no client data: nothing to compare with")
		return 0
	}
	add(s.outside, "%d server requests arrived outside the client's run: other traffic in the window")
	add(s.otherClient, "%d server requests came from other clients (another user agent) during the run")
	add(s.inflight, "%d requests were in flight when the client stopped: the service logged them, the client's statistics do not count them")
	add(connFail, "%d client failures were connection errors that never reached the service")
	add(s.rejected, "%d requests were rejected before reaching an instance (429 or 503 with no instance)")
	if row.Endpoint == "total" && row.MetricRequests >= 0 && row.MetricRequests != row.ServerRequests {
		row.Explanations = append(row.Explanations, fmt.Sprintf(
			"the request_count metric counts %d, the request logs %d: log exclusions, sampling or metric interval edges",
			row.MetricRequests, row.ServerRequests))
	}
	left := row.Difference - (s.outside + s.otherClient + s.inflight - connFail)
	if left != 0 {
		row.Explanations = append(row.Explanations, fmt.Sprintf("%+d requests unexplained", left))
	}
	return left
}

// connectionFailures counts the client failures of one endpoint ("" for
// all) whose error says the request never got a response from the service.
func connectionFailures(c *collect.ClientRun, endpoint string) int64 {
	var n int64
	for _, f := range c.Failures {
		m, name := splitMethod(f.Method, f.Name)
		if endpoint != "" && endpointLabel(collect.ClientEndpoint{Method: m, Name: name}) != endpoint {
			continue
		}
		if isConnectionError(f.Error) {
			n += f.Occurrences
		}
	}
	return n
}

func isConnectionError(e string) bool {
	e = strings.ToLower(e)
	for _, s := range []string{"connectionerror", "connection refused", "connectionrefused", "remotedisconnected", "connection reset", "got a (0)", "http 0", "name or service not known", "timed out"} {
		if strings.Contains(e, s) {
			return true
		}
	}
	return false
}

// matchServer finds the server endpoint a client endpoint maps to: the
// user's mapping (keyed by "METHOD name" or name, valued "METHOD /path"),
// else the same method and path, or the only path that matches when the
// client gives no method.
func matchServer(e collect.ClientEndpoint, groups map[endpointKey]*serverGroup, mapping map[string]string) (endpointKey, bool) {
	m, name := splitMethod(e.Method, e.Name)
	for _, key := range []string{strings.TrimSpace(m + " " + name), name} {
		if to, ok := mapping[key]; ok {
			m, name = splitMethod("", to)
			break
		}
	}
	p := normalizePath(name)
	if m != "" {
		k := endpointKey{m, p}
		_, ok := groups[k]
		return k, ok
	}
	var found endpointKey
	n := 0
	for k := range groups {
		if k.path == p {
			found, n = k, n+1
		}
	}
	return found, n == 1
}

// endpointLabel names a client endpoint as "METHOD /path".
func endpointLabel(e collect.ClientEndpoint) string {
	m, name := splitMethod(e.Method, e.Name)
	if m == "" {
		return name
	}
	return m + " " + normalizePath(name)
}

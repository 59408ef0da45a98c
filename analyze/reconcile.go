package analyze

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"

	"github.com/runlens/runlens/internal/english"
)

// reconcileInput is what reconciliation compares.
type reconcileInput struct {
	client       *model.ClientRun
	counts       map[summary.Key]int64   // server requests per endpoint
	total        int64                   // server requests in all
	cause        map[summary.Key]*strays // the server requests the client may not have counted
	metricTotal  int64                   // -1 without a request_count metric
	clientWindow model.Window            // server time; zero when the client has no timeline
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
// counted them, per endpoint, by the second of their arrival and
// completion: outside the client's run (w, widened by outsideMargin), from
// another user agent during it, or the load generator's and still in
// flight when the run ended. The load generator's agent is the one that
// sent the most requests during the run.
func classify(s *summary.Summary, w model.Window) map[summary.Key]*strays {
	ua := clientAgent(s, w)
	out := map[summary.Key]*strays{}
	lo, hi := w.Start.Add(-outsideMargin).Unix(), w.End.Add(outsideMargin).Unix()
	for k, e := range s.Endpoints() {
		st := &strays{rejected: e.Recon.Rejected}
		out[k] = st
		for a, as := range e.Recon.ByAgent {
			mine := a != nil && a.UA == ua
			if w.IsZero() {
				if !mine {
					st.otherClient += as.N
				}
				continue
			}
			arrive := as.Arrive.Cumulative()
			outside := arrive(lo-1) + (as.N - arrive(hi))
			inside := as.N - outside
			st.outside += outside
			if !mine {
				st.otherClient += inside
				continue
			}
			// Still in flight when the run ended: those that arrived
			// inside less those that completed by its end (per 100 ms).
			complete := as.Complete.Cumulative()
			from, end := summary.FloorDiv(w.Start.Add(-outsideMargin).UnixNano(), summary.Tenth), summary.FloorDiv(w.End.UnixNano(), summary.Tenth)
			st.inflight += max(0, inside-(complete(end)-complete(from-1)))
		}
	}
	return out
}

// clientAgent is the user agent that sent the most requests during the
// client's run (over the whole log without one): the load generator's.
func clientAgent(s *summary.Summary, w model.Window) string {
	counts := map[string]int64{}
	for _, e := range s.Endpoints() {
		for a, as := range e.Recon.ByAgent {
			if a == nil {
				continue
			}
			if w.IsZero() {
				counts[a.UA] += as.N
				continue
			}
			arrive := as.Arrive.Cumulative()
			counts[a.UA] += arrive(w.End.Unix()) - arrive(w.Start.Unix()-1)
		}
	}
	best, bestN := "", int64(0)
	for ua, n := range counts {
		if n > bestN || (n == bestN && ua < best) {
			best, bestN = ua, n
		}
	}
	return best
}

// reconcile compares counts per endpoint and in total, and explains each
// difference it can. It returns the rows and the total left unexplained.
func reconcile(in reconcileInput) ([]Reconciliation, reconcileTotals) {
	cause := in.cause
	type row struct {
		Reconciliation
		strays   strays
		connFail int64
	}
	var rows []row
	matched := map[summary.Key]bool{}
	if in.client != nil {
		for _, e := range in.client.Endpoints {
			r := row{Reconciliation: Reconciliation{Endpoint: endpointLabel(e), ClientRequests: e.Requests, ClientFailures: e.Failures, MetricRequests: -1}}
			if k, ok := matchServer(e, in.counts, in.endpointMap); ok {
				matched[k] = true
				r.ServerRequests = in.counts[k]
				r.strays = *cause[k]
			}
			r.connFail = connectionFailures(in.client, endpointLabel(e))
			rows = append(rows, r)
		}
	}
	for k, n := range in.counts {
		if !matched[k] {
			rows = append(rows, row{Reconciliation: Reconciliation{Endpoint: k.String(), ServerRequests: n, MetricRequests: -1}, strays: *cause[k]})
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
	var tot reconcileTotals
	for i, r := range rows {
		r.Difference = r.ServerRequests - r.ClientRequests
		left := explain(&r.Reconciliation, r.strays, r.connFail, in.client != nil)
		if r.Endpoint == "total" {
			tot = reconcileTotals{unexplained: left, strays: r.strays, connFail: r.connFail}
			if in.client == nil {
				tot.strays = strays{}
			}
		}
		out[i] = r.Reconciliation
	}
	return out, tot
}

// reconcileTotals is what the total row found: the difference left
// unexplained, the server requests the client did not send, and the
// client failures that never reached the service.
type reconcileTotals struct {
	unexplained int64
	strays      strays
	connFail    int64
}

// explain lists the causes behind a row's difference, with their counts, and
// returns what they leave unexplained.
func explain(row *Reconciliation, s strays, connFail int64, hasClient bool) int64 {
	row.Explanations = []string{}
	add := func(n int64, one, many, rest string) {
		if n > 0 {
			row.Explanations = append(row.Explanations, english.Plural(n, one, many)+rest)
		}
	}
	if !hasClient {
		row.Explanations = append(row.Explanations, "no client data: nothing to compare with")
		return 0
	}
	add(s.outside, "server request", "server requests", " arrived outside the client's run: other traffic in the window")
	add(s.otherClient, "server request", "server requests", " came from other clients (another user agent) during the run")
	add(s.inflight, "request was", "requests were", " in flight when the client stopped: the service logged them, the client's statistics do not count them")
	add(connFail, "client failure was a connection error", "client failures were connection errors", " that never reached the service")
	add(s.rejected, "request was", "requests were", " rejected before reaching an instance (429 or 503 with no instance)")
	if row.Endpoint == "total" && row.MetricRequests >= 0 && row.MetricRequests != row.ServerRequests {
		row.Explanations = append(row.Explanations, fmt.Sprintf(
			"the request_count metric counts %s, the request logs %s: log exclusions, sampling or metric interval edges",
			english.Count(row.MetricRequests), english.Count(row.ServerRequests)))
	}
	left := row.Difference - (s.outside + s.otherClient + s.inflight - connFail)
	if left != 0 {
		sign := "+"
		if left < 0 {
			sign = ""
		}
		row.Explanations = append(row.Explanations, sign+english.Plural(left, "request", "requests")+" unexplained")
	}
	return left
}

// connectionFailures counts the client failures of one endpoint ("" for
// all) whose error says the request never got a response from the service.
func connectionFailures(c *model.ClientRun, endpoint string) int64 {
	var n int64
	for _, f := range c.Failures {
		m, name := splitMethod(f.Method, f.Name)
		if endpoint != "" && endpointLabel(model.ClientEndpoint{Method: m, Name: name}) != endpoint {
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
func matchServer(e model.ClientEndpoint, groups map[summary.Key]int64, mapping map[string]string) (summary.Key, bool) {
	m, name := splitMethod(e.Method, e.Name)
	for _, key := range []string{strings.TrimSpace(m + " " + name), name} {
		if to, ok := mapping[key]; ok {
			m, name = splitMethod("", to)
			break
		}
	}
	p := normalizePath(name)
	if m != "" {
		k := summary.Key{Method: m, Path: p}
		_, ok := groups[k]
		return k, ok
	}
	var found summary.Key
	n := 0
	for k := range groups {
		if k.Path == p {
			found, n = k, n+1
		}
	}
	return found, n == 1
}

// endpointLabel names a client endpoint as "METHOD /path".
func endpointLabel(e model.ClientEndpoint) string {
	m, name := splitMethod(e.Method, e.Name)
	if m == "" {
		return name
	}
	return m + " " + normalizePath(name)
}

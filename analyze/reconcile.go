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
	metricTotal  int64          // -1 without a request_count metric
	clientWindow collect.Window // server time; zero when the client has no timeline
}

// reconcile compares counts per endpoint and in total, and explains each
// difference it can. It returns the rows and the requests left unexplained.
func reconcile(in reconcileInput) ([]Reconciliation, int64) {
	rows := []Reconciliation{}
	matched := map[endpointKey]bool{}
	if in.client != nil {
		for _, e := range in.client.Endpoints {
			key, ok := matchServer(e, in.groups)
			row := Reconciliation{
				Endpoint:       endpointLabel(e),
				ClientRequests: e.Requests,
				ClientFailures: e.Failures,
				MetricRequests: -1,
			}
			if ok {
				matched[key] = true
				row.ServerRequests = int64(len(in.groups[key].latencies))
			}
			rows = append(rows, row)
		}
	}
	for k, g := range in.groups {
		if !matched[k] {
			rows = append(rows, Reconciliation{Endpoint: k.String(), ServerRequests: int64(len(g.latencies)), MetricRequests: -1})
		}
	}
	sortRows(rows)
	total := Reconciliation{Endpoint: "total", ServerRequests: int64(len(in.reqs)), MetricRequests: in.metricTotal}
	if in.client != nil {
		total.ClientRequests = in.client.Total.Requests
		total.ClientFailures = in.client.Total.Failures
	}
	rows = append(rows, total)
	var unexplained int64
	for i := range rows {
		rows[i].Difference = rows[i].ServerRequests - rows[i].ClientRequests
		rows[i].Explanations = []string{}
		if in.client == nil {
			rows[i].Explanations = append(rows[i].Explanations, "no client data: nothing to compare with")
			continue
		}
		left := explain(&rows[i], in)
		if rows[i].Endpoint == "total" {
			unexplained = left
		}
	}
	return rows, unexplained
}

// explain appends the explanations it finds for a row's difference and
// returns how many requests remain unexplained.
func explain(row *Reconciliation, in reconcileInput) int64 {
	d := row.Difference
	var left int64 = abs(d)
	add := func(n int64, format string, args ...any) {
		if n <= 0 || left <= 0 {
			return
		}
		row.Explanations = append(row.Explanations, fmt.Sprintf(format, args...))
		left -= min(n, left)
	}
	isTotal := row.Endpoint == "total"
	if d > 0 {
		if n := outsideClientRun(in, row, isTotal); n > 0 {
			add(n, "%d server requests arrived outside the client's run: other traffic in the window", n)
		}
		if n := countStatus0(in.reqs, row, isTotal); n > 0 {
			add(n, "%d requests ended with status 0: the client closed them, likely in flight when it stopped", n)
		}
		if left > 0 && row.ClientRequests > 0 {
			add(left, "%d more server requests than the client counted: requests in flight when the client stopped are not in its statistics", left)
		}
	}
	if d < 0 {
		if n := connectionFailures(in.client, row, isTotal); n > 0 {
			add(n, "%d client failures were connection errors that never reached the service", n)
		}
		if n := row.ClientFailures; n > 0 {
			add(n, "%d client failures may not have reached the service", n)
		}
	}
	if isTotal && row.MetricRequests >= 0 && row.MetricRequests != row.ServerRequests {
		row.Explanations = append(row.Explanations, fmt.Sprintf(
			"the request_count metric counts %d, the request logs %d: log exclusions, sampling or metric interval edges",
			row.MetricRequests, row.ServerRequests))
	}
	if left > 0 {
		row.Explanations = append(row.Explanations, fmt.Sprintf("%d requests unexplained", left))
	}
	return left
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// outsideClientRun counts the row's server requests outside the client's
// timeline (with a margin for latency and clock error).
func outsideClientRun(in reconcileInput, row *Reconciliation, all bool) int64 {
	w := in.clientWindow
	if w.IsZero() {
		return 0
	}
	const margin = 5 * time.Second
	var n int64
	for i := range in.reqs {
		r := &in.reqs[i]
		if !all && (endpointKey{r.Method, r.Path}).String() != row.Endpoint && !strings.HasSuffix(row.Endpoint, " "+r.Path) {
			continue
		}
		if r.Time.Before(w.Start.Add(-margin)) || r.Time.After(w.End.Add(margin)) {
			n++
		}
	}
	return n
}

func countStatus0(reqs []collect.Request, row *Reconciliation, all bool) int64 {
	var n int64
	for i := range reqs {
		if reqs[i].Status == 0 && (all || (endpointKey{reqs[i].Method, reqs[i].Path}).String() == row.Endpoint) {
			n++
		}
	}
	return n
}

// connectionFailures counts client failures whose error says the request
// never got a response from the service.
func connectionFailures(c *collect.ClientRun, row *Reconciliation, all bool) int64 {
	var n int64
	for _, f := range c.Failures {
		m, name := splitMethod(f.Method, f.Name)
		if !all && endpointLabel(collect.ClientEndpoint{Method: m, Name: name}) != row.Endpoint {
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

// matchServer finds the server endpoint a client endpoint maps to: same
// method and path, or the only path that matches when the client gives no
// method.
func matchServer(e collect.ClientEndpoint, groups map[endpointKey]*serverGroup) (endpointKey, bool) {
	m, name := splitMethod(e.Method, e.Name)
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

func sortRows(rows []Reconciliation) {
	slices.SortFunc(rows, func(a, b Reconciliation) int {
		return cmp.Or(cmp.Compare(b.ClientRequests+b.ServerRequests, a.ClientRequests+a.ServerRequests), cmp.Compare(a.Endpoint, b.Endpoint))
	})
}

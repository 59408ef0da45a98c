package analyze

import (
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/collect"
)

// coldStarts finds the instance starts that requests waited on. Evidence,
// strongest first: the marker on a request entry, a system-log start, and
// the first request of an instance. With system logs present an instance
// without a logged start or marker was already running; without them every
// instance's first request counts, and the report says so.
//
// A request waited on a cold start when it carried the marker, or was its
// instance's first request, or arrived before the instance's startup probe
// succeeded. Its penalty is its latency minus the warm median of its endpoint.
func coldStarts(ds *collect.Dataset, ins []*instance) (ColdStarts, map[string]bool, map[int]bool) {
	hasSystem := len(ds.Events) > 0
	cold := map[string]bool{}
	waited := map[int]bool{}
	for _, in := range ins {
		if !in.marker && in.start.IsZero() && (hasSystem || len(in.reqs) == 0) {
			continue
		}
		if len(in.reqs) > 0 && !in.marker && configuredStart(in.reason, ds.Requests[in.reqs[0]].Time, in.ready) {
			continue
		}
		cold[in.id] = true
		for k, i := range in.reqs {
			r := &ds.Requests[i]
			if k == 0 || r.ColdStart || (!in.ready.IsZero() && r.Time.Before(in.ready)) {
				waited[i] = true
			}
		}
	}
	warm := warmMedians(ds.Requests, waited)
	out := ColdStarts{Instances: []ColdStart{}}
	var penalties []float64
	for i := range waited {
		penalties = append(penalties, penalty(&ds.Requests[i], warm))
	}
	slices.Sort(penalties)
	for _, in := range ins {
		if cold[in.id] {
			out.Instances = append(out.Instances, coldStart(ds, in, warm))
		}
	}
	out.Count = len(out.Instances)
	if n := len(ds.Requests); n > 0 {
		out.ShareOfRequests = float64(len(waited)) / float64(n)
	}
	out.PenaltyP50MS = floatRank(penalties, 50)
	out.PenaltyP95MS = floatRank(penalties, 95)
	markChurn(&out, ds.Requests)
	return out, cold, waited
}

func coldStart(ds *collect.Dataset, in *instance, warm map[endpointKey]time.Duration) ColdStart {
	c := ColdStart{InstanceID: in.id, StartedAt: in.seen(ds), Reason: in.reason, StartupMS: -1, FirstRequestMS: -1, Evidence: []string{}}
	if in.marker {
		c.Evidence = append(c.Evidence, "marker")
	}
	if !in.start.IsZero() {
		c.Evidence = append(c.Evidence, "system_log")
		if !in.ready.IsZero() {
			c.StartupMS = ms(in.ready.Sub(in.start))
		}
	}
	if len(in.reqs) > 0 {
		r := &ds.Requests[in.reqs[0]]
		c.Evidence = append(c.Evidence, "first_request")
		c.FirstRequestMS = ms(r.Latency)
		c.FirstRequest = r.Method + " " + r.Path
		c.PenaltyMS = penalty(r, warm)
	}
	return c
}

// penalty is what waiting on a cold start added to a request: its latency
// above the warm median of its endpoint, never below zero.
func penalty(r *collect.Request, warm map[endpointKey]time.Duration) float64 {
	return max(0, ms(r.Latency-warm[endpointKey{r.Method, r.Path}]))
}

// configuredStart reports an instance start that configuration made, not
// traffic (min instances, a deployment), and that no request waited on: its
// first request came after it was ready. Such a start is not a cold start.
func configuredStart(reason string, first, ready time.Time) bool {
	r := strings.ToUpper(reason)
	byConfig := strings.Contains(r, "MIN_INSTANCE") || strings.Contains(r, "DEPLOYMENT")
	return byConfig && !ready.IsZero() && !first.Before(ready)
}

// warmMedians is the median latency per endpoint of requests that did not
// wait on a cold start.
func warmMedians(reqs []collect.Request, waited map[int]bool) map[endpointKey]time.Duration {
	byKey := map[endpointKey][]time.Duration{}
	for i := range reqs {
		if !waited[i] {
			k := endpointKey{reqs[i].Method, reqs[i].Path}
			byKey[k] = append(byKey[k], reqs[i].Latency)
		}
	}
	out := make(map[endpointKey]time.Duration, len(byKey))
	for k, d := range byKey {
		slices.Sort(d)
		out[k] = nearestRank(d, 50)
	}
	return out
}

// churnWindow is the span before and after a cold start over which traffic
// is compared to call it steady.
const churnWindow = time.Minute

// markChurn flags cold starts that happened while traffic was steady: at
// least a minute after the first request, with requests arriving in the
// minute before, and no more than 25 % more in the minute after. Such starts
// are not scale-up for more traffic but the platform replacing instances:
// the "continuous cold starts" pattern.
func markChurn(cs *ColdStarts, reqs []collect.Request) {
	arrivals := make([]time.Time, len(reqs))
	for i := range reqs {
		arrivals[i] = reqs[i].Time
	}
	slices.SortFunc(arrivals, time.Time.Compare)
	if len(arrivals) == 0 {
		return
	}
	count := func(from, to time.Time) int {
		a, _ := slices.BinarySearchFunc(arrivals, from, time.Time.Compare)
		b, _ := slices.BinarySearchFunc(arrivals, to, time.Time.Compare)
		return b - a
	}
	for i := range cs.Instances {
		c := &cs.Instances[i]
		t := c.StartedAt
		if t.Before(arrivals[0].Add(churnWindow)) {
			continue
		}
		before, after := count(t.Add(-churnWindow), t), count(t, t.Add(churnWindow))
		if before > 0 && float64(after) <= 1.25*float64(before) {
			c.Churn = true
			cs.Churn++
		}
	}
}

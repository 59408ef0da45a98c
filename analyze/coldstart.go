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
// succeeded (looked for among the instance's earliest requests). Its
// penalty is its latency minus the warm median of its endpoint: the median
// of the endpoint's requests that did not wait.
//
// It returns the cold-started instances' IDs and the requests that waited,
// in time order.
func coldStarts(ds *collect.Dataset, s *Summary, ins []*instance) (ColdStarts, map[string]bool, []reqPoint) {
	hasSystem := len(ds.Events) > 0
	cold := map[string]bool{}
	waitedSet := map[reqPoint]bool{}
	for _, in := range ins {
		if !in.marker() && in.start.IsZero() && (hasSystem || !in.served()) {
			continue
		}
		if in.served() && !in.marker() && configuredStart(in.reason, in.acc.early[0].t, in.ready) {
			continue
		}
		cold[in.id] = true
		if !in.served() {
			continue
		}
		for k, p := range in.acc.early {
			if k == 0 || p.marker || (!in.ready.IsZero() && p.t.Before(in.ready)) {
				waitedSet[p] = true
			}
		}
	}
	for _, p := range s.markedPoints() {
		waitedSet[p] = true
	}
	waited := make([]reqPoint, 0, len(waitedSet))
	for p := range waitedSet {
		waited = append(waited, p)
	}
	slices.SortFunc(waited, reqPoint.compare)
	warm := warmMedians(s, waited)
	pen := func(p reqPoint) float64 { return max(0, ms(p.latency-warm[p.key])) }

	out := ColdStarts{Instances: []ColdStart{}}
	for _, in := range ins {
		if !cold[in.id] {
			continue
		}
		c := ColdStart{InstanceID: in.id, StartedAt: in.seen(), Reason: in.reason, StartupMS: -1, FirstRequestMS: -1, Evidence: []string{}}
		if in.marker() {
			c.Evidence = append(c.Evidence, "marker")
		}
		if !in.start.IsZero() {
			c.Evidence = append(c.Evidence, "system_log")
			if !in.ready.IsZero() {
				c.StartupMS = ms(in.ready.Sub(in.start))
			}
		}
		if in.served() {
			r := in.acc.early[0]
			c.Evidence = append(c.Evidence, "first_request")
			c.FirstRequestMS, c.FirstRequest, c.PenaltyMS = ms(r.latency), r.key.String(), pen(r)
		}
		out.Instances = append(out.Instances, c)
	}
	penalties := make([]float64, 0, len(waited))
	for _, p := range waited {
		penalties = append(penalties, pen(p))
	}
	slices.Sort(penalties)
	out.Count = len(out.Instances)
	if s.n > 0 {
		out.ShareOfRequests = float64(len(waited)) / float64(s.n)
	}
	out.PenaltyP50MS, out.PenaltyP95MS = floatRank(penalties, 50), floatRank(penalties, 95)
	markChurn(&out, s)
	return out, cold, waited
}

// markedPoints is the requests kept for their cold-start marker.
func (s *Summary) markedPoints() []reqPoint {
	m := slices.Clone(s.marked)
	slices.SortFunc(m, reqPoint.compare)
	return m[:min(len(m), maxMarked)]
}

// warmMedians is the median latency per endpoint of the requests that did
// not wait on a cold start.
func warmMedians(s *Summary, waited []reqPoint) map[endpointKey]time.Duration {
	drop := map[endpointKey][]time.Duration{}
	for _, p := range waited {
		drop[p.key] = append(drop[p.key], p.latency)
	}
	out := make(map[endpointKey]time.Duration, len(s.endpoints))
	for k, e := range s.endpoints {
		out[k] = e.q.medianWithout(drop[k])
	}
	return out
}

// configuredStart reports an instance start that configuration made, not
// traffic (min instances, a deployment), and that no request waited on: its
// first request came after it was ready. Such a start is not a cold start.
func configuredStart(reason string, first, ready time.Time) bool {
	r := strings.ToUpper(reason)
	byConfig := strings.Contains(r, "MIN_INSTANCE") || strings.Contains(r, "DEPLOYMENT")
	return byConfig && !ready.IsZero() && !first.Before(ready)
}

// churnWindow is the span before and after a cold start over which traffic
// is compared to call it steady.
const churnWindow = time.Minute

// markChurn flags cold starts that happened while traffic was steady: at
// least a minute after the first request, with requests arriving in the
// minute before, and no more than 25 % more in the minute after. Such starts
// are not scale-up for more traffic but the platform replacing instances:
// the "continuous cold starts" pattern. Arrivals are counted by the second.
func markChurn(cs *ColdStarts, s *Summary) {
	if s.n == 0 {
		return
	}
	cum := s.perSec.cumulative()
	count := func(from, to time.Time) int64 { return cum(to.Unix()-1) - cum(from.Unix()-1) } // [from, to) by second
	for i := range cs.Instances {
		c := &cs.Instances[i]
		t := c.StartedAt
		if t.Before(s.first.Add(churnWindow)) {
			continue
		}
		before, after := count(t.Add(-churnWindow), t), count(t, t.Add(churnWindow))
		if before > 0 && float64(after) <= 1.25*float64(before) {
			c.Churn = true
			cs.Churn++
		}
	}
}

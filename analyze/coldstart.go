package analyze

import (
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"
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
func coldStarts(ds *model.Dataset, s *summary.Summary, ins []*instance) (ColdStarts, map[string]bool, []summary.Point) {
	hasSystem := len(ds.Events) > 0
	cold := map[string]bool{}
	waitedSet := map[summary.Point]bool{}
	for _, in := range ins {
		if !in.marker() && in.start.IsZero() && (hasSystem || !in.served()) {
			continue
		}
		if in.served() && !in.marker() && configuredStart(in.reason, in.acc.Early[0].T, in.ready) {
			continue
		}
		cold[in.id] = true
		if !in.served() {
			continue
		}
		for k, p := range in.acc.Early {
			if k == 0 || p.Marker || (!in.ready.IsZero() && p.T.Before(in.ready)) {
				waitedSet[p] = true
			}
		}
	}
	for _, p := range s.Marked() {
		waitedSet[p] = true
	}
	waited := make([]summary.Point, 0, len(waitedSet))
	for p := range waitedSet {
		waited = append(waited, p)
	}
	slices.SortFunc(waited, summary.Point.Compare)
	warm := warmMedians(s, waited)
	pen := func(p summary.Point) float64 { return max(0, ms(p.Latency-warm[p.Key])) }

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
			r := in.acc.Early[0]
			c.Evidence = append(c.Evidence, "first_request")
			c.FirstRequestMS, c.FirstRequest, c.PenaltyMS = ms(r.Latency), r.Key.String(), pen(r)
		}
		out.Instances = append(out.Instances, c)
	}
	penalties := make([]float64, 0, len(waited))
	for _, p := range waited {
		penalties = append(penalties, pen(p))
	}
	slices.Sort(penalties)
	out.Count = len(out.Instances)
	if s.Requests() > 0 {
		out.ShareOfRequests = float64(len(waited)) / float64(s.Requests())
	}
	out.PenaltyP50MS, out.PenaltyP95MS = floatRank(penalties, 50), floatRank(penalties, 95)
	markChurn(&out, s)
	return out, cold, waited
}

// warmMedians is the median latency per endpoint of the requests that did
// not wait on a cold start.
func warmMedians(s *summary.Summary, waited []summary.Point) map[summary.Key]time.Duration {
	drop := map[summary.Key][]time.Duration{}
	for _, p := range waited {
		drop[p.Key] = append(drop[p.Key], p.Latency)
	}
	out := make(map[summary.Key]time.Duration, len(s.Endpoints()))
	for k, e := range s.Endpoints() {
		out[k] = e.Latency.MedianWithout(drop[k])
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
func markChurn(cs *ColdStarts, s *summary.Summary) {
	if s.Requests() == 0 {
		return
	}
	arrivals := s.Arrivals()
	count := func(from, to time.Time) int64 { return int64(arrivals.Sum(from.Unix(), to.Unix()-1)) } // [from, to) by second
	for i := range cs.Instances {
		c := &cs.Instances[i]
		t := c.StartedAt
		if t.Before(s.First().Add(churnWindow)) {
			continue
		}
		before, after := count(t.Add(-churnWindow), t), count(t, t.Add(churnWindow))
		if before > 0 && float64(after) <= 1.25*float64(before) {
			c.Churn = true
			cs.Churn++
		}
	}
}

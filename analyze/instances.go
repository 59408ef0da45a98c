package analyze

import (
	"cmp"
	"slices"
	"time"

	"github.com/runlens/runlens/collect"
)

// instance is what the logs say about one container instance.
type instance struct {
	id       string
	start    time.Time // system-log start; zero when none was logged
	reason   string
	ready    time.Time // startup probe succeeded; zero when unknown
	end      time.Time // shutdown or crash; zero when still up
	reqs     []int     // indexes into the dataset's requests, in time order
	marker   bool      // a request carried the cold-start marker
	memLimit int       // memory-limit-exceeded events
}

// instances builds per-instance records from request and system entries,
// sorted by when each was first seen.
func instances(ds *collect.Dataset) []*instance {
	byID := map[string]*instance{}
	get := func(id string) *instance {
		in := byID[id]
		if in == nil {
			in = &instance{id: id}
			byID[id] = in
		}
		return in
	}
	for _, e := range ds.Events {
		if e.InstanceID == "" {
			continue
		}
		in := get(e.InstanceID)
		switch e.Kind {
		case collect.EventStart:
			if in.start.IsZero() || e.Time.Before(in.start) {
				in.start, in.reason = e.Time, e.Reason
			}
		case collect.EventProbeSucceeded:
			if in.ready.IsZero() {
				in.ready = e.Time
			}
		case collect.EventShutdown, collect.EventCrash:
			if e.Time.After(in.end) {
				in.end = e.Time
			}
		case collect.EventMemoryLimitExceeded:
			in.memLimit++
		}
	}
	for i := range ds.Requests {
		r := &ds.Requests[i]
		if r.InstanceID == "" {
			continue
		}
		in := get(r.InstanceID)
		in.reqs = append(in.reqs, i)
		in.marker = in.marker || r.ColdStart
	}
	out := make([]*instance, 0, len(byID))
	for _, in := range byID {
		slices.SortStableFunc(in.reqs, func(a, b int) int { return ds.Requests[a].Time.Compare(ds.Requests[b].Time) })
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b *instance) int {
		return cmp.Or(a.seen(ds).Compare(b.seen(ds)), cmp.Compare(a.id, b.id))
	})
	return out
}

// seen is the instance's start, or its first request where no start was logged.
func (in *instance) seen(ds *collect.Dataset) time.Time {
	if !in.start.IsZero() {
		return in.start
	}
	if len(in.reqs) > 0 {
		return ds.Requests[in.reqs[0]].Time
	}
	return in.end
}

// instanceSummary counts instances, their peak, and requests per instance.
func instanceSummary(ds *collect.Dataset, ins []*instance, lanes []Lane) Instances {
	out := Instances{Distinct: len(ins)}
	var perInstance []float64
	for _, in := range ins {
		if len(in.reqs) > 0 {
			perInstance = append(perInstance, float64(len(in.reqs)))
		}
		out.MaxConcurrency = max(out.MaxConcurrency, maxConcurrency(ds.Requests, in.reqs))
	}
	slices.Sort(perInstance)
	out.RequestsPerInstanceP50 = floatRank(perInstance, 50)
	out.MaxActive = maxOverlap(lanes)
	return out
}

// maxConcurrency is the most requests in flight at once on one instance.
func maxConcurrency(reqs []collect.Request, idx []int) int {
	type edge struct {
		t     time.Time
		delta int
	}
	edges := make([]edge, 0, 2*len(idx))
	for _, i := range idx {
		edges = append(edges, edge{reqs[i].Time, 1}, edge{reqs[i].Time.Add(reqs[i].Latency), -1})
	}
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Or(a.t.Compare(b.t), cmp.Compare(a.delta, b.delta)) })
	cur, peak := 0, 0
	for _, e := range edges {
		cur += e.delta
		peak = max(peak, cur)
	}
	return peak
}

// maxOverlap is the most lanes alive at once.
func maxOverlap(lanes []Lane) int {
	peak := 0
	for _, a := range lanes {
		n := 0
		for _, b := range lanes {
			if !b.Start.After(a.Start) && b.End.After(a.Start) {
				n++
			}
		}
		peak = max(peak, n)
	}
	return peak
}

// lanes draws one lane per instance over the window.
func lanes(ds *collect.Dataset, ins []*instance, cold map[string]bool, end time.Time) []Lane {
	out := make([]Lane, 0, len(ins))
	for _, in := range ins {
		l := Lane{InstanceID: in.id, Start: in.seen(ds), End: in.end, Requests: int64(len(in.reqs)), ColdStart: cold[in.id]}
		if len(in.reqs) > 0 {
			l.FirstRequest = ds.Requests[in.reqs[0]].Time
			for _, i := range in.reqs {
				r := &ds.Requests[i]
				if t := r.Time.Add(r.Latency); t.After(l.LastRequest) {
					l.LastRequest = t
				}
			}
		}
		if l.End.IsZero() {
			l.End = maxTime(end, l.LastRequest)
		}
		out = append(out, l)
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

package analyze

import (
	"cmp"
	"slices"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
)

// instance is what the logs say about one container instance: its system
// log events and its requests.
type instance struct {
	id       string
	start    time.Time // system-log start; zero when none was logged
	reason   string
	ready    time.Time         // startup probe succeeded; zero when unknown
	end      time.Time         // shutdown or crash; zero when still up
	memLimit int               // memory-limit-exceeded events
	acc      *summary.Instance // its requests; nil when it served none
}

// served says whether the instance served a request.
func (in *instance) served() bool { return in.acc != nil && len(in.acc.Early) > 0 }

// marker says whether one of its requests carried the cold-start marker.
func (in *instance) marker() bool { return in.acc != nil && in.acc.Marker }

// seen is the instance's start, or its first request where no start was
// logged.
func (in *instance) seen() time.Time {
	switch {
	case !in.start.IsZero():
		return in.start
	case in.served():
		return in.acc.Early[0].T
	}
	return in.end
}

// instanceList joins the system log's instances and the summary's, sorted
// by when each was first seen.
func instanceList(events []collect.InstanceEvent, s *summary.Summary) []*instance {
	byID := map[string]*instance{}
	get := func(id string) *instance {
		in := byID[id]
		if in == nil {
			in = &instance{id: id}
			byID[id] = in
		}
		return in
	}
	for _, e := range events {
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
			if in.ready.IsZero() || e.Time.Before(in.ready) {
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
	for id, acc := range s.Instances() {
		if acc.N > 0 {
			get(id).acc = acc
		}
	}
	out := make([]*instance, 0, len(byID))
	for _, in := range byID {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b *instance) int { return cmp.Or(a.seen().Compare(b.seen()), cmp.Compare(a.id, b.id)) })
	return out
}

// instanceSummary counts instances, their peak, requests per instance and
// the most requests in flight on one, and adds up their busy time.
func instanceSummary(ins []*instance, lanes []Lane) (Instances, summary.BusyTotals) {
	out := Instances{Distinct: len(ins), MaxActive: maxOverlap(lanes)}
	var busy summary.BusyTotals
	var perInstance []float64
	for _, in := range ins {
		if in.acc == nil {
			continue
		}
		perInstance = append(perInstance, float64(in.acc.N))
		busy.Add(in.acc.Busy.Totals())
	}
	out.MaxConcurrency = busy.MaxConc
	slices.Sort(perInstance)
	out.RequestsPerInstanceP50 = floatRank(perInstance, 50)
	return out, busy
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
func lanes(ins []*instance, cold map[string]bool, end time.Time) []Lane {
	out := make([]Lane, 0, len(ins))
	for _, in := range ins {
		l := Lane{InstanceID: in.id, Start: in.seen(), End: in.end, ColdStart: cold[in.id]}
		if in.served() {
			l.Requests, l.FirstRequest, l.LastRequest = in.acc.N, in.acc.Early[0].T, in.acc.LastEnd
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

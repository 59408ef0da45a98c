package analyze

import (
	"cmp"
	"slices"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/model"
)

// instance is what the logs say about one container instance: its system
// log events and its requests.
type instance struct {
	id       string
	start    time.Time // system-log start; zero when none was logged
	reason   string
	ready    time.Time         // startup probe succeeded; zero when unknown
	end      time.Time         // shutdown or crash; zero when still up
	endKind  model.EventKind   // of end
	memLimit int               // memory-limit-exceeded events
	lastKill time.Time         // the last of them
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
func instanceList(events []model.InstanceEvent, s *summary.Summary) []*instance {
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
		case model.EventStart:
			if in.start.IsZero() || e.Time.Before(in.start) {
				in.start, in.reason = e.Time, e.Reason
			}
		case model.EventProbeSucceeded:
			if in.ready.IsZero() || e.Time.Before(in.ready) {
				in.ready = e.Time
			}
		case model.EventShutdown, model.EventCrash:
			if e.Time.After(in.end) {
				in.end, in.endKind = e.Time, e.Kind
			}
		case model.EventMemoryLimitExceeded:
			in.memLimit++
			in.lastKill = maxTime(in.lastKill, e.Time)
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

// lanes draws one lane per instance over the window, from the evidence:
// its start, its startup probe, its first request, the share of each step
// it had a request in flight, and what ended it: a shutdown or crash, a
// memory kill (Cloud Run stops an instance that exceeds its memory), or
// the window's end.
func lanes(ins []*instance, cold map[string]bool, end time.Time, step time.Duration) []Lane {
	out := make([]Lane, 0, len(ins))
	for i, in := range ins {
		l := Lane{Number: i + 1, InstanceID: in.id, Start: in.seen(), Ready: in.ready, End: in.end, ColdStart: cold[in.id],
			MemoryKills: in.memLimit, EndReason: "window_end", Busy: []BusyShare{}}
		if in.served() {
			l.Requests, l.FirstRequest, l.LastRequest = in.acc.N, in.acc.Early[0].T, in.acc.LastEnd
		}
		switch {
		case !l.End.IsZero() && in.endKind == model.EventCrash && !in.lastKill.IsZero() && !in.lastKill.After(l.End):
			l.EndReason = "memory_limit"
		case !l.End.IsZero() && in.endKind == model.EventCrash:
			l.EndReason = "crash"
		case !l.End.IsZero():
			l.EndReason = "shutdown"
		case !in.lastKill.IsZero() && !in.lastKill.Before(l.LastRequest):
			l.End, l.EndReason = in.lastKill, "memory_limit" // killed, and served nothing after
		default:
			l.End = maxTime(end, l.LastRequest)
		}
		if in.acc != nil {
			l.Busy = busyShares(in.acc.Busy.BusyPer10s(), l.Start, l.End, step)
		}
		out = append(out, l)
	}
	return out
}

// laneSteps are the steps of the lanes' busy shares: multiples of
// summary.BusyBucket.
var laneSteps = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute,
	10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour}

// maxLaneSteps bounds a lane's busy shares.
const maxLaneSteps = 200

// laneStep is the lanes' step for a window: the shortest that splits it
// into at most maxLaneSteps.
func laneStep(w model.Window) time.Duration {
	for _, s := range laneSteps {
		if w.End.Sub(w.Start) <= maxLaneSteps*s {
			return s
		}
	}
	return laneSteps[len(laneSteps)-1]
}

// busyShares is the share of each step from start to end with a request
// in flight, from busy milliseconds per summary.BusyBucket.
func busyShares(per10s *summary.BucketCounts, start, end time.Time, step time.Duration) []BusyShare {
	out := []BusyShare{}
	if !end.After(start) {
		return out
	}
	per := int64(step / summary.BusyBucket)
	first := summary.FloorDiv(start.UnixNano(), int64(step))
	last := summary.FloorDiv(end.UnixNano()-1, int64(step))
	if last-first > 4*maxLaneSteps {
		return out // a lane far outside the window: no shares
	}
	for k := first; k <= last; k++ {
		var ms uint64
		for b := k * per; b < (k+1)*per; b++ {
			ms += per10s.Get(b)
		}
		out = append(out, BusyShare{Time: time.Unix(0, k*int64(step)).UTC(), Share: min(1, float64(ms)/float64(step/time.Millisecond))})
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

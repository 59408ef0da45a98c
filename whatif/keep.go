package whatif

import (
	"cmp"
	"slices"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/model"
)

// idleSpell is a stretch an instance spent with no request in flight: how
// long it lasted, and whether the instance was shut down at its end (the
// platform's idle retention, observed) or not (a request came, the window
// ended or the instance crashed: the retention would have been longer, so
// the spell only bounds it from below).
type idleSpell struct {
	d        time.Duration
	shutdown bool
}

// idleSpells are every lane's idle spells, from its requests: the spells
// between requests, from readiness to the first request, and from the last
// response to the lane's end. Lanes for which skip is true are left out
// (min instances, never retired for idleness).
func idleSpells(reqs []model.Request, lanes []analyze.Lane, skip func(analyze.Lane) bool) []idleSpell {
	type span struct{ from, to time.Time }
	busy := map[string][]span{}
	for _, r := range reqs {
		if r.InstanceID != "" {
			busy[r.InstanceID] = append(busy[r.InstanceID], span{r.Time, r.Time.Add(r.Latency)})
		}
	}
	var out []idleSpell
	for _, l := range lanes {
		if skip(l) {
			continue
		}
		spans := busy[l.InstanceID]
		slices.SortFunc(spans, func(a, b span) int { return a.from.Compare(b.from) })
		idleFrom := l.Ready
		for _, s := range spans {
			if !idleFrom.IsZero() && s.from.After(idleFrom) {
				out = append(out, idleSpell{d: s.from.Sub(idleFrom)})
			}
			if s.to.After(idleFrom) {
				idleFrom = s.to
			}
		}
		if !idleFrom.IsZero() && l.End.After(idleFrom) {
			out = append(out, idleSpell{d: l.End.Sub(idleFrom), shutdown: l.EndReason == "shutdown"})
		}
	}
	return out
}

// keepQuantiles estimates the platform's idle retention from idle spells
// with the Kaplan-Meier estimator: a spell that ended with a request is
// censored, since the instance would have been kept longer. The estimate
// is given as 101 quantiles (0 %, 1 %, ... 100 %); the mass the spells
// cannot place (retention longer than every shutdown seen) is put at the
// longest spell observed. ok is false without any shutdown.
func keepQuantiles(spells []idleSpell) (q []time.Duration, shutdowns int, ok bool) {
	slices.SortFunc(spells, func(a, b idleSpell) int {
		if c := cmp.Compare(a.d, b.d); c != 0 {
			return c
		}
		if a.shutdown != b.shutdown { // events before censorings at the same time
			if a.shutdown {
				return -1
			}
			return 1
		}
		return 0
	})
	type step struct {
		t time.Duration
		f float64 // the estimated share of retentions up to t
	}
	var steps []step
	surv, atRisk := 1.0, len(spells)
	for i := 0; i < len(spells); {
		j, events := i, 0
		for j < len(spells) && spells[j].d == spells[i].d {
			if spells[j].shutdown {
				events++
			}
			j++
		}
		if events > 0 {
			surv *= 1 - float64(events)/float64(atRisk)
			steps = append(steps, step{spells[i].d, 1 - surv})
			shutdowns += events
		}
		atRisk -= j - i
		i = j
	}
	if shutdowns == 0 {
		return nil, 0, false
	}
	longest := spells[len(spells)-1].d
	q = make([]time.Duration, 101)
	for k := range q {
		p := float64(k) / 100
		q[k] = longest
		for _, s := range steps {
			if s.f >= p-1e-12 {
				q[k] = s.t
				break
			}
		}
	}
	return q, shutdowns, true
}

// startTriggers are, at every start of an instance for load (AUTOSCALING),
// the most requests in flight on any instance ready then; starts while no
// instance was ready, or while the busiest was full, are left out (the
// concurrency limit started them, not the CPU).
func startTriggers(ds *model.Dataset, lanes []analyze.Lane, concurrency int) []int {
	// Each instance's arrivals and answers, sorted: at t, the requests in
	// flight are the arrivals up to t less the answers up to t.
	type instanceTimes struct{ arrivals, ends []int64 }
	byInstance := map[string]*instanceTimes{}
	for _, r := range ds.Requests {
		if r.InstanceID == "" {
			continue
		}
		it := byInstance[r.InstanceID]
		if it == nil {
			it = &instanceTimes{}
			byInstance[r.InstanceID] = it
		}
		it.arrivals, it.ends = append(it.arrivals, r.Time.UnixNano()), append(it.ends, r.Time.Add(r.Latency).UnixNano())
	}
	for _, it := range byInstance {
		slices.Sort(it.arrivals)
		slices.Sort(it.ends)
	}
	upTo := func(sorted []int64, t int64) int {
		n, _ := slices.BinarySearch(sorted, t+1)
		return n
	}
	var out []int
	for _, ev := range ds.Events {
		if ev.Kind != model.EventStart || ev.Reason != "AUTOSCALING" {
			continue
		}
		t := ev.Time.UnixNano()
		busiest, ready := 0, false
		for _, l := range lanes {
			if l.InstanceID == ev.InstanceID || l.Ready.IsZero() || l.Ready.After(ev.Time) || !l.End.After(ev.Time) {
				continue
			}
			ready = true
			if it := byInstance[l.InstanceID]; it != nil {
				busiest = max(busiest, upTo(it.arrivals, t)-upTo(it.ends, t))
			}
		}
		if ready && busiest > 0 && busiest < concurrency {
			out = append(out, busiest)
		}
	}
	return out
}

// chain makes the load generator's requests a closed loop again: each
// follows the response to an earlier one, as a user of the load test
// sends its next request a think time after its last response. Users are
// not logged, so each request is given to the user whose last response
// came last before it arrived (or to a new user when every one is still
// waiting); the think times are then the observed ones, and a replay that
// answers sooner or later moves the requests that follow. arrivals are
// sorted by arrival, latencies are their observed ones; only those from
// agent are chained.
func chain(arrivals []sim.Arrival, latencies []time.Duration, agent string) (users int) {
	type open struct {
		end time.Time // the response to the user's last request
		idx int
	}
	var free []open // users waiting to send, by end
	var busy []open // users waiting for a response, by end
	for i := range arrivals {
		a := &arrivals[i]
		if a.UserAgent != agent {
			continue
		}
		// Users whose response has come by now are free.
		k := 0
		for k < len(busy) && !busy[k].end.After(a.At) {
			k++
		}
		for _, u := range busy[:k] {
			j, _ := slices.BinarySearchFunc(free, u.end, func(o open, t time.Time) int { return o.end.Compare(t) })
			free = slices.Insert(free, j, u)
		}
		busy = busy[k:]
		if n := len(free); n > 0 {
			u := free[n-1] // the latest response
			free = free[:n-1]
			a.Follows, a.Think = u.idx+1, a.At.Sub(u.end)
		} else {
			users++
		}
		end := a.At.Add(latencies[i])
		j, _ := slices.BinarySearchFunc(busy, end, func(o open, t time.Time) int { return o.end.Compare(t) })
		busy = slices.Insert(busy, j, open{end, i})
	}
	return users
}

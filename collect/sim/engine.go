package sim

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/runlens/runlens/model"
)

// engine plays a Workload against a Platform as a discrete-event
// simulation: users send requests, the front end routes them to instances
// (starting new ones when none has a free slot), instances answer them,
// run out of memory or sit idle and are retired.
type engine struct {
	p      Platform
	w      Workload
	rng    *rand.Rand
	run    *Run
	cr     *ClientRun
	q      queue
	seq    int
	inst   []instState
	req    []reqState // parallel to run.Requests
	last   []time.Time
	prefix string
	// followers are the replayed requests sent after each response (by
	// request index), think how long after it; see Arrival.Follows.
	followers map[int][]int
	think     []thinkTime
	// arrivals are the replayed requests' arrivals still to come, in
	// order from nextArrival on (see pendingArrival).
	arrivals    []pendingArrival
	nextArrival int
}

// minInstanceReason is the scaling reason of a minimum instance's start.
const minInstanceReason = "MIN_INSTANCE"

type instState struct {
	assigned  []int // requests assigned and not yet answered
	idleSince time.Time
	retained  float64 // MiB left behind by the requests answered
	gone      bool    // retired or terminated
	crashing  bool    // a termination is scheduled
	// retires are the instance's evRetire events in the queue, first
	// first; held is the latest idle spell's, kept out of the queue
	// while one of them comes before it (see idle).
	retires []event
	held    event
	holding bool
}

type reqState struct {
	call    int // index into cr.Calls; -1 for another client's request
	service time.Duration
	flight  int // a replayed request's requests in flight as observed (Arrival.Flight)
	begun   bool
	done    bool
}

// simulate plays the workload on the platform over the window.
func simulate(p Platform, w Workload, window model.Window, rng *rand.Rand) (*Run, *ClientRun, error) {
	e := &engine{
		p: p, w: w, rng: rng,
		run:    &Run{Service: p.Service, Window: window},
		cr:     &ClientRun{Test: w.LoadTest, Spawned: make([]time.Time, w.Users), Stopped: make([]time.Time, w.Users)},
		last:   make([]time.Time, w.Users),
		prefix: "00" + randHex(rng, 8),
	}
	for k := range p.Service.MinInstances {
		e.start(p.MinStart.Add(time.Duration(k)*137*time.Millisecond), minInstanceReason)
	}
	for u := range w.Users {
		t := w.Start.Add(time.Duration(float64(u)/w.SpawnRate*float64(time.Second)) + time.Duration(rng.Int64N(int64(5*time.Millisecond))))
		e.cr.Spawned[u] = t
		e.schedule(t, evSend, u)
	}
	e.others()
	for {
		ev, ok := e.nextEvent()
		if !ok || !ev.t.Before(window.End) {
			break
		}
		e.handle(ev)
	}
	return e.result()
}

func (e *engine) schedule(t time.Time, kind evKind, i int) {
	e.seq++
	heap.Push(&e.q, event{t: t, seq: e.seq, kind: kind, i: int32(i)})
}

func (e *engine) handle(ev event) {
	i := int(ev.i)
	switch ev.kind {
	case evSend:
		e.send(i, ev.t)
	case evArrive:
		e.arrive(i, ev.t)
	case evBegin:
		e.begin(i, ev.t)
	case evFinish:
		e.finish(i, ev.t, http.StatusOK)
	case evReady:
		if len(e.inst[i].assigned) == 0 {
			e.idle(i, ev.t)
		}
	case evCrash:
		e.crash(i, ev.t)
	case evRetire:
		e.retire(i, ev.t, ev.since)
	}
}

// result checks that every request was answered inside the window and
// returns the run, requests sorted by arrival.
func (e *engine) result() (*Run, *ClientRun, error) {
	for i, s := range e.req {
		if !s.done {
			q := e.run.Requests[i]
			return nil, nil, fmt.Errorf("the %s %s request that arrived at %s is unanswered at the window's end", q.Method, q.Path, q.Arrival.Format(time.RFC3339Nano))
		}
	}
	byArrival := func(a, b Request) int { return a.Arrival.Compare(b.Arrival) }
	if !slices.IsSortedFunc(e.run.Requests, byArrival) { // a replay's are in order already
		slices.SortStableFunc(e.run.Requests, byArrival)
	}
	return e.run, e.cr, nil
}

// start starts an instance at t for the reason.
func (e *engine) start(t time.Time, reason string) int {
	t = t.Truncate(time.Microsecond)
	in := Instance{ID: instanceID(e.rng, e.prefix), Reason: reason, Start: t}
	startup := time.Duration(0)
	if k := len(e.run.Instances); k < len(e.p.Startups) {
		startup = e.p.Startups[k]
	} else {
		startup = e.p.Startup.draw(e.rng)
	}
	if f := e.p.startupFactor(); f != 1 {
		startup = time.Duration(float64(startup) * f)
	}
	in.Ready = t.Add(startup).Truncate(time.Microsecond)
	if e.p.Memory != nil {
		in.BaseMiB = uniform(e.rng, e.p.Memory.BaseMiB)
	}
	e.run.Instances = append(e.run.Instances, in)
	e.inst = append(e.inst, instState{})
	i := len(e.run.Instances) - 1
	e.schedule(in.Ready, evReady, i)
	return i
}

// alive counts the instances not retired or terminated.
func (e *engine) alive() int {
	n := 0
	for _, s := range e.inst {
		if !s.gone {
			n++
		}
	}
	return n
}

// route picks the instance for a request arriving at t: the ready one with
// the fewest requests in flight below the concurrency limit, the oldest on
// a tie; else the starting one with a free slot that is ready first; else
// a new instance, started for this request; -1 when max instances are all
// full.
func (e *engine) route(t time.Time) int {
	best, starting := -1, -1
	for i, in := range e.run.Instances {
		n := len(e.inst[i].assigned)
		if e.inst[i].gone || n >= e.p.Service.Concurrency {
			continue
		}
		if t.Before(in.Ready) {
			if e.p.ScaleOutAt > 0 && n >= e.p.ScaleOutAt {
				continue
			}
			if starting < 0 || in.Ready.Before(e.run.Instances[starting].Ready) {
				starting = i
			}
			continue
		}
		if best < 0 || n < len(e.inst[best].assigned) {
			best = i
		}
	}
	switch {
	case best >= 0:
		return best
	case starting >= 0:
		return starting
	case e.alive() >= e.p.Service.MaxInstances:
		return -1
	}
	// The platform logs the start a few milliseconds before the front end
	// logs the request that caused it.
	return e.start(t.Add(-time.Millisecond-time.Duration(e.rng.Int64N(int64(3*time.Millisecond)))), "AUTOSCALING")
}

// idle starts an idle spell of instance i at t, and schedules the retire
// that ends it unless a request comes first. Only the latest spell's
// retire can do anything (retire checks it): one that comes after another
// of the instance's already queued is held back until that one is played,
// instead of waiting in the queue behind the instance's stale ones (an
// instance idle after every request would fill the queue with them). The
// order of the events played is as if every retire were queued.
func (e *engine) idle(i int, t time.Time) {
	s := &e.inst[i]
	s.idleSince = t
	e.seq++
	ev := event{t: t.Add(e.p.IdleKeep.draw(e.rng)).Truncate(time.Microsecond), seq: e.seq, kind: evRetire, i: int32(i), since: t.UnixNano()}
	if s.holding && s.held.since == ev.since { // the same idle start: both count
		e.queueRetire(s.held)
	}
	s.holding = false
	if len(s.retires) > 0 && s.retires[0].before(ev) {
		s.held, s.holding = ev, true
		return
	}
	e.queueRetire(ev)
}

// queueRetire puts an evRetire in the queue.
func (e *engine) queueRetire(ev event) {
	s := &e.inst[ev.i]
	k, _ := slices.BinarySearchFunc(s.retires, ev, func(a, b event) int {
		if a.before(b) {
			return -1
		}
		return 1
	})
	s.retires = slices.Insert(s.retires, k, ev)
	heap.Push(&e.q, ev)
}

// retireTaken notes that instance i's first queued retire was taken from
// the queue, and queues the one held back behind it.
func (e *engine) retireTaken(i int) {
	s := &e.inst[i]
	s.retires = slices.Delete(s.retires, 0, 1)
	if s.holding {
		s.holding = false
		e.queueRetire(s.held)
	}
}

// retire retires instance i at t if it has stayed idle since then and
// more than the min instances are alive.
func (e *engine) retire(i int, t time.Time, since int64) {
	s := &e.inst[i]
	if s.gone || len(s.assigned) > 0 || s.idleSince.UnixNano() != since || e.alive() <= e.p.Service.MinInstances {
		return
	}
	s.gone = true
	e.run.Instances[i].Retire = t
}

// memoryUse is instance i's memory in MiB: its base and every request it
// is working on.
func (e *engine) memoryUse(i int) float64 {
	used := e.run.Instances[i].BaseMiB + e.inst[i].retained
	for _, r := range e.inst[i].assigned {
		if e.req[r].begun {
			used += e.run.Requests[r].MemoryMiB
		}
	}
	return used
}

// crash terminates instance i at t if it is still above its memory limit:
// every request on it is answered 503.
func (e *engine) crash(i int, t time.Time) {
	s := &e.inst[i]
	s.crashing = false
	used := e.memoryUse(i)
	if s.gone || used <= float64(e.p.Service.memoryMiB()) {
		return
	}
	s.gone = true
	e.run.Instances[i].Retire = t
	e.run.Instances[i].ExceededMiB = int(math.Ceil(used))
	for _, r := range slices.Clone(s.assigned) {
		e.finish(r, t, http.StatusServiceUnavailable)
	}
}

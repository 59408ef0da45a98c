package sim

import (
	"cmp"
	"container/heap"
	"time"
)

// evKind is what an event of the simulation does.
type evKind int8

const (
	evSend   evKind = iota // a user sends its next request
	evArrive               // a request reaches the front end
	evBegin                // an instance begins work on a request
	evFinish               // an instance answers a request
	evReady                // an instance's startup probe succeeds
	evCrash                // an instance above its memory limit is terminated
	evRetire               // an idle instance may be retired
)

// event is one thing that happens at t. i is the user, request or
// instance it concerns; since is the idle start an evRetire checks, in
// Unix nanoseconds (an event is small: the queue moves events around).
type event struct {
	t     time.Time
	seq   int
	since int64
	i     int32
	kind  evKind
}

// queue orders events by time, then by the order they were scheduled, so
// that the simulation is deterministic.
type queue []event

func (q queue) Len() int           { return len(q) }
func (q queue) Less(a, b int) bool { return q[a].before(q[b]) }

// before reports whether ev is played before o.
func (ev event) before(o event) bool {
	if c := ev.t.Compare(o.t); c != 0 {
		return c < 0
	}
	return ev.seq < o.seq
}
func (q queue) Swap(a, b int) { q[a], q[b] = q[b], q[a] }
func (q *queue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

var _ heap.Interface = (*queue)(nil)

// pendingArrival is a replayed request's arrival not yet played: request
// req arrives at its Arrival, ordered among the queue's events by seq as
// if it had been scheduled in it. The arrivals known from the start wait
// in a sorted list (engine.arrivals) instead of the queue, which then
// holds only the events in flight: the same order, at a fraction of the
// cost.
type pendingArrival struct{ req, seq int32 }

func (e *engine) comparePending(a, b pendingArrival) int {
	if c := e.run.Requests[a.req].Arrival.Compare(e.run.Requests[b.req].Arrival); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// nextEvent takes the next event: the queue's first or the next pending
// arrival, whichever comes first; false when neither is left.
func (e *engine) nextEvent() (event, bool) {
	if e.nextArrival < len(e.arrivals) {
		a := e.arrivals[e.nextArrival]
		t := e.run.Requests[a.req].Arrival
		if e.q.Len() == 0 || t.Before(e.q[0].t) || t.Equal(e.q[0].t) && int(a.seq) < e.q[0].seq {
			e.nextArrival++
			return event{t: t, seq: int(a.seq), kind: evArrive, i: a.req}, true
		}
	}
	if e.q.Len() == 0 {
		return event{}, false
	}
	ev := heap.Pop(&e.q).(event)
	if ev.kind == evRetire {
		e.retireTaken(int(ev.i))
	}
	return ev, true
}

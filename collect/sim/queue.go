package sim

import (
	"container/heap"
	"time"
)

// evKind is what an event of the simulation does.
type evKind int

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
// instance it concerns; since is the idle start an evRetire checks.
type event struct {
	t     time.Time
	seq   int
	kind  evKind
	i     int
	since time.Time
}

// queue orders events by time, then by the order they were scheduled, so
// that the simulation is deterministic.
type queue []event

func (q queue) Len() int { return len(q) }
func (q queue) Less(a, b int) bool {
	if c := q[a].t.Compare(q[b].t); c != 0 {
		return c < 0
	}
	return q[a].seq < q[b].seq
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

package sim

import (
	"net/http"
	"slices"
	"time"
)

// This file is the request side of the engine: users sending, the front
// end routing, instances working and answering, the client receiving.

// engineResponseHeaders is the size of a response's status line and
// headers, in bytes.
const engineResponseHeaders = 189

// send is user u sending its next request at t, or stopping.
func (e *engine) send(u int, t time.Time) {
	if !t.Before(e.w.Stop()) {
		e.cr.Stopped[u] = maxTime(e.last[u], e.w.Stop())
		return
	}
	ep := pick(e.rng, e.w.Endpoints)
	target := ep.Name
	if ep.Query != nil {
		target += ep.Query(e.rng)
	}
	c := Call{Task: Task{Method: ep.Method, Name: ep.Name, Target: target, RequestSize: between64(e.rng, ep.RequestBytes)}, User: u, Sent: t}
	if e.w.refused(t) {
		c.Latency, c.Error = e.w.RefusedAfter.draw(e.rng), e.w.RefusedError
		e.cr.Calls = append(e.cr.Calls, c)
		e.next(len(e.cr.Calls) - 1)
		return
	}
	e.cr.Calls = append(e.cr.Calls, c)
	e.request(ep, target, t.Add(e.w.Net.draw(e.rng)), len(e.cr.Calls)-1, e.w.UserAgent, e.w.RemoteIP, e.w.Protocol)
}

// request creates a server request arriving at t, for call (or -1).
func (e *engine) request(ep *Endpoint, target string, t time.Time, call int, agent, ip, proto string) {
	q := Request{
		Method: ep.Method, Path: target, Arrival: t.Truncate(time.Microsecond),
		UserAgent: agent, RemoteIP: ip, Protocol: proto,
		ResponseSize: between64(e.rng, ep.ResponseBytes) + engineResponseHeaders,
		MemoryMiB:    uniform(e.rng, ep.MemoryMiB),
	}
	if m := e.p.Memory; m != nil && q.MemoryMiB > 0 {
		q.RetainedMiB = uniform(e.rng, m.RetainedMiB)
	}
	if call >= 0 {
		q.RequestSize = e.cr.Calls[call].RequestSize
	} else {
		q.RequestSize = between64(e.rng, ep.RequestBytes)
	}
	e.run.Requests = append(e.run.Requests, q)
	e.req = append(e.req, reqState{call: call, service: ep.Service.draw(e.rng)})
	e.schedule(q.Arrival, evArrive, len(e.run.Requests)-1)
}

// others schedules the requests of the clients outside the load test,
// and those replayed.
func (e *engine) others() {
	base := len(e.run.Requests)
	var n int
	if e.w.Replay != nil {
		n = e.w.Replay.Len()
	}
	e.run.Requests = slices.Grow(e.run.Requests, n)
	e.req = slices.Grow(e.req, n)
	e.arrivals = slices.Grow(e.arrivals, n)
	for k := range n {
		a := e.w.Replay.Row(k)
		q := Request{Method: a.Method, Path: a.Path, Arrival: a.At.Truncate(time.Microsecond), UserAgent: a.UserAgent,
			Protocol: "HTTP/1.1", RequestSize: a.RequestSize, ResponseSize: a.ResponseSize + engineResponseHeaders, MemoryMiB: a.MemoryMiB}
		if m := e.p.Memory; m != nil && q.MemoryMiB > 0 {
			q.RetainedMiB = uniform(e.rng, m.RetainedMiB)
		}
		e.run.Requests = append(e.run.Requests, q)
		e.req = append(e.req, reqState{call: -1, service: a.Service, flight: a.Flight})
		if a.Follows == 0 {
			e.seq++ // scheduled as e.schedule would, kept out of the queue
			e.arrivals = append(e.arrivals, pendingArrival{req: int32(len(e.run.Requests) - 1), seq: int32(e.seq)})
			continue
		}
		if e.followers == nil {
			e.followers = map[int][]int{}
		}
		e.followers[base+a.Follows-1] = append(e.followers[base+a.Follows-1], base+k)
		e.think = append(e.think, thinkTime{base + k, a.Think})
	}
	if !slices.IsSortedFunc(e.arrivals, e.comparePending) {
		slices.SortFunc(e.arrivals, e.comparePending)
	}
	for _, o := range e.w.Others {
		for _, t := range o.Times {
			ep := pick(e.rng, o.Endpoints)
			target := ep.Name
			if ep.Query != nil {
				target += ep.Query(e.rng)
			}
			e.request(ep, target, t, -1, o.UserAgent, o.RemoteIP, o.Protocol)
		}
	}
}

// arrive routes request r, arriving at t, to an instance; with none to
// take it, it is rejected at once with 429.
func (e *engine) arrive(r int, t time.Time) {
	q := &e.run.Requests[r]
	i := e.route(t)
	q.Instance = i
	if i < 0 {
		e.finish(r, t.Add(2*time.Millisecond), http.StatusTooManyRequests)
		return
	}
	e.inst[i].assigned = append(e.inst[i].assigned, r)
	e.schedule(maxTime(t, e.run.Instances[i].Ready), evBegin, r)
}

// begin starts the instance's work on request r at t; the request's
// memory may take the instance above its limit.
func (e *engine) begin(r int, t time.Time) {
	if e.req[r].done {
		return
	}
	e.req[r].begun = true
	i := e.run.Requests[r].Instance
	if m := e.p.Memory; m != nil && !e.inst[i].crashing && e.memoryUse(i) > float64(e.p.Service.memoryMiB()) {
		e.inst[i].crashing = true
		e.schedule(t.Add(m.CrashDelay.draw(e.rng)).Truncate(time.Microsecond), evCrash, i)
	}
	e.scaleOut(i, t)
	service := e.req[r].service
	if c := e.p.Contention; c > 0 && e.req[r].flight > 0 {
		k := 0
		for _, q := range e.inst[i].assigned {
			if e.req[q].begun {
				k++
			}
		}
		service = time.Duration(float64(service) * (1 + c*float64(k-1)) / (1 + c*float64(e.req[r].flight-1)))
	}
	e.schedule(t.Add(service), evFinish, r)
}

// scaleOut starts one more instance when instance i is saturated and no
// instance is starting.
func (e *engine) scaleOut(i int, t time.Time) {
	if e.p.ScaleOutAt == 0 || e.alive() >= e.p.Service.MaxInstances {
		return
	}
	working := 0
	for _, r := range e.inst[i].assigned {
		if e.req[r].begun {
			working++
		}
	}
	if working < e.p.ScaleOutAt {
		return
	}
	for j, in := range e.run.Instances {
		if !e.inst[j].gone && t.Before(in.Ready) {
			return
		}
	}
	e.start(t, "AUTOSCALING")
}

// finish answers request r at t with the status, frees its slot and
// passes the response to the client.
func (e *engine) finish(r int, t time.Time, status int) {
	s := &e.req[r]
	if s.done {
		return
	}
	s.done = true
	q := &e.run.Requests[r]
	q.Status, q.Latency = status, t.Sub(q.Arrival)
	if status != http.StatusOK {
		q.ResponseSize = int64(len(errorBody)) + engineResponseHeaders
	}
	if i := q.Instance; i >= 0 {
		in := &e.inst[i]
		if status == http.StatusOK {
			in.retained += q.RetainedMiB
		}
		if k := indexOf(in.assigned, r); k >= 0 {
			in.assigned = append(in.assigned[:k], in.assigned[k+1:]...)
		}
		if len(in.assigned) == 0 && !in.gone {
			e.idle(i, t)
		}
	}
	for _, f := range e.followers[r] { // replayed requests sent after this response
		at := t.Add(e.thinkOf(f)).Truncate(time.Microsecond)
		e.run.Requests[f].Arrival = at
		e.schedule(at, evArrive, f)
	}
	if s.call < 0 {
		return
	}
	c := &e.cr.Calls[s.call]
	c.Status = status
	c.Latency = t.Add(e.w.Net.draw(e.rng)).Sub(c.Sent)
	c.ContentLength = q.ResponseSize - engineResponseHeaders
	if status != http.StatusOK {
		c.Error = httpErrorText(status, e.p.Service.URL+q.Path)
	}
	e.next(s.call)
}

// next is the user of call c after its response: killed if the response
// came after the stop and the stop kills, else waiting for its next send.
func (e *engine) next(c int) {
	call := &e.cr.Calls[c]
	u, done := call.User, call.Done()
	if e.w.KillAtStop && done.After(e.w.Stop()) {
		call.Abandoned = true
		e.cr.Stopped[u] = e.w.Stop()
		return
	}
	e.last[u] = done
	lo, hi := e.w.waitRange(done)
	wait := lo
	if hi > lo {
		wait += time.Duration(e.rng.Int64N(int64(hi - lo)))
	}
	e.schedule(done.Add(wait), evSend, u)
}

func indexOf(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// thinkTime is how long after the response it follows a replayed request
// arrives.
type thinkTime struct {
	req   int
	think time.Duration
}

func (e *engine) thinkOf(r int) time.Duration {
	i, _ := slices.BinarySearchFunc(e.think, r, func(t thinkTime, r int) int { return t.req - r })
	return e.think[i].think
}

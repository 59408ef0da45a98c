package sim

import (
	"errors"
	"math/rand/v2"
	"slices"
	"time"
)

// LoadTest describes a Locust run: how many users, how fast they are
// spawned, their wait_time = between(WaitMin, WaitMax), and the run time
// (-t). At the stop, users that are waiting stop at once and users with a
// request in flight finish it first (--stop-timeout), so every request the
// service saw is in the client's statistics; with KillAtStop (no
// --stop-timeout) they are killed and their requests in flight never reach
// the statistics.
type LoadTest struct {
	Start            time.Time // when the stats were reset: Locust's start_time, on the server's clock
	Users            int
	SpawnRate        float64 // users per second
	WaitMin, WaitMax time.Duration
	RunTime          time.Duration
	KillAtStop       bool
	// Offset is the client's clock minus the server's: the client's files
	// carry server time plus Offset.
	Offset time.Duration
}

// Stop is when the run time ends.
func (lt LoadTest) Stop() time.Time { return lt.Start.Add(lt.RunTime) }

// Task is one request a user will make: its endpoint and, decided in
// advance by the scenario, how it will go.
type Task struct {
	Method, Name  string
	Target        string        // path and query as sent; Name when empty
	Latency       time.Duration // as the client measures it
	ContentLength int64         // response body bytes
	RequestSize   int64         // request bytes, as the server logs them
}

// Call is one request the client made.
type Call struct {
	Task
	User int
	Sent time.Time
	// Status is the HTTP status the client got; 0 when the connection
	// failed (and for the paper scenario's calls, which all succeeded).
	Status int
	// Error is Locust's failure text (the exception's repr); empty for a
	// success.
	Error string
	// Abandoned calls were in flight when the client was stopped: the
	// service answered them, Locust never counted them.
	Abandoned bool
}

// Done is when the client received the response.
func (c Call) Done() time.Time { return c.Sent.Add(c.Latency) }

// ClientRun is the outcome of a load test.
type ClientRun struct {
	Test  LoadTest
	Calls []Call // in the order sent
	// Spawned and Stopped give each user's life, for the user count.
	Spawned, Stopped []time.Time
}

// errTasks reports that the users would have sent more or fewer requests
// than the tasks given.
var errTasks = errors.New("the users' requests do not match the tasks")

// Run plays the load test: users are spawned at the spawn rate and each
// sends its next request when its previous one is answered and its wait is
// over; the tasks are taken in the order the requests are sent. Run fails
// with errTasks unless the users send exactly len(tasks) requests before
// the stop.
func (lt LoadTest) Run(tasks []Task, rng *rand.Rand) (*ClientRun, error) {
	cr := &ClientRun{Test: lt}
	next := make([]time.Time, lt.Users) // when each user sends next
	for u := range next {
		next[u] = lt.Start.Add(time.Duration(float64(u)/lt.SpawnRate*float64(time.Second)) + time.Duration(rng.Int64N(int64(5*time.Millisecond))))
		cr.Spawned = append(cr.Spawned, next[u])
	}
	cr.Stopped = make([]time.Time, lt.Users)
	for {
		u := earliest(next)
		if !next[u].Before(lt.Stop()) {
			break
		}
		if len(cr.Calls) == len(tasks) {
			return nil, errTasks
		}
		c := Call{Task: tasks[len(cr.Calls)], User: u, Sent: next[u]}
		cr.Calls = append(cr.Calls, c)
		wait := lt.WaitMin + time.Duration(rng.Float64()*float64(lt.WaitMax-lt.WaitMin))
		next[u] = c.Done().Add(wait)
		cr.Stopped[u] = maxTime(c.Done(), lt.Stop())
	}
	if len(cr.Calls) != len(tasks) {
		return nil, errTasks
	}
	return cr, nil
}

func earliest(ts []time.Time) int {
	best := 0
	for i, t := range ts {
		if t.Before(ts[best]) {
			best = i
		}
	}
	return best
}

// LastDone is when the last response Locust counted arrived.
func (cr *ClientRun) LastDone() time.Time {
	var last time.Time
	for _, c := range cr.Calls {
		if !c.Abandoned {
			last = maxTime(last, c.Done())
		}
	}
	return last
}

// onClientClock returns a copy of the run with every time moved to the
// client's clock (server time plus Test.Offset).
func (cr *ClientRun) onClientClock() *ClientRun {
	d := cr.Test.Offset
	out := &ClientRun{Test: cr.Test, Calls: slices.Clone(cr.Calls)}
	out.Test.Start = out.Test.Start.Add(d)
	for i := range out.Calls {
		out.Calls[i].Sent = out.Calls[i].Sent.Add(d)
	}
	for _, t := range cr.Spawned {
		out.Spawned = append(out.Spawned, t.Add(d))
	}
	for _, t := range cr.Stopped {
		out.Stopped = append(out.Stopped, t.Add(d))
	}
	return out
}

// Users returns how many users were running at t.
func (cr *ClientRun) Users(t time.Time) int {
	n := 0
	for u := range cr.Spawned {
		if !t.Before(cr.Spawned[u]) && t.Before(cr.Stopped[u]) {
			n++
		}
	}
	return n
}

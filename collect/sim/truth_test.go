package sim

import (
	"net/http"
	"strings"
	"time"
)

// truth is what a scenario's realisation holds, computed from the model:
// the numbers its README states and a report must recover.
type truth struct {
	ClientRequests, ClientFailures int            // Locust's totals
	Client                         map[string]int // Locust's requests per "METHOD name"
	Server                         map[string]int // request log entries per "METHOD path", query stripped
	Status                         map[int]int    // request log entries per status
	Agents                         map[string]int // request log entries per user agent
	Starts                         map[string]int // instance starts per reason
	Waited                         int            // requests that waited for a starting instance
	MemoryExceeded                 int            // instances terminated over their memory limit
	Killed                         int            // requests answered 503 by a terminated instance
	Abandoned                      map[string]int // in flight at the stop, per endpoint
	Refused                        map[string]int // connections refused, per endpoint
	BillableMS                     int64          // billable instance time
	InFlightMS                     int64          // billable time with a request in flight
}

func endpointOf(method, path string) string {
	p, _, _ := strings.Cut(path, "?")
	return method + " " + p
}

func truthOf(run *Run, cr *ClientRun) truth {
	tr := truth{Client: map[string]int{}, Server: map[string]int{}, Status: map[int]int{}, Agents: map[string]int{},
		Starts: map[string]int{}, Abandoned: map[string]int{}, Refused: map[string]int{}}
	for _, c := range cr.Calls {
		k := c.Method + " " + c.Name
		switch {
		case c.Abandoned:
			tr.Abandoned[k]++
			continue
		case c.Error == connectionRefused:
			tr.Refused[k]++
		}
		tr.ClientRequests++
		tr.Client[k]++
		if c.Error != "" {
			tr.ClientFailures++
		}
	}
	for _, q := range run.Requests {
		tr.Server[endpointOf(q.Method, q.Path)]++
		tr.Status[q.Status]++
		tr.Agents[q.UserAgent]++
		if q.Instance >= 0 && q.Arrival.Before(run.Instances[q.Instance].Ready) {
			tr.Waited++
		}
		if q.Status == http.StatusServiceUnavailable && run.Instances[q.Instance].Crashed() {
			tr.Killed++
		}
	}
	for i, in := range run.Instances {
		tr.Starts[in.Reason]++
		if in.Crashed() {
			tr.MemoryExceeded++
		}
		billed, inFlight := run.inFlightBilled(i)
		tr.BillableMS += billed.Milliseconds()
		tr.InFlightMS += inFlight.Milliseconds()
	}
	return tr
}

// inFlightBilled returns instance i's billable time and the part of it
// with a request in flight: from the request's arrival (waiting for a
// start included) to its response, as the request log shows it.
func (r *Run) inFlightBilled(i int) (billed, inFlight time.Duration) {
	var spans []span
	for _, q := range r.Requests {
		if q.Instance == i {
			spans = append(spans, span{q.Arrival, q.End()})
		}
	}
	for _, b := range r.billable(i) {
		billed += b.length()
		for _, s := range merge(spans) {
			inFlight += s.overlap(b.start, b.end)
		}
	}
	return billed, inFlight
}

// idleShare is the share of billable time with nothing in flight.
func (tr truth) idleShare() float64 { return 1 - float64(tr.InFlightMS)/float64(tr.BillableMS) }

package sim

import (
	"fmt"
	"net/http"
	"time"
)

// Workload is the client side of a simulated run: Locust users, their
// endpoints and pacing, the network between them and the service, and the
// traffic and failures the service and the client see differently.
type Workload struct {
	LoadTest
	Endpoints []Endpoint
	// Pace, when set, is a custom wait_time: the range a user waits after
	// a response, by time since the start. It replaces WaitMin and WaitMax.
	Pace func(elapsed time.Duration) (lo, hi time.Duration)
	// Net is the one-way delay between the client and the service's front
	// end.
	Net                           Dist
	UserAgent, RemoteIP, Protocol string
	// Refused are spans (server clock) during which connections are
	// refused: the request fails at the client after RefusedAfter with
	// Locust's failure text RefusedError and never reaches the service.
	Refused      []Outage
	RefusedAfter Dist
	RefusedError string
	// Others are clients that are not part of the load test and hit the
	// service in the same window.
	Others []OtherClient
	// Replay are requests that reach the front end at given times with
	// given service times: observed traffic played again (see Replay).
	Replay *Arrivals
}

// Outage is a span of time [From, To), on the server's clock.
type Outage struct{ From, To time.Time }

// OtherClient sends one request at each of Times (arrival at the front
// end, server clock), endpoints drawn by weight.
type OtherClient struct {
	Times                         []time.Time
	Endpoints                     []Endpoint
	UserAgent, RemoteIP, Protocol string
}

// refused reports whether a connection opened at t is refused.
func (w *Workload) refused(t time.Time) bool {
	for _, o := range w.Refused {
		if !t.Before(o.From) && t.Before(o.To) {
			return true
		}
	}
	return false
}

// waitRange is the range a user's wait is drawn from after a response at t.
func (w *Workload) waitRange(t time.Time) (time.Duration, time.Duration) {
	if w.Pace != nil {
		return w.Pace(t.Sub(w.Start))
	}
	return w.WaitMin, w.WaitMax
}

// httpErrorText is Locust's failure text for an error status with HttpUser:
// the repr of the HTTPError that python-requests' raise_for_status raises.
func httpErrorText(status int, url string) string {
	kind := "Client"
	if status >= 500 {
		kind = "Server"
	}
	return fmt.Sprintf("HTTPError('%d %s Error: %s for url: %s')", status, kind, http.StatusText(status), url)
}

// Texts of failures and error bodies the model uses.
const (
	// connectionRefused is Locust's failure text (FastHttpUser) for a
	// refused connection.
	connectionRefused = "ConnectionRefusedError(111, 'Connection refused')"
	// errorBody is the body of the platform's own error responses.
	errorBody = "Service Unavailable"
)

package fakegcp

import (
	"context"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Fault is a misbehaviour to inject: an error, a stall, a broken page token
// or an empty page, on chosen calls.
type Fault struct {
	// Method is the short method name it applies to; "" means ListLogEntries.
	Method string
	// Page is the 1-based page of a ListLogEntries query it applies to
	// (counted from the request's page token); 0 means any call.
	Page int
	// Match, when set, limits the fault to calls whose filter (or resource
	// name) contains it, e.g. "varlog%2Fsystem".
	Match string
	// Times is how many calls it affects; 0 means one.
	Times int

	// Code, when not OK, is the error answered.
	Code codes.Code
	// Delay stalls the call this long before answering, or until the caller
	// gives up, whichever comes first.
	Delay time.Duration
	// BreakToken answers normally but with a next-page token the server will
	// refuse with InvalidArgument.
	BreakToken bool
	// EmptyPage answers with no entries and a next-page token for the same
	// place, as Cloud Logging does when a page's time slice holds nothing.
	EmptyPage bool
	// Partial, on ListTimeSeries, answers without the older half of every
	// series' points and with an execution error saying so, as Monitoring
	// answers a query it could run only in part
	// (ListTimeSeriesResponse.execution_errors).
	Partial bool
}

// Inject adds a fault. Faults are consumed in the order they were added.
func (s *Server) Inject(f Fault) {
	if f.Method == "" {
		f.Method = "ListLogEntries"
	}
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// take consumes one use of the first fault that applies to this call.
func (s *Server) take(method string, page int, text string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Times > 0 && f.Method == method && (f.Page == 0 || f.Page == page) && strings.Contains(text, f.Match) {
			f.Times--
			c := *f
			return &c
		}
	}
	return nil
}

// apply carries out a fault's stall and error; nil when the call goes on.
func (f *Fault) apply(ctx context.Context) error {
	if f == nil {
		return nil
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-t.C:
		}
	}
	if f.Code != codes.OK {
		return status.Errorf(f.Code, "fake-gcp: injected %s", f.Code)
	}
	return nil
}

// fault applies the stall and error of the fault for a call, if any.
func (s *Server) fault(ctx context.Context, method string, page int, text string) error {
	return s.take(method, page, text).apply(ctx)
}

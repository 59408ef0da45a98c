package gcp

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// DefaultConnectWait is how long the calls to a server may try to reach it
// before the first of them gets a connection: a server still starting has
// that long; a dead address, or one that does not speak gRPC, fails then.
const DefaultConnectWait = 5 * time.Second

// CheckEndpoint checks that addr is HOST:PORT with a port from 1 to 65535.
func CheckEndpoint(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return fmt.Errorf("%q is not HOST:PORT, e.g. 127.0.0.1:8085", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: port %q is not a number from 1 to 65535", addr, port)
	}
	return nil
}

// server is what the ledger knows of one server address.
type server struct {
	reached bool          // a call got a connection to it
	first   time.Time     // the first call to it
	failed  *connectError // given up: every later call fails with it
}

// connectError is a call that found no connection to its server. Until
// some call reaches the server, it is retried for Config.ConnectWait at
// most, then it fails every call to that server at once.
type connectError struct {
	addr  string
	cause string
	after time.Duration // when given up: how long calls tried
}

func (e *connectError) Error() string {
	if e.after > 0 {
		return fmt.Sprintf("cannot connect to %s: %s (gave up after %s)", e.addr, e.cause, e.after.Round(100*time.Millisecond))
	}
	return fmt.Sprintf("cannot connect to %s: %s", e.addr, e.cause)
}

// GRPCStatus keeps the code: a call that found no connection is UNAVAILABLE.
func (e *connectError) GRPCStatus() *status.Status { return status.New(codes.Unavailable, e.Error()) }

// address is a client connection's target as people write it.
func address(cc *grpc.ClientConn) string {
	t := cc.Target()
	for _, scheme := range []string{"dns:///", "passthrough:///", "dns:"} {
		t = strings.TrimPrefix(t, scheme)
	}
	return t
}

// connectCause says why a call found no connection, from the gRPC error
// and the connection's state, without gRPC's wrapping.
func connectCause(err error, cc *grpc.ClientConn, waited time.Duration) string {
	st := status.Convert(err)
	if st.Code() == codes.DeadlineExceeded {
		return fmt.Sprintf("no gRPC connection in %s (%s: the server took the connection but never answered, or nothing answers)",
			waited.Round(100*time.Millisecond), strings.ToLower(cc.GetState().String()))
	}
	msg := st.Message()
	for _, prefix := range []string{"connection error: desc = ", `"`, "transport: ", "Error while dialing: ", "error while dialing: "} {
		msg = strings.TrimPrefix(msg, prefix)
	}
	msg = strings.TrimSuffix(msg, `"`)
	if rest, ok := strings.CutPrefix(msg, "dial tcp "); ok {
		if _, cause, ok := strings.Cut(rest, ": "); ok {
			msg = cause
		}
	}
	if msg == "" {
		msg = st.Code().String()
	}
	return msg
}

// connectLeft is how long a call to addr may take while no call has
// reached it: what is left of the connect wait, counted from the first call.
func (l *ledger) connectLeft(addr string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.server(addr)
	if s.reached {
		return 0, false
	}
	if s.first.IsZero() {
		s.first = time.Now()
	}
	return max(100*time.Millisecond, time.Until(s.first.Add(l.connectWait))), true
}

// server returns addr's state; l.mu is held.
func (l *ledger) server(addr string) *server {
	s := l.servers[addr]
	if s == nil {
		s = &server{}
		l.servers[addr] = s
	}
	return s
}

// reach records that a call got a connection to addr.
func (l *ledger) reach(addr string) {
	l.mu.Lock()
	l.server(addr).reached = true
	l.mu.Unlock()
}

// unreachable returns the error that ended the tries to reach addr, if any.
func (l *ledger) unreachable(addr string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.servers[addr]; s != nil && s.failed != nil {
		return s.failed
	}
	return nil
}

// retryConnect decides about the n-th failure in a row of a call that
// found no connection: while the connect wait is not over (or once some
// other call reached the server), it is made again after d (250 ms
// doubling). Otherwise the server is given up, and every later call to it
// fails at once with final.
func (l *ledger) retryConnect(ce *connectError, n int) (d time.Duration, final error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.server(ce.addr)
	if s.failed != nil {
		return 0, s.failed
	}
	d = min(250*time.Millisecond<<min(n-1, 3), 2*time.Second)
	waited := time.Since(s.first)
	if s.reached || waited+d < l.connectWait {
		return d, nil
	}
	s.failed = &connectError{addr: ce.addr, cause: ce.cause, after: waited}
	return 0, s.failed
}

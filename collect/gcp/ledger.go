package gcp

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// errCallBudget stops paging when MaxLogCalls calls were made.
var errCallBudget = errors.New("the ListLogEntries call budget is spent")

// ledger counts API calls and retries per method, paces ListLogEntries
// calls to the quota, enforces the call budget, bounds each call, and
// tells calls that found no connection from calls that reached a server.
type ledger struct {
	pace        *pacer
	maxLogCalls int // <= 0: no limit
	timeout     time.Duration
	connectWait time.Duration

	mu       sync.Mutex
	calls    map[string]int
	retries  map[string]int
	servers  map[string]*server // by address
	lastNote map[string]time.Time
}

func newLedger(cfg Config) *ledger {
	return &ledger{
		pace:        &pacer{interval: time.Minute / time.Duration(cfg.LogCallBudget)},
		maxLogCalls: cfg.MaxLogCalls,
		timeout:     cfg.CallTimeout,
		connectWait: cfg.ConnectWait,
		calls:       map[string]int{},
		retries:     map[string]int{},
		servers:     map[string]*server{},
		lastNote:    map[string]time.Time{},
	}
}

// intercept is a gRPC unary client interceptor that every client uses.
// Until a call reaches a server, calls to it are bounded by what is left
// of the connect wait, and one that finds no connection fails with a
// connectError; once the tries are given up, every call fails at once.
func (l *ledger) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoke grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	addr := address(cc)
	if err := l.unreachable(addr); err != nil {
		return err
	}
	name := method[strings.LastIndexByte(method, '/')+1:]
	if name == "ListLogEntries" {
		if l.maxLogCalls > 0 && l.count("ListLogEntries") >= l.maxLogCalls {
			return errCallBudget
		}
		if err := l.pace.wait(ctx); err != nil {
			return err
		}
	}
	l.mu.Lock()
	l.calls[name]++
	l.mu.Unlock()
	timeout, connecting := l.connectLeft(addr)
	if !connecting || timeout > l.timeout {
		timeout = l.timeout
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var p peer.Peer
	start := time.Now()
	err := invoke(callCtx, method, req, reply, cc, append(opts, grpc.Peer(&p))...)
	switch code := status.Code(err); {
	case err == nil || p.Addr != nil:
		l.reach(addr)
	case connecting && ctx.Err() == nil && (code == codes.Unavailable || code == codes.DeadlineExceeded):
		return &connectError{addr: addr, cause: connectCause(err, cc, time.Since(start))}
	}
	return err
}

// noteDue reports whether a retry of key (a method, a server) may be told:
// at most one note a second for each, however many calls retry at once.
func (l *ledger) noteDue(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Since(l.lastNote[key]) < time.Second {
		return false
	}
	l.lastNote[key] = time.Now()
	return true
}

// count returns the calls made to a method.
func (l *ledger) count(method string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[method]
}

// retried records that a failed call of method will be made again.
func (l *ledger) retried(method string) {
	l.mu.Lock()
	l.retries[method]++
	l.mu.Unlock()
}

// snapshot returns copies of the counts.
func (l *ledger) snapshot() (calls, retries map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.calls), maps.Clone(l.retries)
}

// pacer spaces calls evenly: at most one per interval.
type pacer struct {
	interval time.Duration
	mu       sync.Mutex
	next     time.Time
}

// wait blocks until the next call may go, or ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	return sleep(ctx, time.Until(at))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

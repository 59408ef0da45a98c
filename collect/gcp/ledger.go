package gcp

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
)

// errCallBudget stops paging when MaxLogCalls calls were made.
var errCallBudget = errors.New("the ListLogEntries call budget is spent")

// ledger counts API calls and retries per method, paces ListLogEntries
// calls to the quota, enforces the call budget and bounds each call.
type ledger struct {
	pace        *pacer
	maxLogCalls int // <= 0: no limit
	timeout     time.Duration

	mu      sync.Mutex
	calls   map[string]int
	retries map[string]int
}

func newLedger(cfg Config) *ledger {
	return &ledger{
		pace:        &pacer{interval: time.Minute / time.Duration(cfg.LogCallBudget)},
		maxLogCalls: cfg.MaxLogCalls,
		timeout:     cfg.CallTimeout,
		calls:       map[string]int{},
		retries:     map[string]int{},
	}
}

// intercept is a gRPC unary client interceptor that every client uses.
func (l *ledger) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoke grpc.UnaryInvoker, opts ...grpc.CallOption) error {
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
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	return invoke(ctx, method, req, reply, cc, opts...)
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

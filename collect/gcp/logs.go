package gcp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// logQuery is one of the two log reads.
type logQuery struct {
	part  string // "requests" or "system", for messages and the manifest
	logID string // e.g. "run.googleapis.com/requests"
	file  string // snapshot file name
}

// filter is the Cloud Logging filter of a query, from the given time on:
// resource, service, region, log and window, plus the user's filter. The
// timestamp bounds are always explicit: without them some clients add a
// 24-hour bound of their own (gcloud logging read's --freshness defaults
// to 1d).
func (c *collector) filter(logID string, from time.Time) string {
	terms := []string{
		`resource.type = "cloud_run_revision"`,
		`resource.labels.service_name = ` + quote(c.cfg.Service),
		`resource.labels.location = ` + quote(c.cfg.Region),
		`logName = ` + quote("projects/"+c.cfg.Project+"/logs/"+url.PathEscape(logID)),
		`timestamp >= ` + quote(stamp(from)),
		`timestamp < ` + quote(stamp(c.cfg.End)),
	}
	if x := strings.TrimSpace(c.cfg.ExtraFilter); x != "" {
		terms = append(terms, "("+x+")")
	}
	return strings.Join(terms, " AND ")
}

// quote makes a filter string literal.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// logRun is the state of one paged read: where it is, so that it can
// resume after a failure without losing or repeating an entry.
type logRun struct {
	c    *collector
	q    logQuery
	w    *entryWriter
	prog *progress

	token    string          // the next page's token; "" at the start
	from     time.Time       // the filter's lower bound
	last     time.Time       // timestamp of the last entry written
	atLast   map[string]bool // insertIds written with timestamp last
	pages    int
	failures int // consecutive failed calls
	gap      string
}

// run reads every page, retrying and resuming, and returns nil when the
// read ended (completely, or at the call budget with a gap recorded).
func (r *logRun) run(ctx context.Context) error {
	for {
		err := r.read(ctx)
		if err == nil {
			return nil
		}
		if stop, err := r.recover(ctx, err); stop {
			return err
		}
	}
}

// read pages through the entries from r.token until the end or a failure.
func (r *logRun) read(ctx context.Context) error {
	req := &loggingpb.ListLogEntriesRequest{
		ResourceNames: []string{"projects/" + r.c.cfg.Project},
		Filter:        r.c.filter(r.q.logID, r.from),
		OrderBy:       "timestamp asc",
		PageSize:      int32(r.c.cfg.PageSize),
		PageToken:     r.token,
	}
	it := r.c.cl.logging.ListLogEntries(ctx, req, noRetry)
	for {
		e, err := it.Next()
		if err == iterator.Done {
			return nil
		}
		if err != nil {
			progressed := it.PageInfo().Token != r.token
			r.token = it.PageInfo().Token
			if progressed {
				r.failures = 0
			}
			return err
		}
		if err := r.add(e); err != nil {
			return err
		}
	}
}

// add writes an entry unless it was written before a restart.
func (r *logRun) add(e *loggingpb.LogEntry) error {
	r.failures = 0
	ts := e.GetTimestamp().AsTime()
	if ts.Equal(r.last) && e.GetInsertId() != "" && r.atLast[e.GetInsertId()] {
		return nil
	}
	if ts.After(r.last) {
		r.last = ts
		clear(r.atLast)
	}
	r.atLast[e.GetInsertId()] = true
	if err := r.w.write(e); err != nil {
		return err
	}
	r.prog.tick(r.w.n, r.c.ledger.count("ListLogEntries"), ts)
	return nil
}

// recover decides what to do after a failed read: retry the same page,
// restart from the last timestamp when the page token was refused, or stop.
func (r *logRun) recover(ctx context.Context, err error) (stop bool, _ error) {
	var werr *writeError
	switch {
	case errors.As(err, &werr):
		return true, err
	case ctx.Err() != nil:
		r.gap = fmt.Sprintf("gap: %s entries from %s to %s were not read: %v", r.q.part, stamp(r.resumeAt()), stamp(r.c.cfg.End), ctx.Err())
		return true, ctx.Err()
	case errors.Is(err, errCallBudget):
		r.gap = fmt.Sprintf("gap: %s entries from %s to %s were not read: the limit of %d ListLogEntries calls was reached (raise -max-calls or narrow the window)",
			r.q.part, stamp(r.resumeAt()), stamp(r.c.cfg.End), r.c.cfg.MaxLogCalls)
		return true, nil
	}
	r.failures++
	code := status.Code(err)
	refused := code == codes.InvalidArgument && r.token != ""
	var ce *connectError
	if errors.As(err, &ce) {
		return r.reconnect(ctx, ce)
	}
	if !retryable(err) && !refused {
		return true, fmt.Errorf("listing %s log entries: %w", r.q.part, explain(err, "roles/logging.viewer", r.c.cfg.Project))
	}
	if r.failures >= r.c.cfg.Retry.Attempts {
		r.gap = fmt.Sprintf("gap: %s entries from %s to %s were not read: %d calls in a row failed, the last with: %v",
			r.q.part, stamp(r.resumeAt()), stamp(r.c.cfg.End), r.failures, status.Convert(err).Message())
		return true, fmt.Errorf("listing %s log entries: %d calls in a row failed: %w", r.q.part, r.failures, err)
	}
	r.c.ledger.retried("ListLogEntries")
	if refused {
		// The token expired or was damaged: ask again from the last
		// timestamp written; add skips the entries already written there.
		r.token, r.from = "", r.resumeAt()
		r.prog.note("%s: page token refused; resuming from %s", r.q.part, stamp(r.from))
		return false, nil
	}
	d := r.c.cfg.Retry.backoff(r.failures)
	r.prog.note("%s: %s: %s; retrying in %s (attempt %d of %d)", r.q.part, code, status.Convert(err).Message(),
		d.Round(time.Millisecond), r.failures+1, r.c.cfg.Retry.Attempts)
	if err := sleep(ctx, d); err != nil {
		// The context ended during the backoff (the call may have seen its
		// deadline a moment before the context did).
		r.gap = fmt.Sprintf("gap: %s entries from %s to %s were not read: %v", r.q.part, stamp(r.resumeAt()), stamp(r.c.cfg.End), err)
		return true, err
	}
	return false, nil
}

// reconnect retries a read that found no connection to Cloud Logging
// while the connect wait lasts, and then stops with the gap recorded.
func (r *logRun) reconnect(ctx context.Context, ce *connectError) (stop bool, _ error) {
	d, final := r.c.ledger.retryConnect(ce, r.failures)
	if final != nil {
		r.gap = fmt.Sprintf("gap: %s entries from %s to %s were not read: %v", r.q.part, stamp(r.resumeAt()), stamp(r.c.cfg.End), final)
		return true, fmt.Errorf("listing %s log entries: %w", r.q.part, final)
	}
	r.c.ledger.retried("ListLogEntries")
	if r.c.ledger.noteDue(ce.addr) {
		r.prog.note("%s: %v; retrying in %s", r.q.part, ce, d.Round(time.Millisecond))
	}
	if err := sleep(ctx, d); err != nil {
		r.gap = fmt.Sprintf("gap: %s entries from %s to %s were not read: %v", r.q.part, stamp(r.resumeAt()), stamp(r.c.cfg.End), err)
		return true, err
	}
	return false, nil
}

// resumeAt is where a restarted read begins.
func (r *logRun) resumeAt() time.Time {
	if r.last.IsZero() {
		return r.from
	}
	return r.last
}

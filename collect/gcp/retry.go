package gcp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// retryable reports whether a failed call may succeed when made again.
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.DeadlineExceeded, codes.Internal:
		return true
	}
	return false
}

// backoff is how long to wait after the n-th consecutive failure.
func (r Retry) backoff(n int) time.Duration {
	d := r.Initial
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	return d/2 + rand.N(d/2+1)
}

// retry makes a call until it succeeds, fails for good, or has failed
// Attempts times in a row; every repeated call is recorded, and told on
// the progress writer with its reason. A call that finds no connection to
// a server no call has reached is retried within the connect wait only.
func (c *collector) retry(ctx context.Context, method string, call func() error) error {
	for n := 1; ; n++ {
		err := call()
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		d, final := c.backoff(method, n, err)
		if final != nil {
			return final
		}
		c.ledger.retried(method)
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// backoff is the wait before the n-th retry of a failed call, told on the
// progress writer; or the error to end with, when the call is not to be
// made again.
func (c *collector) backoff(method string, n int, err error) (time.Duration, error) {
	var ce *connectError
	if errors.As(err, &ce) {
		d, final := c.ledger.retryConnect(ce, n)
		if final == nil && c.ledger.noteDue(ce.addr) {
			c.note("%s; retrying in %s", ce, d.Round(time.Millisecond))
		}
		return d, final
	}
	st := status.Convert(err)
	if n >= c.cfg.Retry.Attempts {
		return 0, &apiError{code: st.Code(), msg: fmt.Sprintf("%s: %s (gave up after %d attempts)", st.Code(), st.Message(), n)}
	}
	d := c.cfg.Retry.backoff(n)
	if c.ledger.noteDue(method) {
		c.note("%s: %s: %s; retrying in %s (attempt %d of %d)", method, st.Code(), st.Message(), d.Round(time.Millisecond), n+1, c.cfg.Retry.Attempts)
	}
	return d, nil
}

// note prints a line on the progress writer, if there is one.
func (c *collector) note(format string, args ...any) {
	if c.cfg.Progress != nil {
		fmt.Fprintf(c.cfg.Progress, format+"\n", args...)
	}
}

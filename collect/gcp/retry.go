package gcp

import (
	"context"
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
// Attempts times in a row; every repeated call is recorded.
func (c *collector) retry(ctx context.Context, method string, call func() error) error {
	for n := 1; ; n++ {
		err := call()
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
		if n >= c.cfg.Retry.Attempts {
			st := status.Convert(err)
			return &apiError{code: st.Code(), msg: fmt.Sprintf("%s: %s (gave up after %d attempts)", st.Code(), st.Message(), n)}
		}
		c.ledger.retried(method)
		if err := sleep(ctx, c.cfg.Retry.backoff(n)); err != nil {
			return err
		}
	}
}

package loadtest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"time"
)

// eachLine calls fn with every non-blank line of r (without its line end)
// and its line number; last is set for a final line that has no line end,
// which a writer that was stopped may have left half-written.
func eachLine(r *bufio.Reader, fn func(line []byte, n int, last bool)) error {
	var long []byte
	n := 0
	for {
		chunk, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			continue
		}
		if err != nil && err != io.EOF {
			return err
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		if len(line) > 0 {
			n++
			last := err == io.EOF
			if t := bytes.TrimSpace(line); len(t) > 0 {
				fn(t, n, last)
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// maxMsDuration is the largest response time in milliseconds that fits a
// time.Duration (about 106 days).
const maxMsDuration = float64(math.MaxInt64) / 1e6

// msDuration converts milliseconds to a Duration rounded to the
// nanosecond; ok is false for negative, infinite or out-of-range values.
func msDuration(ms float64) (time.Duration, bool) {
	if math.IsNaN(ms) || ms < 0 || ms > maxMsDuration {
		return 0, false
	}
	return nsDuration(ms * 1e6), true
}

// nsDuration converts nanoseconds to a Duration, rounded, saturating at
// the largest Duration (float64 cannot hold math.MaxInt64 exactly).
func nsDuration(ns float64) time.Duration {
	if ns >= 9.2233720368547e18 {
		return math.MaxInt64
	}
	return time.Duration(math.Round(ns))
}

// plausible reports a time a load generator could have recorded: between
// 1990 and 2200. Others come from a broken clock or a misread column.
func plausible(t time.Time) bool {
	return t.Year() >= 1990 && t.Year() < 2200
}

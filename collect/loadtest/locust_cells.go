package loadtest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/runlens/runlens/model"
)

// cells reads the fields of one row by column name, turning Locust's text
// into values. A value that cannot be read becomes zero and a warning;
// "N/A" and empty fields are unknown, zero without a warning.
type cells struct {
	t     *table
	r     row
	warns *[]string
}

// maxMs is the largest response time in milliseconds that fits a
// time.Duration (about 106 days).
const maxMs = float64(math.MaxInt64) / 1e6

// str returns the first of the named columns that exists, trimmed.
func (c cells) str(names ...string) string {
	s, _ := c.field(names...)
	return strings.TrimSpace(s)
}

// raw returns the first of the named columns that exists, untrimmed.
func (c cells) raw(names ...string) string {
	s, _ := c.field(names...)
	return s
}

func (c cells) field(names ...string) (string, string) {
	for _, n := range names {
		if i, ok := c.t.cols[n]; ok {
			return c.r.fields[i], c.t.header[i]
		}
	}
	return "", ""
}

func (c cells) warnf(format string, args ...any) {
	*c.warns = append(*c.warns, fmt.Sprintf("%s:%d: ", c.t.path, c.r.line)+fmt.Sprintf(format, args...))
}

// unknown reports whether a field holds no value.
func unknown(s string) bool {
	return s == "" || strings.EqualFold(s, "N/A") || strings.EqualFold(s, "None")
}

// count reads a non-negative integer; "12.0" is accepted.
func (c cells) count(names ...string) int64 {
	s, col := c.field(names...)
	s = strings.TrimSpace(s)
	if unknown(s) {
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f >= math.MaxInt64 {
		c.warnf("column %q: want a count, got %q", col, s)
		return 0
	}
	return int64(f)
}

// float reads a finite non-negative number, integer or not.
func (c cells) float(names ...string) float64 {
	s, col := c.field(names...)
	f, ok := c.number(strings.TrimSpace(s), col)
	if !ok {
		return 0
	}
	return f
}

// number parses s; ok is false for unknown or bad values (the latter warned).
func (c cells) number(s, col string) (float64, bool) {
	if unknown(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		c.warnf("column %q: want a number, got %q", col, s)
		return 0, false
	}
	return f, true
}

// ms reads a response time in milliseconds.
func (c cells) ms(names ...string) time.Duration {
	s, col := c.field(names...)
	d, _ := c.duration(strings.TrimSpace(s), col)
	return d
}

// duration converts milliseconds to a Duration rounded to the nanosecond.
func (c cells) duration(s, col string) (time.Duration, bool) {
	f, ok := c.number(s, col)
	if !ok {
		return 0, false
	}
	if f > maxMs {
		c.warnf("column %q: response time %q ms out of range", col, s)
		return 0, false
	}
	return time.Duration(math.Round(f * 1e6)), true
}

// percentiles reads the percentile columns, leaving out N/A ones; nil when
// none has a value.
func (c cells) percentiles() []model.Percentile {
	var out []model.Percentile
	for _, p := range c.t.pcts {
		d, ok := c.duration(strings.TrimSpace(c.r.fields[p.idx]), c.t.header[p.idx])
		if ok {
			out = append(out, model.Percentile{Q: p.q, Value: d})
		}
	}
	return out
}

// timestamp reads Unix seconds (possibly fractional) as a UTC time.
func (c cells) timestamp(names ...string) (time.Time, bool) {
	s, col := c.field(names...)
	s = strings.TrimSpace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		c.warnf("column %q: want Unix seconds, got %q; row skipped", col, s)
		return time.Time{}, false
	}
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64(math.Round((f-sec)*1e9))).UTC(), true
}

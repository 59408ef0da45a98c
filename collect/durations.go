package collect

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/runlens/runlens/model"
)

// ParseDuration parses a protobuf Duration in its JSON form: an optional
// minus sign, decimal seconds with at most nine fractional digits, and a
// trailing "s" ("0.700123s", "12s", "-1.5s"). The digits are read as integer
// nanoseconds, so the result is exact. Values outside time.Duration's range
// are an error.
func ParseDuration(s string) (time.Duration, error) {
	body, ok := cutSuffix(s, 's')
	neg := len(body) > 0 && body[0] == '-'
	if neg {
		body = body[1:]
	}
	whole, frac, dot := cutByte(body, '.')
	if !ok || whole == "" || dot && frac == "" {
		return 0, fmt.Errorf("duration %q: %w", s, errDurationSyntax)
	}
	mag, err := durationNanos(whole, frac)
	if err != nil {
		return 0, fmt.Errorf("duration %q: %w", s, err)
	}
	return signed(mag, neg, s)
}

var (
	errDurationSyntax = errors.New(`want decimal seconds like "0.25s"`)
	errRange          = errors.New("out of range")
)

// maxSeconds is the largest whole number of seconds a Duration can hold.
const maxSeconds = (1 << 63) / 1_000_000_000

// durationNanos turns the seconds' digits into a magnitude in nanoseconds.
func durationNanos(whole, frac string) (uint64, error) {
	if len(frac) > 9 {
		return 0, errors.New("more than 9 fractional digits")
	}
	secs, ok1 := digits(whole)
	ns, ok2 := digits(frac)
	if !ok1 || !ok2 {
		if len(whole) > 19 && allDigits(whole) {
			return 0, errRange
		}
		return 0, errDurationSyntax
	}
	for range 9 - len(frac) {
		ns *= 10
	}
	if secs > maxSeconds {
		return 0, errRange
	}
	return secs*1e9 + ns, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// signed applies the sign, checking the magnitude fits an int64.
func signed(mag uint64, neg bool, s string) (time.Duration, error) {
	switch {
	case neg && mag == 1<<63:
		return math.MinInt64, nil
	case mag > math.MaxInt64:
		return 0, fmt.Errorf("duration %q: %w", s, errRange)
	case neg:
		return -time.Duration(mag), nil
	}
	return time.Duration(mag), nil
}

// digits reads an unsigned decimal of at most 19 digits; "" is 0.
func digits(s string) (uint64, bool) {
	if len(s) > 19 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

func cutSuffix(s string, c byte) (string, bool) {
	if len(s) == 0 || s[len(s)-1] != c {
		return s, false
	}
	return s[:len(s)-1], true
}

func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// ParseTimestamp parses an RFC 3339 timestamp with 0 to 9 fractional digits
// and any offset ("2021-08-09T18:21:35.744268Z", "2024-08-07T10:00:00+07:00")
// and returns it in UTC. It does not allocate.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := parseRFC3339(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %w", s, err)
	}
	return t, nil
}

// parseRFC3339 reads "YYYY-MM-DDTHH:MM:SS", an optional fraction and a zone.
func parseRFC3339(s string) (time.Time, error) {
	if len(s) < len("2006-01-02T15:04:05Z") {
		return time.Time{}, errors.New("too short")
	}
	f, err := dateFields(s)
	if err != nil {
		return time.Time{}, err
	}
	ns, rest, err := fraction(s[19:])
	if err != nil {
		return time.Time{}, err
	}
	off, err := zoneOffset(rest)
	if err != nil {
		return time.Time{}, err
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], ns, time.UTC)
	return t.Add(-off), nil
}

// dateFields reads year, month, day, hour, minute and second, checking
// separators and ranges.
func dateFields(s string) ([6]int, error) {
	var f [6]int
	seps := [...]byte{'-', '-', 'T', ':', ':'}
	pos := [...]int{0, 5, 8, 11, 14, 17}
	width := [...]int{4, 2, 2, 2, 2, 2}
	for i, p := range pos {
		v, ok := digits(s[p : p+width[i]])
		if !ok || i < len(seps) && !sepOK(s[p+width[i]], seps[i]) {
			return f, errors.New("want YYYY-MM-DDTHH:MM:SS")
		}
		f[i] = int(v)
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > daysIn(f[0], f[1]) ||
		f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return f, errors.New("date or time out of range")
	}
	return f, nil
}

func sepOK(got, want byte) bool {
	return got == want || want == 'T' && (got == 't' || got == ' ')
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// fraction reads an optional ".ddddddddd" (1 to 9 digits) as nanoseconds.
func fraction(s string) (int, string, error) {
	if len(s) == 0 || s[0] != '.' {
		return 0, s, nil
	}
	n := 1
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 1 || n > 10 {
		return 0, s, errors.New("want 1 to 9 fractional digits")
	}
	v, _ := digits(s[1:n])
	for range 10 - n {
		v *= 10
	}
	return int(v), s[n:], nil
}

// zoneOffset reads "Z" or "+HH:MM" / "-HH:MM" and nothing after it.
func zoneOffset(s string) (time.Duration, error) {
	if s == "Z" || s == "z" {
		return 0, nil
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return 0, errors.New("want Z or an offset like +07:00")
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[4:6])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, errors.New("bad offset")
	}
	off := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		off = -off
	}
	return off, nil
}

// minuteCache remembers the last timestamp's minute: the lines of a log
// come in time order, and most share their minute with the line before,
// whose date and time then need no reading again.
type minuteCache struct {
	prefix string    // "YYYY-MM-DDTHH:MM", in the line it came from: compared, not kept
	minute time.Time // its start, UTC
	valid  bool
}

// parse is ParseTimestamp, through the cache.
func (c *minuteCache) parse(s string) (time.Time, error) {
	if c.valid && len(s) >= len("2006-01-02T15:04:05Z") && s[:16] == c.prefix && s[16] == ':' {
		if sec, ok := digits(s[17:19]); ok && sec <= 59 {
			ns, rest, err := fraction(s[19:])
			if err == nil {
				if off, err := zoneOffset(rest); err == nil {
					return c.minute.Add(time.Duration(sec)*time.Second + time.Duration(ns) - off), nil
				}
			}
		}
	}
	t, err := ParseTimestamp(s)
	if err != nil {
		return t, err
	}
	f, _ := dateFields(s) // valid: ParseTimestamp read them
	c.prefix = strings.Clone(s[:16])
	c.minute = time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], 0, 0, time.UTC)
	c.valid = true
	return t, nil
}

// Timestamps runlens reads: later ones, or earlier ones, are refused at
// input, since a window stretched over centuries breaks every output.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// MaxWindow is the longest window a snapshot may have: its series have a
// point per hour at most (9,600 of them), and a window of centuries would
// make outputs of hundreds of megabytes.
const MaxWindow = 400 * 24 * time.Hour

// CheckWindow refuses a window that starts or ends outside the years 1970
// to 2199, or is longer than MaxWindow. (A reversed or empty window is
// for the caller to refuse.)
func CheckWindow(w model.Window) error {
	for _, t := range []time.Time{w.Start, w.End} {
		if t.Before(minTime) || !t.Before(maxTime) {
			return fmt.Errorf("window %s to %s: out of range: runlens reads years 1970 to 2199",
				w.Start.UTC().Format(time.RFC3339Nano), w.End.UTC().Format(time.RFC3339Nano))
		}
	}
	if w.End.Sub(w.Start) > MaxWindow {
		return fmt.Errorf("window %s to %s: %.0f days long: runlens reports at most %d days",
			w.Start.UTC().Format(time.RFC3339Nano), w.End.UTC().Format(time.RFC3339Nano), w.End.Sub(w.Start).Hours()/24, int(MaxWindow.Hours()/24))
	}
	return nil
}

// checkTime refuses a timestamp s, read as t, outside the years 1970 to 2199.
func checkTime(s string, t time.Time) error {
	if t.Before(minTime) || !t.Before(maxTime) {
		return fmt.Errorf("timestamp %q: out of range: runlens reads years 1970 to 2199", s)
	}
	return nil
}

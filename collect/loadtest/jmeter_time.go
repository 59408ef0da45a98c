package loadtest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// JavaTimeLayout converts a Java SimpleDateFormat pattern, as JMeter's
// jmeter.save.saveservice.timestamp_format takes, into a Go time layout:
// "yyyy/MM/dd HH:mm:ss" becomes "2006/01/02 15:04:05". Quoted text
// ('T') is kept literally; fractional seconds (S) must follow '.' or ','.
// Pattern letters Go cannot express are an error.
func JavaTimeLayout(pattern string) (string, error) {
	var b strings.Builder
	rs := []rune(pattern)
	for i := 0; i < len(rs); {
		c := rs[i]
		if c == '\'' {
			lit, next, err := javaQuoted(rs, i)
			if err != nil {
				return "", fmt.Errorf("pattern %q: %w", pattern, err)
			}
			b.WriteString(lit)
			i = next
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteRune(c)
			i++
			continue
		}
		n := 1
		for i+n < len(rs) && rs[i+n] == c {
			n++
		}
		tok, err := javaLetter(c, n, i > 0 && (rs[i-1] == '.' || rs[i-1] == ','))
		if err != nil {
			return "", fmt.Errorf("pattern %q: %w", pattern, err)
		}
		b.WriteString(tok)
		i += n
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("pattern %q is empty", pattern)
	}
	return b.String(), nil
}

// javaQuoted reads the quoted literal starting at rs[i]; two quotes stand
// for one.
func javaQuoted(rs []rune, i int) (string, int, error) {
	if i+1 < len(rs) && rs[i+1] == '\'' {
		return "'", i + 2, nil
	}
	var b strings.Builder
	for j := i + 1; j < len(rs); j++ {
		switch {
		case rs[j] == '\'' && j+1 < len(rs) && rs[j+1] == '\'':
			b.WriteRune('\'')
			j++
		case rs[j] == '\'':
			return b.String(), j + 1, nil
		default:
			b.WriteRune(rs[j])
		}
	}
	return "", 0, fmt.Errorf("unterminated quote at %d", i+1)
}

// javaLetter converts n repetitions of a pattern letter.
func javaLetter(c rune, n int, afterDot bool) (string, error) {
	switch c {
	case 'y', 'u':
		if n == 2 {
			return "06", nil
		}
		return "2006", nil
	case 'M', 'L':
		return pick(n, "1", "01", "Jan", "January"), nil
	case 'd':
		return pick(n, "2", "02"), nil
	case 'H', 'k':
		return "15", nil
	case 'h', 'K':
		return pick(n, "3", "03"), nil
	case 'm':
		return pick(n, "4", "04"), nil
	case 's':
		return pick(n, "5", "05"), nil
	case 'S':
		if !afterDot {
			return "", fmt.Errorf("fractional seconds (S) must follow '.' or ',' in a Go layout")
		}
		return strings.Repeat("0", min(n, 9)), nil
	case 'a':
		return "PM", nil
	case 'E':
		return pick(n, "Mon", "Mon", "Mon", "Monday"), nil
	case 'Z':
		return "-0700", nil
	case 'X':
		return pick(n, "Z07", "Z0700", "Z07:00"), nil
	case 'z':
		return "MST", nil
	}
	return "", fmt.Errorf("pattern letter %q is not supported", string(c))
}

// pick returns the n-th choice (1-based), the last one for larger n.
func pick(n int, choices ...string) string {
	return choices[min(n, len(choices))-1]
}

// jmeterGuesses are the timestamp patterns tried, in order, when a JTL's
// timeStamp is not epoch milliseconds and no pattern was given. Go reads
// fractional seconds after the seconds without asking for them.
var jmeterGuesses = []string{
	"yyyy/MM/dd HH:mm:ss",
	"yyyy-MM-dd HH:mm:ss",
	"yyyy-MM-dd'T'HH:mm:ssXXX",
	"yyyy-MM-dd'T'HH:mm:ssZ",
	"yyyy-MM-dd'T'HH:mm:ss",
	"yyyy/MM/dd HH:mm:ss Z",
	"yyyy-MM-dd HH:mm:ss Z",
	"MM/dd/yyyy HH:mm:ss",
	"dd/MM/yyyy HH:mm:ss",
	"dd.MM.yyyy HH:mm:ss",
	"MM/dd/yyyy hh:mm:ss a",
	"yyyy/MM/dd HH:mm",
	"yyyyMMddHHmmss",
}

// jmeterClock turns JTL timeStamp values into times: epoch milliseconds,
// or dates in one layout.
type jmeterClock struct {
	layout  string // Go layout; empty: epoch milliseconds only
	pattern string // as the user gave it or as guessed (Java syntax)
}

// guessClock chooses the pattern that reads the most of the sample
// values; ties go to the earlier pattern, and ambiguous is set when
// another pattern reads as many.
func guessClock(values []string) (c jmeterClock, ambiguous bool) {
	best := 0
	for _, p := range jmeterGuesses {
		layout, _ := JavaTimeLayout(p)
		n := 0
		for _, v := range values {
			if _, err := time.Parse(layout, v); err == nil {
				n++
			}
		}
		switch {
		case n > best:
			best, c, ambiguous = n, jmeterClock{layout: layout, pattern: p}, false
		case n == best && n > 0:
			ambiguous = true
		}
	}
	return c, ambiguous
}

// parse reads one timeStamp value as UTC.
func (c jmeterClock) parse(v string) (time.Time, bool) {
	if v != "" && allDigits(v) {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		t := time.UnixMilli(ms).UTC()
		return t, plausible(t)
	}
	if c.layout == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(c.layout, v)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), plausible(t)
}

// hasZone reports whether the layout reads a time zone; without one, the
// dates (JMeter's local time) are read as UTC.
func (c jmeterClock) hasZone() bool {
	return strings.Contains(c.layout, "-07") || strings.Contains(c.layout, "Z07") || strings.Contains(c.layout, "MST")
}

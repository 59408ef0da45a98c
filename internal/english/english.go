// Package english writes counts for people: digits grouped in thousands
// (12,345) and a noun that agrees with its number (1 cold start, 3 cold
// starts). The report's findings, the terminal tables and the Markdown all
// write counts through it, so that they write them alike.
package english

import "strconv"

// Count writes n with its digits grouped in thousands: 12,345 and -1,234.
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + GroupDigits(s[1:])
	}
	return GroupDigits(s)
}

// GroupDigits puts a comma between each group of three digits of a run of
// digits, from the right: "1234567" is "1,234,567".
func GroupDigits(d string) string {
	if len(d) <= 3 {
		return d
	}
	b := make([]byte, 0, len(d)+len(d)/3)
	head := len(d) % 3
	b = append(b, d[:head]...)
	for i := head; i < len(d); i += 3 {
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = append(b, d[i:i+3]...)
	}
	return string(b)
}

// Plural writes n (grouped, as Count does) and then one when n is 1 or -1,
// many otherwise: Plural(1, "request was", "requests were") is "1 request
// was", Plural(1250, ...) "1,250 requests were". A verb that follows the
// noun goes in both forms, so that it agrees too.
func Plural(n int64, one, many string) string {
	return Count(n) + " " + Noun(n, one, many)
}

// Noun is one when n is 1 or -1, many otherwise: for a count that is
// written apart from its noun.
func Noun(n int64, one, many string) string {
	if n == 1 || n == -1 {
		return one
	}
	return many
}

package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// locustError is Locust's StatsError: one (method, name, error) and how
// often it occurred.
type locustError struct {
	method, name, err string
	occurrences       int64
}

// logError records a failure as log_error does: on the aggregate, on the
// endpoint and in the errors table.
func (s *locustStats) logError(now float64, method, name, err string) {
	s.total.numFailures++
	s.total.failPerSec[int64(now)]++
	e := s.entries[[2]string{name, method}]
	e.numFailures++
	e.failPerSec[int64(now)]++
	key := errorKey(method, name, err)
	if s.errors[key] == nil {
		s.errors[key] = &locustError{method: method, name: name, err: err}
	}
	s.errors[key].occurrences++
}

// errorKey is StatsError.create_key: the SHA-256 of
// f"{method}.{name}.{error!r}", where error is already the exception's repr.
func errorKey(method, name, err string) string {
	sum := sha256.Sum256([]byte(method + "." + name + "." + pyRepr(err)))
	return hex.EncodeToString(sum[:])
}

// failuresCSV is the _failures.csv file: the errors sorted by their key,
// as sort_stats sorts them.
func (s *locustStats) failuresCSV() []byte {
	var b strings.Builder
	b.WriteString(csvRow([]string{"Method", "Name", "Error", "Occurrences"}))
	for _, k := range slices.Sorted(maps.Keys(s.errors)) {
		e := s.errors[k]
		b.WriteString(csvRow([]string{e.method, e.name, e.err, strconv.FormatInt(e.occurrences, 10)}))
	}
	return []byte(b.String())
}

// pyRepr is Python's repr of a str of printable ASCII: single quotes,
// unless the text holds a single quote and no double quote.
func pyRepr(s string) string {
	quote := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = `"`
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	if quote == "'" {
		s = strings.ReplaceAll(s, "'", `\'`)
	}
	return quote + s + quote
}

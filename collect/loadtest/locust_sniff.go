package loadtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/runlens/runlens/collect"
)

// kind is what a Locust CSV holds, as told by its header row.
type kind int

const (
	kindNone         kind = iota
	kindStats             // per-endpoint totals: _stats.csv, or 0.x _requests.csv
	kindDistribution      // 0.x _distribution.csv: percentiles per "METHOD name"
	kindHistory           // _stats_history.csv
	kindFailures          // _failures.csv
	kindExceptions        // _exceptions.csv
)

func (k kind) String() string {
	return [...]string{"unknown", "stats", "distribution", "stats history", "failures", "exceptions"}[k]
}

// classify tells a Locust CSV's kind and format generation from its header.
// Locust 1.2 and later write the same stats and history layout as 2.x, so
// "1.x" is only told apart when the file carries a 1.0/1.1 trait: a
// 99.999% column or a quoted header.
func classify(t *table) (kind, string) {
	switch {
	case t.has("name", "error", "occurrences"):
		return kindFailures, ""
	case t.has("message", "traceback"):
		return kindExceptions, ""
	case t.has("timestamp", "name"):
		if t.has("user count") || t.has("total request count") {
			return kindHistory, modernVersion(t)
		}
		return kindHistory, "0.13"
	case t.has("name", "request count") && (t.has("type") || t.has("method")):
		return kindStats, modernVersion(t)
	case t.has("name", "# requests") && t.has("type"):
		return kindStats, "0.13"
	case t.has("name", "# requests") && t.has("method"):
		return kindStats, "0.x"
	case t.has("name", "# requests") && len(t.pcts) > 0:
		return kindDistribution, "0.x"
	}
	return kindNone, ""
}

func modernVersion(t *table) string {
	if t.quoted || t.has("99.999%") {
		return "1.x"
	}
	return "2.x"
}

// IsLocust reports whether head, the first bytes of a file (a few kilobytes
// hold any Locust header), is a Locust CSV of a kind ReadLocust reads. gzip,
// byte-order marks and UTF-16 are looked through.
func IsLocust(head []byte) bool {
	r, err := collect.Decode(bytes.NewReader(head))
	if err != nil {
		return false
	}
	b, _ := io.ReadAll(r) // a cut gzip stream still yields its first bytes
	line, _, _ := strings.Cut(normalizeEOL(string(b)), "\n")
	recs, _, _ := readCSV(line, true)
	if len(recs) == 0 {
		return false
	}
	k, _ := classify(newTable("", recs[0], strings.HasPrefix(line, `"`)))
	return k != kindNone
}

// notLocust explains why text is refused, naming JSON and YAML companions
// (run metadata, harness summaries) that often sit beside Locust's CSVs.
func notLocust(text string) error {
	first, _, _ := strings.Cut(strings.TrimLeft(text, " \t\n"), "\n")
	switch {
	case strings.HasPrefix(first, "{") || strings.HasPrefix(first, "["):
		return atLine(1, errors.New("JSON, not a Locust CSV (run metadata or a summary? give only Locust's --csv files)"))
	case collect.Sniff([]byte(strings.TrimLeft(text, " \t\n"))) == collect.FormatYAML:
		return atLine(1, errors.New("YAML, not a Locust CSV (a summary made from Locust's results? give only Locust's --csv files)"))
	}
	return atLine(1, fmt.Errorf("not a Locust CSV (header starts %q)", excerpt(first, 40)))
}

func excerpt(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}

package loadtest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// table is a CSV file split into a header and rows, with columns found by
// name.
type table struct {
	path   string
	header []string       // as in the file, trimmed
	cols   map[string]int // lower-case header name -> index
	pcts   []pctCol       // percentile columns, in increasing Q
	quoted bool           // the header row was written with quotes
	rows   []row
}

// row is one record of the table and the line it starts on.
type row struct {
	line   int
	fields []string
}

// pctCol is a percentile column: "50%", "99.9%", or the 0.13 layout's "99.999".
type pctCol struct {
	q   float64
	idx int
}

// parseTable reads text as CSV. Rows whose column count differs from the
// header's are dropped with a warning. Quotes that break the CSV rules are
// read again leniently, with a warning.
func parseTable(path, text string) (*table, []string, error) {
	recs, lines, err := readCSV(text, false)
	var warns []string
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		warns = append(warns, fmt.Sprintf("%s:%d: %v; read with lenient quoting", path, perr.StartLine, perr.Err))
		recs, lines, err = readCSV(text, true)
		if errors.As(err, &perr) {
			warns = append(warns, fmt.Sprintf("%s:%d: %v; rest of file ignored", path, perr.StartLine, perr.Err))
			err = nil
		}
	}
	if err != nil {
		return nil, warns, err
	}
	if len(recs) == 0 {
		return nil, warns, atLine(1, errors.New("empty file, not a Locust CSV"))
	}
	t := newTable(path, recs[0], strings.HasPrefix(strings.TrimLeft(text, " \t\n"), `"`))
	for i, rec := range recs[1:] {
		if len(rec) != len(t.header) {
			warns = append(warns, fmt.Sprintf("%s:%d: want %d columns, got %d", path, lines[i+1], len(t.header), len(rec)))
			continue
		}
		t.rows = append(t.rows, row{line: lines[i+1], fields: rec})
	}
	return t, warns, nil
}

// readCSV returns the records of text and the line each starts on. On a
// parse error it returns the records read before it.
func readCSV(text string, lazy bool) ([][]string, []int, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = lazy
	var recs [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, lines, nil
		}
		if err != nil {
			return recs, lines, err
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, rec)
		lines = append(lines, line)
	}
}

func newTable(path string, header []string, quoted bool) *table {
	t := &table{path: path, cols: map[string]int{}, quoted: quoted}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		t.header = append(t.header, h)
		if _, dup := t.cols[strings.ToLower(h)]; !dup {
			t.cols[strings.ToLower(h)] = i
		}
		if q, ok := percentileQ(h); ok {
			t.pcts = append(t.pcts, pctCol{q: q, idx: i})
		}
	}
	sort.SliceStable(t.pcts, func(i, j int) bool { return t.pcts[i].q < t.pcts[j].q })
	return t
}

// has reports whether the table has every named column (lower case).
func (t *table) has(names ...string) bool {
	for _, n := range names {
		if _, ok := t.cols[n]; !ok {
			return false
		}
	}
	return true
}

// percentileQ reads a percentile column name: "50%" is 0.5, "99.9%" 0.999,
// and a bare "99.999" (Locust 0.13/0.14) 0.99999. The quantile is parsed
// from the decimal digits so that "99.9%" gives exactly the float 0.999.
func percentileQ(h string) (float64, bool) {
	num := strings.TrimSuffix(h, "%")
	ip, fp, _ := strings.Cut(num, ".")
	if ip == "" || len(ip) > 3 || !allDigits(ip) || !allDigits(fp) || len(fp) > 12 {
		return 0, false
	}
	ip = strings.Repeat("0", max(0, 2-len(ip))) + ip
	q, err := strconv.ParseFloat(ip[:len(ip)-2]+"."+ip[len(ip)-2:]+fp, 64)
	if err != nil || q <= 0 || q > 1 {
		return 0, false
	}
	return q, true
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

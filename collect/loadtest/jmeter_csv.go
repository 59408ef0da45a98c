package loadtest

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// jmeterColumns are JMeter's default CSV columns (5.x), in the order it
// writes them when no header is saved; 3.x and 4.x leave out URL.
var jmeterColumns = []string{
	"timeStamp", "elapsed", "label", "responseCode", "responseMessage", "threadName", "dataType", "success",
	"failureMessage", "bytes", "sentBytes", "grpThreads", "allThreads", "URL", "Latency", "IdleTime", "Connect",
}

// jmeterDelimiters are the delimiters jmeter.save.saveservice.default_delimiter
// is commonly set to.
var jmeterDelimiters = []rune{',', '\t', ';', '|'}

// jmeterDelimiter finds the delimiter of a JTL header line: the one that
// splits it into fields holding timeStamp, elapsed and label.
func jmeterDelimiter(line string) (rune, bool) {
	for _, d := range jmeterDelimiters {
		cols := map[string]bool{}
		for _, f := range strings.Split(line, string(d)) {
			cols[strings.ToLower(strings.Trim(strings.TrimSpace(f), `"`))] = true
		}
		if cols["timestamp"] && cols["elapsed"] && cols["label"] {
			return d, true
		}
	}
	return 0, false
}

// headerlessDelimiter finds the delimiter of a headerless JTL row.
func headerlessDelimiter(line string) (rune, bool) {
	for _, d := range jmeterDelimiters {
		r := csv.NewReader(strings.NewReader(line))
		r.Comma, r.LazyQuotes = d, true
		if rec, _ := r.Read(); isJMeterRow(rec) {
			return d, true
		}
	}
	return 0, false
}

// jtlColumns maps lower-case column names to their index.
type jtlColumns map[string]int

func newColumns(names []string) jtlColumns {
	c := jtlColumns{}
	for i, n := range names {
		n = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(n, "\uFEFF")))
		if _, dup := c[n]; !dup {
			c[n] = i
		}
	}
	return c
}

func (c jtlColumns) has(name string) bool {
	_, ok := c[name]
	return ok
}

func (c jtlColumns) get(rec []string, name string) string {
	if i, ok := c[name]; ok && i < len(rec) {
		return rec[i]
	}
	return ""
}

// jmeterCSV reads a CSV JTL, with or without its header row.
func (r *reader) jmeterCSV(t *tally) error {
	f, br, err := openText(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	first, _ := br.Peek(4096)
	line, _, _ := strings.Cut(strings.TrimLeft(string(first), " \t\r\n"), "\n")
	line = strings.TrimRight(line, "\r")
	d, header := jmeterDelimiter(line)
	if !header {
		if d, _ = headerlessDelimiter(line); d == 0 {
			return errors.New("not a JMeter CSV: no header with timeStamp, elapsed and label, and no row in JMeter's default column order")
		}
	}
	cr := csv.NewReader(br)
	cr.Comma, cr.FieldsPerRecord, cr.LazyQuotes = d, -1, true
	samples, err := r.jtlRows(cr, header)
	if err != nil {
		return err
	}
	return r.jtlTally(samples, t, true)
}

// jtlRows reads the records; a row whose column count is not the
// header's is skipped with a warning (the last one is a half-written row).
func (r *reader) jtlRows(cr *csv.Reader, header bool) ([]jtlSample, error) {
	var cols jtlColumns
	var width int
	var samples []jtlSample
	var prev []string
	prevLine, bad := 0, 0
	for {
		rec, err := cr.Read()
		if err != nil && !errors.Is(err, io.EOF) {
			var pe *csv.ParseError
			if errors.As(err, &pe) && bad < maxBadRows {
				bad++
				r.warnf(pe.StartLine, "%v; row skipped", pe.Err)
				continue
			}
			return nil, err
		}
		if prev != nil {
			if s, ok := r.jtlRow(cols, width, prev, prevLine, err != nil); ok {
				samples = append(samples, s)
			}
		}
		if err != nil {
			return samples, nil
		}
		line, _ := cr.FieldPos(0)
		if cols == nil {
			cols, width = r.jtlHeader(rec, header, line)
			if header {
				continue
			}
		}
		prev, prevLine = rec, line
	}
}

// maxBadRows is how many unreadable CSV rows a file may have before it is
// refused.
const maxBadRows = 1000

// jtlHeader takes the columns from the header row, or JMeter's default
// order for a headerless file of 16 or 17 columns (the first eight
// otherwise).
func (r *reader) jtlHeader(rec []string, header bool, line int) (jtlColumns, int) {
	if header {
		return newColumns(rec), len(rec)
	}
	switch len(rec) {
	case len(jmeterColumns):
		return newColumns(jmeterColumns), len(rec)
	case len(jmeterColumns) - 1:
		noURL := append(append([]string{}, jmeterColumns[:13]...), jmeterColumns[14:]...)
		return newColumns(noURL), len(rec)
	}
	r.warnf(line, "no header row and %d columns: only the first eight of JMeter's default order are read (timeStamp ... success)", len(rec))
	return newColumns(jmeterColumns[:8]), len(rec)
}

// jtlRow reads one record; last is set for the file's final record.
func (r *reader) jtlRow(cols jtlColumns, width int, rec []string, line int, last bool) (jtlSample, bool) {
	if len(rec) != width {
		if last {
			r.warnf(line, "want %d columns, got %d: the file ends in a half-written row; ignored", width, len(rec))
		} else {
			r.warnf(line, "want %d columns, got %d; row skipped", width, len(rec))
		}
		return jtlSample{}, false
	}
	get := func(name string) string { return cols.get(rec, name) }
	return jtlSample{
		line:     line,
		ts:       strings.TrimSpace(get("timestamp")),
		label:    get("label"),
		code:     strings.TrimSpace(get("responsecode")),
		hasCode:  cols.has("responsecode"),
		message:  get("responsemessage"),
		failMsg:  get("failuremessage"),
		dataType: strings.TrimSpace(get("datatype")),
		url:      strings.TrimSpace(get("url")),
		elapsed:  r.jtlElapsed(line, "elapsed", get("elapsed")),
		success:  r.jtlSuccess(line, get("success"), cols.has("success"), strings.TrimSpace(get("responsecode"))),
		bytes:    optInt(get("bytes")),
		threads:  int(optInt(get("allthreads"))),
	}, true
}

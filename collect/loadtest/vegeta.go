package loadtest

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// vegetaResult mirrors the fields of vegeta's Result that runlens uses.
// gob matches fields by name, so one struct reads the results of old
// vegeta (no Method, URL, Headers) and of v12; the body is not decoded.
type vegetaResult struct {
	Attack    string        `json:"attack"`
	Seq       uint64        `json:"seq"`
	Code      uint16        `json:"code"`
	Timestamp time.Time     `json:"timestamp"`
	Latency   time.Duration `json:"latency"` // nanoseconds
	BytesOut  uint64        `json:"bytes_out"`
	BytesIn   uint64        `json:"bytes_in"`
	Error     string        `json:"error"`
	Method    string        `json:"method"`
	URL       string        `json:"url"`
}

// endpoint groups results by method and URL; results of old vegeta carry
// neither, and are grouped by attack name.
func (v *vegetaResult) endpoint() epKey {
	name := v.URL
	if name == "" {
		name = v.Attack
	}
	if name == "" {
		name = "(no URL recorded)"
	}
	return epKey{method: v.Method, name: name}
}

// hit is the result as a request; vegeta counts codes from 200 to 399 as
// successes.
func (v *vegetaResult) hit() hit {
	h := hit{at: v.Timestamp.UTC(), ep: v.endpoint(), latency: v.Latency, bytes: int64(min(v.BytesIn, 1<<62)), users: -1}
	if !plausible(h.at) {
		h.at = time.Time{}
	}
	if v.Code < 200 || v.Code >= 400 {
		h.failed = true
		h.err = v.Error
		if h.err == "" {
			h.err = "HTTP " + strconv.Itoa(int(v.Code))
		}
	}
	return h
}

// vegetaAdd counts one result, warning about a timestamp that cannot be
// on a timeline (the request still counts in the totals).
func (r *reader) vegetaAdd(t *tally, v *vegetaResult, line int) {
	h := v.hit()
	if h.at.IsZero() {
		r.warnf(line, "timestamp %s is not a plausible time; counted in the totals, not in the timeline", v.Timestamp.Format(time.RFC3339Nano))
	}
	t.add(h)
}

// vegetaJSON reads `vegeta encode --to json` output: a result per line.
func (r *reader) vegetaJSON(t *tally) error {
	f, br, err := openText(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	n := 0
	err = eachLine(br, func(line []byte, ln int, last bool) {
		var v vegetaResult
		if err := json.Unmarshal(line, &v); err != nil {
			if last {
				r.warnf(ln, "the file ends in a half-written line; ignored")
			} else {
				r.warnf(ln, "not a vegeta JSON result: %v; line skipped", err)
			}
			return
		}
		r.vegetaAdd(t, &v, ln)
		n++
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: no vegeta JSON result line", errNothing)
	}
	return err
}

// vegetaCSV reads `vegeta encode --to csv` output: timestamp and latency
// in nanoseconds, code, bytes out and in, error, then (newer versions) the
// base64 body, attack, sequence, method, URL and headers.
func (r *reader) vegetaCSV(t *tally) error {
	f, br, err := openText(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(br)
	cr.FieldsPerRecord, cr.LazyQuotes, cr.ReuseRecord = -1, true, true
	n, bad := 0, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) && bad < maxBadRows {
			bad++
			r.warnf(pe.StartLine, "%v; row skipped", pe.Err)
			continue
		}
		if err != nil {
			return err
		}
		if v, ok := r.vegetaRow(rec, line); ok {
			r.vegetaAdd(t, &v, line)
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("%w: no vegeta CSV row", errNothing)
	}
	return nil
}

func (r *reader) vegetaRow(rec []string, line int) (vegetaResult, bool) {
	if len(rec) < 6 {
		r.warnf(line, "want at least 6 columns, got %d; row skipped", len(rec))
		return vegetaResult{}, false
	}
	ts, err1 := strconv.ParseInt(rec[0], 10, 64)
	code, err2 := strconv.ParseUint(rec[1], 10, 16)
	lat, err3 := strconv.ParseInt(rec[2], 10, 64)
	in, err4 := strconv.ParseUint(rec[4], 10, 64)
	if err := errors.Join(err1, err2, err3, err4); err != nil || lat < 0 {
		r.warnf(line, "want nanoseconds, a status code, nanoseconds, bytes out and bytes in; row skipped")
		return vegetaResult{}, false
	}
	v := vegetaResult{Timestamp: time.Unix(0, ts), Code: uint16(code), Latency: time.Duration(lat), BytesIn: in, Error: rec[5]}
	if len(rec) >= 8 {
		v.Attack = rec[7]
	}
	if len(rec) >= 11 {
		v.Method, v.URL = rec[9], rec[10]
	}
	return v, true
}

// vegetaGob reads vegeta attack's binary output, a gob stream of Results
// (possibly gzipped). A stream that stops mid-result keeps what was read,
// with a warning; one whose first result does not decode is an error.
func (r *reader) vegetaGob(t *tally) error {
	f, err := os.Open(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	in, err := gunzipped(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return err
	}
	dec := gob.NewDecoder(in)
	for n := 0; ; n++ {
		var v vegetaResult
		err := decodeGob(dec, &v)
		switch {
		case err == io.EOF && n > 0:
			return nil
		case err != nil && n == 0:
			return fmt.Errorf("not a vegeta gob (binary results) file: %w", err)
		case err != nil:
			r.warnf(1, "result %d: %v: the file ends in a half-written result or is damaged; %d results read, the rest is ignored", n+1, err, n)
			return nil
		}
		r.vegetaAdd(t, &v, 1)
	}
}

// decodeGob decodes one value, turning a panic of the decoder on hostile
// input into an error.
func decodeGob(dec *gob.Decoder, v *vegetaResult) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("gob decoder failed: %v", p)
		}
	}()
	return dec.Decode(v)
}

// gunzipped inflates a gzip stream; other input is returned as it is.
func gunzipped(br *bufio.Reader) (io.Reader, error) {
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	}
	return br, nil
}

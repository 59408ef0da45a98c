package collect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/runlens/runlens/collect/internal/logscan"
)

// A JSON array of log entries (gcloud logging read --format=json, a
// Console download) is read in parallel too. One goroutine reads the file
// and frames it: a scan that follows strings and nesting finds the commas
// between the array's elements, and the file is cut after one of them into
// chunks of whole elements, with the elements' offsets. The workers parse
// the elements as they parse NDJSON lines, and the merge takes the chunks
// in file order. A malformed element is a warning and the reading goes on
// with the next one, as after a bad NDJSON line (element resynchronises
// where the malformed one hid the commas after it).

// arrayChunk is a run of whole elements: data[starts..seps[k]) is one, and
// the last ends at the chunk's end.
type arrayChunk struct {
	seq  int
	data []byte
	seps []int32 // the offsets that end each element: a comma, or the closing bracket
	last bool    // the chunk ends the array, with its closing bracket
	cut  bool    // the file ends in the chunk, after its last separator, without a closing bracket
}

// readArray reads the elements of the array whose '[' is next in br, in
// parallel, then checks what follows the array.
func (lr *logReader) readArray(br *bufio.Reader, line int) {
	if _, err := br.ReadByte(); err != nil { // the '[' seen by readFormat
		lr.stop(line+1, err)
		return
	}
	var tail []byte // what follows the closing bracket
	var closed bool
	var readErr error
	readChunks(lr, line, func(out chan<- arrayChunk, free chan []byte) {
		tail, closed, readErr = splitArray(br, out, free, lr.chunkBytes)
	}, (*logReader).parseElements)
	switch {
	case lr.stopErr != nil:
	case readErr != nil:
		lr.stop(lr.lineBase+1, readErr)
	case !closed && !lr.closedLate:
		lr.stop(lr.lineBase+1, fmt.Errorf("array not closed: %w", io.ErrUnexpectedEOF))
	default:
		lr.afterArray(br, tail)
	}
}

// afterArray warns when anything but white space follows the array.
func (lr *logReader) afterArray(br *bufio.Reader, tail []byte) {
	line := lr.lineBase + 1
	for {
		for _, c := range tail {
			switch c {
			case '\n':
				line++
			case ' ', '\t', '\r':
			default:
				lr.warnf(line, "ignored what follows the log entries")
				return
			}
		}
		var err error
		tail, err = br.Peek(1)
		if err != nil {
			return
		}
		tail, _ = br.Peek(br.Buffered())
		br.Discard(len(tail))
	}
}

// splitArray reads br into chunks of whole elements. It returns what
// follows the array's closing bracket in the last buffer, whether the
// bracket was found, and the error that stopped the reading, if not EOF.
func splitArray(br *bufio.Reader, out chan<- arrayChunk, free chan []byte, size func(round int) int) (tail []byte, closed bool, err error) {
	f := logscan.NewFramer() // in the array
	var carry []byte
	scanned := 0 // of carry: framed already
	seq := 0     // of the chunks sent: the merge takes them in this order, with no gap
	for round := 0; ; round++ {
		buf := takeBuf(free, max(size(round), 2*len(carry)))
		buf = append(buf[:0], carry...)
		buf, err = fill(br, buf)
		seps := f.Scan(buf, scanned, nil)
		for f.Ended() && strayBracket(buf[seps[len(seps)-1]+1:]) {
			// Not the array's end: a malformed element's bracket.
			p := int(seps[len(seps)-1]) + 1
			f.Restart()
			seps = f.Scan(buf, p, seps[:len(seps)-1])
		}
		switch {
		case f.Ended():
			end := int(seps[len(seps)-1])
			out <- arrayChunk{seq: seq, data: buf[:end], seps: seps, last: true}
			return bytes.Clone(buf[end+1:]), true, nil
		case err == io.EOF: // the array is not closed: what follows the last comma is cut short
			out <- arrayChunk{seq: seq, data: buf, seps: seps, cut: true}
			return nil, false, nil
		case err != nil:
			if len(seps) > 0 { // the whole elements read
				out <- arrayChunk{seq: seq, data: buf[:seps[len(seps)-1]+1], seps: seps}
			}
			return nil, false, err
		case len(seps) == 0: // an element longer than the buffer: read on
			if len(buf) >= maxElement {
				return nil, false, fmt.Errorf("an array element longer than %d MiB", maxElement>>20)
			}
			carry, scanned = buf, len(buf)
		default:
			cut := int(seps[len(seps)-1]) + 1
			out <- arrayChunk{seq: seq, data: buf[:cut], seps: seps}
			seq++
			carry = append([]byte(nil), buf[cut:]...)
			scanned = len(carry)
		}
	}
}

// strayBracket reports whether what follows a closing bracket at the
// array's depth goes on with another element: a comma, then an object.
func strayBracket(rest []byte) bool {
	rest = bytes.TrimLeft(rest, " \t\r\n")
	if len(rest) == 0 || rest[0] != ',' {
		return false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	return len(rest) > 0 && rest[0] == '{'
}

// maxElement bounds an array element: the whole of one is held in memory.
const maxElement = 64 << 20

func (c arrayChunk) index() int         { return c.seq }
func (c arrayChunk) buffer() []byte     { return c.data }
func (c arrayChunk) mappedData() []byte { return nil }

// parseElements parses the elements of one chunk. Lines are counted from
// the chunk's start; the merge adds the lines before it.
func (lr *logReader) parseElements(c arrayChunk) {
	pos, line := 0, 0 // line: newlines before pos
	for k, sep := range c.seps {
		raw := c.data[pos:sep]
		t := bytes.TrimLeft(raw, " \t\r\n")
		start := line + bytes.Count(raw[:len(raw)-len(t)], []byte("\n")) + 1
		line += bytes.Count(raw, []byte("\n"))
		pos = int(sep) + 1
		t = bytes.TrimRight(t, " \t\r\n")
		if len(t) == 0 {
			if c.last && k == len(c.seps)-1 && c.seq == 0 && k == 0 {
				break // []
			}
			if c.last && k == len(c.seps)-1 {
				lr.warnf(start, "ignored a comma before the array's closing bracket")
			} else {
				lr.warnf(start, "skipped an empty array element")
			}
			continue
		}
		lr.element(start, t)
	}
	if c.cut {
		raw := c.data[pos:]
		t := bytes.TrimLeft(raw, " \t\r\n")
		start := line + bytes.Count(raw[:len(raw)-len(t)], []byte("\n")) + 1
		// Not trimmed at its end: a newline there may be in a string.
		lr.closedLate = false
		if len(t) > 0 {
			lr.element(start, t)
		}
		if !lr.closedLate {
			lr.stop(line+bytes.Count(raw, []byte("\n"))+1, fmt.Errorf("array not closed: %w", io.ErrUnexpectedEOF))
			return
		}
	}
	lr.lineBase = line
}

// element reads the text of one element, which starts on the given line.
// A malformed element is a warning and the reading goes on after it, as
// after a bad NDJSON line. Where it broke the framing (a brace or a quote
// missing, so that t runs on over the elements after it), the text after
// the error is framed again, one element at a time.
func (lr *logReader) element(start int, t []byte) {
	end := len(t) // of the first element in t; the file's framer found it
	for bad := 0; ; {
		one := t[:end]
		if end < len(t) { // else as the caller gave it: in a cut array, a newline at its end may be in a string
			one = bytes.TrimRight(one, " \t\r\n")
		}
		e, inStr := lr.readOne(start, one)
		sep := end // the comma or bracket after the element
		if e >= 0 {
			if bad++; bad == maxResync {
				lr.warnf(start, "skipped what follows %d malformed elements in a row", bad)
				return
			}
			sep = logscan.Resync(t, e, inStr)
		}
		if sep < len(t) && t[sep] == ']' && len(bytes.TrimSpace(t[sep+1:])) == 0 {
			lr.closedLate = true // the array's own closing bracket
			return
		}
		next := sep + 1
		if next >= len(t) {
			return
		}
		rest := bytes.TrimLeft(t[next:], " \t\r\n")
		start += bytes.Count(t[:len(t)-len(rest)], []byte("\n"))
		t = rest
		end = logscan.FirstSep(t)
	}
}

// maxResync bounds the malformed elements read in one stretch the file's
// framer could not cut (each framing afresh may cost the whole stretch).
const maxResync = 64

// readOne reads one element, t, which starts on the given line. It
// returns -1 when t was read whole, a log entry or not (with a warning
// if not); else the offset in t where a malformed element broke off, and
// whether that offset is in a string.
func (lr *logReader) readOne(start int, t []byte) (int, bool) {
	if len(t) == 0 {
		lr.warnf(start, "skipped an empty array element")
		return -1, false
	}
	if lr.fastRequest(start, t, logscan.FormElement) {
		return -1, false
	}
	err := lr.decodeEntry(t)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		lr.handle(start, err)
		return -1, false
	}
	// A syntax error. A whole value that something follows is read, as a
	// streaming decoder would, and what follows it is skipped.
	dec := json.NewDecoder(bytes.NewReader(t))
	resetEntry(&lr.entry)
	if derr := dec.Decode(&lr.entry); derr == nil || !errors.As(derr, new(*json.SyntaxError)) && derr != io.ErrUnexpectedEOF && derr != io.EOF {
		lr.handle(start, derr)
		off := int(dec.InputOffset())
		rest := bytes.TrimLeft(t[off:], " \t\r\n")
		if len(rest) == 0 { // cannot be: the element did not decode whole
			return -1, false
		}
		lr.warnf(start+bytes.Count(t[:len(t)-len(rest)], []byte("\n")), "skipped what follows an array element: invalid character %q", rest[0])
		return len(t) - len(rest), false
	}
	lr.values++
	msg := err.Error()
	e := len(t)
	if strings.HasPrefix(msg, "invalid character") {
		e = int(min(max(se.Offset-1, 0), int64(len(t))))
	}
	lr.warnf(start, "skipped a malformed element: %v", err)
	return e, strings.Contains(msg, "string escape")
}

package logscan

import (
	"bytes"
	"math/bits"
	"strings"

	gojson "github.com/goccy/go-json"
)

// scanCompact is scanEntry for the line that nearly every line of a large
// log is: plain (printable ASCII, no backslash) and compact (no whitespace
// between tokens). It is one loop over the line with the position in a
// register, rather than a call per token. It returns done false where the
// line leaves that form, and scanEntry then reads the line with the
// scanner, which takes every form; ok tells, when done, whether the line
// is a Entry.
//
// With pretty, it reads an element of gcloud's array the same way: text
// that is plain but for newlines, with spaces and newlines between tokens.
// A newline in a string would make the text invalid JSON, and the strings'
// ends are found without looking inside them, so the newlines passed over
// between tokens must be all the text has: newlines is their number.
//
// a guesses each key from the one before it (see keyGuess), and may have
// the line's quotes, which then end its strings without a search.
func scanCompact(b []byte, e *Entry, a *State, pretty bool, newlines int) (ok, done bool) {
	g := &a.keys
	if len(b) < 2 || b[0] != '{' {
		return false, false
	}
	var stack [3]objectKind // the objects the one at hand is in
	var slots [3]uint8      // and the slots of the keys that hold them
	depth := 0
	kind := scanTop
	slot := firstSlot(scanTop) // where g has the guess of the next key
	i := 1
	nl := 0 // newlines passed over
	if pretty {
		i, nl = skipWhite(b, i, nl)
	}
	if i < len(b) && b[i] == '}' {
		return true, i+1 == len(b) && nl == newlines
	}
	for {
		// A key.
		if pretty {
			i, nl = skipWhite(b, i, nl)
		}
		if i >= len(b) || b[i] != '"' {
			return false, false
		}
		i++
		k := g.guessKey(slot, b[i:])
		if k.n == 0 { // a wrong guess
			if k = findKey(kind, b[i:]); k != nil {
				if slot != 0 {
					g[slot] = *k
				}
			} else {
				k = &g[0]
			}
		}
		id, n := k.id, k.n
		slot = k.slot
		if id == fUnknown {
			j, ok := markedQuote(a.quotes, i, len(b))
			if !ok {
				j = a.quoteAfter(b, i)
			}
			j -= i
			if j < 0 {
				return false, false
			}
			key := unsafeString(b[i : i+j])
			for _, f := range fields[kind] {
				if len(f.key) == len(key) && strings.EqualFold(f.key, key) {
					return false, true // a field in another case: the decoder's
				}
			}
			n = j + 1
		}
		i += n
		if pretty {
			i, nl = skipWhite(b, i, nl)
		}
		if i >= len(b) || b[i] != ':' {
			return false, false
		}
		i++
		if pretty {
			i, nl = skipWhite(b, i, nl)
		}
		if i >= len(b) {
			return false, false
		}

		// Its value.
		c := b[i]
		switch id {
		case fResource, fHTTPRequest, fLabels, fResourceLabels:
			if c != '{' || depth == len(stack) {
				return false, false // null, or not an object: the scanner says
			}
			stack[depth], slots[depth] = kind, slot
			depth++
			kind = subObject(id)
			slot = firstSlot(kind)
			i++
			if pretty {
				i, nl = skipWhite(b, i, nl)
			}
			if i < len(b) && b[i] == '}' { // {}
				i++
				depth--
				kind, slot = stack[depth], slots[depth]
				break
			}
			continue
		case fUnknown, fSkip:
			if c == '"' { // a string, the usual
				j, ok := markedQuote(a.quotes, i+1, len(b))
				if !ok {
					j = a.quoteAfter(b, i+1)
				}
				if j < 0 {
					return false, false
				}
				i = j + 1
				break
			}
			// Any other value: the scanner checks it (in pretty text,
			// without taking a string's end on trust, and the newlines it
			// passes over are white space).
			s := scanner{b: b, i: i, plain: !pretty}
			if !s.skip(0) {
				return false, false
			}
			if pretty {
				nl += bytes.Count(b[i:s.i], []byte("\n"))
			}
			i = s.i
		case fPayload:
			return false, true
		case fRequestSize, fResponseSize, fStatus:
			// Digits, bare or, for the sizes (proto int64s), quoted.
			quoted := c == '"' && id != fStatus
			if quoted {
				i++
			}
			j := i
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			if j == i || j-i > 1 && b[i] == '0' || j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
				return false, false // a sign, a fraction, null, not a number: the scanner says
			}
			num := unsafeString(b[i:j])
			if quoted {
				if j >= len(b) || b[j] != '"' {
					return false, false
				}
				j++
			}
			switch id {
			case fRequestSize:
				e.HTTPRequest.RequestSize = gojson.Number(num)
			case fResponseSize:
				e.HTTPRequest.ResponseSize = gojson.Number(num)
			default:
				v, ok := Int(gojson.Number(num))
				if !ok {
					return false, true
				}
				e.HTTPRequest.Status = int(v)
			}
			i = j
		default: // a string
			if c != '"' {
				return false, false // null, or not a string: the scanner says
			}
			start := i + 1
			end := -1
			if a.quotes != nil {
				var ok bool
				if end, ok = markedQuote(a.quotes, start, len(b)); !ok {
					end = a.quoteAfter(b, start)
				}
				if end < 0 {
					return false, false
				}
			} else if start+16 <= len(b) { // most strings are short: their first sixteen bytes
				end = quoteIn16(b, start)
			}
			if end < 0 {
				j := bytes.IndexByte(b[start:], '"')
				if j < 0 {
					return false, false
				}
				end = start + j
			}
			*stringField(e, id) = unsafeString(b[start:end])
			i = end + 1
		}

		// A comma, or the ends of objects.
		for {
			if pretty {
				i, nl = skipWhite(b, i, nl)
			}
			if i >= len(b) {
				return false, false
			}
			if b[i] == ',' {
				i++
				break
			}
			if b[i] != '}' {
				return false, false
			}
			i++
			if depth == 0 {
				return true, i == len(b) && nl == newlines // else the scanner says
			}
			depth--
			kind, slot = stack[depth], slots[depth]
		}
	}
}

// markedQuote returns the first quote the marks q have from i on in the
// word i is in, if it is before n. Most strings end in the word of marks
// they start in, and this is inlined; quoteAfter answers the rest.
func markedQuote(q []uint64, i, n int) (int, bool) {
	if k := uint(i) >> 6; k < uint(len(q)) {
		if m := q[k] >> (uint(i) & 63); m != 0 {
			j := i + bits.TrailingZeros64(m)
			return j, j < n
		}
	}
	return 0, false
}

// quoteAfter returns the index of the first quote in b from b[i] on, or
// -1: from the marks if there are, else by a search.
func (a *State) quoteAfter(b []byte, i int) int {
	if q := a.quotes; q != nil {
		k := i >> 6
		if k >= len(q) {
			return -1
		}
		m := q[k] >> (i & 63)
		for m == 0 {
			if k++; k >= len(q) {
				return -1
			}
			m, i = q[k], k<<6
		}
		if j := i + bits.TrailingZeros64(m); j < len(b) {
			return j
		}
		return -1
	}
	j := bytes.IndexByte(b[i:], '"')
	if j < 0 {
		return -1
	}
	return i + j
}

// skipWhite passes over spaces and newlines from b[i], counting the
// newlines into nl.
func skipWhite(b []byte, i, nl int) (int, int) {
	for i < len(b) {
		switch b[i] {
		case '\n':
			nl++
		case ' ':
		default:
			return i, nl
		}
		i++
	}
	return i, nl
}

// prettyPlain reports whether b is plain (see plain) but for newlines, and
// how many newlines it has. With AVX2 it counts the bytes plain refuses,
// 32 at a time, and compares the count with the newlines'; elsewhere it
// looks from each refused byte to the next.
func prettyPlain(b []byte) (bool, int) {
	if haveBlocks {
		whole := len(b) &^ 31
		special := countSpecialBlocks(b)
		for _, c := range b[whole:] {
			if c < 0x20 || c >= 0x80 || c == '\\' {
				special++
			}
		}
		n := bytes.Count(b, []byte("\n"))
		return special == n, n
	}
	n := 0
	for i := firstSpecial(b); i < len(b); i += firstSpecial(b[i:]) {
		if b[i] != '\n' {
			return false, 0
		}
		n++
		i++
	}
	return true, n
}

// subObject is the kind of the object a field holds.
func subObject(id fieldID) objectKind {
	switch id {
	case fResource:
		return scanResource
	case fHTTPRequest:
		return scanHTTPRequest
	case fLabels:
		return scanLabels
	}
	return scanResourceLabels
}

// stringField is where the string of a field goes.
func stringField(e *Entry, id fieldID) *string {
	h := &e.HTTPRequest
	switch id {
	case fLogName:
		return &e.LogName
	case fTimestamp:
		return &e.Timestamp
	case fSeverity:
		return &e.Severity
	case fInsertID:
		return &e.InsertID
	case fTrace:
		return &e.Trace
	case fTextPayload:
		return &e.TextPayload
	case fType:
		return &e.Resource.Type
	case fRevisionName:
		return &e.Resource.Labels.RevisionName
	case fServiceName:
		return &e.Resource.Labels.ServiceName
	case fLocation:
		return &e.Resource.Labels.Location
	case fRequestMethod:
		return &h.RequestMethod
	case fRequestURL:
		return &h.RequestURL
	case fUserAgent:
		return &h.UserAgent
	case fRemoteIP:
		return &h.RemoteIP
	case fLatency:
		return &h.Latency
	case fProtocol:
		return &h.Protocol
	case fInstanceID:
		return &e.Labels.InstanceID
	}
	return &e.Labels.Service // fService
}

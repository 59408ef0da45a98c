package logscan

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
	"unsafe"

	gojson "github.com/goccy/go-json"
)

// scanEntry is the hot path's parser: a scanner made for the one shape
// that makes up nearly all of a large request log, a Cloud Run request
// entry as Cloud Logging writes it. It walks the line once, takes the
// fields Entry has and skips the rest without decoding it. It fills e
// and returns true only where a JSON decoder would give exactly the same
// Entry: the line is one valid JSON object, every string it takes is
// printable ASCII without escapes, and no key matches a field in another
// case. Anything else (an escape or a non-ASCII byte in a taken string, a
// payload, a number where a string belongs, a malformed line) returns
// false, and the line is decoded again the general way, which says what is
// wrong with it.
//
// The strings put in e point into line.
func scanEntry(line []byte, e *Entry) bool {
	return scanLine(line, e, new(State), plain(line))
}

// scanElement is scanEntry for an element of an array, which gcloud
// prints over many lines.
func scanElement(t []byte, e *Entry, a *State) bool {
	if ok, n := prettyPlain(t); ok {
		*e = Entry{}
		if ok, done := scanCompact(t, e, a, true, n); done {
			return ok
		}
	}
	return scanLine(t, e, a, false)
}

// scanLine is scanEntry for a line whose plainness (see plain) is known.
func scanLine(line []byte, e *Entry, a *State, p bool) bool {
	*e = Entry{}
	if p {
		if ok, done := scanCompact(line, e, a, false, 0); done {
			return ok
		}
		*e = Entry{}
	}
	s := scanner{b: line, plain: p}
	if !s.object(scanTop, e) {
		return false
	}
	s.space()
	return s.i == len(s.b)
}

// scanner is a position in a line.
type scanner struct {
	b []byte
	i int
	// The line is printable ASCII without a backslash: the quote that
	// ends a string is the next one.
	plain bool
}

// plain reports whether b is printable ASCII (no control character, not
// even a tab) and has no backslash.
func plain(b []byte) bool {
	return firstSpecial(b) == len(b)
}

// nextLine returns the length of the line at the start of b, up to its
// newline (len(b) if it has none), and whether the line, without a CR
// before its newline, is plain (see plain). It finds the newline and checks
// the line in one pass: the newline is the first byte of the line that is
// not plain, or the line is not.
func nextLine(b []byte) (n int, isPlain bool) {
	i := firstSpecial(b)
	if i == len(b) {
		return len(b), true
	}
	return lineAt(b, i)
}

// firstSpecial returns the index of the first byte of b that plain
// refuses (a control character, a byte from 0x80 up or a backslash), or
// len(b) if none is. With AVX2 it looks at 64 bytes a turn in assembly
// (BenchmarkNextLine: 17.9-18.8 GB/s, against 2.9-3.4 for the loop below
// alone, and 1.6-2.0 for segmentio/asm's ascii.ValidPrint with a search
// for the backslash); elsewhere, and for the last bytes, at sixteen, two
// words apart: one branch for both.
func firstSpecial(b []byte) int {
	i := 0
	if haveBlocks && len(b) >= 32 {
		i = specialBlocks(b)
		if i < len(b)&^31 {
			return i
		}
	}
	const low = ones * 0x20
	const bs = ones * '\\'
	for ; i+16 <= len(b); i += 16 {
		x0 := binary.LittleEndian.Uint64(b[i:])
		x1 := binary.LittleEndian.Uint64(b[i+8:])
		y0, y1 := x0^bs, x1^bs
		m0 := ((x0 - low) | x0 | ((y0 - ones) &^ y0)) & highs
		m1 := ((x1 - low) | x1 | ((y1 - ones) &^ y1)) & highs
		if m0|m1 != 0 {
			if m0 != 0 {
				return i + bits.TrailingZeros64(m0)/8
			}
			return i + 8 + bits.TrailingZeros64(m1)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= 0x80 || c == '\\' {
			return i
		}
	}
	return len(b)
}

// quoteLine is nextLine that also marks the quotes of the line in q, for
// scanCompact: bit j of q[k] for a quote at b[64k+j]. q must have
// len(b)/64+1 words. marked is false where it marked none (no AVX2), and
// the marks are whole only where the line is plain; past the line they
// are of the next or of none.
func quoteLine(b []byte, q []uint64) (n int, isPlain, marked bool) {
	if !haveBlocks || len(q) <= len(b)/64 {
		n, isPlain = nextLine(b)
		return n, isPlain, false
	}
	i := quoteBlocks(b, q)
	if rest := len(b) &^ 63; i == rest && i < len(b) {
		// The last bytes, fewer than a block, with zeros after them,
		// which stop the look there.
		var pad [64]byte
		copy(pad[:], b[i:])
		i += quoteBlocks(pad[:], q[i/64:])
	}
	if i == len(b) {
		return len(b), true, true
	}
	n, isPlain = lineAt(b, i)
	return n, isPlain, true
}

// lineAt finishes nextLine, whose line is plain up to b[i].
func lineAt(b []byte, i int) (int, bool) {
	switch {
	case b[i] == '\n':
		return i, true
	case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n': // CRLF: the line, trimmed, is plain
		return i + 1, true
	}
	j := bytes.IndexByte(b[i:], '\n')
	if j < 0 {
		return len(b), false
	}
	return i + j, false
}

// special has the high bit set in the bytes of x that are control
// characters, backslashes or from 0x80 up; of the bytes above the lowest
// such byte, some may be set that are not (borrows). Zero means x has none.
func special(x uint64) uint64 {
	bs := x ^ (ones * '\\')
	return (((x - ones*0x20) &^ x) | ((bs - ones) &^ bs) | x) & highs
}

// objectKind tells object which of Entry's objects it is in.
type objectKind uint8

const (
	scanTop objectKind = iota
	scanResource
	scanResourceLabels
	scanHTTPRequest
	scanLabels
)

// fieldID names a field the scanner takes.
type fieldID uint8

const (
	fUnknown fieldID = iota
	fLogName
	fTimestamp
	fSeverity
	fInsertID
	fTrace
	fResource
	fHTTPRequest
	fLabels
	fTextPayload
	fPayload
	fType
	fResourceLabels
	fRevisionName
	fServiceName
	fLocation
	fRequestMethod
	fRequestURL
	fRequestSize
	fStatus
	fResponseSize
	fUserAgent
	fRemoteIP
	fLatency
	fProtocol
	fInstanceID
	fService
	// fSkip is a key that Cloud Logging writes and the scanner skips,
	// known so that it needs neither a search for its end nor a check
	// against the fields in other cases.
	fSkip
)

// keyField is a key an object takes.
type keyField struct {
	key string
	id  fieldID
}

// fields are the keys each object takes. A key that differs from one of
// them only in case is refused: a decoder would match it.
var fields = [...][]keyField{
	scanTop: {{"logName", fLogName}, {"timestamp", fTimestamp}, {"severity", fSeverity}, {"insertId", fInsertID},
		{"trace", fTrace}, {"resource", fResource}, {"httpRequest", fHTTPRequest}, {"labels", fLabels},
		{"textPayload", fTextPayload}, {"jsonPayload", fPayload}, {"protoPayload", fPayload}},
	scanResource:       {{"type", fType}, {"labels", fResourceLabels}},
	scanResourceLabels: {{"revision_name", fRevisionName}, {"service_name", fServiceName}, {"location", fLocation}},
	scanHTTPRequest: {{"requestMethod", fRequestMethod}, {"requestUrl", fRequestURL}, {"requestSize", fRequestSize},
		{"status", fStatus}, {"responseSize", fResponseSize}, {"userAgent", fUserAgent}, {"remoteIp", fRemoteIP},
		{"latency", fLatency}, {"protocol", fProtocol}},
	scanLabels: {{"instanceId", fInstanceID}, {"service", fService}},
}

// object scans an object (or null) of the given kind into e.
func (s *scanner) object(kind objectKind, e *Entry) bool {
	s.space()
	if !s.expect('{') {
		return s.literal("null")
	}
	s.space()
	if s.expect('}') {
		return true
	}
	for {
		s.space()
		id, ok := s.key(kind)
		if !ok || !s.after(':') || !s.field(id, e) {
			return false
		}
		if !s.after(',') {
			return s.after('}')
		}
	}
}

// after consumes c, and the whitespace before and after it, if c is next.
// Compact JSON, the usual, has none: one comparison each.
func (s *scanner) after(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
	} else {
		s.space()
		if !s.expect(c) {
			return false
		}
	}
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return true
	}
	s.space()
	return true
}

// key scans a key of an object of the given kind and says which field it
// is: fUnknown for one to skip.
func (s *scanner) key(kind objectKind) (fieldID, bool) {
	if s.plain && s.i < len(s.b) && s.b[s.i] == '"' {
		if id, n := knownKey(kind, s.b[s.i+1:]); id != fUnknown {
			s.i += 1 + n
			return id, true
		}
	}
	key, ok := s.str(true)
	if !ok {
		return 0, false
	}
	for _, f := range fields[kind] {
		if key == f.key {
			return f.id, true
		}
		if len(f.key) == len(key) && strings.EqualFold(f.key, key) {
			return 0, false
		}
	}
	return fUnknown, true
}

// skipKeys are keys that Cloud Logging writes and the scanner skips
// (fSkip), known so that they need neither a search for their end nor a
// check against the fields in other cases.
var skipKeys = [len(fields)][]string{
	scanTop:            {"receiveTimestamp", "spanId", "traceSampled"},
	scanResourceLabels: {"project_id", "configuration_name"},
	scanHTTPRequest:    {"serverIp"},
}

// keyWord is a key with its closing quote, as three little-endian words
// and the masks of its bytes in them.
type keyWord struct {
	w, m [3]uint64
	n    int // the key's length with its quote; 0 in a keyGuess's empty slot
	id   fieldID
	slot uint8 // the keyGuess slot of the key after this one
}

// numKeys is the number of keys in keyWords.
var numKeys = func() (n int) {
	for kind := range fields {
		n += len(fields[kind]) + len(skipKeys[kind])
	}
	return n
}()

// State is what the scanner carries from line to line: its guesses of
// keys, and the quotes of the line at hand where they are marked.
type State struct {
	keys   keyGuess
	quotes []uint64 // the line's quotes, from quoteLine, or nil
	marks  []uint64 // the buffer quotes is in
}

// keyGuess remembers, for each known key and for the start of each kind
// of object, the key that came next the last time. A log comes from one
// writer, which writes its keys in one order, so one comparison with the
// guess nearly always finds the key; knownKey finds it otherwise. Slot 0,
// after an unknown key, stays empty.
type keyGuess [1 + MaxKeys + len(fields)]keyWord

// firstSlot is the slot of the first key of an object of the given kind.
func firstSlot(kind objectKind) uint8 { return 1 + MaxKeys + uint8(kind) }

// guessKey returns the key at the start of b (after its opening quote) if
// it is the one g has in slot, and a keyWord with n 0 if not.
func (g *keyGuess) guessKey(slot uint8, b []byte) *keyWord {
	k := &g[slot]
	if len(b) >= 24 && (binary.LittleEndian.Uint64(b)^k.w[0])&k.m[0]|
		(binary.LittleEndian.Uint64(b[8:])^k.w[1])&k.m[1]|
		(binary.LittleEndian.Uint64(b[16:])^k.w[2])&k.m[2] == 0 {
		return k
	}
	return &g[0]
}

// Limits of the key table: a key is compared as three words, its closing
// quote included, and the keys take slots 1 to MaxKeys of a keyGuess,
// before the objects' first slots.
const (
	MaxKeyBytes = 3*8 - 1
	MaxKeys     = 64
)

// keyWords are the keys of fields and skipKeys, by object and the low five
// bits of their first letter; keyTableErr says why they could not be, and
// then Scan takes no line (every line goes the general way).
var keyWords, keyTableErr = newKeyTable(fields[:], skipKeys[:])

// newKeyTable builds keyWords from the keys each object takes and skips.
func newKeyTable(fields [][]keyField, skips [][]string) (t [len(fields)][32][]keyWord, err error) {
	slot := uint8(0)
	add := func(kind int, key string, id fieldID) error {
		q := key + `"`
		switch {
		case key == "" || len(key) > MaxKeyBytes:
			return fmt.Errorf("logscan: key %q: want 1 to %d bytes", key, MaxKeyBytes)
		case int(slot) >= MaxKeys:
			return fmt.Errorf("logscan: key %q: more than %d keys", key, MaxKeys)
		case kind >= len(t):
			return fmt.Errorf("logscan: key %q: object %d of %d", key, kind, len(t))
		}
		slot++
		k := keyWord{n: len(q), id: id, slot: slot}
		for i := range len(q) {
			k.w[i/8] |= uint64(q[i]) << (8 * (i % 8))
			k.m[i/8] |= 0xff << (8 * (i % 8))
		}
		t[kind][key[0]&31] = append(t[kind][key[0]&31], k)
		return nil
	}
	for kind, fs := range fields {
		for _, f := range fs {
			if err := add(kind, f.key, f.id); err != nil {
				return t, err
			}
		}
	}
	for kind, keys := range skips {
		for _, key := range keys {
			if err := add(kind, key, fSkip); err != nil {
				return t, err
			}
		}
	}
	return t, nil
}

// knownKey says which field the key at the start of b (after its opening
// quote) is, and its length with the closing quote; fUnknown if none. It
// compares three words of b with each key that has the same first letter,
// in a few instructions and without a call.
func knownKey(kind objectKind, b []byte) (fieldID, int) {
	if k := findKey(kind, b); k != nil {
		return k.id, k.n
	}
	return fUnknown, 0
}

// findKey is knownKey, giving the key's keyWord, or nil.
func findKey(kind objectKind, b []byte) *keyWord {
	if len(b) < 24 { // near the end of a line: a copy with zeros after it
		if len(b) == 0 {
			return nil
		}
		var pad [24]byte
		copy(pad[:], b)
		b = pad[:]
	}
	x0 := binary.LittleEndian.Uint64(b)
	x1 := binary.LittleEndian.Uint64(b[8:])
	x2 := binary.LittleEndian.Uint64(b[16:])
	ks := keyWords[kind][b[0]&31]
	for i := range ks {
		if k := &ks[i]; (x0^k.w[0])&k.m[0]|(x1^k.w[1])&k.m[1]|(x2^k.w[2])&k.m[2] == 0 {
			return k
		}
	}
	return nil
}

// field scans the value of a field into e.
func (s *scanner) field(id fieldID, e *Entry) bool {
	h := &e.HTTPRequest
	switch id {
	case fUnknown, fSkip:
		return s.skip(0)
	case fLogName:
		return s.into(&e.LogName)
	case fTimestamp:
		return s.into(&e.Timestamp)
	case fSeverity:
		return s.into(&e.Severity)
	case fInsertID:
		return s.into(&e.InsertID)
	case fTrace:
		return s.into(&e.Trace)
	case fResource:
		return s.object(scanResource, e)
	case fHTTPRequest:
		return s.object(scanHTTPRequest, e)
	case fLabels:
		return s.object(scanLabels, e)
	case fTextPayload:
		return s.into(&e.TextPayload)
	case fType:
		return s.into(&e.Resource.Type)
	case fResourceLabels:
		return s.object(scanResourceLabels, e)
	case fRevisionName:
		return s.into(&e.Resource.Labels.RevisionName)
	case fServiceName:
		return s.into(&e.Resource.Labels.ServiceName)
	case fLocation:
		return s.into(&e.Resource.Labels.Location)
	case fRequestMethod:
		return s.into(&h.RequestMethod)
	case fRequestURL:
		return s.into(&h.RequestURL)
	case fRequestSize:
		return s.number(&h.RequestSize)
	case fStatus:
		return s.integer(&h.Status)
	case fResponseSize:
		return s.number(&h.ResponseSize)
	case fUserAgent:
		return s.into(&h.UserAgent)
	case fRemoteIP:
		return s.into(&h.RemoteIP)
	case fLatency:
		return s.into(&h.Latency)
	case fProtocol:
		return s.into(&h.Protocol)
	case fInstanceID:
		return s.into(&e.Labels.InstanceID)
	case fService:
		return s.into(&e.Labels.Service)
	}
	return false // fPayload: the general way
}

// into scans a string (or null, which leaves *dst as it is) into *dst.
func (s *scanner) into(dst *string) bool {
	if s.i < len(s.b) && s.b[s.i] != '"' {
		return s.literal("null")
	}
	v, ok := s.str(true)
	*dst = v
	return ok
}

// number scans a proto int64, given as a number or as a string of one, as
// the text Int then reads.
func (s *scanner) number(dst *gojson.Number) bool {
	if s.literal("null") {
		return true
	}
	if s.i < len(s.b) && s.b[s.i] == '"' {
		v, ok := s.str(true)
		if !ok || !validNumber(v) {
			return false
		}
		*dst = gojson.Number(v)
		return true
	}
	start := s.i
	if !s.num() {
		return false
	}
	*dst = gojson.Number(unsafeString(s.b[start:s.i]))
	return true
}

// integer scans an int: an optional minus and up to 18 digits, or null.
func (s *scanner) integer(dst *int) bool {
	if s.literal("null") {
		return true
	}
	start := s.i
	if !s.num() {
		return false
	}
	v, ok := Int(gojson.Number(unsafeString(s.b[start:s.i])))
	if ok {
		*dst = int(v)
	}
	return ok
}

// skip scans any value, checking its syntax, at the given depth of nesting.
func (s *scanner) skip(depth int) bool {
	if s.i >= len(s.b) || depth > maxSkipDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, ok := s.str(false)
		return ok
	case c == '{':
		s.i++
		s.space()
		if s.expect('}') {
			return true
		}
		for {
			s.space()
			if _, ok := s.str(false); !ok {
				return false
			}
			s.space()
			if !s.expect(':') {
				return false
			}
			s.space()
			if !s.skip(depth + 1) {
				return false
			}
			s.space()
			if s.expect(',') {
				continue
			}
			return s.expect('}')
		}
	case c == '[':
		s.i++
		s.space()
		if s.expect(']') {
			return true
		}
		for {
			s.space()
			if !s.skip(depth + 1) {
				return false
			}
			s.space()
			if s.expect(',') {
				continue
			}
			return s.expect(']')
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.num()
	}
}

// maxSkipDepth bounds the nesting a skipped value may have; deeper lines
// go the general way.
const maxSkipDepth = 64

// SWAR constants: a byte repeated in every byte of a word.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// quoteBytes has the high bit set in the bytes of x that are quotes; of
// the bytes above the lowest quote, some may be set that are not (borrows),
// so only the lowest set bit says where one is. It is the one quote search
// of the package: the scanner's, the compact path's and the framer's.
func quoteBytes(x uint64) uint64 {
	q := x ^ (ones * '"')
	return (q - ones) &^ q & highs
}

// quoteIn16 returns the offset in b of the first quote among the sixteen
// bytes from b[i], which b must have, or -1 when they hold none.
func quoteIn16(b []byte, i int) int {
	if m := quoteBytes(binary.LittleEndian.Uint64(b[i:])); m != 0 {
		return i + bits.TrailingZeros64(m)/8
	}
	if m := quoteBytes(binary.LittleEndian.Uint64(b[i+8:])); m != 0 {
		return i + 8 + bits.TrailingZeros64(m)/8
	}
	return -1
}

// str scans a string at s.i and returns its text, without the quotes. A
// taken string (take) must be printable ASCII without escapes: its text
// is then its value. A skipped one may hold escapes, which are checked, and
// any byte from 0x20 up. Control characters fail both.
func (s *scanner) str(take bool) (string, bool) {
	b := s.b
	if s.i >= len(b) || b[s.i] != '"' {
		return "", false
	}
	start := s.i + 1
	if s.plain {
		// Most strings are short: look at their first eight bytes first.
		if start+8 <= len(b) {
			if m := quoteBytes(binary.LittleEndian.Uint64(b[start:])); m != 0 {
				end := start + bits.TrailingZeros64(m)/8
				s.i = end + 1
				return unsafeString(b[start:end]), true
			}
		}
		j := bytes.IndexByte(b[start:], '"')
		if j < 0 {
			return "", false
		}
		s.i = start + j + 1
		return unsafeString(b[start : start+j]), true
	}
	i := start
	for {
		// Eight bytes at a time: find the first quote, backslash, control
		// character or byte from 0x80 up.
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			if m := quoteBytes(x) | special(x); m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		for i < len(b) && b[i] >= 0x20 && b[i] < 0x80 && b[i] != '"' && b[i] != '\\' {
			i++
		}
		if i >= len(b) {
			return "", false
		}
		switch c := b[i]; {
		case c == '"':
			s.i = i + 1
			return unsafeString(b[start:i]), true
		case c < 0x20 || take:
			return "", false
		case c == '\\':
			n := escapeLen(b[i+1:])
			if n == 0 {
				return "", false
			}
			i += 1 + n
		default: // from 0x80 up: the decoder replaces invalid UTF-8, which a skipped string may have
			i++
		}
	}
}

// escapeLen returns the length of the escape after a backslash at the
// start of b, 0 if it is not one.
func escapeLen(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 1
	case 'u':
		if len(b) < 5 {
			return 0
		}
		for _, c := range b[1:5] {
			if !isHex(c) {
				return 0
			}
		}
		return 5
	}
	return 0
}

// num scans a JSON number.
func (s *scanner) num() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		}
		if i == d {
			return false
		}
	}
	s.i = i
	return true
}

// validNumber reports whether v is a JSON number, as a decoder requires of
// a json.Number given as a string.
func validNumber(v string) bool {
	s := scanner{b: unsafe.Slice(unsafe.StringData(v), len(v))}
	return len(v) > 0 && s.num() && s.i == len(v)
}

// space skips JSON whitespace.
func (s *scanner) space() {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// expect consumes c if it is next.
func (s *scanner) expect(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// literal consumes lit if it is next.
func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// unsafeString is b as a string, without a copy: b must not change while
// the string is in use, as the decoder's DecodeNoCopyString strings.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

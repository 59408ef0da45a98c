package logscan

import (
	"bytes"
	"math/bits"
)

// NewFramer returns a Framer in an array whose opening bracket it has
// read.
func NewFramer() *Framer { return &Framer{depth: 1} }

// Ended reports whether the array's closing bracket was seen.
func (f *Framer) Ended() bool { return f.ended }

// Restart goes back into the array after a closing bracket that was not
// its end (a malformed element's).
func (f *Framer) Restart() { f.ended, f.depth, f.inStr, f.esc = false, 1, false, false }

// Framer follows JSON text across the buffers of a file: whether it is in
// a string, after a backslash, and how deep in arrays and objects.
type Framer struct {
	depth int
	inStr bool
	esc   bool
	ended bool // the array's closing bracket was seen

	masks [3 * framerBlocks]uint64 // structBlocks' marks, reused
}

// framerBlocks is how many blocks of 64 bytes scanBlocks marks at a time.
const framerBlocks = 256

// Scan follows b[from:] and appends to seps the offsets of the commas
// between the array's elements and of its closing bracket (see scan).
func (f *Framer) Scan(b []byte, from int, seps []int32) []int32 { return f.scanBlocks(b, from, seps) }

// scanBlocks is scan, 64 bytes a turn with AVX2 (scan elsewhere). The
// blocks' marks give their quotes and their structure ({ } [ ] and
// commas): where a block has no backslash, a prefix XOR of its quotes
// says which of its bytes are in strings, and only the structure outside
// them is looked at, with no look at the white space of pretty-printed
// text. A block with a backslash, and the last bytes, go to scan.
func (f *Framer) scanBlocks(b []byte, from int, seps []int32) []int32 {
	i := from
	for haveBlocks && !f.ended && i+64 <= len(b) {
		n := min((len(b)-i)/64, framerBlocks)
		structBlocks(b[i:], f.masks[:], n)
		for k := range n {
			q, bs, st := f.masks[3*k], f.masks[3*k+1], f.masks[3*k+2]
			if bs != 0 || f.esc {
				if seps = f.scan(b[:i+64], i, seps); f.ended {
					return seps
				}
				i += 64
				continue
			}
			// in: the bytes after an odd number of quotes, counting
			// those of the blocks before.
			in := q ^ q<<1
			in ^= in << 2
			in ^= in << 4
			in ^= in << 8
			in ^= in << 16
			in ^= in << 32
			if f.inStr {
				in = ^in
			}
			f.inStr = in>>63 != 0
			for st &^= in; st != 0; st &= st - 1 {
				p := i + bits.TrailingZeros64(st)
				switch c := b[p]; c {
				case '{', '[':
					f.depth++
				case '}', ']':
					if f.depth == 1 && c == '}' {
						break // as scan: a syntax error in an element, which its decoding reports
					}
					f.depth--
					if f.depth == 0 {
						// The state where scan stops: at this bracket,
						// outside any string (inStr above is the block's end).
						f.ended, f.inStr = true, false
						return append(seps, int32(p))
					}
				default: // ','
					if f.depth == 1 {
						seps = append(seps, int32(p))
					}
				}
			}
			i += 64
		}
	}
	if f.ended {
		return seps
	}
	return f.scan(b, i, seps)
}

// scan follows b[from:] and appends to seps the offsets of the commas
// between the array's elements and of its closing bracket; the array's
// opening bracket has been read (depth 1 is in the array). Strings are
// skipped a search at a time: to their closing quote, unless a backslash
// comes first, and the next backslash is looked for once, not per string.
func (f *Framer) scan(b []byte, from int, seps []int32) []int32 {
	depth, inStr, esc := f.depth, f.inStr, f.esc // in registers, not memory
	i := from
	bs := -1 // the next backslash at or after i, len(b) if none; -1: not looked for
scan:
	for i < len(b) {
		if inStr {
			if esc {
				esc = false
				i++
				continue
			}
			if bs < i {
				if k := bytes.IndexByte(b[i:], '\\'); k >= 0 {
					bs = i + k
				} else {
					bs = len(b)
				}
			}
			end := -1
			if i+16 <= len(b) { // short strings: their first sixteen bytes
				end = quoteIn16(b, i)
			}
			if end < 0 {
				if j := bytes.IndexByte(b[i:], '"'); j >= 0 {
					end = i + j
				} else {
					end = len(b)
				}
			}
			if bs < end { // an escape first
				esc = true
				i = bs + 1
				continue
			}
			i = end
			if i < len(b) {
				inStr = false
				i++
			}
			continue
		}
		// Outside strings: white space, mostly, and the structure.
		for i < len(b) && (b[i] == ' ' || b[i] == '\n') {
			i++
		}
		if i == len(b) {
			break
		}
		switch b[i] {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 1 && b[i] == '}' {
				break // a syntax error in an element, which its decoding reports
			}
			depth--
			if depth == 0 {
				seps = append(seps, int32(i))
				f.ended = true
				break scan
			}
		case ',':
			if depth == 1 {
				seps = append(seps, int32(i))
			}
		}
		i++
	}
	f.depth, f.inStr, f.esc = depth, inStr, esc
	return seps
}

// Resync returns the offset of the separator that ends a malformed
// element in t, which broke off at offset e (in a string or not): e-1
// when an object starts at e after a comma (the malformed element lacked
// its closing brace), else the next comma or bracket between elements,
// framing t afresh from e; len(t) when none follows.
func Resync(t []byte, e int, inStr bool) int {
	if e >= len(t) {
		return len(t)
	}
	if !inStr && t[e] == '{' {
		before := bytes.TrimRight(t[:e], " \t\r\n")
		if len(before) > 0 && before[len(before)-1] == ',' {
			return e - 1
		}
	}
	// The framer's state at e, the string cut short there.
	f := NewFramer()
	f.scan(t[:e], 0, nil)
	if f.ended {
		f = NewFramer()
	}
	f.inStr, f.esc = inStr, false
	return e + f.first(t[e:])
}

// FirstSep frames t afresh and returns the offset of the comma or bracket
// that ends its first element, or len(t).
func FirstSep(t []byte) int {
	f := NewFramer()
	return f.first(t)
}

// first scans t until the first separator and returns its offset, or
// len(t). It scans a window at a time, so that it costs what the element
// does, not what t does.
func (f *Framer) first(t []byte) int {
	for from := 0; from < len(t); {
		to := min(len(t), from+4096)
		if seps := f.scan(t[:to], from, nil); len(seps) > 0 {
			return int(seps[0])
		}
		if f.ended {
			break
		}
		from = to
	}
	return len(t)
}

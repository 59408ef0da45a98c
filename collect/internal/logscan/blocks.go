package logscan

// The pure-Go twins of the AVX2 routines in blocks_amd64.s: the same
// results, a byte at a time. Where the CPU has no AVX2 the callers take
// their own word-at-a-time paths (haveBlocks); these give the routines a
// meaning everywhere, and are what FuzzBlocks holds the assembly to.

// isSpecial reports whether c is below 0x20, from 0x80 up, or a backslash:
// a byte that ends the plain text a string can be taken from as it is.
func isSpecial(c byte) bool { return c < 0x20 || c >= 0x80 || c == '\\' }

// specialBlocksGo returns the index of the first special byte (isSpecial)
// of b, looking at whole 32-byte blocks only: len(b) rounded down to a
// multiple of 32 if they have none.
func specialBlocksGo(b []byte) int {
	n := len(b) &^ 31
	for i, c := range b[:n] {
		if isSpecial(c) {
			return i
		}
	}
	return n
}

// quoteBlocksGo is specialBlocksGo for whole 64-byte blocks, as many as b
// and q both have, that also sets q[k] to the quotes of block k: bit j for
// a quote at b[64k+j]. It sets q for the block it stops in, and for none
// after it.
func quoteBlocksGo(b []byte, q []uint64) int {
	blocks := min(len(b)/64, len(q))
	for k := range blocks {
		var quotes uint64
		special := -1
		for j, c := range b[64*k : 64*k+64] {
			if c == '"' {
				quotes |= 1 << j
			}
			if special < 0 && isSpecial(c) {
				special = j
			}
		}
		q[k] = quotes
		if special >= 0 {
			return 64*k + special
		}
	}
	return 64 * blocks
}

// structBlocksGo marks n whole 64-byte blocks of b, for the array framer:
// m[3k], m[3k+1] and m[3k+2] get, for block k, a bit for each quote, each
// backslash and each of { } [ ] and the comma.
func structBlocksGo(b []byte, m []uint64, n int) {
	for k := range n {
		var quotes, slashes, structure uint64
		for j, c := range b[64*k : 64*k+64] {
			switch c {
			case '"':
				quotes |= 1 << j
			case '\\':
				slashes |= 1 << j
			case '{', '}', '[', ']', ',':
				structure |= 1 << j
			}
		}
		m[3*k], m[3*k+1], m[3*k+2] = quotes, slashes, structure
	}
}

// countSpecialBlocksGo counts the special bytes (isSpecial) of b's whole
// 32-byte blocks.
func countSpecialBlocksGo(b []byte) int {
	n := 0
	for _, c := range b[:len(b)&^31] {
		if isSpecial(c) {
			n++
		}
	}
	return n
}

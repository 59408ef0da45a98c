//go:build !purego

package logscan

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzBlocks holds each AVX2 routine to its pure-Go twin, on any bytes,
// at every offset of the first block (the loads are unaligned), with q
// and m shorter than the text and as long.
func FuzzBlocks(f *testing.F) {
	f.Add([]byte(`{"a":"b\\"c","d":[1,{"e":"é"}]}` + "\n"))
	f.Add(bytes.Repeat([]byte(`{"key":"value","n":[1,2]},`), 20))
	f.Add(append(bytes.Repeat([]byte{'x'}, 127), '\\'))
	f.Add(append(bytes.Repeat([]byte{' '}, 200), 0x1f, 0x80, '"'))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !haveBlocks {
			t.Skip("no AVX2 here: nothing to compare the pure-Go twins with")
		}
		for off := range min(len(data), 64) {
			b := data[off:]
			if got, want := specialBlocksAVX2(b), specialBlocksGo(b); got != want {
				t.Fatalf("specialBlocks(%q) = %d, pure Go %d", b, got, want)
			}
			if got, want := countSpecialBlocksAVX2(b), countSpecialBlocksGo(b); got != want {
				t.Fatalf("countSpecialBlocks(%q) = %d, pure Go %d", b, got, want)
			}
			for _, words := range []int{len(b)/64 + 1, len(b) / 128} {
				q1, q2 := filled(words), filled(words)
				if got, want := quoteBlocksAVX2(b, q1), quoteBlocksGo(b, q2); got != want || !slices.Equal(q1, q2) {
					t.Fatalf("quoteBlocks(%q, %d words) = %d, %x; pure Go %d, %x", b, words, got, q1, want, q2)
				}
			}
			n := len(b) / 64
			m1, m2 := filled(3*n+1), filled(3*n+1)
			structBlocksAVX2(b, m1, n)
			structBlocksGo(b, m2, n)
			if !slices.Equal(m1, m2) {
				t.Fatalf("structBlocks(%q, %d) = %x; pure Go %x", b, n, m1, m2)
			}
		}
	})
}

// filled is n words of a pattern that neither routine writes by chance.
func filled(n int) []uint64 {
	w := make([]uint64, n)
	for i := range w {
		w[i] = 0xdeadbeefcafef00d
	}
	return w
}

package collect

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Decode returns a reader of r's text as UTF-8: gzip is inflated, a UTF-8
// byte-order mark is dropped, and UTF-16 (with a BOM, or without one when the
// first character is ASCII) is transcoded. Real exports arrive in all of
// these forms (Windows PowerShell writes UTF-16).
func Decode(r io.Reader) (io.Reader, error) {
	dr, _, err := decode(r)
	return dr, err
}

// decode is Decode, and tells whether the text is inflated from gzip.
func decode(r io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(2)
	gzipped := len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b
	if gzipped {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, false, fmt.Errorf("gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	dr, err := decodeText(br)
	return dr, gzipped, err
}

// decodeText skips a UTF-8 byte-order mark and turns UTF-16 into UTF-8.
func decodeText(br *bufio.Reader) (io.Reader, error) {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		return br, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10), nil
	case len(head) == 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0:
		dec := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10), nil
	case len(head) == 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0:
		dec := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
		return bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10), nil
	}
	return br, nil
}

package loadtest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/runlens/runlens/collect"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// readText returns a file's text as UTF-8 with LF line ends: gzip, BOMs and
// UTF-16 are handled by collect.Decode, text that is not UTF-8 is transcoded
// from GBK (or Windows-1252 when it is not GBK either), and CR CR LF, CR LF
// and bare CR line ends become LF.
func readText(path string) (string, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	r, err := collect.Decode(f)
	if err != nil {
		return "", nil, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", nil, err
	}
	b, warn := toUTF8(path, b)
	var warns []string
	if warn != "" {
		warns = append(warns, warn)
	}
	return normalizeEOL(string(b)), warns, nil
}

// toUTF8 transcodes b when it is not valid UTF-8, and says so in a warning
// that names the first line holding an invalid byte.
func toUTF8(path string, b []byte) ([]byte, string) {
	if utf8.Valid(b) {
		return b, ""
	}
	line := 1 + bytes.Count(b[:firstInvalid(b)], []byte("\n"))
	if out, ok := transcode(simplifiedchinese.GBK, b); ok {
		return out, fmt.Sprintf("%s:%d: not UTF-8; decoded as GBK (CP936)", path, line)
	}
	out, _ := transcode(charmap.Windows1252, b)
	return out, fmt.Sprintf("%s:%d: neither UTF-8 nor GBK; decoded as Windows-1252", path, line)
}

// transcode decodes b with enc; ok is false when the decoder met bytes that
// are not valid in enc (it writes U+FFFD for them).
func transcode(enc encoding.Encoding, b []byte) ([]byte, bool) {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return bytes.ToValidUTF8(b, []byte("\uFFFD")), false
	}
	return out, bytes.Count(out, []byte("\uFFFD")) == bytes.Count(b, []byte("\uFFFD"))
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

var crlf = regexp.MustCompile(`\r+\n`)

// normalizeEOL turns CR CR LF (a Windows text-mode file written through
// Python's csv module) and CR LF into LF, and bare CR line ends into LF when
// the text has no LF at all.
func normalizeEOL(s string) string {
	if !strings.Contains(s, "\n") {
		return strings.ReplaceAll(s, "\r", "\n")
	}
	return crlf.ReplaceAllString(s, "\n")
}

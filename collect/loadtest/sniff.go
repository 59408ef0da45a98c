package loadtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/runlens/runlens/collect"
)

// Format is a load-test result format, as told by a file's content.
type Format string

// Formats Sniff tells apart.
const (
	FormatUnknown      Format = ""
	FormatLocust       Format = "locust-csv"    // Locust --csv files, any version
	FormatK6JSON       Format = "k6-json"       // k6 --out json: Metric and Point lines
	FormatK6Summary    Format = "k6-summary"    // k6 --summary-export or handleSummary JSON: totals only
	FormatJMeterCSV    Format = "jmeter-csv"    // JMeter JTL as CSV, with or without a header
	FormatJMeterXML    Format = "jmeter-xml"    // JMeter JTL as XML (<testResults>)
	FormatVegetaJSON   Format = "vegeta-json"   // vegeta encode --to json: a result per line
	FormatVegetaCSV    Format = "vegeta-csv"    // vegeta encode --to csv
	FormatVegetaGob    Format = "vegeta-gob"    // vegeta attack's binary output (encoding/gob)
	FormatVegetaReport Format = "vegeta-report" // vegeta report -type=json: totals only
)

// Tool returns the load generator that writes the format: "locust", "k6",
// "jmeter" or "vegeta"; empty for FormatUnknown.
func (f Format) Tool() string {
	tool, _, _ := strings.Cut(string(f), "-")
	return tool
}

// sniffBytes is how much of a file Sniff looks at.
const sniffBytes = 64 << 10

// errMangledGob refuses a vegeta gob that went through a text redirection.
var errMangledGob = errors.New("vegeta binary results mangled into UTF-16 text (Windows PowerShell's '>' re-encodes a program's output): " +
	"the gob stream cannot be recovered; write results with 'vegeta attack -output results.bin', or encode them as text with 'vegeta encode --to json'")

// Sniff tells the format of a load-test result from its first bytes, as
// stored (a few kilobytes are enough; gzip, byte-order marks and UTF-16 text
// are looked through). It returns FormatUnknown for anything else, and an
// error for a result that is recognized but cannot be read: a vegeta gob
// mangled into UTF-16 by a text redirection.
func Sniff(head []byte) (Format, error) {
	head = gunzipHead(head)
	if mangledGob(head) {
		return FormatUnknown, errMangledGob
	}
	if isVegetaGob(head) {
		return FormatVegetaGob, nil
	}
	r, err := collect.Decode(bytes.NewReader(head))
	if err != nil {
		return FormatUnknown, nil
	}
	text, _ := io.ReadAll(r) // a cut stream still yields its first bytes
	text = bytes.TrimLeft(text, " \t\r\n")
	switch {
	case len(text) == 0:
		return FormatUnknown, nil
	case text[0] == '{' || text[0] == '[':
		return sniffJSON(text), nil
	case text[0] == '<':
		if bytes.Contains(text, []byte("<testResults")) {
			return FormatJMeterXML, nil
		}
		return FormatUnknown, nil
	}
	return sniffCSV(head, text), nil
}

// SniffFile sniffs the first bytes of the file at path.
func SniffFile(path string) (Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return FormatUnknown, err
	}
	defer f.Close()
	b := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, b)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return FormatUnknown, err
	}
	return Sniff(b[:n])
}

// gunzipHead inflates what a cut gzip stream yields; other bytes are
// returned as they are.
func gunzipHead(head []byte) []byte {
	if !bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		return head
	}
	zr, err := gzip.NewReader(bytes.NewReader(head))
	if err != nil {
		return head
	}
	b, _ := io.ReadAll(io.LimitReader(zr, sniffBytes))
	return b
}

// gobMarks are field names of vegeta's Result that its gob stream spells
// out in its type definition, before the first result.
var gobMarks = []string{"Result", "Code", "Timestamp", "Latency"}

// isVegetaGob reports a gob stream that defines vegeta's Result type.
func isVegetaGob(head []byte) bool {
	first := head[:min(len(head), 512)]
	if len(first) == 0 || first[0] == '{' || first[0] == '<' {
		return false
	}
	for _, m := range gobMarks {
		if !bytes.Contains(first, []byte(m)) {
			return false
		}
	}
	return true
}

// mangledGob reports a vegeta gob whose bytes were widened to UTF-16 code
// units behind a byte-order mark: the type definition's names then read
// "R\x00e\x00s\x00u\x00l\x00t\x00".
func mangledGob(head []byte) bool {
	if !bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return false
	}
	first := head[:min(len(head), 1024)]
	for _, m := range gobMarks {
		if !bytes.Contains(first, utf16le(m)) {
			return false
		}
	}
	return true
}

func utf16le(s string) []byte {
	out := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		out = append(out, s[i], 0)
	}
	return out
}

// sniffJSON tells k6 lines, k6 summaries, vegeta result lines and vegeta
// reports apart by their keys.
func sniffJSON(text []byte) Format {
	line, _, _ := bytes.Cut(text, []byte("\n"))
	var first map[string]json.RawMessage
	if json.Unmarshal(line, &first) == nil {
		var typ string
		json.Unmarshal(first["type"], &typ)
		switch {
		case (typ == "Point" || typ == "Metric") && first["data"] != nil:
			return FormatK6JSON
		case first["code"] != nil && first["timestamp"] != nil && first["latency"] != nil:
			return FormatVegetaJSON
		}
	}
	has := func(k string) bool { return bytes.Contains(text, []byte(`"`+k+`"`)) }
	switch {
	case text[0] != '{':
		return FormatUnknown
	case has("latencies") && (has("status_codes") || has("requests")):
		return FormatVegetaReport
	case has("metrics") && (has("root_group") || has("state") || has("options")):
		return FormatK6Summary
	}
	return FormatUnknown
}

// sniffCSV tells JMeter CSV (by its header, or by the shape of a headerless
// row), vegeta CSV and Locust CSV apart.
func sniffCSV(raw, text []byte) Format {
	line, _, _ := bytes.Cut(text, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	if _, ok := jmeterDelimiter(string(line)); ok {
		return FormatJMeterCSV
	}
	rec, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil && len(rec) == 0 {
		return FormatUnknown
	}
	switch {
	case isVegetaRow(rec):
		return FormatVegetaCSV
	case isJMeterRow(rec):
		return FormatJMeterCSV
	case IsLocust(raw):
		return FormatLocust
	}
	return FormatUnknown
}

// isVegetaRow: nanoseconds since the epoch, a status code, a latency in
// nanoseconds, bytes out and in, then the error (and in newer versions the
// body, attack, sequence, method, URL and headers).
func isVegetaRow(rec []string) bool {
	if len(rec) < 6 || len(rec[0]) < 16 || !allDigits(rec[0]) {
		return false
	}
	code, err := strconv.Atoi(rec[1])
	return err == nil && code >= 0 && code < 1000 && rec[2] != "" && allDigits(rec[2])
}

// isJMeterRow: a headerless JTL row in JMeter's default column order:
// timeStamp, elapsed, label, responseCode, responseMessage, threadName,
// dataType, success, ...
func isJMeterRow(rec []string) bool {
	if len(rec) < 8 || rec[0] == "" || rec[1] == "" || !allDigits(rec[1]) {
		return false
	}
	s := strings.ToLower(rec[7])
	return s == "true" || s == "false"
}

// openText opens a file for a text reader: the file, to close, and a
// buffered reader of its text decoded (gzip, BOM, UTF-16).
func openText(path string) (*os.File, *bufio.Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	r, err := collect.Decode(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, bufio.NewReaderSize(r, 64<<10), nil
}

// errNotLoadTest is the reason given for a file that no reader takes.
var errNotLoadTest = errors.New("not a load-test result runlens reads (Locust CSV, k6 --out json or summary, JMeter JTL, vegeta results or JSON report)")

func sniffOrFail(path string) (Format, error) {
	f, err := SniffFile(path)
	if err != nil {
		return f, err
	}
	if f == FormatUnknown {
		return f, errNotLoadTest
	}
	return f, nil
}

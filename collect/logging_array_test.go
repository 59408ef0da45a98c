package collect

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// readArrayBoth reads data in parallel and with the streaming decoder.
func readArrayBoth(t *testing.T, data []byte) (par, seq *model.Dataset, parN, seqN int, parErr, seqErr error) {
	t.Helper()
	par, seq = &model.Dataset{}, &model.Dataset{}
	parN, parErr = ReadLogs("a.json", bytes.NewReader(data), par)
	sequentialArrays = true
	defer func() { sequentialArrays = false }()
	seqN, seqErr = ReadLogs("a.json", bytes.NewReader(data), seq)
	return
}

// checkArraySame checks that the parallel reading of an array gives what
// the streaming decoder gives: entries, requests, events, warnings and
// whether it failed. The decoder stops at a syntax error, where the
// parallel reading skips the malformed element and goes on: then the
// parallel reading must have read all the decoder read, in the same
// order, and maybe more.
func checkArraySame(t *testing.T, data []byte) {
	t.Helper()
	par, seq, parN, seqN, parErr, seqErr := readArrayBoth(t, data)
	if decoderStopped(seq, seqErr) {
		if parN < seqN || !isPrefix(seq.Requests, par.Requests) || !isPrefix(seq.Events, par.Events) {
			t.Fatalf("on %q: the decoder stopped after %d entries (%v, %q), the parallel reading read %d (%v, %q), not all of those",
				short(data), seqN, seqErr, seq.Warnings, parN, parErr, par.Warnings)
		}
		return
	}
	if (parErr == nil) != (seqErr == nil) || parN != seqN {
		t.Fatalf("on %q: parallel read %d, %v; the decoder %d, %v", short(data), parN, parErr, seqN, seqErr)
	}
	for _, ds := range []*model.Dataset{par, seq} {
		for i, w := range ds.Warnings {
			if _, after, ok := strings.Cut(w, ": stopped reading after "); ok {
				n, _, _ := strings.Cut(after, " entries")
				ds.Warnings[i] = "stopped reading after " + n + " entries"
			}
		}
	}
	if diff := cmp.Diff(seq, par, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(model.Dataset{}, "Reading")); diff != "" {
		t.Fatalf("on %q (-decoder +parallel):\n%s", short(data), diff)
	}
}

// decoderStopped reports whether the streaming decoder stopped early.
func decoderStopped(ds *model.Dataset, err error) bool {
	if err != nil {
		return regexp.MustCompile(`^a\.json:\d+: `).MatchString(err.Error())
	}
	for _, w := range ds.Warnings {
		if strings.Contains(w, ": stopped reading after ") || strings.Contains(w, ": ignored what follows the log entries") {
			return true
		}
	}
	return false
}

// isPrefix reports whether a starts b.
func isPrefix[T any](a, b []T) bool {
	return len(a) <= len(b) && cmp.Equal(a, b[:len(a)], cmpopts.EquateEmpty())
}

// short is the start of data, for messages.
func short(data []byte) []byte {
	if len(data) > 200 {
		return append(data[:200:200], "..."...)
	}
	return data
}

// TestReadArrayParallel reads a gcloud-style array of several chunks, with
// bad elements here and there, both ways.
func TestReadArrayParallel(t *testing.T) {
	data := logtest.Array(t, logtest.NDJSON(t, 3000)) // about 3.7 MB: several chunks
	checkArraySame(t, data)
	ds := &model.Dataset{}
	if n, err := ReadLogs("a.json", bytes.NewReader(data), ds); err != nil || n != 3000 || len(ds.Requests) != 3000 {
		t.Fatalf("read %d entries, %d requests, %v; want 3000, 3000", n, len(ds.Requests), err)
	}
	elements := strings.Split(string(data), ",\n  {")
	for _, bad := range []map[int]string{
		{5: `"x"`, 2000: `{"logName": 1}`, 2999: `{"a": [1, {"b": "\"]}\\"}]}`}, // warnings: not entries
		{1500: `{"logName": "a"`}, // a syntax error stops
		{2500: "{\"x\": \"a\nb\"}"},
	} {
		var b strings.Builder
		for i, e := range elements {
			if i > 0 {
				b.WriteString(",\n  ")
				e = "{" + e
			}
			if s, ok := bad[i]; ok {
				e = s
			}
			b.WriteString(e)
		}
		checkArraySame(t, []byte(b.String()))
	}
	for _, s := range []string{"[]", "[\n]\n", "[ ]  x", "[", "[\n", "[1,]", "[,1]", "[1,,2]", "[{}]", "[{},{}]", "[{\"a\":\"]\"}]",
		"[{\"logName\":", "[\n {\"logName\": x}]", "[1] ]", "[[1,2],[3]]", "[\"a,b\", {\"c\": [1,2]}]"} {
		checkArraySame(t, []byte(s))
	}
}

// FuzzReadArray compares the parallel reading of arrays with the
// streaming decoder's.
func FuzzReadArray(f *testing.F) {
	for _, s := range []string{"[]", "[1,]", "[{\"a\":\"]\"}]", "[\n {\"logName\": x}]", "[1] ]", "[\"\\\"\",{\"a\":[{}]}]"} {
		f.Add([]byte(s))
	}
	f.Add(logtest.Array(f, logtest.NDJSON(f, 3)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '[' {
			return
		}
		checkArraySame(t, data)
	})
}

// One malformed element of a gcloud array costs that element only, as a
// bad line of NDJSON costs that line: a syntax error inside it, a missing
// closing brace or an unterminated string (which hide the commas after
// them from the framer), at the start, in the middle and at the end, in
// chunks of any size. Each is a warning naming its line.
func TestReadArrayResyncsAfterBadElement(t *testing.T) {
	const n = 425
	good := logtest.Array(t, logtest.NDJSON(t, n))
	elements := strings.Split(string(good), ",\n  {")
	for _, tc := range []struct {
		name string
		bad  func(e string) string
		kept int // of the requests
	}{
		{"syntax error", func(e string) string { return strings.Replace(e, `"status": 200,`, `"status": 200,,`, 1) }, n - 1},
		{"missing brace", func(e string) string { return strings.TrimSuffix(e, "\n  }") }, n - 1},
		{"unterminated string", func(e string) string { return strings.Replace(e, `"protocol": "HTTP/1.1"`, `"protocol": "HTTP/1.1`, 1) }, n - 1},
		{"garbage", func(e string) string { return e + ` "x"}]` }, n}, // a stray bracket after a whole element
		{"bad escape", func(e string) string { return strings.Replace(e, `"protocol": "HTTP/1.1"`, `"protocol": "HTTP\q"`, 1) }, n - 1},
	} {
		for _, at := range []int{1, 212, n - 2} {
			var b strings.Builder
			first, last := 0, 0 // the bad element's lines
			for i, e := range elements {
				if i > 0 {
					b.WriteString(",\n  {")
				}
				if i == at {
					first = strings.Count(b.String(), "\n") + 1
					e = tc.bad(e)
					last = first + strings.Count(e, "\n")
				}
				b.WriteString(e)
			}
			for _, read := range []model.ReadOptions{{}, {Workers: 2, ChunkBytes: 4096}, {Workers: 1, ChunkBytes: 700}} {
				ds := &model.Dataset{Read: read}
				got, err := ReadLogs("a.json", strings.NewReader(b.String()), ds)
				if err != nil || len(ds.Requests) != tc.kept {
					t.Errorf("%s at element %d, %+v: read %d entries, %d requests, %v; want %d requests; warnings %q",
						tc.name, at, read, got, len(ds.Requests), err, tc.kept, ds.Warnings)
					continue
				}
				var line int
				if len(ds.Warnings) == 1 {
					fmt.Sscanf(ds.Warnings[0], "a.json:%d: skipped", &line)
				}
				if line < first || line > last {
					t.Errorf("%s at element %d, %+v: warnings %q, want one naming a line from %d to %d", tc.name, at, read, ds.Warnings, first, last)
				}
			}
		}
	}
}

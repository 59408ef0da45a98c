package collect

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// readArrayBoth reads data in parallel and with the streaming decoder.
func readArrayBoth(t *testing.T, data []byte) (par, seq *Dataset, parN, seqN int, parErr, seqErr error) {
	t.Helper()
	par, seq = &Dataset{}, &Dataset{}
	parN, parErr = ReadLogs("a.json", bytes.NewReader(data), par)
	sequentialArrays = true
	defer func() { sequentialArrays = false }()
	seqN, seqErr = ReadLogs("a.json", bytes.NewReader(data), seq)
	return
}

// checkArraySame checks that the parallel reading of an array gives what
// the streaming decoder gives: entries, requests, events, warnings and
// whether it failed. On a syntax error both stop after the same entries;
// where and how they word it may differ (the decoder reports, say, a
// missing comma on the next value's line, the parallel reading an
// invalid character after the element), so the stop's line and text are
// not compared.
func checkArraySame(t *testing.T, data []byte) {
	t.Helper()
	par, seq, parN, seqN, parErr, seqErr := readArrayBoth(t, data)
	if (parErr == nil) != (seqErr == nil) || parN != seqN {
		t.Fatalf("on %q: parallel read %d, %v; the decoder %d, %v", short(data), parN, parErr, seqN, seqErr)
	}
	for _, ds := range []*Dataset{par, seq} {
		for i, w := range ds.Warnings {
			if _, after, ok := strings.Cut(w, ": stopped reading after "); ok {
				n, _, _ := strings.Cut(after, " entries")
				ds.Warnings[i] = "stopped reading after " + n + " entries"
			}
		}
	}
	if diff := cmp.Diff(seq, par, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("on %q (-decoder +parallel):\n%s", short(data), diff)
	}
}

// short is the start of data, for messages.
func short(data []byte) []byte {
	if len(data) > 200 {
		return append(data[:200:200], "..."...)
	}
	return data
}

// prettyArray writes lines of NDJSON as gcloud writes an array: indented
// by two spaces, one element after another.
func prettyArray(t testing.TB, ndjson []byte) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, l := range bytes.Split(bytes.TrimSpace(ndjson), []byte("\n")) {
		if i > 0 {
			b.WriteString(",\n")
		}
		var v any
		if err := json.Unmarshal(l, &v); err != nil {
			t.Fatal(err)
		}
		e, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("  ")
		b.Write(e)
	}
	b.WriteString("\n]\n")
	return b.Bytes()
}

// TestReadArrayParallel reads a gcloud-style array of several chunks, with
// bad elements here and there, both ways.
func TestReadArrayParallel(t *testing.T) {
	data := prettyArray(t, largeLog(t, 3000)) // about 3.7 MB: several chunks
	checkArraySame(t, data)
	ds := &Dataset{}
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
	f.Add(prettyArray(f, largeLog(f, 3)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '[' {
			return
		}
		checkArraySame(t, data)
	})
}

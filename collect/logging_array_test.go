package collect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
		return strings.HasPrefix(err.Error(), "reading logs a.json: line ")
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
	f.Add(prettyArray(f, largeLog(f, 3)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '[' {
			return
		}
		checkArraySame(t, data)
	})
}

// checkFramer frames data after its first byte, the array's bracket, with
// scan in one call and with scanBlocks as splitArray calls it, on a buffer
// that grows by the given steps, and checks that they find the same
// separators and end in the same state.
func checkFramer(t *testing.T, data []byte, steps []int) {
	t.Helper()
	want := framer{depth: 1}
	wantSeps := want.scan(data, 1, nil)
	got := framer{depth: 1}
	var gotSeps []int32
	from := 1
	for _, step := range append(steps, len(data)) {
		end := min(max(from, from+step), len(data))
		if got.ended {
			break
		}
		gotSeps = got.scanBlocks(data[:end], from, gotSeps)
		from = end
	}
	if !slices.Equal(gotSeps, wantSeps) || got.depth != want.depth || got.inStr != want.inStr ||
		got.esc != want.esc || got.ended != want.ended {
		t.Fatalf("scanBlocks (steps %v) gives %v, depth %d, in string %v, escape %v, ended %v;\nscan %v, %d, %v, %v, %v; on %q",
			steps, gotSeps, got.depth, got.inStr, got.esc, got.ended, wantSeps, want.depth, want.inStr, want.esc, want.ended, data)
	}
}

// TestScanBlocks checks scanBlocks against scan on gcloud's pretty array of
// generated entries, and on arrays whose strings hold brackets, commas and
// escapes, read whole and in steps that cut blocks, strings and escapes.
func TestScanBlocks(t *testing.T) {
	arrays := [][]byte{prettyArray(t, largeLog(t, 40))}
	tricky := `{"a":"x,y]}{[","b":"q\"u\\\\","c":[1,{"d":"\\"}],"e":"` + strings.Repeat(`\"`, 40) + `"}`
	var b strings.Builder
	b.WriteString("[\n")
	for i := range 30 {
		if i > 0 {
			b.WriteString(",\n  ")
		}
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString(tricky)
	}
	b.WriteString("\n]  trailing")
	arrays = append(arrays, []byte(b.String()), []byte("[1,2,"+strings.Repeat(" ", 100)+"}3,[4,5],6"+strings.Repeat(" ", 100)+"]"), []byte(`["unclosed`+strings.Repeat("x", 200)))
	for _, data := range arrays {
		checkFramer(t, data, nil)
		for _, step := range []int{1, 7, 63, 64, 65, 100, 1000} {
			steps := make([]int, len(data)/step+1)
			for i := range steps {
				steps[i] = step
			}
			checkFramer(t, data, steps)
		}
	}
}

// FuzzFramer compares scanBlocks with scan on any text, read in two steps.
func FuzzFramer(f *testing.F) {
	f.Add([]byte(`[{"a":"]"},{"b":"\\\""}]`), uint16(3))
	f.Add([]byte("[\n  {\n    \"x\": [1, 2, {\"y\": \"}\"}]\n  }\n]"), uint16(64))
	f.Add(prettyArray(f, largeLog(f, 2)), uint16(700))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		if len(data) == 0 {
			return
		}
		checkFramer(t, data, []int{int(cut)})
	})
}

// One malformed element of a gcloud array costs that element only, as a
// bad line of NDJSON costs that line: a syntax error inside it, a missing
// closing brace or an unterminated string (which hide the commas after
// them from the framer), at the start, in the middle and at the end, in
// chunks of any size. Each is a warning naming its line.
func TestReadArrayResyncsAfterBadElement(t *testing.T) {
	const n = 425
	good := prettyArray(t, largeLog(t, n))
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

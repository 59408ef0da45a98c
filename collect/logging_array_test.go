package collect

import (
	"bytes"
	"encoding/json"
	"slices"
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

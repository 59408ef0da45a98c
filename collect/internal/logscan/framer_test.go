package logscan

import (
	"slices"
	"strings"
	"testing"

	"github.com/runlens/runlens/internal/logtest"
)

// checkFramer frames data after its first byte, the array's bracket, with
// scan in one call and with scanBlocks as splitArray calls it, on a buffer
// that grows by the given steps, and checks that they find the same
// separators and end in the same state.
func checkFramer(t *testing.T, data []byte, steps []int) {
	t.Helper()
	want := Framer{depth: 1}
	wantSeps := want.scan(data, 1, nil)
	got := Framer{depth: 1}
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
	arrays := [][]byte{logtest.Array(t, logtest.NDJSON(t, 40))}
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
	f.Add(logtest.Array(f, logtest.NDJSON(f, 2)), uint16(700))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		if len(data) == 0 {
			return
		}
		checkFramer(t, data, []int{int(cut)})
	})
}

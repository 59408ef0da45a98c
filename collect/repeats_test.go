package collect

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/runlens/runlens/model"
)

// reqLine is a sink-style request entry.
func reqLine(id string, sec, latencyMS int) string {
	return fmt.Sprintf(`{"insertId":%q,"httpRequest":{"requestMethod":"GET","requestUrl":"https://h/a","status":200,"latency":"0.%03ds"},`+
		`"resource":{"type":"cloud_run_revision","labels":{"service_name":"s","location":"r","revision_name":"s-1"}},`+
		`"timestamp":"2024-03-14T10:00:%02dZ","labels":{"instanceId":"i1"},"logName":"projects/p/logs/run.googleapis.com%%2Frequests"}`, id, latencyMS, sec)
}

// TestRepeatedInsertIDsCountedOnce reads a log whose entries repeat,
// within a file and across two, in each form and cutting: a repeat is
// counted once, an entry that shares an insertId but not its timestamp is
// an entry of its own, and the count of repeats is the same every way.
func TestRepeatedInsertIDsCountedOnce(t *testing.T) {
	var lines []string
	for i := range 40 {
		lines = append(lines, reqLine(fmt.Sprintf("id%02d", i), i%60, 100+i))
	}
	a := append(append([]string{}, lines[:30]...), lines[5], lines[5], lines[7])
	a = append(a, reqLine("id09", 19, 999))                  // the same insertId at another time: its own entry
	b := append(append([]string{}, lines[20:]...), lines[0]) // 10 repeat a's, and one more
	const wantRequests, wantRepeats = 41, 14

	ndjson := func(ls []string) string { return strings.Join(ls, "\n") + "\n" }
	array := func(ls []string) string { return "[\n" + strings.Join(ls, ",\n") + "\n]\n" }
	for _, form := range []struct {
		name string
		text func([]string) string
		read model.ReadOptions
	}{
		{"ndjson", ndjson, model.ReadOptions{}},
		{"ndjson, 1 KiB chunks, 4 workers", ndjson, model.ReadOptions{ChunkBytes: 1 << 10, Workers: 4}},
		{"ndjson, 1 worker", ndjson, model.ReadOptions{Workers: 1}},
		{"array", array, model.ReadOptions{}},
		{"array, 1 KiB chunks, 3 workers", array, model.ReadOptions{ChunkBytes: 1 << 10, Workers: 3}},
	} {
		for _, order := range [][2][]string{{a, b}, {b, a}} {
			t.Run(form.name, func(t *testing.T) {
				ds := &model.Dataset{Read: form.read}
				for i, f := range order {
					if _, err := ReadLogs(fmt.Sprint("f", i), bytes.NewBufferString(form.text(f)), ds); err != nil {
						t.Fatal(err)
					}
				}
				NoteRepeats(ds)
				if len(ds.Requests) != wantRequests || ds.Repeats != wantRepeats {
					t.Errorf("%d requests, %d repeats; want %d and %d", len(ds.Requests), ds.Repeats, wantRequests, wantRepeats)
				}
				want := fmt.Sprintf("%d entries repeat an earlier entry", wantRepeats)
				if len(ds.Warnings) != 1 || !strings.Contains(ds.Warnings[0], want) {
					t.Errorf("warnings %q, want one with %q", ds.Warnings, want)
				}
			})
		}
	}
}

// TestEntrySetFullKeepsNoTables fills the set, then looks up entries of
// later seconds: the buckets made once nothing more is remembered have no
// table, but for the first, sized from the full one before it.
func TestEntrySetFullKeepsNoTables(t *testing.T) {
	s := newEntrySet()
	c := new(setCursor)
	const perSec = 1000
	for i := range uint64(MaxCheckedEntries) {
		if isNew, full := s.add(c, int64(i/perSec), i*0x9e3779b97f4a7c15|1); !isNew || full {
			t.Fatalf("entry %d: new %v, full %v; want new, not full", i, isNew, full)
		}
	}
	first := int64(MaxCheckedEntries/perSec + bucketSeconds)
	for sec := first; sec < first+100*bucketSeconds; sec++ {
		if _, full := s.add(c, sec, uint64(sec)); !full {
			t.Fatalf("second %d: not full", sec)
		}
	}
	for sec := first + bucketSeconds; sec < first+100*bucketSeconds; sec += bucketSeconds {
		key := floorDiv(sec, bucketSeconds)
		if b := s.shards[uint64(key)%uint64(len(s.shards))].buckets[key]; b == nil || len(b.slots) != 0 {
			t.Fatalf("second %d: a bucket of %d slots, want one without a table", sec, len(b.slots))
		}
	}
}

// BenchmarkEntrySet remembers entries as a log's workers do: seconds in
// order, each worker a chunk of its own (4,096 entries) at a time, from
// every core at once; a quiet log (12 entries a second) and a busy one
// (5,000).
func BenchmarkEntrySet(b *testing.B) {
	for _, perSec := range []uint64{12, 5000} {
		b.Run(fmt.Sprintf("%d/s", perSec), func(b *testing.B) {
			s := newEntrySet()
			var next atomic.Uint64
			b.RunParallel(func(pb *testing.PB) {
				c := new(setCursor)
				var i, end uint64
				for pb.Next() {
					if i == end {
						end = next.Add(4096)
						i = end - 4096
					}
					h := i * 0x9e3779b97f4a7c15
					s.add(c, int64(i/perSec), h^h>>31)
					i++
				}
			})
		})
	}
}

package collect

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// TestReadLogsMappedFile reads logs from a regular file, which is mapped,
// and from the same bytes in memory, in chunks of 4 KiB and of the
// default size: the Datasets are the same, whatever the form, a line
// longer than a chunk, the last line's newline missing, a bad line, the
// reading starting past the file's start.
func TestReadLogsMappedFile(t *testing.T) {
	ndjson := logtest.NDJSON(t, 3000)
	lines := strings.SplitAfter(string(ndjson), "\n")
	long := `{"insertId":"long","logName":"projects/p/logs/stdout","resource":{"type":"cloud_run_revision"},` +
		`"timestamp":"2024-03-14T00:00:00Z","textPayload":"` + strings.Repeat("x", 20000) + `"}` + "\n"
	withLong := strings.Join(lines[:1000], "") + long + "{not json\n" + strings.Join(lines[1000:], "")
	for _, c := range []struct {
		name string
		data []byte
		skip int // bytes read before ReadLogs is given the file
	}{
		{"ndjson", ndjson, 0},
		{"long line and a bad one", []byte(withLong), 0},
		{"no final newline", bytes.TrimRight(ndjson, "\n"), 0},
		{"blank lines around", append(append([]byte("\n\n  \n"), ndjson...), "\n\n"...), 0},
		{"byte-order mark", append([]byte("\xEF\xBB\xBF"), ndjson...), 0},
		{"read from its second line", ndjson, len(lines[0])},
		{"array", logtest.Array(t, ndjson), 0},
		{"gzip", logtest.Gzip(t, ndjson), 0},
	} {
		for _, chunk := range []int{4096, 0} {
			t.Run(c.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "requests.json")
				if err := os.WriteFile(path, c.data, 0o644); err != nil {
					t.Fatal(err)
				}
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.Seek(int64(c.skip), io.SeekStart); err != nil {
					t.Fatal(err)
				}
				if m := mapFile(f); m == nil {
					t.Fatal("the file is not mapped")
				} else {
					m.close()
					if _, err := f.Seek(int64(c.skip), io.SeekStart); err != nil {
						t.Fatal(err)
					}
				}
				want := &model.Dataset{Read: model.ReadOptions{ChunkBytes: chunk}}
				wantN, wantErr := ReadLogs(path, bytes.NewReader(c.data[c.skip:]), want)
				got := &model.Dataset{Read: model.ReadOptions{ChunkBytes: chunk}}
				gotN, gotErr := ReadLogs(path, f, got)
				if gotN != wantN || (gotErr == nil) != (wantErr == nil) {
					t.Fatalf("mapped: %d entries, error %v; in memory: %d, %v", gotN, gotErr, wantN, wantErr)
				}
				if d := cmp.Diff(want, got, cmpopts.IgnoreFields(model.Dataset{}, "Reading")); d != "" {
					t.Errorf("mapped file against memory (-want +got):\n%s", d)
				}
				if off, _ := f.Seek(0, io.SeekCurrent); off != int64(len(c.data)) {
					t.Errorf("the file's offset is %d after reading, want its end, %d", off, len(c.data))
				}
			})
		}
	}
}

// TestMappedFileChanges changes a file after it is mapped: what is
// appended is read after the mapping, by the chunks and by Read, and a
// file cut short stops the reading with an error instead of a crash.
func TestMappedFileChanges(t *testing.T) {
	ndjson := logtest.NDJSON(t, 500)
	more := logtest.NDJSON(t, 20)
	open := func(t *testing.T) (*os.File, *mappedFile) {
		path := filepath.Join(t.TempDir(), "requests.ndjson")
		if err := os.WriteFile(path, ndjson[:len(ndjson)-10], 0o644); err != nil { // the last line cut
			t.Fatal(err)
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		m := mapFile(f)
		if m == nil {
			t.Fatal("the file is not mapped")
		}
		t.Cleanup(m.close)
		return f, m
	}
	grow := func(t *testing.T, f *os.File) {
		if _, err := f.WriteAt(append(bytes.Clone(ndjson[len(ndjson)-10:]), more...), int64(len(ndjson)-10)); err != nil {
			t.Fatal(err)
		}
	}
	chunks := func(m *mappedFile) ([]byte, error) {
		out, free := make(chan ndjsonChunk, 1000), make(chan []byte, 1)
		go func() {
			for range m.ahead {
			}
		}()
		err := m.splitChunks(m.br, out, free, func(int) int { return 4096 })
		close(out)
		close(m.ahead)
		var all []byte
		for c := range out {
			all = append(all, c.data...)
		}
		return all, err
	}
	whole := append(bytes.Clone(ndjson), more...)

	t.Run("grown, chunks", func(t *testing.T) {
		f, m := open(t)
		grow(t, f)
		got, err := chunks(m)
		if err != nil || !bytes.Equal(got, whole) {
			t.Errorf("chunks: %d bytes, error %v; want %d bytes, the file's", len(got), err, len(whole))
		}
	})
	t.Run("grown, read", func(t *testing.T) {
		f, m := open(t)
		grow(t, f)
		got, err := io.ReadAll(m.br)
		if err != nil || !bytes.Equal(got, whole) {
			t.Errorf("read: %d bytes, error %v; want %d bytes, the file's", len(got), err, len(whole))
		}
	})
	t.Run("shrunk, chunks", func(t *testing.T) {
		f, m := open(t)
		if err := f.Truncate(0); err != nil {
			t.Fatal(err)
		}
		if _, err := chunks(m); !errors.Is(err, errShrank) {
			t.Errorf("chunks of a file cut short: error %v, want %v", err, errShrank)
		}
	})
	t.Run("shrunk, read", func(t *testing.T) {
		f, m := open(t)
		if err := f.Truncate(0); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(m.br); !errors.Is(err, errShrank) {
			t.Errorf("reading a file cut short: error %v, want %v", err, errShrank)
		}
	})
}

// spanSink records the arrivals of the requests added and the spans it
// was told.
type spanSink struct {
	mu    sync.Mutex
	added []time.Time
	told  [][2]time.Time
}

type spanShard struct{ s *spanSink }

func (s *spanSink) NewShard() model.RequestShard { return spanShard{s} }
func (s *spanSink) Merge(model.RequestShard)     {}
func (s *spanSink) MergeChunk(model.ChunkPiece)  {}
func (s *spanSink) Spans(a, b time.Time)         { s.told = append(s.told, [2]time.Time{a, b}) }

func (sh spanShard) Add(r *model.Request) {
	sh.s.mu.Lock()
	sh.s.added = append(sh.s.added, r.Time)
	sh.s.mu.Unlock()
}

func (sh spanShard) EndChunk() model.ChunkPiece { return nil }

// TestMappedFileTellsSpan reads a mapped file into a sink that takes a
// span: it is told the arrivals of the file's first and last request
// entries, both of which it is then given, and of the last in scope when
// the last ones are not. A file with other entries at its ends, or read
// from memory, tells nothing.
func TestMappedFileTellsSpan(t *testing.T) {
	ndjson := logtest.NDJSON(t, 3000)
	lines := bytes.SplitAfter(ndjson, []byte("\n"))
	lines = lines[:len(lines)-1] // the empty one after the last newline
	system := []byte(`{"insertId":"s","logName":"projects/p/logs/run.googleapis.com%2Fstderr","resource":{"type":"cloud_run_revision","labels":{"service_name":"svc"}},` +
		`"timestamp":"2024-03-14T00:00:00Z","textPayload":"hello"}` + "\n")
	read := func(t *testing.T, data []byte, scope model.Scope, mapped bool) *spanSink {
		t.Helper()
		sink := &spanSink{}
		ds := &model.Dataset{Sink: sink, Scope: scope, Read: model.ReadOptions{ChunkBytes: 4096}}
		var r io.Reader = bytes.NewReader(data)
		if mapped {
			path := filepath.Join(t.TempDir(), "requests.ndjson")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r = f
		}
		if _, err := ReadLogs("requests.ndjson", r, ds); err != nil {
			t.Fatal(err)
		}
		return sink
	}
	check := func(t *testing.T, sink *spanSink, want bool) {
		t.Helper()
		if !want {
			if len(sink.told) != 0 {
				t.Fatalf("told %v, want nothing", sink.told)
			}
			return
		}
		if len(sink.told) != 1 || len(sink.added) == 0 {
			t.Fatalf("told %d spans, added %d requests; want one span", len(sink.told), len(sink.added))
		}
		slices.SortFunc(sink.added, time.Time.Compare)
		first, last := sink.added[0], sink.added[len(sink.added)-1]
		for _, at := range sink.told[0] {
			if _, found := slices.BinarySearchFunc(sink.added, at, time.Time.Compare); !found {
				t.Errorf("told of %v, which was not added", at)
			}
			if at.Before(first) || at.After(last) {
				t.Errorf("told of %v, outside the span added, %v to %v", at, first, last)
			}
		}
	}
	t.Run("mapped", func(t *testing.T) { check(t, read(t, ndjson, model.Scope{}, true), true) })
	t.Run("in memory", func(t *testing.T) { check(t, read(t, ndjson, model.Scope{}, false), false) })
	t.Run("scope ends before the last entries", func(t *testing.T) {
		var e struct{ Timestamp time.Time }
		if err := json.Unmarshal(lines[len(lines)-20], &e); err != nil {
			t.Fatal(err)
		}
		sink := read(t, ndjson, model.Scope{Window: model.Window{End: e.Timestamp}}, true)
		check(t, sink, true)
		if !sink.told[0][1].Before(e.Timestamp) {
			t.Errorf("told of %v, past the scope's end %v", sink.told[0][1], e.Timestamp)
		}
	})
	t.Run("system entries at the ends", func(t *testing.T) {
		data := slices.Concat(bytes.Repeat(system, 3), ndjson, bytes.Repeat(system, 3))
		check(t, read(t, data, model.Scope{}, true), true)
	})
	t.Run("only system entries at one end", func(t *testing.T) {
		data := slices.Concat(ndjson, bytes.Repeat(system, 2000))
		check(t, read(t, data, model.Scope{}, true), false)
	})
}

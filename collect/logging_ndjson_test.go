package collect

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/runlens/runlens/internal/logtest"
	"github.com/runlens/runlens/model"
)

// countSink counts the requests it is given, per shard and merged, and
// keeps the insertIds of the chunks' pieces in the order they came.
type countSink struct {
	merged, shards int
	insertIDs      map[string]bool
	ordered        []string // the pieces' insertIds, in the order merged
}

// countShard keeps the insertIds it was given, and those of the chunk
// being read.
type countShard struct{ ids, chunk []string }

func (s *countSink) NewShard() model.RequestShard { s.shards++; return &countShard{} }
func (s *countSink) Merge(sh model.RequestShard) {
	for _, id := range sh.(*countShard).ids {
		s.insertIDs[id] = true
	}
	s.merged += len(sh.(*countShard).ids)
}
func (s *countSink) MergeChunk(p model.ChunkPiece) { s.ordered = append(s.ordered, p.([]string)...) }
func (s *countShard) Add(r *model.Request) {
	id := strings.Clone(r.InsertID)
	s.ids, s.chunk = append(s.ids, id), append(s.chunk, id)
}
func (s *countShard) EndChunk() model.ChunkPiece {
	p := s.chunk
	s.chunk = nil
	return p
}

// TestReadLogsChunksKeepFileOrder reads a file of several chunks with bad
// lines here and there: requests come out in file order and each warning
// names its line, as a sequential reading gives them.
func TestReadLogsChunksKeepFileOrder(t *testing.T) {
	lines := strings.SplitAfter(string(logtest.NDJSON(t, 4000)), "\n") // about 3.8 MB: four chunks
	bad := map[int]string{7: "{not json\n", 1500: "\n", 2600: `{"insertId":"x"}` + "\n", 3999: "[1]\n"}
	var b strings.Builder
	for i, l := range lines[:4000] {
		if s, ok := bad[i+1]; ok {
			l = s
		}
		b.WriteString(l)
	}
	ds := &model.Dataset{}
	n, err := ReadLogs("big.ndjson", strings.NewReader(b.String()), ds)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3996 || len(ds.Requests) != 3996 {
		t.Errorf("read %d entries, %d requests; want 3996 and 3996", n, len(ds.Requests))
	}
	for i := 1; i < len(ds.Requests); i++ {
		a, _ := strconv.ParseInt(ds.Requests[i-1].InsertID, 16, 64)
		c, _ := strconv.ParseInt(ds.Requests[i].InsertID, 16, 64)
		if c <= a {
			t.Fatalf("request %d (insertId %s) follows %s: not in file order", i, ds.Requests[i].InsertID, ds.Requests[i-1].InsertID)
		}
	}
	want := []string{
		"big.ndjson:7: invalid character 'n' looking for beginning of object key string",
		"big.ndjson:2600: not a LogEntry: no logName",
		"big.ndjson:3999: want an object, got an array",
	}
	if diff := cmp.Diff(want, ds.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if r := ds.Requests[0]; r.Path != "/predict" || r.Method != "POST" || !r.ColdStart || r.Latency != 3094915079 || r.InsertID != "1a2b3c4d" {
		t.Errorf("first request %+v", r)
	}
}

// TestReadLogsIntoSink checks that with a sink every request goes to it,
// once, none stays in Requests, and the chunks' pieces reach MergeChunk
// in file order, as NDJSON, as a JSON array and gzipped, whatever the
// number of chunks.
func TestReadLogsIntoSink(t *testing.T) {
	data := logtest.NDJSON(t, 3000) // about 2.8 MB: several chunks
	for _, c := range []struct {
		name string
		data []byte
	}{{"ndjson", data}, {"array", logtest.Array(t, data)}, {"gzip", logtest.Gzip(t, data)}, {"small", data[:bytes.IndexByte(data, '\n')+1]}} {
		t.Run(c.name, func(t *testing.T) {
			sink := &countSink{insertIDs: map[string]bool{}}
			ds := &model.Dataset{Sink: sink}
			n, err := ReadLogs("big.ndjson", bytes.NewReader(c.data), ds)
			if err != nil {
				t.Fatal(err)
			}
			want := 3000
			if c.name == "small" {
				want = 1
			}
			if n != want || len(ds.Requests) != 0 || ds.RequestCount() != want || sink.merged != want || len(sink.insertIDs) != want {
				t.Errorf("read %d, kept %d, counted %d, sink got %d (%d distinct); want %d, 0, %[6]d, %[6]d, %[6]d",
					n, len(ds.Requests), ds.RequestCount(), sink.merged, len(sink.insertIDs), want)
			}
			if len(sink.ordered) != want {
				t.Fatalf("pieces held %d requests, want %d", len(sink.ordered), want)
			}
			for i := 1; i < len(sink.ordered); i++ {
				a, _ := strconv.ParseInt(sink.ordered[i-1], 16, 64)
				b, _ := strconv.ParseInt(sink.ordered[i], 16, 64)
				if b <= a {
					t.Fatalf("piece request %d (insertId %s) follows %s: not in file order", i, sink.ordered[i], sink.ordered[i-1])
				}
			}
		})
	}
}

// BenchmarkReadLogs reads sink-style NDJSON, and the same entries as
// gcloud's pretty-printed array, into a sink that does nothing: the
// reading alone. The bytes per second are the file's.
func BenchmarkReadLogs(b *testing.B) {
	ndjson := logtest.NDJSON(b, 20000)
	for _, c := range []struct {
		name string
		data []byte
	}{{"ndjson", ndjson}, {"array", logtest.Array(b, ndjson)}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				ds := &model.Dataset{Sink: &nopSink{}}
				if _, err := ReadLogs("bench.json", bytes.NewReader(c.data), ds); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*20000)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

type nopSink struct{}
type nopShard struct{}

func (nopSink) NewShard() model.RequestShard { return nopShard{} }
func (nopSink) Merge(model.RequestShard)     {}
func (nopSink) MergeChunk(model.ChunkPiece)  {}
func (nopShard) Add(*model.Request)          {}
func (nopShard) EndChunk() model.ChunkPiece  { return nil }

// TestReadLogsLongLine reads a file whose lines outgrow the reader's
// buffer, at the start and later: every entry after them is read.
func TestReadLogsLongLine(t *testing.T) {
	lines := strings.SplitAfter(string(logtest.NDJSON(t, 3000)), "\n")
	long := func(id string, n int) string {
		return `{"insertId":"` + id + `","logName":"projects/p/logs/stdout","resource":{"type":"cloud_run_revision"},` +
			`"timestamp":"2024-03-14T00:00:00Z","textPayload":"` + strings.Repeat("x", n) + `"}` + "\n"
	}
	var b strings.Builder
	b.WriteString(long("a", 100<<10)) // longer than the first chunk
	for i, l := range lines {
		if i == 1000 {
			b.WriteString(long("b", 3<<20)) // longer than any chunk
		}
		b.WriteString(l)
	}
	ds := &model.Dataset{}
	n, err := ReadLogs("long.ndjson", strings.NewReader(b.String()), ds)
	if err != nil || n != 3002 || len(ds.Requests) != 3000 {
		t.Fatalf("read %d entries, %d requests, %v; want 3002 and 3000", n, len(ds.Requests), err)
	}
}

// TestReadLogsGzipSameAsPlain reads large NDJSON and a large array, plain
// and gzipped (one parse worker fewer): the same Dataset but for the
// format's name.
func TestReadLogsGzipSameAsPlain(t *testing.T) {
	ndjson := logtest.NDJSON(t, 4000)
	for _, data := range [][]byte{ndjson, logtest.Array(t, ndjson)} {
		plain, gz := &model.Dataset{}, &model.Dataset{}
		n1, err1 := ReadLogs("f", bytes.NewReader(data), plain)
		n2, err2 := ReadLogs("f", bytes.NewReader(logtest.Gzip(t, data)), gz)
		if err1 != nil || err2 != nil || n1 != 4000 || n2 != 4000 {
			t.Fatalf("read %d, %v plain; %d, %v gzipped; want 4000 each", n1, err1, n2, err2)
		}
		if diff := cmp.Diff(plain, gz, cmpopts.IgnoreFields(model.Dataset{}, "Reading")); diff != "" {
			t.Errorf("plain and gzipped differ (-plain +gzip):\n%s", diff)
		}
	}
}

// TestReadLogsLabelCase reads label keys in another case than Cloud
// Logging's: they are not the labels, in a large file as in a small one.
func TestReadLogsLabelCase(t *testing.T) {
	line := `{"logName":"projects/p/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision","labels":{"Service_Name":"s"}},` +
		`"timestamp":"2024-03-14T00:00:00Z","lABels":{"instAnCeId":"x"},"httpRequest":{"requestUrl":"/a","status":200}}` + "\n"
	for _, data := range []string{line, strings.Repeat(line, 3000), "[" + strings.TrimSpace(line) + "]"} {
		ds := &model.Dataset{}
		if _, err := ReadLogs("f", strings.NewReader(data), ds); err != nil || len(ds.Requests) == 0 {
			t.Fatalf("%v, %d requests", err, len(ds.Requests))
		}
		if r := ds.Requests[0]; r.InstanceID != "" || r.Service != "" {
			t.Errorf("instance %q, service %q; want neither: the keys differ in case from Cloud Logging's", r.InstanceID, r.Service)
		}
	}
}

func TestIsCloudRunRevision(t *testing.T) {
	const want = "cloud_run_revision"
	if !isCloudRunRevision(want) {
		t.Fatalf("isCloudRunRevision(%q) = false", want)
	}
	for _, s := range []string{"", "cloud_run_revisio", want + "n", "cloud_run_job", "cloud_run_revision/stdout", "CLOUD_RUN_REVISION"} {
		if isCloudRunRevision(s) {
			t.Errorf("isCloudRunRevision(%q) = true", s)
		}
	}
	for i := range want { // one byte off anywhere
		b := []byte(want)
		b[i] ^= 1
		if isCloudRunRevision(string(b)) {
			t.Errorf("isCloudRunRevision(%q) = true", b)
		}
	}
}

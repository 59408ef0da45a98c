package bigquery_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/internal/bqemu"
)

// TestSketchIndexInSQL computes, in the emulator, the sketch bin of every
// latency of every fixture with the SQL of SummarySQL, and checks it is the
// Go sketch's: the quantile states a query builds merge with those read
// here, bin for bin.
func TestSketchIndexInSQL(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/*/requests.ndjson.gz")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var lats []int64
	seen := map[int64]bool{}
	for _, f := range files {
		es, err := bqemu.ReadEntries(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.HTTPRequest == nil {
				continue
			}
			d, err := collect.ParseDuration(e.HTTPRequest.Latency)
			if err != nil || seen[int64(d)] {
				continue
			}
			seen[int64(d)] = true
			lats = append(lats, int64(d))
		}
	}
	// The edges: no latency, a nanosecond, and exact powers of two ms.
	lats = append(lats, 0, 1, 1e6, 2e6, 1024e6, 3, 999_999_999_999)
	emu := bqemu.Start(t)
	c := emu.Client(t)
	// The latencies are written into the query: the emulator takes an
	// array parameter for a scalar.
	list := make([]string, len(lats))
	for i, l := range lats {
		list[i] = strconv.FormatInt(l, 10)
	}
	q := c.Query("SELECT lat_ns, bin FROM " + logbq.BinFrom("(SELECT lat_ns FROM UNNEST(["+strings.Join(list, ", ")+"]) AS lat_ns)", "lat_ns"))
	it, err := q.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		var row []bigquery.Value
		if err := it.Next(&row); err == iterator.Done {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		lat := row[0].(int64)
		got := row[1].(int64)
		want, ok := summary.SketchIndex(time.Duration(lat))
		if !ok {
			want = logbq.NoBin
		}
		if got != int64(want) {
			t.Errorf("latency %d ns: SQL bin %d, Go %d", lat, got, want)
		}
		n++
	}
	if n != len(lats) {
		t.Fatalf("%d rows for %d latencies", n, len(lats))
	}
	t.Logf("%d latencies of %d fixtures: the same bin in SQL and in Go", n, len(files))
}

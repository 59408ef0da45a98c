package bigquery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"

	"github.com/runlens/runlens/collect"
	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/collect/sim/large"
	"github.com/runlens/runlens/internal/bqemu"
)

// BenchmarkPushdownParts times each part of the summary query's UNION
// alone (its WITH clause and the part), in the BigQuery emulator, over a
// day of `simulate -scenario large` requests of each size of
// RUNLENS_BENCH_SIZES (default 5000,10000,20000): the rows, the wall time
// and the emulator's CPU time of each, to see which parts grow faster than
// the entries. (-v: a benchmark's log is cut at ten lines without it.)
//
//	go test ./collect/bigquery -run '^$' -bench PushdownParts -benchtime 1x -timeout 2h -v
func BenchmarkPushdownParts(b *testing.B) {
	sizes := "5000,10000,20000"
	if s := os.Getenv("RUNLENS_BENCH_SIZES"); s != "" {
		sizes = s
	}
	emu := bqemu.Start(b)
	c := emu.Client(b)
	ctx := context.Background()
	for b.Loop() {
		for _, size := range strings.Split(sizes, ",") {
			n, err := strconv.Atoi(size)
			if err != nil || n <= 0 {
				b.Fatalf("RUNLENS_BENCH_SIZES=%q", sizes)
			}
			var buf bytes.Buffer
			if err := large.Write(&buf, large.Options{Requests: n, Seed: 7}); err != nil {
				b.Fatal(err)
			}
			var entries []collect.LogEntry
			for dec := json.NewDecoder(&buf); dec.More(); {
				var e collect.LogEntry
				if err := dec.Decode(&e); err != nil {
					b.Fatal(err)
				}
				entries = append(entries, e)
			}
			ds := emu.CreateDataset(b, fmt.Sprintf("day_%d", n))
			if err := bqemu.Load(ctx, c, ds, logbq.Sink, bqemu.LoadOptions{Sharded: true}, entries); err != nil {
				b.Fatal(err)
			}
			src, err := logbq.Detect(ctx, c, emu.Project+"."+ds)
			if err != nil {
				b.Fatal(err)
			}
			sql, err := src.SummarySQL(logbq.Scope{})
			if err != nil {
				b.Fatal(err)
			}
			with, body, ok := strings.Cut(sql, "\nSELECT 'tot'")
			if !ok {
				b.Fatal("no 'tot' part in the summary query")
			}
			for _, part := range strings.Split("SELECT 'tot'"+body, "\nUNION ALL\n") {
				kind, _, _ := strings.Cut(strings.TrimLeft(part, "(SELECT '"), "'")
				q := c.Query(with + "\n" + part)
				q.Parameters = logbq.Params(logbq.Scope{})
				cpu0, err0 := emu.CPU()
				start := time.Now()
				rows, err := count(ctx, q)
				if err != nil {
					b.Fatalf("part %s: %v", kind, err)
				}
				wall := time.Since(start)
				cpu1, err1 := emu.CPU()
				if err := errors.Join(err0, err1); err != nil {
					b.Fatal(err)
				}
				b.Logf("%d requests, part %s: %d rows, %.2f s, the emulator's CPU %.2f s", n, kind, rows, wall.Seconds(), (cpu1 - cpu0).Seconds())
			}
		}
	}
}

// count runs q and counts its rows.
func count(ctx context.Context, q *bq.Query) (int, error) {
	it, err := q.Read(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		var row []bq.Value
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}

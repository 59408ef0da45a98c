package bigquery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/collect/sim/large"
	"github.com/runlens/runlens/internal/bqemu"
	"github.com/runlens/runlens/model"
)

// BenchmarkPushdownDay loads a day of `simulate -scenario large` requests
// (RUNLENS_BENCH_REQUESTS, default 100,000) into the BigQuery emulator as a
// sharded sink and times the pushdown: the rows fetched, the summary's
// bytes and the wall time of the summary query, beside the Logging API's
// minutes of quota for the same entries (1,000 a call, 60 calls a minute).
// The summary is checked against the one the same entries give read here.
//
//	RUNLENS_BENCH_REQUESTS=1000000 go test ./collect/bigquery -run '^$' -bench PushdownDay -benchtime 1x -timeout 2h
func BenchmarkPushdownDay(b *testing.B) {
	n := 100_000
	if s := os.Getenv("RUNLENS_BENCH_REQUESTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("RUNLENS_BENCH_REQUESTS=%q", s)
		}
	}
	var buf bytes.Buffer
	if err := large.Write(&buf, large.Options{Requests: n, Seed: 7}); err != nil {
		b.Fatal(err)
	}
	raw := buf.Bytes()
	local := summary.New()
	if _, err := collect.ReadLogs("day", bytes.NewReader(raw), &model.Dataset{Sink: local, Skipped: map[string]int{}}); err != nil {
		b.Fatal(err)
	}
	var entries []collect.LogEntry
	dec := json.NewDecoder(bytes.NewReader(raw))
	for dec.More() {
		var e collect.LogEntry
		if err := dec.Decode(&e); err != nil {
			b.Fatal(err)
		}
		entries = append(entries, e)
	}
	raw = nil
	buf = bytes.Buffer{}
	emu := bqemu.Start(b)
	c := emu.Client(b)
	ctx := context.Background()
	ds := emu.CreateDataset(b, "day")
	start := time.Now()
	if err := bqemu.Load(ctx, c, ds, logbq.Sink, bqemu.LoadOptions{Sharded: true}, entries); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d entries in %v", len(entries), time.Since(start).Round(time.Second))
	entries = nil
	src, err := logbq.Detect(ctx, c, emu.Project+"."+ds)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r := &logbq.Runner{Client: c}
		start := time.Now()
		sum, rows, err := logbq.Summarize(ctx, r, src, logbq.Scope{})
		if err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		var got, want bytes.Buffer
		if err := sum.WriteJSON(&got); err != nil {
			b.Fatal(err)
		}
		if err := local.WriteJSON(&want); err != nil {
			b.Fatal(err)
		}
		if sum.Requests() != local.Requests() {
			b.Fatalf("%d requests in BigQuery's summary, %d read here", sum.Requests(), local.Requests())
		}
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(float64(got.Len()), "summary-bytes")
		b.ReportMetric(wall.Seconds(), "query-s")
		b.ReportMetric(float64(n)/1000/60, "logging-quota-min")
		b.Logf("%d requests: %d rows fetched, a summary of %d bytes (%d read here), %v; the Logging API: %d calls, %.1f minutes of quota",
			n, rows, got.Len(), want.Len(), wall.Round(time.Second), (n+999)/1000, float64(n)/1000/60)
	}
}

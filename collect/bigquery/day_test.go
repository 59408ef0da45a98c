package bigquery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
// bytes, the wall time of the summary query and the emulator's CPU time
// (both with the dry run, which the emulator answers by running the
// query), beside the Logging API's minutes of quota for the same entries
// (1,000 a call, 60 calls a minute). The summary's requests are checked
// against those the same entries give read here (TestReportFromBigQuery
// checks the reports themselves, on every fixture).
//
// Measured, on 2 cores shared with other work: 20,000 requests, 10,060
// rows fetched, a summary of 3,204,904 bytes, 2 min 16 s, 73 s of the
// emulator's CPU (the Logging API: 20 calls, 0.3 minutes of quota); 50,000
// requests, 10,064 rows, 5,365,021 bytes, 4 min 49 s, 178 s of CPU (50
// calls, 0.8 minutes); 100,000 requests, 10,066 rows, 7,806,373 bytes, 8
// min 13 s, 337 s of CPU (100 calls, 1.7 minutes); a million requests,
// 10,417 rows, 22,799,809 bytes, 43 min 5 s, 49 min 29 s of CPU (1,000
// calls, 16.7 minutes), after 1 min 56 s of loading. The emulator runs
// GoogleSQL on SQLite, about 1.5 ms of CPU an entry a run (see README,
// "Logs in BigQuery"); BigQuery spreads the same statement over its
// workers.
//
//	RUNLENS_BENCH_REQUESTS=1000000 go test ./collect/bigquery -run '^$' -bench PushdownDay -benchtime 1x -timeout 3h
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
		cpu0, cpuErr := emu.CPU()
		sum, rows, err := logbq.Summarize(ctx, r, src, logbq.Scope{})
		if err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		cpu1, err := emu.CPU()
		if cpuErr != nil || err != nil {
			b.Logf("the emulator's CPU time: %v", errors.Join(cpuErr, err))
		}
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
		b.ReportMetric((cpu1 - cpu0).Seconds(), "emulator-cpu-s")
		b.ReportMetric(float64(n)/1000/60, "logging-quota-min")
		b.Logf("%d requests: %d rows fetched, a summary of %d bytes (%d read here), %v (the emulator's CPU %v, dry run included); the Logging API: %d calls, %.1f minutes of quota",
			n, rows, got.Len(), want.Len(), wall.Round(time.Second), (cpu1 - cpu0).Round(time.Second), (n+999)/1000, float64(n)/1000/60)
	}
}

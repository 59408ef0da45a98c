package bqemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"cloud.google.com/go/bigquery"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/iterator"

	"github.com/runlens/runlens/collect"
	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/collect/sim/large"
)

const fixture = "../../fixtures/paper-mobilenet"

// fixtureFacts are what the tables must give back of the fixture.
type fixtureFacts struct {
	requests, system, instances, scalingReasons int
	latencySeconds                              float64
	first                                       collect.LogEntry // the first request entry
	days                                        []string         // UTC days, YYYYMMDD
}

func facts(t *testing.T, entries []collect.LogEntry) fixtureFacts {
	t.Helper()
	var f fixtureFacts
	inst := map[string]bool{}
	for _, e := range entries {
		if e.HTTPRequest != nil {
			if f.requests == 0 {
				f.first = e
			}
			f.requests++
			d, err := time.ParseDuration(e.HTTPRequest.Latency)
			if err != nil {
				t.Fatal(err)
			}
			f.latencySeconds += d.Seconds()
		} else {
			f.system++
		}
		if e.Labels["scaling_reason"] != "" {
			f.scalingReasons++
		}
		inst[e.Labels["instanceId"]] = true
		ts, _ := time.Parse(time.RFC3339Nano, e.Timestamp)
		if day := ts.UTC().Format("20060102"); !slices.Contains(f.days, day) {
			f.days = append(f.days, day)
		}
	}
	f.instances = len(inst)
	return f
}

func TestLoadFixture(t *testing.T) {
	entries, err := ReadSnapshot(fixture)
	if err != nil {
		t.Fatal(err)
	}
	want := facts(t, entries)
	if want.requests == 0 || want.system == 0 || want.scalingReasons == 0 {
		t.Fatalf("fixture %s: %+v: want request and system entries with scaling reasons", fixture, want)
	}
	e := Start(t)
	c := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	t.Run("linked", func(t *testing.T) {
		ds := e.CreateDataset(t, "linked")
		if err := Load(ctx, c, ds, logbq.Linked, LoadOptions{}, entries); err != nil {
			t.Fatal(err)
		}
		got := queryRow(ctx, t, c, `
			SELECT
				COUNTIF(log_id = "run.googleapis.com/requests"),
				COUNTIF(log_id = "run.googleapis.com/varlog/system"),
				COUNT(DISTINCT JSON_VALUE(labels, "$.instanceId")),
				COUNTIF(JSON_VALUE(labels.scaling_reason) IS NOT NULL),
				COUNTIF(JSON_VALUE(resource.labels, "$.service_name") = "mobilenet"),
				COUNTIF(http_request.status = 200 AND http_request.request_size > 0)
			FROM linked._AllLogs`)
		assertRow(t, got, want.requests, want.system, want.instances, want.scalingReasons, len(entries), want.requests)

		// The INTERVAL keeps the latency to the microsecond.
		d, _ := time.ParseDuration(want.first.HTTPRequest.Latency)
		got = queryRow(ctx, t, c, `
			SELECT EXTRACT(SECOND FROM http_request.latency), EXTRACT(MICROSECOND FROM http_request.latency),
				timestamp
			FROM linked._AllLogs WHERE insert_id = "`+want.first.InsertID+`"`)
		ts, _ := time.Parse(time.RFC3339Nano, want.first.Timestamp)
		assertRow(t, got, int(d/time.Second), int(d%time.Second/time.Microsecond), ts.UTC().Truncate(time.Microsecond))
	})

	t.Run("linked-string-latency", func(t *testing.T) {
		ds := e.CreateDataset(t, "linked_string")
		if err := Load(ctx, c, ds, logbq.Linked, LoadOptions{LatencyType: "STRING", View: "runlogs"}, entries); err != nil {
			t.Fatal(err)
		}
		got := queryRow(ctx, t, c, `
			SELECT COUNT(*), ANY_VALUE(http_request.latency HAVING MIN timestamp)
			FROM linked_string.runlogs WHERE http_request IS NOT NULL`)
		assertRow(t, got, want.requests, want.first.HTTPRequest.Latency)
	})

	for _, sharded := range []bool{true, false} {
		name := map[bool]string{true: "sink_sharded", false: "sink_partitioned"}[sharded]
		t.Run(name, func(t *testing.T) {
			ds := e.CreateDataset(t, name)
			if err := Load(ctx, c, ds, logbq.Sink, LoadOptions{Sharded: sharded}, entries); err != nil {
				t.Fatal(err)
			}
			var wantTables []string
			for _, prefix := range []string{logbq.SinkRequests, logbq.SinkSystem} {
				if !sharded {
					wantTables = append(wantTables, prefix)
					continue
				}
				for _, day := range want.days {
					wantTables = append(wantTables, prefix+"_"+day)
				}
			}
			tables := listTables(ctx, t, c.Dataset(ds))
			if diff := cmp.Diff(wantTables, tables); diff != "" {
				t.Errorf("tables (-want +got):\n%s", diff)
			}
			if !sharded {
				md, err := c.Dataset(ds).Table(logbq.SinkRequests).Metadata(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if tp := md.TimePartitioning; tp == nil || tp.Type != bigquery.DayPartitioningType || tp.Field != "timestamp" {
					t.Errorf("time partitioning %+v, want DAY on timestamp", tp)
				}
			}
			from := func(prefix string) string {
				if sharded {
					return fmt.Sprintf("`%s.%s_*` WHERE _TABLE_SUFFIX BETWEEN %q AND %q", ds, prefix, want.days[0], want.days[len(want.days)-1])
				}
				return fmt.Sprintf("`%s.%s` WHERE TRUE", ds, prefix)
			}
			got := queryRow(ctx, t, c, `
				SELECT COUNT(*), COUNT(DISTINCT labels.instanceId), SUM(httpRequest.latency),
					COUNTIF(resource.labels.service_name = "mobilenet" AND httpRequest.status = 200 AND httpRequest.requestSize > 0)
				FROM `+from(logbq.SinkRequests))
			if len(got) == 4 {
				if s, ok := got[2].(float64); !ok || math.Abs(s-want.latencySeconds) > 1e-6 {
					t.Errorf("sum of latencies %v, want %v", got[2], want.latencySeconds)
				}
				got[2] = nil
			}
			assertRow(t, got, want.requests, -1, nil, want.requests)
			got = queryRow(ctx, t, c, `
				SELECT COUNT(*), COUNTIF(labels.scaling_reason IS NOT NULL), COUNTIF(textPayload LIKE "Starting new instance%")
				FROM `+from(logbq.SinkSystem))
			assertRow(t, got, want.system, want.scalingReasons, want.scalingReasons)
		})
	}
}

// TestLoadRefusesExistingTable: Load creates its tables, it never appends
// to tables of another load.
func TestLoadRefusesExistingTable(t *testing.T) {
	e := Start(t)
	c := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	entries := []collect.LogEntry{{LogName: "projects/p/logs/run.googleapis.com%2Frequests", Timestamp: "2024-03-14T10:00:00Z"}}
	if err := Load(ctx, c, e.Dataset, logbq.Linked, LoadOptions{}, entries); err != nil {
		t.Fatal(err)
	}
	if err := Load(ctx, c, e.Dataset, logbq.Linked, LoadOptions{}, entries); err == nil {
		t.Error("second load into the same table: no error")
	}
	bad := []collect.LogEntry{{LogName: "projects/p/logs/x", Timestamp: "yesterday"}}
	if err := Load(ctx, c, e.Dataset, logbq.Sink, LoadOptions{}, bad); err == nil {
		t.Error("entry with a bad timestamp: no error")
	}
}

// BenchmarkLoad loads 100,000 generated request entries into a linked
// dataset and into a partitioned sink, one load per iteration:
//
//	go test -run '^$' -bench Load -benchtime 1x ./internal/bqemu
func BenchmarkLoad(b *testing.B) {
	const n = 100_000
	var buf bytes.Buffer
	if err := large.Write(&buf, large.Options{Requests: n, Seed: 7}); err != nil {
		b.Fatal(err)
	}
	entries := make([]collect.LogEntry, 0, n)
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var e collect.LogEntry
		if err := dec.Decode(&e); err != nil {
			b.Fatal(err)
		}
		entries = append(entries, e)
	}
	e := Start(b)
	c := e.Client(b)
	ctx := context.Background()
	for _, layout := range []logbq.Layout{logbq.Linked, logbq.Sink} {
		b.Run(map[logbq.Layout]string{logbq.Linked: "linked", logbq.Sink: "sink"}[layout], func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				ds := e.CreateDataset(b, fmt.Sprintf("bench_%d_%d", layout, i))
				if err := Load(ctx, c, ds, layout, LoadOptions{}, entries); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// queryRow runs sql and returns its only row.
func queryRow(ctx context.Context, t *testing.T, c *bigquery.Client, sql string) []bigquery.Value {
	t.Helper()
	it, err := c.Query(sql).Read(ctx)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var rows [][]bigquery.Value
	for {
		var row []bigquery.Value
		err := it.Next(&row)
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		rows = append(rows, row)
	}
	if len(rows) != 1 {
		t.Fatalf("%s: %d rows, want 1", sql, len(rows))
	}
	return rows[0]
}

// assertRow compares a row with want; ints compare with the INT64 the
// client returns, -1 matches any value and nil only a value already cleared.
func assertRow(t *testing.T, got []bigquery.Value, want ...any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("row %v: want %d columns", got, len(want))
	}
	for i, w := range want {
		if n, ok := w.(int); ok {
			if n == -1 {
				continue
			}
			w = int64(n)
		}
		if !cmp.Equal(got[i], w) {
			t.Errorf("column %d: got %#v, want %#v (row %v)", i, got[i], w, got)
		}
	}
}

func listTables(ctx context.Context, t *testing.T, ds *bigquery.Dataset) []string {
	t.Helper()
	var names []string
	it := ds.Tables(ctx)
	for {
		tb, err := it.Next()
		if err == iterator.Done {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tb.TableID)
	}
	slices.Sort(names)
	return names
}

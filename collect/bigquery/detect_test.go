package bigquery_test

import (
	"context"
	"strings"
	"testing"
	"time"

	bq "cloud.google.com/go/bigquery"
	"github.com/google/go-cmp/cmp"

	"github.com/runlens/runlens/collect"
	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/internal/bqemu"
)

const fixture = "../../fixtures/paper-mobilenet"

func fixtureEntries(t *testing.T) []collect.LogEntry {
	t.Helper()
	entries, err := bqemu.ReadSnapshot(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestDetect(t *testing.T) {
	entries := fixtureEntries(t)
	e := bqemu.Start(t)
	c := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	load := func(ds string, layout logbq.Layout, opts bqemu.LoadOptions) {
		t.Helper()
		e.CreateDataset(t, ds)
		if err := bqemu.Load(ctx, c, ds, layout, opts, entries); err != nil {
			t.Fatal(err)
		}
	}
	load("linked", logbq.Linked, bqemu.LoadOptions{})
	load("linked_named", logbq.Linked, bqemu.LoadOptions{View: "runlogs", LatencyType: "STRING"})
	load("sharded", logbq.Sink, bqemu.LoadOptions{Sharded: true})
	load("partitioned", logbq.Sink, bqemu.LoadOptions{})
	// A sink without system logs yet.
	e.CreateDataset(t, "requests_only")
	if err := bqemu.Load(ctx, c, "requests_only", logbq.Sink, bqemu.LoadOptions{}, entries[:3]); err != nil {
		t.Fatal(err)
	}
	// A view made with DDL, as a user would make one over _AllLogs (the
	// emulator lists it as a table with the query's schema).
	ddl := "CREATE VIEW `" + e.Project + ".linked.cloudrun` AS SELECT * FROM `" + e.Project + ".linked._AllLogs` WHERE log_id LIKE 'run.googleapis.com/%'"
	if _, err := c.Query(ddl).Read(ctx); err != nil {
		t.Fatal(err)
	}
	// A sink switched from a partitioned table to shards: the shards,
	// modified last, hold the current entries. The emulator's times are
	// in whole seconds.
	load("switched", logbq.Sink, bqemu.LoadOptions{})
	time.Sleep(1100 * time.Millisecond)
	if err := bqemu.Load(ctx, c, "switched", logbq.Sink, bqemu.LoadOptions{Sharded: true}, entries); err != nil {
		t.Fatal(err)
	}

	p := e.Project
	for _, tc := range []struct {
		ref  string
		want logbq.Source
	}{
		{p + ".linked", logbq.Source{Layout: logbq.Linked, View: "_AllLogs", LatencyType: "INTERVAL"}},
		{p + ".linked._AllLogs", logbq.Source{Layout: logbq.Linked, View: "_AllLogs", LatencyType: "INTERVAL"}},
		{p + ".linked.cloudrun", logbq.Source{Layout: logbq.Linked, View: "cloudrun", LatencyType: "INTERVAL"}},
		{p + ".linked_named.runlogs", logbq.Source{Layout: logbq.Linked, View: "runlogs", LatencyType: "STRING"}},
		{p + ".sharded", logbq.Source{Layout: logbq.Sink, Requests: logbq.SinkRequests, System: logbq.SinkSystem, Sharded: true, LatencyType: "FLOAT64"}},
		{p + ".sharded." + logbq.SinkRequests, logbq.Source{Layout: logbq.Sink, Requests: logbq.SinkRequests, System: logbq.SinkSystem, Sharded: true, LatencyType: "FLOAT64"}},
		{p + ".partitioned", logbq.Source{Layout: logbq.Sink, Requests: logbq.SinkRequests, System: logbq.SinkSystem, LatencyType: "FLOAT64"}},
		{p + ".switched", logbq.Source{Layout: logbq.Sink, Requests: logbq.SinkRequests, System: logbq.SinkSystem, Sharded: true, LatencyType: "FLOAT64"}},
		{p + ".requests_only", logbq.Source{Layout: logbq.Sink, Requests: logbq.SinkRequests, LatencyType: "FLOAT64"}},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			got, err := logbq.Detect(ctx, c, tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Project, tc.want.Dataset, _ = strings.Cut(tc.ref, ".")
			tc.want.Dataset, _, _ = strings.Cut(tc.want.Dataset, ".")
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDetectErrors(t *testing.T) {
	e := bqemu.Start(t)
	c := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e.CreateDataset(t, "empty")
	e.CreateDataset(t, "other")
	for _, name := range []string{"orders", "customers"} {
		if err := c.Dataset("other").Table(name).Create(ctx, &bq.TableMetadata{Schema: bq.Schema{{Name: "id", Type: bq.IntegerFieldType}}}); err != nil {
			t.Fatal(err)
		}
	}
	// A sink table whose latency has a type the SQL cannot read.
	e.CreateDataset(t, "odd")
	if err := c.Dataset("odd").Table(logbq.SinkRequests).Create(ctx, &bq.TableMetadata{Schema: bq.Schema{
		{Name: "httpRequest", Type: bq.RecordFieldType, Schema: bq.Schema{{Name: "latency", Type: bq.BooleanFieldType}}},
	}}); err != nil {
		t.Fatal(err)
	}
	p := e.Project
	for _, tc := range []struct {
		ref  string
		want []string // substrings of the error
	}{
		{"justone", []string{`"justone"`, "PROJECT.DATASET"}},
		{p + "..x", []string{"PROJECT.DATASET"}},
		{p + ".empty", []string{"dataset " + p + ".empty", "no tables", logbq.LinkedView, logbq.SinkRequests}},
		{p + ".other", []string{"dataset " + p + ".other", "2 tables (customers, orders)"}},
		{p + ".other.orders", []string{"dataset " + p + ".other", "table orders is neither", "no log_id", "no httpRequest"}},
		{p + ".other.nothing", []string{"dataset " + p + ".other", "no view nothing", "nothing_YYYYMMDD", "2 tables"}},
		{p + ".odd", []string{"dataset " + p + ".odd", "httpRequest.latency is BOOLEAN"}},
		{p + ".absent", []string{"dataset " + p + ".absent"}},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			src, err := logbq.Detect(ctx, c, tc.ref)
			if err == nil {
				t.Fatalf("no error; got %+v", src)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

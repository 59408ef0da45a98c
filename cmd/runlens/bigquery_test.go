package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/bqemu"
)

// TestReportFromBigQuery loads every fixture's logs into the BigQuery
// emulator, as a linked dataset and as a log sink (date-sharded and
// partitioned), and reports from it with the rest of the fixture: the
// report is the one the snapshot's own logs give, every figure of it
// (the summary computed in SQL is the one the readers make).
func TestReportFromBigQuery(t *testing.T) {
	emu := bqemu.Start(t)
	c := emu.Client(t)
	ctx := context.Background()
	dirs, err := filepath.Glob("../../fixtures/*/manifest.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	layouts := []struct {
		name   string
		layout logbq.Layout
		opts   bqemu.LoadOptions
	}{
		{"linked", logbq.Linked, bqemu.LoadOptions{}},
		{"sink-sharded", logbq.Sink, bqemu.LoadOptions{Sharded: true}},
		{"sink-partitioned", logbq.Sink, bqemu.LoadOptions{}}, // one fixture: the SQL is the sharded one's but its FROM
	}
	for _, m := range dirs {
		fix := filepath.Dir(m)
		name := filepath.Base(fix)
		want := filepath.Join(t.TempDir(), "want.json")
		if _, stderr, err := runCLI(t, "report", fix, "-json", want, "-format", "none"); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr)
		}
		entries, err := bqemu.ReadSnapshot(fix)
		if err != nil {
			t.Fatal(err)
		}
		rest := withoutLogs(t, fix)
		for _, l := range layouts {
			if l.name == "sink-partitioned" && name != "paper-mobilenet" {
				continue
			}
			t.Run(name+"/"+l.name, func(t *testing.T) {
				t.Parallel() // the emulator answers several at once
				ds := emu.CreateDataset(t, strings.ReplaceAll(name+"_"+l.name, "-", "_"))
				if err := bqemu.Load(ctx, c, ds, l.layout, l.opts, entries); err != nil {
					t.Fatal(err)
				}
				got := filepath.Join(t.TempDir(), "got.json")
				_, stderr, err := runCLI(t, "report", rest, "-bigquery", emu.Project+"."+ds, "-bigquery-endpoint", emu.Endpoint,
					"-json", got, "-format", "none")
				if err != nil {
					t.Fatalf("%v\n%s", err, stderr)
				}
				if !strings.Contains(stderr, "would scan") {
					t.Errorf("no dry run on stderr:\n%s", stderr)
				}
				var opts []cmp.Option
				wantJSON, gotJSON := reportWithout(t, want), reportWithout(t, got)
				if l.layout == logbq.Linked {
					// A linked dataset's latency is an INTERVAL, which
					// BigQuery holds to the microsecond: figures of
					// latency may differ by that, in ms or in s. Nor is
					// the latency sample the same past its size: a
					// request's hash is of its latency in nanoseconds.
					delete(wantJSON["series"].(map[string]any), "latency")
					delete(gotJSON["series"].(map[string]any), "latency")
					opts = append(opts, cmpopts.EquateApprox(0, 1e-3), cmp.Transformer("µs", toMicroseconds))
				}
				if d := cmp.Diff(wantJSON, gotJSON, opts...); d != "" {
					t.Errorf("report from BigQuery differs from the snapshot's (-snapshot +bigquery):\n%s", d)
				}
			})
		}
	}
}

// withoutLogs copies a snapshot without its request and system logs.
func withoutLogs(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(dir))
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(out, rel), 0o755)
		}
		if rel == snapshot.RequestsFile || rel == snapshot.SystemFile {
			return nil
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.Create(filepath.Join(out, rel))
		if err != nil {
			return err
		}
		defer dst.Close()
		_, err = io.Copy(dst, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// toMicroseconds truncates an RFC 3339 time to the microsecond; other
// strings are left as they are.
func toMicroseconds(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// TestCollectFromBigQuery collects the fixture's metrics and service from
// fake-gcp and its logs from the BigQuery emulator (collect -bigquery): no
// Logging API call, the summary and the system log in the snapshot, the
// queries in its manifest, and the snapshot reports as the fixture does.
func TestCollectFromBigQuery(t *testing.T) {
	fixture := paperSnapshot(t)
	emu := bqemu.Start(t)
	entries, err := bqemu.ReadSnapshot(fixture)
	if err != nil {
		t.Fatal(err)
	}
	ds := emu.CreateDataset(t, "run_logs")
	if err := bqemu.Load(context.Background(), emu.Client(t), ds, logbq.Sink, bqemu.LoadOptions{Sharded: true}, entries); err != nil {
		t.Fatal(err)
	}
	addr := startFakeGCP(t, fixture)
	var m struct {
		Project, Region, Service string
		Window                   struct{ Start, End time.Time }
	}
	readJSON(t, filepath.Join(fixture, "manifest.json"), &m)
	snap := filepath.Join(t.TempDir(), "snap")
	_, stderr, err := liveCLI(t, "collect", "-endpoint", addr, "-project", m.Project, "-region", m.Region, "-service", m.Service,
		"-start", m.Window.Start.Format(time.RFC3339Nano), "-end", m.Window.End.Format(time.RFC3339Nano), "-q",
		"-bigquery", emu.Project+"."+ds, "-bigquery-endpoint", emu.Endpoint, "-locust", filepath.Join(fixture, "client", "mobilenet"), "-o", snap)
	if err != nil {
		t.Fatalf("collect: %v\n%s", err, stderr)
	}
	var got struct {
		APICalls map[string]int `json:"api_calls"`
		BigQuery struct {
			Dataset, Layout string
			Queries         []struct {
				Name, SQL string
				JobID     string `json:"job_id"`
				Rows      int
			}
		}
	}
	readJSON(t, filepath.Join(snap, "manifest.json"), &got)
	for api, n := range got.APICalls {
		if strings.Contains(strings.ToLower(api), "logging") && n > 0 {
			t.Errorf("%d calls to %s: the logs are BigQuery's", n, api)
		}
	}
	if len(got.BigQuery.Queries) != 2 || got.BigQuery.Layout != logbq.Sink.String() {
		t.Fatalf("manifest's bigquery: %+v", got.BigQuery)
	}
	for _, q := range got.BigQuery.Queries {
		if q.SQL == "" || q.Rows == 0 || q.JobID == "" {
			t.Errorf("query %s: job %q, %d rows, SQL %d bytes", q.Name, q.JobID, q.Rows, len(q.SQL))
		}
	}
	if _, err := os.Stat(filepath.Join(snap, snapshot.RequestsFile)); !os.IsNotExist(err) {
		t.Errorf("%s in the snapshot: %v", snapshot.RequestsFile, err)
	}
	want := filepath.Join(t.TempDir(), "want.json")
	if _, stderr, err := runCLI(t, "report", fixture, "-json", want, "-format", "none"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	gotReport := filepath.Join(t.TempDir(), "got.json")
	if _, stderr, err := runCLI(t, "report", snap, "-json", gotReport, "-format", "none"); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if d := cmp.Diff(reportWithout(t, want), reportWithout(t, gotReport)); d != "" {
		t.Errorf("report of the collected snapshot (-fixture +collected):\n%s", d)
	}
}

package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runlens/runlens/collect"
	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/internal/bqemu"
	"github.com/runlens/runlens/internal/fixturetest"
)

// TestAuditFromBigQuery audits the three-service project twice: its logs
// through Cloud Logging (fake-gcp), then with -bigquery from the BigQuery
// emulator, where the three services' logs are in one log sink's dataset,
// then in a Log Analytics linked dataset.
// The second reads every service whole with no Logging API call, one
// query summarizing all three, and gives every service the row the first
// gives: requests, cost, cold starts, error rate and idle share exact,
// p95 within 1 % (a sketch's quantile against the exact one).
func TestAuditFromBigQuery(t *testing.T) {
	dirs := threeServices(t)
	emu := bqemu.Start(t)
	var entries []collect.LogEntry
	for _, dir := range dirs {
		es, err := bqemu.ReadSnapshot(dir)
		must(t, err)
		entries = append(entries, es...)
	}
	layouts := []struct {
		ds     string
		layout logbq.Layout
		opts   bqemu.LoadOptions
	}{
		{"run_logs", logbq.Sink, bqemu.LoadOptions{Sharded: true}},
		{"linked_logs", logbq.Linked, bqemu.LoadOptions{}},
	}
	for _, c := range layouts {
		emu.CreateDataset(t, c.ds)
		must(t, bqemu.Load(context.Background(), emu.Client(t), c.ds, c.layout, c.opts, entries))
	}
	srv := fixturetest.Serve(t, dirs...)
	out := t.TempDir()
	args := []string{"audit", "-endpoint", srv.Addr(), "-project", "runlens-demo", "-start", auditStart, "-end", auditEnd,
		"-log-budget", "60000", "-format", "none", "-q"}

	logging := filepath.Join(out, "logging.json")
	if _, stderr, err := liveCLI(t, append(args, "-json", logging)...); err != nil {
		t.Fatalf("audit: %v\n%s", err, stderr)
	}
	for _, c := range layouts {
		before := srv.Calls()["ListLogEntries"]
		pushed := filepath.Join(out, c.ds+".json")
		// runCLI: the emulator takes longer than liveCLI's minute.
		page := filepath.Join(out, c.ds+".html")
		_, stderr, err := runCLI(t, append(args, "-json", pushed, "-o", page, "-bigquery", emu.Project+"."+c.ds, "-bigquery-endpoint", emu.Endpoint)...)
		if err != nil {
			t.Fatalf("audit -bigquery: %v\n%s", err, stderr)
		}
		if !strings.Contains(stderr, "bigquery: query summary would scan") {
			t.Errorf("no dry run's estimate on stderr:\n%s", stderr)
		}
		want, got := readAuditJSON(t, logging), readAuditJSON(t, pushed)
		if calls := srv.Calls()["ListLogEntries"] - before; calls != 0 || got.APICalls["ListLogEntries"] != 0 || got.LogBudget.Used != 0 {
			t.Errorf("audit -bigquery: fake-gcp saw %d ListLogEntries calls, the audit's JSON %d (used %d); want none",
				calls, got.APICalls["ListLogEntries"], got.LogBudget.Used)
		}
		b := got.BigQuery
		if b == nil || b.Dataset != emu.Project+"."+c.ds || b.Layout != c.layout.String() || len(b.Queries) != 2 {
			t.Fatalf("the audit's bigquery: %+v; want the dataset and its two queries", b)
		}
		for _, q := range b.Queries {
			if q.JobID == "" || q.Rows == 0 || q.Refused {
				t.Errorf("query %s: job %q, %d rows, refused %v", q.Name, q.JobID, q.Rows, q.Refused)
			}
		}
		if !strings.Contains(b.Queries[0].SQL, "GROUP BY gs, gl") {
			t.Errorf("the summary's query is not grouped by service:\n%s", b.Queries[0].SQL)
		}
		raw, err := os.ReadFile(page)
		must(t, err)
		if !strings.Contains(string(raw), "BigQuery: logs read from "+b.Dataset+" ("+c.layout.String()+"): summary job "+b.Queries[0].JobID) {
			t.Errorf("the page does not say which BigQuery jobs read the logs")
		}
		if len(got.Services) != 3 || len(want.Services) != 3 {
			t.Fatalf("%d services from BigQuery, %d from Cloud Logging; want 3", len(got.Services), len(want.Services))
		}
		for _, w := range want.Services {
			g := serviceRow(t, got, w.Name)
			if w.Logs.Status != "full" || g.Logs.Status != "full" || g.Logs.CallsMade != 0 || g.Logs.EntriesRead != w.Logs.EntriesRead || g.Error != "" {
				t.Errorf("%s: logs %+v from BigQuery, %+v from Cloud Logging; want both full, the same entries, no call", w.Name, g.Logs, w.Logs)
			}
			if g.Requests != w.Requests || g.CostUSD != w.CostUSD || g.USDPer1kRequests != w.USDPer1kRequests || g.Region != w.Region {
				t.Errorf("%s: %d requests, $%v ($%v/1k), %s from BigQuery; %d, $%v ($%v/1k), %s from Cloud Logging", w.Name,
					g.Requests, g.CostUSD, g.USDPer1kRequests, g.Region, w.Requests, w.CostUSD, w.USDPer1kRequests, w.Region)
			}
			// A linked dataset's http_request.latency is an INTERVAL, to the
			// microsecond: each request's busy time may lose up to 1 µs,
			// the idle share gain that over the billable time.
			idleTol := 0.0
			if c.layout == logbq.Linked && w.IdleShare != nil && *w.IdleShare > 0 && w.Report != nil {
				idleTol = float64(w.Requests) * 1e-6 / w.Report.Cost.BillableInstanceSeconds / *w.IdleShare
			}
			for _, f := range []struct {
				name      string
				got, want *float64
				tol       float64
			}{
				{"idle share", g.IdleShare, w.IdleShare, idleTol},
				{"cold start share", g.ColdStartShare, w.ColdStartShare, 0},
				{"error rate", g.ErrorRate, w.ErrorRate, 0},
				{"p95", g.P95MS, w.P95MS, 0.01},
			} {
				if f.got == nil || f.want == nil || math.Abs(*f.got-*f.want) > f.tol**f.want {
					t.Errorf("%s: %s %v from BigQuery, %v from Cloud Logging", w.Name, f.name, deref(f.got), deref(f.want))
				}
			}
			if g.ColdStarts == nil || w.ColdStarts == nil || *g.ColdStarts != *w.ColdStarts {
				t.Errorf("%s: %v cold starts from BigQuery, %v from Cloud Logging", w.Name, deref(g.ColdStarts), deref(w.ColdStarts))
			}
			t.Logf("%s: %d requests (%d entries), $%v, %v cold starts, p95 %v ms from BigQuery (%v from Cloud Logging)",
				w.Name, g.Requests, g.Logs.EntriesRead, g.CostUSD, deref(g.ColdStarts), deref(g.P95MS), deref(w.P95MS))
			if g.Report == nil || w.Report == nil || g.Report.Cost.BillableInstanceSeconds != w.Report.Cost.BillableInstanceSeconds {
				t.Errorf("%s: the reports' billing differs", w.Name)
			}
		}
		if got.TotalCostUSD != want.TotalCostUSD || got.TotalRequests != want.TotalRequests {
			t.Errorf("totals: $%v, %d requests from BigQuery; $%v, %d from Cloud Logging", got.TotalCostUSD, got.TotalRequests, want.TotalCostUSD, want.TotalRequests)
		}
	}
}

// deref is *p, or nil.
func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// -bigquery reads no log through Cloud Logging: a Logging filter is
// refused with it, as is a -bigquery-endpoint without -bigquery.
func TestAuditBigQueryUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-bigquery", "p.d", "-filter", `severity>=ERROR`}, "-filter is a Cloud Logging filter"},
		{[]string{"-bigquery-endpoint", "http://127.0.0.1:9050"}, "-bigquery-endpoint needs -bigquery"},
		{[]string{"-bigquery", "p.d", "-max-bytes", "0"}, "-max-bytes: want a positive number"},
	} {
		args := append([]string{"audit", "-project", "p", "-start", auditStart, "-end", auditEnd, "-format", "none"}, c.args...)
		_, _, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

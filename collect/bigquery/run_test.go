package bigquery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	bq "cloud.google.com/go/bigquery"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/api/iterator"

	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/internal/bqemu"
)

// The emulator's dry run executes the query and reports the bytes of its
// result as totalBytesProcessed, where BigQuery reports the bytes it would
// scan without running anything: the estimates below are the emulator's,
// and the tests check that Runner acts on whatever the dry run reports.

func loadedEmulator(t *testing.T) (*bqemu.Emulator, *bq.Client, context.Context) {
	t.Helper()
	entries := fixtureEntries(t)
	e := bqemu.Start(t)
	c := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	if err := bqemu.Load(ctx, c, e.Dataset, logbq.Linked, bqemu.LoadOptions{}, entries); err != nil {
		t.Fatal(err)
	}
	return e, c, ctx
}

const countSQL = `SELECT log_id, COUNT(*) AS n FROM logs._AllLogs WHERE log_id = @log GROUP BY log_id`

func TestRunnerQuery(t *testing.T) {
	_, c, ctx := loadedEmulator(t)
	var log bytes.Buffer
	r := &logbq.Runner{Client: c, Labels: map[string]string{"env": "test", "team-x": "a_b-1"}, Log: &log}
	params := []bq.QueryParameter{{Name: "log", Value: "run.googleapis.com/requests"}}
	res, err := r.Query(ctx, "Request counts", countSQL, params)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]bq.Value{{"run.googleapis.com/requests", int64(425)}}, res.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if len(res.Schema) != 2 || res.Schema[0].Name != "log_id" || res.Schema[1].Name != "n" {
		t.Errorf("schema %v, want log_id, n", res.Schema)
	}
	if res.JobID == "" || res.EstimatedBytes <= 0 || res.ProcessedBytes <= 0 || res.BilledBytes <= 0 {
		t.Errorf("result %+v: want a job id, an estimate and byte counts", res)
	}
	for _, want := range []string{"bigquery: query Request counts would scan ", "$0.0000 on demand at $6.25/TiB", "job " + res.JobID + " scanned"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log does not say %q:\n%s", want, log.String())
		}
	}

	// The job carries the labels.
	job, err := c.JobFromID(ctx, res.JobID)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := job.Config()
	if err != nil {
		t.Fatal(err)
	}
	qc, ok := cfg.(*bq.QueryConfig)
	if !ok {
		t.Fatalf("job config %T, want a query", cfg)
	}
	wantLabels := map[string]string{"app": "runlens", "env": "test", "team-x": "a_b-1", "runlens_query": "request_counts"}
	if diff := cmp.Diff(wantLabels, qc.Labels); diff != "" {
		t.Errorf("job labels (-want +got):\n%s", diff)
	}

	// The record is the manifest's.
	want := []logbq.QueryRecord{{
		Name: "Request counts", SQL: countSQL, JobID: res.JobID, Location: res.Location,
		EstimatedBytes: res.EstimatedBytes, ProcessedBytes: res.ProcessedBytes, BilledBytes: res.BilledBytes, Rows: 1,
	}}
	if diff := cmp.Diff(want, r.Queries); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(r.Queries)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"name":`, `"sql":`, `"job_id":`, `"estimated_bytes":`, `"processed_bytes":`, `"billed_bytes":`, `"rows":1`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("manifest JSON %s has no %s", b, key)
		}
	}
}

func TestRunnerRefuses(t *testing.T) {
	_, c, ctx := loadedEmulator(t)
	var log bytes.Buffer
	r := &logbq.Runner{Client: c, MaxBytes: 1, Log: &log}
	sql := "SELECT insert_id FROM logs._AllLogs"
	before := jobIDs(ctx, t, c) // the load's
	_, err := r.Query(ctx, "ids", sql, nil)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"query ids would scan", "more than -max-bytes 1 B (1 bytes)", "raise -max-bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if len(r.Queries) != 1 || !r.Queries[0].Refused || r.Queries[0].JobID != "" || r.Queries[0].EstimatedBytes <= 1 {
		t.Errorf("records %+v, want one refused query with its estimate", r.Queries)
	}
	if !strings.Contains(log.String(), "query ids would scan") {
		t.Errorf("log %q does not give the estimate", log.String())
	}
	// A dry run leaves no job behind: no job ran.
	if ids := jobIDs(ctx, t, c); !cmp.Equal(ids, before) {
		t.Errorf("jobs %v after a refused query, want %v", ids, before)
	}

	// Under the limit, the same query runs.
	r.MaxBytes = logbq.DefaultMaxBytes
	res, err := r.Query(ctx, "ids", sql, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ids := jobIDs(ctx, t, c); !cmp.Equal(ids, append(before, res.JobID), cmpopts.SortSlices(func(a, b string) bool { return a < b })) {
		t.Errorf("jobs %v, want %v and the query's %s", ids, before, res.JobID)
	}
}

func jobIDs(ctx context.Context, t *testing.T, c *bq.Client) []string {
	t.Helper()
	var ids []string
	it := c.Jobs(ctx)
	for {
		j, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return ids
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID())
	}
}

func TestRunnerErrors(t *testing.T) {
	_, c, ctx := loadedEmulator(t)
	for _, tc := range []struct {
		name   string
		labels map[string]string
		sql    string
		want   string
	}{
		{"bad-key", map[string]string{"Env": "x"}, countSQL, `job label key "Env"`},
		{"bad-value", map[string]string{"env": "Prod"}, countSQL, `job label env="Prod"`},
		{"bad-sql", nil, "SELECT nope FROM logs._AllLogs", "dry run of query bad-sql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &logbq.Runner{Client: c, Labels: tc.labels}
			_, err := r.Query(ctx, tc.name, tc.sql, []bq.QueryParameter{{Name: "log", Value: "x"}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestBytesAndPrice(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 10 << 30: "10.0 GiB", 3 << 40: "3.0 TiB"} {
		if got := logbq.Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
	if got := logbq.PriceUSD(1 << 40); got != 6.25 {
		t.Errorf("PriceUSD(1 TiB) = %v, want 6.25", got)
	}
	if got := logbq.LabelValue("Cold starts/by revision"); got != "cold_starts_by_revision" {
		t.Errorf("LabelValue = %q", got)
	}
}

package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/internal/atomicfile"
	"github.com/runlens/runlens/internal/jsonerr"
	"github.com/runlens/runlens/model"
)

// BigQuery is where a report reads the request and system logs instead of
// from files: the dataset where Cloud Logging keeps them in BigQuery (a
// Log Analytics linked dataset, or a log sink's). The request log's
// summary is computed there and fetched; the system log's entries are
// fetched as they are (a few per instance).
type BigQuery struct {
	// Ref is PROJECT.DATASET[.VIEW_OR_TABLE_PREFIX]; the queries run as
	// jobs of PROJECT.
	Ref string
	// Endpoint is a BigQuery emulator's URL, reached without credentials;
	// "" is Google's, with the application default credentials.
	Endpoint string
	// MaxBytes is the most one query may scan (bigquery.Runner).
	MaxBytes int64
	// Labels are added to the jobs' labels.
	Labels map[string]string
	// Log receives the dry runs' estimates and the queries' figures.
	Log io.Writer
	// Queries is filled with the queries run, for the manifest.
	Queries []bigquery.QueryRecord
}

// loadBigQuery reads the logs of b into ds, within ds's scope: the summary
// is merged into ds's (ds.Sink), the system entries read as a file's.
func loadBigQuery(ctx context.Context, b *BigQuery, ds *model.Dataset) error {
	src, sum, rows, entries, err := pushdown(ctx, b, ds.Scope)
	if err != nil {
		return err
	}
	addPushdown(ds, b.Ref, src, sum, rows, entries)
	return nil
}

// addPushdown adds to ds what a pushdown read of ref: the request log's
// summary, merged into ds's (ds.Sink), of rows rows of its query's answer,
// and the system log's entries, read as a file's.
func addPushdown(ds *model.Dataset, ref string, src *bigquery.Source, sum *summary.Summary, rows int, entries []collect.LogEntry) {
	mine, ok := ds.Sink.(*summary.Summary)
	if !ok {
		mine = summary.New()
		ds.Sink = mine
	}
	mine.Combine(sum)
	name := "bigquery:" + ref
	ds.Sources = append(ds.Sources, model.Source{Path: name, Format: "BigQuery " + src.Layout.String() + " summary", Items: rows})
	if len(entries) > 0 {
		collect.AddEntries(name, slices.Values(entries), ds)
	}
}

// pushdown runs the queries of b within scope: the request log's summary
// (and the rows its query answered) and the system log's entries.
func pushdown(ctx context.Context, b *BigQuery, scope model.Scope) (*bigquery.Source, *summary.Summary, int, []collect.LogEntry, error) {
	var (
		sum  *summary.Summary
		rows int
	)
	sc := bigquery.ScopeOf(scope)
	src, entries, err := b.run(ctx, sc, func(r *bigquery.Runner, src *bigquery.Source) (err error) {
		sum, rows, err = bigquery.Summarize(ctx, r, src, sc)
		return err
	})
	return src, sum, rows, entries, err
}

// pushdownAll runs the queries of b for every service of the window at
// once, grouped by service: each service's request log summary, and the
// system log entries (SystemOf splits them by service).
func pushdownAll(ctx context.Context, b *BigQuery, start, end time.Time) (*bigquery.Source, map[bigquery.Group]*bigquery.Summarized, []collect.LogEntry, error) {
	var sums map[bigquery.Group]*bigquery.Summarized
	sc := bigquery.Scope{From: start, To: end, ByService: true}
	src, entries, err := b.run(ctx, sc, func(r *bigquery.Runner, src *bigquery.Source) (err error) {
		sums, err = bigquery.SummarizeAll(ctx, r, src, sc)
		return err
	})
	return src, sums, entries, err
}

// run connects to BigQuery, detects the layout of b's dataset, runs
// summarize and then the system log's query of sc, and keeps the queries
// in b.Queries.
func (b *BigQuery) run(ctx context.Context, sc bigquery.Scope, summarize func(*bigquery.Runner, *bigquery.Source) error) (*bigquery.Source, []collect.LogEntry, error) {
	project, _, ok := strings.Cut(b.Ref, ".")
	if !ok || project == "" {
		return nil, nil, fmt.Errorf("-bigquery %q: want PROJECT.DATASET[.VIEW_OR_TABLE_PREFIX]", b.Ref)
	}
	var opts []option.ClientOption
	if b.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(b.Endpoint), option.WithoutAuthentication())
	}
	c, err := bq.NewClient(ctx, project, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("BigQuery: %w", err)
	}
	defer c.Close()
	src, err := bigquery.Detect(ctx, c, b.Ref)
	if err != nil {
		return nil, nil, err
	}
	r := &bigquery.Runner{Client: c, MaxBytes: b.MaxBytes, Labels: b.Labels, Log: b.Log}
	defer func() { b.Queries = r.Queries }()
	if err := summarize(r, src); err != nil {
		return src, nil, err
	}
	entries, err := bigquery.SystemEntries(ctx, r, src, sc)
	return src, entries, err
}

// CollectBigQuery adds to the snapshot in dir, whose logs were not read
// (collect -bigquery), the logs of b within the snapshot's scope: the
// request log's summary (summary.json) and the system log's entries, and
// records the queries in its manifest. The files are written together or
// not at all; the manifest last.
func CollectBigQuery(ctx context.Context, b *BigQuery, dir string) error {
	mpath := filepath.Join(dir, snapshot.ManifestFile)
	raw, err := os.ReadFile(mpath)
	if err != nil {
		return err
	}
	var m model.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return jsonerr.At(mpath, raw, err)
	}
	src, sum, rows, entries, err := pushdown(ctx, b, model.Scope{Service: m.Service, Region: m.Region, Window: m.Window})
	m.BigQuery = &model.BigQueryRead{Dataset: b.Ref, Queries: b.Queries}
	if src != nil {
		m.BigQuery.Layout = src.Layout.String()
	}
	if err != nil {
		// The queries tried are recorded, refused ones with their estimate.
		if werr := snapshot.WriteManifest(dir, m); werr != nil {
			return errors.Join(err, werr)
		}
		return err
	}
	if m.Sources == nil {
		m.Sources = map[string]string{}
	}
	m.Sources["requests"] = fmt.Sprintf("BigQuery %s %s: the summary of %d requests (%d rows)", src.Layout, b.Ref, sum.Requests(), rows)
	m.Sources["system"] = fmt.Sprintf("BigQuery %s %s: %d entries", src.Layout, b.Ref, len(entries))
	var set atomicfile.Set
	set.Add(filepath.Join(dir, snapshot.SummaryFile), sum.WriteJSON)
	set.Add(filepath.Join(dir, snapshot.SystemFile), snapshot.EntriesFill(entries))
	set.Add(mpath, snapshot.ManifestFill(m))
	return set.Write()
}

package pipeline

import (
	"context"
	"fmt"
	"io"
	"strings"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/bigquery"
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
	project, _, ok := strings.Cut(b.Ref, ".")
	if !ok || project == "" {
		return fmt.Errorf("-bigquery %q: want PROJECT.DATASET[.VIEW_OR_TABLE_PREFIX]", b.Ref)
	}
	var opts []option.ClientOption
	if b.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(b.Endpoint), option.WithoutAuthentication())
	}
	c, err := bq.NewClient(ctx, project, opts...)
	if err != nil {
		return fmt.Errorf("BigQuery: %w", err)
	}
	defer c.Close()
	src, err := bigquery.Detect(ctx, c, b.Ref)
	if err != nil {
		return err
	}
	r := &bigquery.Runner{Client: c, MaxBytes: b.MaxBytes, Labels: b.Labels, Log: b.Log}
	defer func() { b.Queries = r.Queries }()
	sc := bigquery.ScopeOf(ds.Scope)
	sum, rows, err := bigquery.Summarize(ctx, r, src, sc)
	if err != nil {
		return err
	}
	mine, ok := ds.Sink.(*summary.Summary)
	if !ok {
		mine = summary.New()
		ds.Sink = mine
	}
	mine.Combine(sum)
	name := "bigquery:" + b.Ref
	ds.Sources = append(ds.Sources, model.Source{Path: name, Format: "BigQuery " + src.Layout.String() + " summary", Items: rows})
	entries, err := bigquery.SystemEntries(ctx, r, src, sc)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		collect.AddEntries(name, func(yield func(collect.LogEntry) bool) {
			for _, e := range entries {
				if !yield(e) {
					return
				}
			}
		}, ds)
	}
	return nil
}

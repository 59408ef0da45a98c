package bigquery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	bq "cloud.google.com/go/bigquery"

	"github.com/runlens/runlens/model"
	"google.golang.org/api/iterator"
)

// On-demand query pricing, which the byte estimates are priced at: $6.25
// per TiB scanned in the US and EU multi-regions, the first TiB of each
// month free per billing account, at least 10 MB billed per table a query
// references. Source: cloud.google.com/bigquery/pricing (on-demand compute
// pricing), the rate since 2023-07-05, still the rate in December 2026.
// Single regions cost more; capacity (slot) pricing bills no bytes.
const (
	OnDemandUSDPerTiB = 6.25
	OnDemandPriceDate = "2026-12"
	OnDemandFreeTiB   = 1
)

// DefaultMaxBytes is the default of -max-bytes, the most one query may
// scan: 10 GiB, about $0.06 on demand. A day of a busy service's request
// logs is a few GB in the columns the pushdown reads, so a week fits;
// a larger window needs the flag raised on purpose.
const DefaultMaxBytes int64 = 10 << 30

// minBilledBytes is what BigQuery bills at least per table a query
// references (10 MB), rounded up: MaxBytesBilled below it fails queries
// whose estimate passed.
const minBilledBytes = 10 << 20

// Runner runs the pushdown's queries: a dry run first for the bytes the
// query would scan, which it prints with their on-demand price to Log and
// refuses above MaxBytes; then the query, as a job labelled app=runlens
// (plus Labels, plus runlens_query=NAME), whose rows it returns whole.
// The pushdown's queries return summaries, not log entries: their rows fit
// in memory.
type Runner struct {
	Client *bq.Client
	// MaxBytes is the most a query may scan by its dry run's estimate;
	// zero means DefaultMaxBytes. It is also the job's maximum bytes
	// billed (at least 10 MiB per table), so BigQuery itself stops a query
	// whose estimate was wrong.
	MaxBytes int64
	// Labels are added to every job. Keys and values must be lowercase
	// letters, digits, underscores and dashes, keys starting with a
	// letter, at most 63 characters; app is always runlens.
	Labels map[string]string
	// Log receives a line per dry run and per query; nil discards them.
	Log io.Writer
	// Queries records every query Query was given, in order, refused ones
	// included, for the run's manifest.
	Queries []QueryRecord
}

// QueryRecord is a query as the manifest keeps it.
type QueryRecord = model.Query

// Result is what a query returned.
type Result struct {
	Schema bq.Schema
	Rows   [][]bq.Value
	// JobID and Location name the job; the byte counts are as in
	// QueryRecord.
	JobID, Location                             string
	EstimatedBytes, ProcessedBytes, BilledBytes int64
	CacheHit                                    bool
}

// Query dry-runs sql, prints its estimate, refuses it if it would scan
// more than MaxBytes, then runs it with params and returns its rows. name
// identifies the query in logs, labels and the manifest.
func (r *Runner) Query(ctx context.Context, name, sql string, params []bq.QueryParameter) (*Result, error) {
	labels, err := r.jobLabels(name)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	rec := QueryRecord{Name: name, SQL: sql}
	est, refs, err := r.dryRun(ctx, sql, params)
	if err != nil {
		return nil, fmt.Errorf("dry run of query %s: %w", name, err)
	}
	rec.EstimatedBytes = est
	maxBytes := r.maxBytes()
	fmt.Fprintf(r.log(), "bigquery: query %s would scan %s, $%.4f on demand at $%.2f/TiB (%s; first %d TiB a month free)\n",
		name, Bytes(est), PriceUSD(est), OnDemandUSDPerTiB, OnDemandPriceDate, OnDemandFreeTiB)
	if est > maxBytes {
		rec.Refused = true
		r.Queries = append(r.Queries, rec)
		return nil, fmt.Errorf("query %s would scan %s (%d bytes, $%.2f on demand), more than -max-bytes %s (%d bytes): raise -max-bytes to run it, or narrow the window",
			name, Bytes(est), est, PriceUSD(est), Bytes(maxBytes), maxBytes)
	}
	res, err := r.run(ctx, sql, params, labels, max(maxBytes, int64(minBilledBytes*max(1, refs))))
	if res != nil {
		rec.JobID, rec.Location = res.JobID, res.Location
	}
	if err != nil {
		r.Queries = append(r.Queries, rec)
		return nil, fmt.Errorf("query %s: %w", name, err)
	}
	res.EstimatedBytes = est
	rec.ProcessedBytes, rec.BilledBytes, rec.CacheHit, rec.Rows = res.ProcessedBytes, res.BilledBytes, res.CacheHit, len(res.Rows)
	r.Queries = append(r.Queries, rec)
	fmt.Fprintf(r.log(), "bigquery: query %s: job %s scanned %s, billed %s ($%.4f), %d rows\n",
		name, res.JobID, Bytes(res.ProcessedBytes), Bytes(res.BilledBytes), PriceUSD(res.BilledBytes), len(res.Rows))
	return res, nil
}

// dryRun returns the bytes the query would scan and how many tables it
// references. BigQuery answers a dry run without running the query; the
// emulator the tests use runs it in a transaction it rolls back and
// reports the bytes of its result instead.
func (r *Runner) dryRun(ctx context.Context, sql string, params []bq.QueryParameter) (int64, int, error) {
	q := r.Client.Query(sql)
	q.Parameters = params
	q.DryRun = true
	job, err := q.Run(ctx)
	if err != nil {
		return 0, 0, err
	}
	st := job.LastStatus()
	if st == nil || st.Statistics == nil {
		return 0, 0, errors.New("no statistics in the dry run's answer")
	}
	if err := st.Err(); err != nil {
		return 0, 0, err
	}
	refs := 0
	if qs, ok := st.Statistics.Details.(*bq.QueryStatistics); ok {
		refs = len(qs.ReferencedTables)
	}
	return st.Statistics.TotalBytesProcessed, refs, nil
}

// run runs the query job and reads its rows.
func (r *Runner) run(ctx context.Context, sql string, params []bq.QueryParameter, labels map[string]string, maxBilled int64) (*Result, error) {
	q := r.Client.Query(sql)
	q.Parameters = params
	q.Labels = labels
	q.MaxBytesBilled = maxBilled
	job, err := q.Run(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{JobID: job.ID(), Location: job.Location()}
	st, err := job.Wait(ctx)
	if err != nil {
		return res, fmt.Errorf("job %s: %w", job.ID(), err)
	}
	if err := st.Err(); err != nil {
		return res, fmt.Errorf("job %s: %w", job.ID(), err)
	}
	if st.Statistics != nil {
		res.ProcessedBytes = st.Statistics.TotalBytesProcessed
		if qs, ok := st.Statistics.Details.(*bq.QueryStatistics); ok {
			res.ProcessedBytes, res.BilledBytes, res.CacheHit = qs.TotalBytesProcessed, qs.TotalBytesBilled, qs.CacheHit
		}
	}
	it, err := job.Read(ctx)
	if err != nil {
		return res, fmt.Errorf("reading the rows of job %s: %w", job.ID(), err)
	}
	for {
		var row []bq.Value
		err := it.Next(&row)
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("reading the rows of job %s: %w", job.ID(), err)
		}
		res.Rows = append(res.Rows, row)
	}
	res.Schema = it.Schema
	return res, nil
}

var (
	labelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	labelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
)

// jobLabels are the labels of the query named name.
func (r *Runner) jobLabels(name string) (map[string]string, error) {
	labels := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(r.Labels)) {
		v := r.Labels[k]
		if !labelKey.MatchString(k) {
			return nil, fmt.Errorf("job label key %q: want a lowercase letter, then up to 62 lowercase letters, digits, _ or -", k)
		}
		if !labelValue.MatchString(v) {
			return nil, fmt.Errorf("job label %s=%q: want up to 63 lowercase letters, digits, _ or -", k, v)
		}
		labels[k] = v
	}
	labels["app"] = "runlens"
	labels["runlens_query"] = LabelValue(name)
	return labels, nil
}

// LabelValue turns s into a label value: lowercased, characters other than
// letters, digits, _ and - replaced by _, cut to 63 bytes.
func LabelValue(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b[:min(len(b), 63)])
}

func (r *Runner) maxBytes() int64 {
	if r.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return r.MaxBytes
}

func (r *Runner) log() io.Writer {
	if r.Log == nil {
		return io.Discard
	}
	return r.Log
}

// PriceUSD is the on-demand price of scanning n bytes, before the free
// tier and the 10 MB minimum.
func PriceUSD(n int64) float64 {
	return float64(n) / (1 << 40) * OnDemandUSDPerTiB
}

// Bytes formats a byte count in binary units: "512 B", "1.5 GiB".
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 5 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[i])
}

package bqemu

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"

	"github.com/runlens/runlens/collect"
	logbq "github.com/runlens/runlens/collect/bigquery"
)

// LoadOptions are the choices a layout leaves open.
type LoadOptions struct {
	// View is the linked dataset's table of entries; default
	// logbq.LinkedView (_AllLogs).
	View string
	// LatencyType is the type of the linked dataset's
	// http_request.latency: "INTERVAL" (the default) or "STRING" (the
	// LogEntry's duration string, "18.243917443s").
	LatencyType string
	// Sharded makes a sink write one table per log and UTC day
	// (run_googleapis_com_requests_20240314); otherwise each log has one
	// table partitioned by day on timestamp.
	Sharded bool
	// BatchRows is how many rows each load job carries; default 50,000.
	BatchRows int
}

// defaultBatchRows keeps a batch's NDJSON to a few tens of MB.
const defaultBatchRows = 50_000

// Load creates in dataset the tables of layout that entries need and loads
// the entries into them, in NDJSON load jobs of opts.BatchRows rows. The
// tables must not exist yet. Linked: every entry goes to one table
// (opts.View). Sink: each log goes to the table named after its log id
// (SinkTable), date-sharded or partitioned (opts.Sharded).
//
// Load jobs, not streaming inserts: the emulator stores a JSON column
// given to tabledata.insertAll as a string as a JSON string (not the
// object it holds), and fails with a nil-pointer error on an object, but
// reads objects in NDJSON load files as JSON.
func Load(ctx context.Context, c *bigquery.Client, dataset string, layout logbq.Layout, opts LoadOptions, entries []collect.LogEntry) error {
	if opts.BatchRows <= 0 {
		opts.BatchRows = defaultBatchRows
	}
	tables, err := plan(layout, opts, entries)
	if err != nil {
		return fmt.Errorf("loading %d log entries into %s (%s): %w", len(entries), dataset, layout, err)
	}
	for _, t := range tables {
		if err := t.load(ctx, c.Dataset(dataset), opts.BatchRows); err != nil {
			return fmt.Errorf("loading %d log entries into %s.%s: %w", len(t.entries), dataset, t.name, err)
		}
	}
	return nil
}

// table is a table to create and the entries to load into it, converted
// to rows (values that marshal to one NDJSON line each) a batch at a time.
type table struct {
	name    string
	meta    bigquery.TableMetadata
	entries []*collect.LogEntry
	row     func(*collect.LogEntry) (any, error)
}

// plan lays out the tables of entries.
func plan(layout logbq.Layout, opts LoadOptions, entries []collect.LogEntry) ([]*table, error) {
	switch layout {
	case logbq.Linked:
		return planLinked(opts, entries)
	case logbq.Sink:
		return planSink(opts, entries)
	}
	return nil, fmt.Errorf("unknown layout %s", layout)
}

func planLinked(opts LoadOptions, entries []collect.LogEntry) ([]*table, error) {
	latency := bigquery.IntervalFieldType
	switch opts.LatencyType {
	case "", "INTERVAL":
	case "STRING":
		latency = bigquery.StringFieldType
	default:
		return nil, fmt.Errorf("linked latency type %q: want INTERVAL or STRING", opts.LatencyType)
	}
	t := &table{
		name: cmp.Or(opts.View, logbq.LinkedView),
		meta: bigquery.TableMetadata{Schema: linkedSchema(latency)},
		row: func(e *collect.LogEntry) (any, error) {
			return newLinkedRow(e, latency == bigquery.IntervalFieldType)
		},
	}
	for i := range entries {
		t.entries = append(t.entries, &entries[i])
	}
	return []*table{t}, nil
}

func planSink(opts LoadOptions, entries []collect.LogEntry) ([]*table, error) {
	byLog := map[string][]*collect.LogEntry{}
	for i := range entries {
		id := logID(entries[i].LogName)
		byLog[id] = append(byLog[id], &entries[i])
	}
	row := func(e *collect.LogEntry) (any, error) { return newSinkRow(e) }
	var out []*table
	for _, id := range sortedKeys(byLog) {
		es := byLog[id]
		schema := sinkSchema(es)
		byName := map[string]*table{}
		for _, e := range es {
			name := SinkTable(id)
			if opts.Sharded {
				_, ts, err := timestamp(e.Timestamp)
				if err != nil || ts.IsZero() {
					return nil, fmt.Errorf("entry %s: timestamp %q: no day to shard by", e.InsertID, e.Timestamp)
				}
				name += "_" + ts.Format("20060102")
			}
			t := byName[name]
			if t == nil {
				t = &table{name: name, meta: bigquery.TableMetadata{Schema: schema}, row: row}
				if !opts.Sharded {
					t.meta.TimePartitioning = &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType, Field: "timestamp"}
				}
				byName[name] = t
			}
			t.entries = append(t.entries, e)
		}
		for _, name := range sortedKeys(byName) {
			out = append(out, byName[name])
		}
	}
	return out, nil
}

// load creates the table and loads its entries in batches.
func (t *table) load(ctx context.Context, ds *bigquery.Dataset, batch int) error {
	tb := ds.Table(t.name)
	if err := tb.Create(ctx, &t.meta); err != nil {
		return fmt.Errorf("creating: %w", err)
	}
	var buf bytes.Buffer
	for entries := range slices.Chunk(t.entries, batch) {
		buf.Reset()
		enc := json.NewEncoder(&buf)
		for _, e := range entries {
			r, err := t.row(e)
			if err != nil {
				return fmt.Errorf("entry %s: %w", e.InsertID, err)
			}
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("entry %s: %w", e.InsertID, err)
			}
		}
		if err := loadNDJSON(ctx, tb, &buf); err != nil {
			return err
		}
	}
	return nil
}

// loadNDJSON runs one load job of newline-delimited JSON into tb.
func loadNDJSON(ctx context.Context, tb *bigquery.Table, r *bytes.Buffer) error {
	src := bigquery.NewReaderSource(r)
	src.SourceFormat = bigquery.JSON
	l := tb.LoaderFrom(src)
	l.WriteDisposition = bigquery.WriteAppend
	l.CreateDisposition = bigquery.CreateNever
	// One multipart request: the emulator fails (a nil-pointer error) on
	// the resumable uploads the client makes of bodies over 16 MiB.
	l.MediaOptions = []googleapi.MediaOption{googleapi.ChunkSize(0)}
	job, err := l.Run(ctx)
	if err != nil {
		return fmt.Errorf("starting load job: %w", err)
	}
	st, err := job.Wait(ctx)
	if err != nil {
		return fmt.Errorf("load job %s: %w", job.ID(), err)
	}
	if err := st.Err(); err != nil {
		return fmt.Errorf("load job %s: %w", job.ID(), err)
	}
	return nil
}

// logID is the log id of a log name, unescaped:
// projects/P/logs/run.googleapis.com%2Frequests is run.googleapis.com/requests.
func logID(logName string) string {
	_, id, ok := strings.Cut(logName, "/logs/")
	if !ok {
		return logName
	}
	if u, err := url.PathUnescape(id); err == nil {
		return u
	}
	return id
}

// timestamp reformats an RFC 3339 time as BigQuery keeps it: UTC,
// microseconds. An empty string stays empty (NULL).
func timestamp(s string) (string, time.Time, error) {
	if s == "" {
		return "", time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", time.Time{}, err
	}
	t = t.UTC().Truncate(time.Microsecond)
	return t.Format("2006-01-02T15:04:05.000000Z"), t, nil
}

// latency parses a LogEntry duration string ("0.002891455s").
func latency(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("latency: %w", err)
	}
	return d, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

package bigquery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"
)

// Detect finds where Cloud Run's logs are in the dataset ref names,
// PROJECT.DATASET or PROJECT.DATASET.NAME, from the dataset's table list and
// the tables' schemas; it reads no rows.
//
// Without NAME, a table or view _AllLogs makes the dataset a linked one;
// else tables run_googleapis_com_requests (partitioned) or
// run_googleapis_com_requests_YYYYMMDD (shards) make it a sink's. NAME
// names the linked dataset's view (or table) of entries, which must have a
// log_id or http_request column, or the sink's requests table or shard
// prefix. When a sink's dataset holds both a partitioned table and shards
// (the sink was switched), the one modified last is used.
func Detect(ctx context.Context, c *bq.Client, ref string) (*Source, error) {
	project, dataset, name, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	d := &detector{c: c, ds: c.DatasetInProject(project, dataset), src: &Source{Project: project, Dataset: dataset}}
	if err := d.list(ctx); err != nil {
		return nil, fmt.Errorf("listing the tables of dataset %s.%s: %w", project, dataset, err)
	}
	if err := d.detect(ctx, name); err != nil {
		return nil, fmt.Errorf("finding Cloud Run logs in dataset %s.%s: %w", project, dataset, err)
	}
	return d.src, nil
}

// parseRef splits PROJECT.DATASET[.NAME].
func parseRef(ref string) (project, dataset, name string, err error) {
	parts := strings.Split(ref, ".")
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return "", "", "", fmt.Errorf("bigquery dataset %q: want PROJECT.DATASET or PROJECT.DATASET.VIEW", ref)
	}
	if len(parts) == 3 {
		name = parts[2]
	}
	return parts[0], parts[1], name, nil
}

type detector struct {
	c      *bq.Client
	ds     *bq.Dataset
	src    *Source
	tables []string // sorted
}

func (d *detector) list(ctx context.Context) error {
	it := d.ds.Tables(ctx)
	for {
		t, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return err
		}
		d.tables = append(d.tables, t.TableID)
	}
	slices.Sort(d.tables)
	return nil
}

func (d *detector) detect(ctx context.Context, name string) error {
	if name == "" {
		if d.has(LinkedView) {
			return d.linked(ctx, LinkedView)
		}
		if _, _, ok := d.family(SinkRequests); ok {
			return d.sink(ctx, SinkRequests)
		}
		return fmt.Errorf("neither a linked dataset's %s view nor a log sink's %s tables among %s",
			LinkedView, SinkRequests, d.listed())
	}
	if d.has(name) {
		md, err := d.ds.Table(name).Metadata(ctx)
		if err != nil {
			return fmt.Errorf("reading table %s: %w", name, err)
		}
		if field(md.Schema, "log_id") != nil || field(md.Schema, "http_request") != nil {
			return d.linked(ctx, name)
		}
		if field(md.Schema, "httpRequest") == nil {
			return fmt.Errorf("%s %s is neither a linked dataset's view of log entries (no log_id or http_request column) nor a log sink's requests table (no httpRequest record)",
				strings.ToLower(string(md.Type)), name)
		}
	}
	if _, _, ok := d.family(name); ok {
		return d.sink(ctx, name)
	}
	return fmt.Errorf("no view %s with a log_id or http_request column, nor sink tables %s or %s_YYYYMMDD, among %s",
		name, name, name, d.listed())
}

// linked fills the source from the view (or table) of entries.
func (d *detector) linked(ctx context.Context, view string) error {
	md, err := d.ds.Table(view).Metadata(ctx)
	if err != nil {
		return fmt.Errorf("reading %s: %w", view, err)
	}
	if field(md.Schema, "log_id") == nil && field(md.Schema, "http_request") == nil {
		return fmt.Errorf("%s has neither a log_id nor an http_request column: not a linked dataset's view of log entries", view)
	}
	t, err := latencyType(md.Schema, "http_request")
	if err != nil {
		return fmt.Errorf("%s: %w", view, err)
	}
	d.src.Layout, d.src.View, d.src.LatencyType = Linked, view, t
	return nil
}

// sink fills the source from the requests table (or shards) named
// requests, and the system log's table of the same form.
func (d *detector) sink(ctx context.Context, requests string) error {
	table, sharded, err := d.pick(ctx, requests)
	if err != nil {
		return err
	}
	md, err := d.ds.Table(table).Metadata(ctx)
	if err != nil {
		return fmt.Errorf("reading %s: %w", table, err)
	}
	t, err := latencyType(md.Schema, "httpRequest")
	if err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	d.src.Layout, d.src.Requests, d.src.Sharded, d.src.LatencyType = Sink, requests, sharded, t
	if whole, shards, _ := d.family(SinkSystem); sharded && len(shards) > 0 || !sharded && whole {
		d.src.System = SinkSystem
	}
	return nil
}

// pick chooses between the table prefix and its shards: the only one there,
// or the one modified last. table is the table whose schema stands for
// them (the last shard).
func (d *detector) pick(ctx context.Context, prefix string) (table string, sharded bool, err error) {
	whole, shards, _ := d.family(prefix)
	switch {
	case len(shards) == 0:
		return prefix, false, nil
	case !whole:
		return shards[len(shards)-1], true, nil
	}
	last := shards[len(shards)-1]
	wm, err := d.ds.Table(prefix).Metadata(ctx)
	if err != nil {
		return "", false, fmt.Errorf("reading %s: %w", prefix, err)
	}
	sm, err := d.ds.Table(last).Metadata(ctx)
	if err != nil {
		return "", false, fmt.Errorf("reading %s: %w", last, err)
	}
	if sm.LastModifiedTime.After(wm.LastModifiedTime) {
		return last, true, nil
	}
	return prefix, false, nil
}

// family tells whether the table prefix exists and lists its shards
// (prefix_YYYYMMDD, sorted); ok is true if there is either.
func (d *detector) family(prefix string) (whole bool, shards []string, ok bool) {
	for _, t := range d.tables {
		if t == prefix {
			whole = true
		} else if day, found := strings.CutPrefix(t, prefix+"_"); found && isDay(day) {
			shards = append(shards, t)
		}
	}
	return whole, shards, whole || len(shards) > 0
}

func isDay(s string) bool {
	if len(s) != 8 {
		return false
	}
	_, err := time.Parse("20060102", s)
	return err == nil
}

func (d *detector) has(table string) bool {
	_, ok := slices.BinarySearch(d.tables, table)
	return ok
}

// listed names the dataset's tables for an error message, the first few.
func (d *detector) listed() string {
	switch n := len(d.tables); {
	case n == 0:
		return "no tables (the dataset is empty)"
	case n <= 10:
		return fmt.Sprintf("%d tables (%s)", n, strings.Join(d.tables, ", "))
	default:
		return fmt.Sprintf("%d tables (%s, ...)", n, strings.Join(d.tables[:10], ", "))
	}
}

// latencyType is the type of the record's latency field: INTERVAL, STRING,
// FLOAT64 or NUMERIC.
func latencyType(s bq.Schema, record string) (string, error) {
	r := field(s, record)
	if r == nil || r.Type != bq.RecordFieldType {
		return "", fmt.Errorf("no %s record", record)
	}
	l := field(r.Schema, "latency")
	if l == nil {
		return "", fmt.Errorf("no %s.latency column", record)
	}
	switch l.Type {
	case bq.IntervalFieldType, bq.StringFieldType, bq.NumericFieldType:
		return string(l.Type), nil
	case bq.FloatFieldType:
		return "FLOAT64", nil
	}
	return "", fmt.Errorf("%s.latency is %s: want INTERVAL, STRING, FLOAT64 or NUMERIC", record, l.Type)
}

// field finds a top-level field by name, ignoring case as BigQuery does.
func field(s bq.Schema, name string) *bq.FieldSchema {
	for _, f := range s {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

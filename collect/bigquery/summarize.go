package bigquery

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"cloud.google.com/go/bigquery"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

// Params are SummarySQL's parameters for a scope; SystemSQL's are the same
// but the first (@marker).
func Params(sc Scope) []bigquery.QueryParameter {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !sc.From.IsZero() {
		from = sc.From.UnixNano()
	}
	if !sc.To.IsZero() {
		to = sc.To.UnixNano()
	}
	if sc.ByService { // every service: SystemSQL's filter lets all through
		sc.Service, sc.Location = "", ""
	}
	return []bigquery.QueryParameter{
		{Name: "marker", Value: collect.ColdStartMarker},
		{Name: "service", Value: sc.Service},
		{Name: "location", Value: sc.Location},
		{Name: "from_ns", Value: from},
		{Name: "to_ns", Value: to},
	}
}

// ScopeOf is the pushdown's scope of a dataset's: its service, region and
// window.
func ScopeOf(s model.Scope) Scope {
	return Scope{Service: s.Service, Location: s.Region, From: s.Window.Start, To: s.Window.End}
}

// rowOf reads one row of SummarySQL's answer and the group it is of.
func rowOf(v []bigquery.Value) (Row, Group, error) {
	if len(v) != 9 {
		return Row{}, Group{}, fmt.Errorf("a row of %d columns, want 9", len(v))
	}
	str := func(x bigquery.Value) string { s, _ := x.(string); return s }
	ints := func(x bigquery.Value) ([]int64, error) {
		if x == nil {
			return nil, nil
		}
		list, ok := x.([]bigquery.Value)
		if !ok {
			return nil, fmt.Errorf("a list column of type %T", x)
		}
		out := make([]int64, len(list))
		for i, e := range list {
			n, ok := e.(int64)
			if !ok {
				return nil, fmt.Errorf("a list element of type %T", e)
			}
			out[i] = n
		}
		return out, nil
	}
	decimals := func(x bigquery.Value) ([]int64, error) {
		list, _ := x.([]bigquery.Value)
		out := make([]int64, len(list))
		for i, e := range list {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("an integer of type %T", e)
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	r := Row{Kind: str(v[0]), A: str(v[1]), B: str(v[2]), C: str(v[3])}
	g := Group{Service: str(v[7]), Location: str(v[8])}
	var err error
	if r.I, err = decimals(v[4]); err == nil {
		if r.X, err = ints(v[5]); err == nil {
			r.Y, err = ints(v[6])
		}
	}
	if err != nil {
		return r, g, fmt.Errorf("%s: %w", r.Kind, err)
	}
	return r, g, nil
}

// Summarize runs SummarySQL through r and builds the summary of its
// answer; it returns the number of rows fetched too. It is SummarizeAll of
// the scope's one group.
func Summarize(ctx context.Context, r *Runner, src *Source, sc Scope) (*summary.Summary, int, error) {
	if sc.ByService {
		return nil, 0, fmt.Errorf("Summarize of a scope by service: use SummarizeAll")
	}
	all, err := SummarizeAll(ctx, r, src, sc)
	if err != nil {
		return nil, 0, err
	}
	g := Group{Service: sc.Service, Location: sc.Location}
	if len(all) > 1 || (len(all) == 1 && all[g] == nil) {
		return nil, 0, fmt.Errorf("BigQuery summary: rows of %d groups, want those of %v alone", len(all), g)
	}
	if s := all[g]; s != nil {
		return s.Summary, s.Rows, nil
	}
	s, err := BuildSummary(nil) // no request in the scope
	return s, 0, err
}

// Summarized is a group's summary and the rows of the answer it was
// built of.
type Summarized struct {
	Summary *summary.Summary
	Rows    int
}

// SummarizeAll runs SummarySQL through r, one statement, and builds the
// summary of each group of its answer: with sc.ByService every service's
// of the window, each the summary its own query would give. A group
// without requests has no summary.
func SummarizeAll(ctx context.Context, r *Runner, src *Source, sc Scope) (map[Group]*Summarized, error) {
	sql, err := src.SummarySQL(sc)
	if err != nil {
		return nil, err
	}
	params := Params(sc)
	if sc.ByService { // the statement does not name @service and @location
		params = slices.DeleteFunc(params, func(p bigquery.QueryParameter) bool { return p.Name == "service" || p.Name == "location" })
	}
	res, err := r.Query(ctx, "summary", sql, params)
	if err != nil {
		return nil, err
	}
	rows := map[Group][]Row{}
	for i, v := range res.Rows {
		row, g, err := rowOf(v)
		if err != nil {
			return nil, fmt.Errorf("BigQuery summary, row %d: %w", i+1, err)
		}
		rows[g] = append(rows[g], row)
	}
	out := make(map[Group]*Summarized, len(rows))
	for g, rs := range rows {
		s, err := BuildSummary(rs)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", g.Service, g.Location, err)
		}
		out[g] = &Summarized{Summary: s, Rows: len(rs)}
	}
	return out, nil
}

// SystemSQL is the query that reads Cloud Run's system log (instance
// starts, probes, memory kills, shutdowns) of the scope: a row per entry,
// few beside the requests, handed to the log readers as entries. By
// service, it reads every service's, which SystemOf splits by group.
func (s *Source) SystemSQL(sc Scope) (string, error) {
	var from, where, ts, insertID, resLabels, labels, text, payload, service, location string
	switch s.Layout {
	case Linked:
		from = s.table(s.View)
		where = "log_id = 'run.googleapis.com/varlog/system' AND resource.type = 'cloud_run_revision'"
		ts, insertID, text = "timestamp", "insert_id", "text_payload"
		resLabels, labels = jsonString("resource.labels"), jsonString("labels")
		payload = jsonString("json_payload")
		service, location = "JSON_VALUE(resource.labels, '$.service_name')", "JSON_VALUE(resource.labels, '$.location')"
	case Sink:
		if s.System == "" {
			return "", nil
		}
		var prune string
		from, prune = s.sinkTable(s.System, sc)
		where = "resource.type = 'cloud_run_revision'" + prune
		ts, insertID, text = "timestamp", "insertId", "textPayload"
		resLabels, labels = jsonString("resource.labels"), jsonString("labels")
		payload = "CAST(NULL AS STRING)"
		service, location = "resource.labels.service_name", "resource.labels.location"
	default:
		return "", fmt.Errorf("layout %v", s.Layout)
	}
	return `SELECT CAST(UNIX_MICROS(` + ts + `) * 1000 AS STRING) AS t, COALESCE(` + insertID + `, '') AS insert_id,
  COALESCE(` + resLabels + `, '') AS resource_labels, COALESCE(` + labels + `, '') AS labels,
  COALESCE(` + text + `, '') AS text, COALESCE(` + payload + `, '') AS payload
FROM ` + from + `
WHERE ` + where + timePrune(ts, sc) + ` AND ` + ts + ` IS NOT NULL
  AND UNIX_MICROS(` + ts + `) * 1000 >= @from_ns AND UNIX_MICROS(` + ts + `) * 1000 < @to_ns
  AND (@service = '' OR COALESCE(` + service + `, '') IN ('', @service))
  AND (@location = '' OR COALESCE(` + location + `, '') IN ('', @location))`, nil
}

// SystemEntries runs SystemSQL through r and returns its rows as log
// entries of project's system log.
func SystemEntries(ctx context.Context, r *Runner, src *Source, sc Scope) ([]collect.LogEntry, error) {
	sql, err := src.SystemSQL(sc)
	if err != nil || sql == "" {
		return nil, err
	}
	res, err := r.Query(ctx, "system", sql, Params(sc)[1:]) // no @marker
	if err != nil {
		return nil, err
	}
	out := make([]collect.LogEntry, 0, len(res.Rows))
	for i, v := range res.Rows {
		e, err := systemEntry(src.Project, v)
		if err != nil {
			return nil, fmt.Errorf("BigQuery system log, row %d: %w", i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// SystemOf is what of entries, SystemEntries' answer to a scope by
// service, the query of one group would have read: the entries of its
// service and region, and those that name none.
func SystemOf(entries []collect.LogEntry, g Group) []collect.LogEntry {
	var out []collect.LogEntry
	for _, e := range entries {
		var svc, loc string
		if e.Resource != nil {
			svc, loc = e.Resource.Labels["service_name"], e.Resource.Labels["location"]
		}
		if (svc == "" || svc == g.Service) && (loc == "" || loc == g.Location) {
			out = append(out, e)
		}
	}
	return out
}

// systemEntry makes a log entry of a row of SystemSQL.
func systemEntry(project string, v []bigquery.Value) (collect.LogEntry, error) {
	if len(v) != 6 {
		return collect.LogEntry{}, fmt.Errorf("%d columns, want 6", len(v))
	}
	str := func(x bigquery.Value) string { s, _ := x.(string); return s }
	ns, err := strconv.ParseInt(str(v[0]), 10, 64)
	if err != nil {
		return collect.LogEntry{}, fmt.Errorf("timestamp: %w", err)
	}
	e := collect.LogEntry{
		LogName:     "projects/" + project + "/logs/run.googleapis.com%2Fvarlog%2Fsystem",
		Resource:    &collect.MonitoredResource{Type: "cloud_run_revision"},
		Timestamp:   time.Unix(0, ns).UTC().Format(time.RFC3339Nano),
		InsertID:    str(v[1]),
		TextPayload: str(v[4]),
	}
	for _, f := range []struct {
		s   string
		dst *map[string]string
	}{{str(v[2]), &e.Resource.Labels}, {str(v[3]), &e.Labels}} {
		if f.s == "" || f.s == "null" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(f.s), &m); err != nil {
			return e, fmt.Errorf("labels %q: %w", f.s, err)
		}
		*f.dst = map[string]string{}
		for k, x := range m {
			if s, ok := x.(string); ok {
				(*f.dst)[k] = s
			}
		}
	}
	if p := str(v[5]); p != "" && p != "null" {
		e.JSONPayload = json.RawMessage(p)
	}
	return e, nil
}

// jsonString is the SQL of a column's JSON text, "" for NULL (which the
// BigQuery emulator's TO_JSON_STRING cannot take).
func jsonString(col string) string {
	return "CASE WHEN " + col + " IS NULL THEN '' ELSE TO_JSON_STRING(" + col + ") END"
}

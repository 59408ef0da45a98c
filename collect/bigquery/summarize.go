package bigquery

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
)

// Params are SummarySQL's parameters for a scope.
func Params(sc Scope) []bigquery.QueryParameter {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !sc.From.IsZero() {
		from = sc.From.UnixNano()
	}
	if !sc.To.IsZero() {
		to = sc.To.UnixNano()
	}
	return []bigquery.QueryParameter{
		{Name: "marker", Value: collect.ColdStartMarker},
		{Name: "service", Value: sc.Service},
		{Name: "location", Value: sc.Location},
		{Name: "from_ns", Value: from},
		{Name: "to_ns", Value: to},
	}
}

// rowOf reads one row of SummarySQL's answer.
func rowOf(v []bigquery.Value) (Row, error) {
	if len(v) != 7 {
		return Row{}, fmt.Errorf("a row of %d columns, want 7", len(v))
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
	var err error
	if r.I, err = decimals(v[4]); err == nil {
		if r.X, err = ints(v[5]); err == nil {
			r.Y, err = ints(v[6])
		}
	}
	if err != nil {
		return r, fmt.Errorf("%s: %w", r.Kind, err)
	}
	return r, nil
}

// Summarize runs SummarySQL on c and builds the summary of its answer.
func Summarize(ctx context.Context, c *bigquery.Client, src *Source, sc Scope) (*summary.Summary, int, error) {
	sql, err := src.SummarySQL(sc)
	if err != nil {
		return nil, 0, err
	}
	q := c.Query(sql)
	q.Parameters = Params(sc)
	it, err := q.Read(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("BigQuery summary query: %w", err)
	}
	var rows []Row
	for {
		var v []bigquery.Value
		err := it.Next(&v)
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, len(rows), fmt.Errorf("BigQuery summary query: %w", err)
		}
		r, err := rowOf(v)
		if err != nil {
			return nil, len(rows), fmt.Errorf("BigQuery summary query, row %d: %w", len(rows)+1, err)
		}
		rows = append(rows, r)
	}
	s, err := BuildSummary(rows)
	return s, len(rows), err
}

package bigquery

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
)

// The Cloud Billing export's tables (cloud.google.com/billing/docs/how-to/
// export-data-bigquery-tables): standard usage cost, a row per project,
// service, SKU and hour; detailed usage cost, the same columns plus the
// resource (for Cloud Run, resource.name is the service).
const (
	BillingStandardPrefix = "gcp_billing_export_v1_"
	BillingDetailedPrefix = "gcp_billing_export_resource_v1_"
	// BillingDocs is the schema's reference.
	BillingDocs = "https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/detailed-usage"
	// CloudRunService is Cloud Run's service.description in the export.
	CloudRunService = "Cloud Run"
)

// BillingSource is a Cloud Billing export table, as DetectBilling found it.
type BillingSource struct {
	Project, Dataset, Table string
	// Detailed is set for the detailed usage cost table, whose rows name
	// the Cloud Run service (resource.name).
	Detailed bool
	// PartitionField is the column the table is partitioned on, or
	// "_PARTITIONTIME" for ingestion-time partitions (the export's own
	// tables); "" when the table is not partitioned.
	PartitionField string
}

// Ref is PROJECT.DATASET.TABLE.
func (s *BillingSource) Ref() string { return s.Project + "." + s.Dataset + "." + s.Table }

// Export is "detailed" or "standard".
func (s *BillingSource) Export() string {
	if s.Detailed {
		return "detailed"
	}
	return "standard"
}

// DetectBilling finds the billing export's table in ref, PROJECT.DATASET
// or PROJECT.DATASET.TABLE, from the dataset's table list and the table's
// metadata; it reads no rows. Without TABLE, the detailed usage cost table
// is preferred to the standard one; a dataset with the tables of several
// billing accounts needs TABLE.
func DetectBilling(ctx context.Context, c *bq.Client, ref string) (*BillingSource, error) {
	project, dataset, name, err := parseRef(ref)
	if err != nil {
		return nil, fmt.Errorf("-billing-export %q: want PROJECT.DATASET or PROJECT.DATASET.TABLE", ref)
	}
	d := &detector{c: c, ds: c.DatasetInProject(project, dataset)}
	if err := d.list(ctx); err != nil {
		return nil, fmt.Errorf("listing the tables of dataset %s.%s: %w", project, dataset, err)
	}
	if name == "" {
		if name, err = d.billingTable(); err != nil {
			return nil, fmt.Errorf("finding the Cloud Billing export in dataset %s.%s: %w", project, dataset, err)
		}
	} else if !d.has(name) {
		return nil, fmt.Errorf("finding the Cloud Billing export in dataset %s.%s: no table %s among %s", project, dataset, name, d.listed())
	}
	md, err := d.ds.Table(name).Metadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading table %s.%s.%s: %w", project, dataset, name, err)
	}
	src := &BillingSource{Project: project, Dataset: dataset, Table: name}
	if err := src.check(md); err != nil {
		return nil, fmt.Errorf("table %s: %w", src.Ref(), err)
	}
	return src, nil
}

// billingTable picks the detailed table, else the standard one.
func (d *detector) billingTable() (string, error) {
	for _, prefix := range []string{BillingDetailedPrefix, BillingStandardPrefix} {
		var found []string
		for _, t := range d.tables {
			if strings.HasPrefix(t, prefix) {
				found = append(found, t)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		}
		return "", fmt.Errorf("the tables of %d billing accounts (%s): name one, PROJECT.DATASET.TABLE", len(found), strings.Join(found, ", "))
	}
	return "", fmt.Errorf("no %sACCOUNT or %sACCOUNT table among %s", BillingDetailedPrefix, BillingStandardPrefix, d.listed())
}

// billingColumns are the columns the query reads, by record.
var billingColumns = map[string][]string{
	"service": {"description"}, "sku": {"id", "description"}, "project": {"id"},
	"usage": {"amount", "unit"}, "location": {"region"},
}

// check verifies the columns the query reads and notes the partitioning.
func (s *BillingSource) check(md *bq.TableMetadata) error {
	for _, rec := range slices.Sorted(maps.Keys(billingColumns)) {
		r := field(md.Schema, rec)
		if r == nil || r.Type != bq.RecordFieldType {
			return fmt.Errorf("no %s record: not a Cloud Billing export (see %s)", rec, BillingDocs)
		}
		for _, col := range billingColumns[rec] {
			if field(r.Schema, col) == nil {
				return fmt.Errorf("no %s.%s column: not a Cloud Billing export (see %s)", rec, col, BillingDocs)
			}
		}
	}
	for _, col := range []string{"usage_start_time", "usage_end_time", "export_time", "cost", "currency_conversion_rate", "credits"} {
		if field(md.Schema, col) == nil {
			return fmt.Errorf("no %s column: not a Cloud Billing export (see %s)", col, BillingDocs)
		}
	}
	if r := field(md.Schema, "resource"); r != nil && r.Type == bq.RecordFieldType && field(r.Schema, "name") != nil {
		s.Detailed = true
	}
	if tp := md.TimePartitioning; tp != nil {
		s.PartitionField = tp.Field
		if tp.Field == "" {
			s.PartitionField = "_PARTITIONTIME"
		}
	}
	return nil
}

// BillingRow is one row of ReadBilling's answer: a service's (or, from a
// standard export, the project's) usage and cost of one SKU.
type BillingRow struct {
	// Service is resource.name; "" from a standard export.
	Service, Region  string
	SKUID, SKU, Unit string
	UsageAmount      float64
	CostUSD          float64 // cost / currency_conversion_rate
	CreditsUSD       float64 // the credits, likewise
	Hours            int     // distinct usage hours with a row
	FirstUsage       time.Time
}

// Billing is what ReadBilling read: the rows and the export's watermark.
type Billing struct {
	Source *BillingSource
	Rows   []BillingRow
	// BilledUntil is the latest usage_end_time of the export (any project
	// and service) and Exported its latest export_time, over the
	// partitions read; zero when there is no row.
	BilledUntil, Exported time.Time
	Result                *Result
}

// billingLag is how long after its usage a row can be exported: rows of a
// usage day keep coming (late usage, corrections) for days, into later
// ingestion-time partitions.
const billingLag = 7 * 24 * time.Hour

// ReadBilling reads the Cloud Run usage and cost of project over the whole
// hours around [start, end), per service (detailed) and SKU, with one query
// run by r, and the export's watermark. Rows of hours not exported yet are
// simply absent: compare with BilledUntil.
func ReadBilling(ctx context.Context, r *Runner, src *BillingSource, project string, start, end time.Time) (*Billing, error) {
	from, to := start.UTC().Truncate(time.Hour), end.UTC().Truncate(time.Hour)
	if to.Before(end) {
		to = to.Add(time.Hour)
	}
	params := []bq.QueryParameter{
		{Name: "project", Value: project}, {Name: "service", Value: CloudRunService},
		{Name: "hours_start", Value: from}, {Name: "hours_end", Value: to},
		{Name: "part_start", Value: from.Truncate(24 * time.Hour)}, {Name: "part_end", Value: to.Add(billingLag)},
	}
	res, err := r.Query(ctx, "billing_"+src.Export(), billingSQL(src), params)
	if err != nil {
		return nil, err
	}
	b := &Billing{Source: src, Result: res}
	for i, row := range res.Rows {
		br, until, exported, err := billingRow(row)
		if err != nil {
			return nil, fmt.Errorf("query billing_%s: row %d: %w", src.Export(), i+1, err)
		}
		b.BilledUntil, b.Exported = until, exported
		if br != nil {
			b.Rows = append(b.Rows, *br)
		}
	}
	return b, nil
}

// billingSQL is the query: the watermark of the partitions read, joined
// to the window's Cloud Run rows grouped by service, region and SKU (a
// watermark row alone when there are none). Cost is converted to USD by
// currency_conversion_rate (units of the billing currency per USD).
func billingSQL(src *BillingSource) string {
	table := "`" + src.Ref() + "`"
	part := "TRUE"
	switch src.PartitionField {
	case "":
	case "_PARTITIONTIME":
		part = "_PARTITIONTIME >= @part_start AND _PARTITIONTIME < @part_end"
	default:
		part = fmt.Sprintf("`%s` >= @part_start AND `%s` < @part_end", src.PartitionField, src.PartitionField)
	}
	service := "''"
	if src.Detailed {
		service = "IFNULL(resource.name, '')"
	}
	return fmt.Sprintf(`WITH mark AS (
  SELECT MAX(usage_end_time) AS billed_until, MAX(export_time) AS exported
  FROM %[1]s
  WHERE %[2]s
), used AS (
  SELECT
    %[3]s AS service,
    IFNULL(location.region, '') AS region,
    sku.id AS sku_id,
    sku.description AS sku,
    IFNULL(usage.unit, '') AS unit,
    SUM(usage.amount) AS usage_amount,
    SUM(cost / IFNULL(currency_conversion_rate, 1)) AS cost_usd,
    SUM(IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0) / IFNULL(currency_conversion_rate, 1)) AS credits_usd,
    COUNT(DISTINCT usage_start_time) AS hours,
    MIN(usage_start_time) AS first_usage
  FROM %[1]s
  WHERE %[2]s
    AND service.description = @service
    AND project.id = @project
    AND usage_start_time >= @hours_start AND usage_start_time < @hours_end
  GROUP BY service, region, sku_id, sku, unit
)
SELECT mark.billed_until, mark.exported, used.*
FROM mark LEFT JOIN used ON TRUE
ORDER BY used.service, used.region, used.sku_id, used.unit`, table, part, service)
}

// billingRow reads one row: the watermark, and the usage when the row has
// any (nil for the watermark alone).
func billingRow(row []bq.Value) (*BillingRow, time.Time, time.Time, error) {
	if len(row) != 12 {
		return nil, time.Time{}, time.Time{}, fmt.Errorf("want 12 columns, got %d", len(row))
	}
	until, _ := row[0].(time.Time)
	exported, _ := row[1].(time.Time)
	if row[4] == nil { // sku_id: no usage row
		return nil, until, exported, nil
	}
	var errs []error
	str := func(i int) string { s, _ := row[i].(string); return s }
	num := func(i int, name string) float64 {
		f, err := toFloat(row[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		return f
	}
	br := &BillingRow{Service: str(2), Region: str(3), SKUID: str(4), SKU: str(5), Unit: str(6),
		UsageAmount: num(7, "usage_amount"), CostUSD: num(8, "cost_usd"), CreditsUSD: num(9, "credits_usd"),
		Hours: int(num(10, "hours"))}
	br.FirstUsage, _ = row[11].(time.Time)
	return br, until, exported, errors.Join(errs...)
}

// toFloat reads a FLOAT64, INT64, NUMERIC or NULL value (NULL is 0).
func toFloat(v bq.Value) (float64, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case *big.Rat:
		f, _ := x.Float64()
		return f, nil
	}
	return 0, fmt.Errorf("unexpected %T", v)
}

package bqemu

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"cloud.google.com/go/bigquery"
)

// BillingRow is one row of a Cloud Billing export table, in the columns
// of its schema that runlens reads and a few more
// (cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/
// standard-usage and detailed-usage). Resource is set in the detailed
// table only. Times are RFC 3339 strings, as NDJSON load files give them.
type BillingRow struct {
	BillingAccountID       string           `json:"billing_account_id"`
	Service                BillingID        `json:"service"`
	SKU                    BillingID        `json:"sku"`
	UsageStartTime         string           `json:"usage_start_time"`
	UsageEndTime           string           `json:"usage_end_time"`
	Project                BillingProject   `json:"project"`
	Labels                 []BillingLabel   `json:"labels"`
	Location               BillingLocation  `json:"location"`
	Resource               *BillingResource `json:"resource,omitempty"`
	ExportTime             string           `json:"export_time"`
	Cost                   float64          `json:"cost"`
	Currency               string           `json:"currency"`
	CurrencyConversionRate float64          `json:"currency_conversion_rate"`
	Usage                  BillingUsage     `json:"usage"`
	Credits                []BillingCredit  `json:"credits"`
	Invoice                BillingInvoice   `json:"invoice"`
	CostType               string           `json:"cost_type"`
}

// BillingID is the service or SKU record.
type BillingID struct {
	ID          string `json:"id"`
	Description string `json:"description"`
}

// BillingProject is the project record.
type BillingProject struct {
	ID     string `json:"id"`
	Number string `json:"number"`
	Name   string `json:"name"`
}

// BillingLabel is one of the labels.
type BillingLabel struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// BillingLocation is the location record.
type BillingLocation struct {
	Location string `json:"location"`
	Country  string `json:"country"`
	Region   string `json:"region"`
}

// BillingResource is the detailed table's resource record.
type BillingResource struct {
	Name       string `json:"name"`
	GlobalName string `json:"global_name"`
}

// BillingUsage is the usage record.
type BillingUsage struct {
	Amount               float64 `json:"amount"`
	Unit                 string  `json:"unit"`
	AmountInPricingUnits float64 `json:"amount_in_pricing_units"`
	PricingUnit          string  `json:"pricing_unit"`
}

// BillingCredit is one of the credits.
type BillingCredit struct {
	Name     string  `json:"name"`
	Amount   float64 `json:"amount"`
	FullName string  `json:"full_name"`
	ID       string  `json:"id"`
	Type     string  `json:"type"`
}

// BillingInvoice is the invoice record.
type BillingInvoice struct {
	Month string `json:"month"`
}

// BillingSchema is the export table's schema, the resource record in the
// detailed table only.
func BillingSchema(detailed bool) bigquery.Schema {
	str := func(n string) *bigquery.FieldSchema {
		return &bigquery.FieldSchema{Name: n, Type: bigquery.StringFieldType}
	}
	num := func(n string) *bigquery.FieldSchema {
		return &bigquery.FieldSchema{Name: n, Type: bigquery.FloatFieldType}
	}
	ts := func(n string) *bigquery.FieldSchema {
		return &bigquery.FieldSchema{Name: n, Type: bigquery.TimestampFieldType}
	}
	rec := func(n string, repeated bool, fs ...*bigquery.FieldSchema) *bigquery.FieldSchema {
		return &bigquery.FieldSchema{Name: n, Type: bigquery.RecordFieldType, Repeated: repeated, Schema: fs}
	}
	s := bigquery.Schema{
		str("billing_account_id"),
		rec("service", false, str("id"), str("description")),
		rec("sku", false, str("id"), str("description")),
		ts("usage_start_time"), ts("usage_end_time"),
		rec("project", false, str("id"), str("number"), str("name")),
		rec("labels", true, str("key"), str("value")),
		rec("location", false, str("location"), str("country"), str("region")),
	}
	if detailed {
		s = append(s, rec("resource", false, str("name"), str("global_name")))
	}
	return append(s,
		ts("export_time"), num("cost"), str("currency"), num("currency_conversion_rate"),
		rec("usage", false, num("amount"), str("unit"), num("amount_in_pricing_units"), str("pricing_unit")),
		rec("credits", true, str("name"), num("amount"), str("full_name"), str("id"), str("type")),
		rec("invoice", false, str("month")),
		str("cost_type"),
	)
}

// BillingTable is the name of an export table: the detailed or the
// standard one of the billing account.
func BillingTable(detailed bool, account string) string {
	prefix := "gcp_billing_export_v1_"
	if detailed {
		prefix = "gcp_billing_export_resource_v1_"
	}
	return prefix + strings.ReplaceAll(account, "-", "_")
}

// LoadBilling creates the export table in dataset, partitioned by day on
// usage_start_time (the export's own tables are partitioned by ingestion
// time, _PARTITIONTIME, which the emulator refuses), and loads rows
// into it in one load job.
func LoadBilling(ctx context.Context, c *bigquery.Client, dataset, table string, detailed bool, rows []BillingRow) error {
	tb := c.Dataset(dataset).Table(table)
	meta := &bigquery.TableMetadata{Schema: BillingSchema(detailed),
		TimePartitioning: &bigquery.TimePartitioning{Type: bigquery.DayPartitioningType, Field: "usage_start_time"}}
	if err := tb.Create(ctx, meta); err != nil {
		return fmt.Errorf("creating %s.%s: %w", dataset, table, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range rows {
		if (r.Resource != nil) != detailed {
			return fmt.Errorf("loading %s.%s: a row with resource %v in a table detailed=%t", dataset, table, r.Resource, detailed)
		}
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := loadNDJSON(ctx, tb, &buf); err != nil {
		return fmt.Errorf("loading %d rows into %s.%s: %w", len(rows), dataset, table, err)
	}
	return nil
}

// ReadBillingRows reads export rows from an NDJSON file, gzipped or not,
// strictly: an unknown key is an error naming the file and line.
func ReadBillingRows(path string) ([]BillingRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	var rows []BillingRow
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var row BillingRow
		if err := dec.Decode(&row); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

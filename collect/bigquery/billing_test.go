package bigquery_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	logbq "github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/internal/bqemu"
)

// billingRow is a Cloud Run row of hour h of 2024-06-04 for service svc.
func billingRow(svc, skuID, sku, unit string, h int, amount, cost float64, credits ...float64) bqemu.BillingRow {
	start := time.Date(2024, 6, 4, h, 0, 0, 0, time.UTC)
	r := bqemu.BillingRow{BillingAccountID: "0A0A0A-1B1B1B-2C2C2C",
		Service:        bqemu.BillingID{ID: "152E-C115-5142", Description: "Cloud Run"},
		SKU:            bqemu.BillingID{ID: skuID, Description: sku},
		UsageStartTime: start.Format(time.RFC3339), UsageEndTime: start.Add(time.Hour).Format(time.RFC3339),
		Project:    bqemu.BillingProject{ID: "runlens-audit", Number: "123456789012", Name: "runlens-audit"},
		Labels:     []bqemu.BillingLabel{},
		Location:   bqemu.BillingLocation{Location: "europe-west1", Country: "BE", Region: "europe-west1"},
		Resource:   &bqemu.BillingResource{Name: svc, GlobalName: "//run.googleapis.com/projects/runlens-audit/locations/europe-west1/services/" + svc},
		ExportTime: start.Add(5 * time.Hour).Format(time.RFC3339), Cost: cost, Currency: "USD", CurrencyConversionRate: 1,
		Usage:   bqemu.BillingUsage{Amount: amount, Unit: unit, AmountInPricingUnits: amount, PricingUnit: unit},
		Credits: []bqemu.BillingCredit{}, Invoice: bqemu.BillingInvoice{Month: "202406"}, CostType: "regular"}
	for _, c := range credits {
		r.Credits = append(r.Credits, bqemu.BillingCredit{Name: "Free tier", Amount: c, Type: "FREE_TIER"})
	}
	return r
}

// DetectBilling finds the detailed table and ReadBilling sums a service's
// rows per SKU over the window's hours, credits apart, and reads the
// export's watermark; rows of another project, another Google service and
// hours outside the window are left out, and a currency other than USD is
// converted.
func TestReadBilling(t *testing.T) {
	e := bqemu.Start(t)
	c := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const cpu, mem = "CPU Allocation Time", "Memory Allocation Time"
	rows := []bqemu.BillingRow{
		billingRow("catalog", "AAAA", cpu, "seconds", 10, 3600, 0.0864, -0.01),
		billingRow("catalog", "AAAA", cpu, "seconds", 11, 1800, 0.0432),
		billingRow("catalog", "BBBB", mem, "byte-seconds", 10, 3600*(1<<30), 0.009),
		billingRow("catalog", "AAAA", cpu, "seconds", 9, 3600, 1), // before the window
		billingRow("api", "AAAA", cpu, "seconds", 10, 100, 0.0024),
	}
	other := billingRow("catalog", "AAAA", cpu, "seconds", 10, 3600, 1)
	other.Project.ID = "elsewhere"
	gce := billingRow("catalog", "AAAA", cpu, "seconds", 10, 3600, 1)
	gce.Service.Description = "Compute Engine"
	eur := billingRow("api", "CCCC", "Requests", "requests", 11, 1e6, 0.37)
	eur.Currency, eur.CurrencyConversionRate = "EUR", 0.925
	eur.ExportTime = "2024-06-04T17:30:00Z"
	rows = append(rows, other, gce, eur)
	table := bqemu.BillingTable(true, "0A0A0A-1B1B1B-2C2C2C")
	if err := bqemu.LoadBilling(ctx, c, e.Dataset, table, true, rows); err != nil {
		t.Fatal(err)
	}
	src, err := logbq.DetectBilling(ctx, c, e.Project+"."+e.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	if src.Table != table || !src.Detailed || src.PartitionField != "usage_start_time" {
		t.Errorf("DetectBilling = %+v; want the detailed table %s, partitioned on usage_start_time", src, table)
	}
	var log bytes.Buffer
	r := &logbq.Runner{Client: c, Log: &log}
	b, err := logbq.ReadBilling(ctx, r, src, "runlens-audit", time.Date(2024, 6, 4, 10, 15, 0, 0, time.UTC), time.Date(2024, 6, 4, 11, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	h10, h11 := time.Date(2024, 6, 4, 10, 0, 0, 0, time.UTC), time.Date(2024, 6, 4, 11, 0, 0, 0, time.UTC)
	want := []logbq.BillingRow{
		{Service: "api", Region: "europe-west1", SKUID: "AAAA", SKU: cpu, Unit: "seconds", UsageAmount: 100, CostUSD: 0.0024, Hours: 1, FirstUsage: h10},
		{Service: "api", Region: "europe-west1", SKUID: "CCCC", SKU: "Requests", Unit: "requests", UsageAmount: 1e6, CostUSD: 0.4, Hours: 1, FirstUsage: h11},
		{Service: "catalog", Region: "europe-west1", SKUID: "AAAA", SKU: cpu, Unit: "seconds", UsageAmount: 5400, CostUSD: 0.1296, CreditsUSD: -0.01, Hours: 2, FirstUsage: h10},
		{Service: "catalog", Region: "europe-west1", SKUID: "BBBB", SKU: mem, Unit: "byte-seconds", UsageAmount: 3600 * (1 << 30), CostUSD: 0.009, Hours: 1, FirstUsage: h10},
	}
	if d := cmp.Diff(want, b.Rows, cmpopts.EquateApprox(0, 1e-9)); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	// The watermark is the export's, every project and service included.
	if !b.BilledUntil.Equal(time.Date(2024, 6, 4, 12, 0, 0, 0, time.UTC)) || !b.Exported.Equal(time.Date(2024, 6, 4, 17, 30, 0, 0, time.UTC)) {
		t.Errorf("billed until %v, exported %v; want 12:00 and 17:30", b.BilledUntil, b.Exported)
	}
	if len(r.Queries) != 1 || r.Queries[0].Name != "billing_detailed" || b.Result.JobID == "" || !strings.Contains(log.String(), "query billing_detailed would scan") {
		t.Errorf("queries %+v, job %q; log:\n%s", r.Queries, b.Result.JobID, log.String())
	}
}

// A dataset without an export table, or with the tables of two billing
// accounts, is refused with the tables it has; a table that is not an
// export is refused by its missing column.
func TestDetectBillingRefuses(t *testing.T) {
	e := bqemu.Start(t)
	c := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := logbq.DetectBilling(ctx, c, e.Project+"."+e.Dataset); err == nil || !strings.Contains(err.Error(), "no gcp_billing_export_resource_v1_ACCOUNT") {
		t.Errorf("empty dataset: %v", err)
	}
	for _, acct := range []string{"AAAAAA-AAAAAA-AAAAAA", "BBBBBB-BBBBBB-BBBBBB"} {
		if err := bqemu.LoadBilling(ctx, c, e.Dataset, bqemu.BillingTable(false, acct), false, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := logbq.DetectBilling(ctx, c, e.Project+"."+e.Dataset); err == nil || !strings.Contains(err.Error(), "the tables of 2 billing accounts") {
		t.Errorf("two accounts: %v", err)
	}
	src, err := logbq.DetectBilling(ctx, c, e.Project+"."+e.Dataset+"."+bqemu.BillingTable(false, "BBBBBB-BBBBBB-BBBBBB"))
	if err != nil || src.Detailed {
		t.Errorf("named standard table: %+v, %v", src, err)
	}
	if _, err := logbq.DetectBilling(ctx, c, "nodots"); err == nil || !strings.Contains(err.Error(), "-billing-export") {
		t.Errorf("bad ref: %v", err)
	}
}

package pipeline

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/collect/bigquery"
)

// BillingExport is where audit and report read what Google billed: the
// dataset of the Cloud Billing export to BigQuery.
type BillingExport struct {
	// Ref is PROJECT.DATASET[.TABLE]; the query runs as a job of PROJECT.
	Ref string
	// Endpoint is a BigQuery emulator's URL, reached without credentials;
	// "" is Google's, with the application default credentials.
	Endpoint string
	// MaxBytes is the most the query may scan (bigquery.Runner).
	MaxBytes int64
	Labels   map[string]string
	// Log receives the dry run's estimate and the query's figures.
	Log io.Writer
}

// Bill is the export's rows for one project and window, read once and
// handed to each service's report.
type Bill struct {
	source   analyze.BilledSource
	calls    map[string]int
	detailed bool
	window   analyze.Window
	read     *bigquery.Billing
}

// ReadBill reads the Cloud Run rows of project over the window's hours
// from the export, with one query.
func ReadBill(ctx context.Context, b *BillingExport, project string, w analyze.Window) (*Bill, error) {
	jobProject, _, _, err := splitRef(b.Ref)
	if err != nil {
		return nil, err
	}
	c, calls, err := bigquery.Dial(ctx, jobProject, b.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("-billing-export: BigQuery: %w", err)
	}
	defer c.Close()
	src, err := bigquery.DetectBilling(ctx, c, b.Ref)
	if err != nil {
		return nil, fmt.Errorf("-billing-export: %w", err)
	}
	r := &bigquery.Runner{Client: c, MaxBytes: b.MaxBytes, Labels: b.Labels, Log: b.Log}
	read, err := bigquery.ReadBilling(ctx, r, src, project, w.Start, w.End)
	if err != nil {
		return nil, fmt.Errorf("-billing-export: %w", err)
	}
	res := read.Result
	bill := &Bill{calls: calls.Map(), detailed: src.Detailed, window: w, read: read,
		source: analyze.BilledSource{Table: src.Ref(), Export: src.Export(), Query: r.Queries[0].Name, JobID: res.JobID,
			EstimatedBytes: res.EstimatedBytes, ProcessedBytes: res.ProcessedBytes, BilledBytes: res.BilledBytes}}
	return bill, nil
}

// splitRef checks PROJECT.DATASET[.TABLE].
func splitRef(ref string) (project, dataset, table string, err error) {
	parts := strings.Split(ref, ".")
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return "", "", "", fmt.Errorf("-billing-export %q: want PROJECT.DATASET or PROJECT.DATASET.TABLE", ref)
	}
	parts = append(parts, "")
	return parts[0], parts[1], parts[2], nil
}

// Detailed reports whether the export names the services.
func (b *Bill) Detailed() bool { return b.detailed }

// Calls are the BigQuery calls the read cost, by method.
func (b *Bill) Calls() map[string]int { return b.calls }

// Input is the export's rows for the service in region (every row of the
// project from a standard export), for analyze.AttachBilled.
func (b *Bill) Input(service, region string) analyze.BilledInput {
	in := analyze.BilledInput{Source: b.source, APICalls: b.calls, Window: b.window,
		BilledUntil: b.read.BilledUntil, ExportedAt: b.read.Exported, Rows: []analyze.BilledRow{}}
	for _, r := range b.read.Rows {
		if b.detailed && (r.Service != service || region != "" && r.Region != "" && r.Region != region) {
			continue
		}
		in.Rows = append(in.Rows, analyze.BilledRow{SKUID: r.SKUID, SKU: r.SKU, Category: analyze.SKUCategory(r.SKU),
			UsageAmount: r.UsageAmount, UsageUnit: r.Unit, CostUSD: r.CostUSD, CreditsUSD: r.CreditsUSD})
	}
	return in
}

// AttachBill reads the export for the report's project, service and
// window and sets rpt.Billed (analyze.AttachBilled).
func AttachBill(ctx context.Context, b *BillingExport, rpt *analyze.Report) error {
	if rpt.Service.Project == "" {
		return fmt.Errorf("-billing-export: the report names no project (the service's configuration is missing): nothing to look up in the bill")
	}
	bill, err := ReadBill(ctx, b, rpt.Service.Project, rpt.Window)
	if err != nil {
		return err
	}
	analyze.AttachBilled(rpt, bill.Input(rpt.Service.Name, rpt.Service.Region))
	return nil
}

// auditBill is the bill an audit reads once and shares between its
// services: each service's comparison from a detailed export; from a
// standard export, the project's, against the sum of the services' models.
type auditBill struct {
	bill *Bill
	// modelled and whole are each service's modelled cost per category
	// of the billed hours and of the window (standard export), indexed as
	// the audit's targets.
	modelled, whole []map[string]float64
}

// readAuditBill reads the export for the audit, or says in a warning why
// it could not.
func (r *AuditConfig) readAuditBill(ctx context.Context, services int) (*auditBill, string) {
	if r.Billing == nil {
		return nil, ""
	}
	bill, err := ReadBill(ctx, r.Billing, r.Project, analyze.Window{Start: r.Start, End: r.End})
	if err != nil {
		return nil, fmt.Sprintf("the bill was not read, so no service is compared with it: %v", err)
	}
	return &auditBill{bill: bill, modelled: make([]map[string]float64, services), whole: make([]map[string]float64, services)}, ""
}

// attach compares service i's report with the bill: from a detailed
// export, on the report (the row's Billed); from a standard one, kept for
// the project's comparison.
func (b *auditBill) attach(i int, rpt *analyze.Report) {
	if b == nil {
		return
	}
	if b.bill.Detailed() {
		analyze.AttachBilled(rpt, b.bill.Input(rpt.Service.Name, rpt.Service.Region))
		return
	}
	b.modelled[i], _ = analyze.ModelledBySKU(rpt, b.bill.read.BilledUntil)
	b.whole[i], _ = analyze.ModelledBySKU(rpt, rpt.Window.End)
}

// row moves the comparison from the report to the audit's row, so that
// the JSON holds it once.
func (b *auditBill) row(svc *audit.Service, rpt *analyze.Report) {
	if b == nil || rpt.Billed == nil {
		return
	}
	svc.Billed = rpt.Billed
	if svc.Report != nil {
		svc.Report.Billed = nil
	}
}

// project is the standard export's comparison of the project's bill with
// the sum of its services' models; nil from a detailed export.
func (b *auditBill) project() *analyze.Billed {
	if b == nil || b.bill.Detailed() {
		return nil
	}
	modelled := map[string]float64{}
	var part, whole float64
	for i := range b.modelled {
		for k, v := range b.modelled[i] {
			modelled[k] += v
			part += v
		}
		for _, v := range b.whole[i] {
			whole += v
		}
	}
	share := 1.0
	if whole > 0 {
		share = part / whole
	}
	return analyze.CompareBilled(b.bill.Input("", ""), modelled, share)
}

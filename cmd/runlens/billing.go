package main

import (
	"flag"
	"io"

	"github.com/runlens/runlens/pipeline"
)

// billingFlags compare the cost with the Cloud Billing export.
type billingFlags struct {
	ref string
	bq  *bigqueryFlags // -bigquery-endpoint, -max-bytes
}

const billingUsage = "compare the modelled cost with what Google billed, per SKU: the Cloud Billing export to BigQuery, `PROJECT.DATASET[.TABLE]` " +
	"(the detailed usage cost table gcp_billing_export_resource_v1_ACCOUNT names each service; the standard one, gcp_billing_export_v1_ACCOUNT, only the project)"

// register registers -billing-export beside bq's flags, which the
// command registers itself.
func (b *billingFlags) register(fs *flag.FlagSet, bq *bigqueryFlags) {
	b.bq = bq
	fs.StringVar(&b.ref, "billing-export", "", billingUsage)
}

// export is the pipeline's billing export, nil without -billing-export.
func (b *billingFlags) export(log io.Writer) (*pipeline.BillingExport, error) {
	b.bq.billing = b.ref != ""
	if b.ref == "" {
		return nil, nil
	}
	if err := b.bq.checkAccess(); err != nil {
		return nil, err
	}
	return &pipeline.BillingExport{Ref: b.ref, Endpoint: b.bq.endpoint, MaxBytes: b.bq.maxBytes, Log: log}, nil
}

package main

import (
	"flag"
	"io"
	"net/url"

	"github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/pipeline"
)

// bigqueryFlags read the logs where Cloud Logging keeps them in BigQuery.
type bigqueryFlags struct {
	ref, endpoint string
	maxBytes      int64
	billing       bool // -billing-export reads BigQuery too
}

func (b *bigqueryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.ref, "bigquery", "", "read the request and system logs from BigQuery: `PROJECT.DATASET[.VIEW_OR_TABLE_PREFIX]`, a Log Analytics linked dataset or a log sink's dataset; the request log's summary is computed there (see README)")
	fs.StringVar(&b.endpoint, "bigquery-endpoint", "", "reach BigQuery at `URL` without credentials (a BigQuery emulator)")
	fs.Int64Var(&b.maxBytes, "max-bytes", bigquery.DefaultMaxBytes, "refuse a BigQuery query whose dry run says it scans more than `N` bytes")
}

// source is the pipeline's BigQuery source, nil without -bigquery.
func (b *bigqueryFlags) source(log io.Writer) (*pipeline.BigQuery, error) {
	if b.ref == "" {
		if b.endpoint != "" && !b.billing {
			return nil, usagef("-bigquery-endpoint needs -bigquery or -billing-export")
		}
		return nil, nil
	}
	if err := b.checkAccess(); err != nil {
		return nil, err
	}
	return &pipeline.BigQuery{Ref: b.ref, Endpoint: b.endpoint, MaxBytes: b.maxBytes, Log: log}, nil
}

// checkAccess checks -max-bytes and -bigquery-endpoint.
func (b *bigqueryFlags) checkAccess() error {
	if b.maxBytes <= 0 {
		return usagef("-max-bytes: want a positive number of bytes")
	}
	if b.endpoint != "" {
		if u, err := url.Parse(b.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("-bigquery-endpoint %q: want a URL such as http://127.0.0.1:9050", b.endpoint)
		}
	}
	return nil
}

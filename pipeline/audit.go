package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/internal/atomicfile"
	"github.com/runlens/runlens/render"
)

// AuditConfig is what an audit reads.
type AuditConfig struct {
	Project string
	// Region is one region, or "-" for every region where a service was
	// billed in the window.
	Region string
	// Services, when set, are the only services audited; each must exist.
	Services   []string
	Start, End time.Time
	// Filter is ANDed to both log queries.
	Filter string
	// Endpoint, when set, connects every Google client to a fake-gcp
	// server at HOST:PORT without credentials.
	Endpoint string
	// MaxCalls is the run's budget of Cloud Logging entries.list calls,
	// shared by every service (-1: no limit); PerMinute the calls a
	// minute, shared by the Workers collecting at once.
	MaxCalls, PerMinute, Workers int
	// History is the directory of earlier audits to compare with; "" for
	// none.
	History    string
	Thresholds []analyze.Threshold
	Generated  time.Time
	// WhatIf replays the traffic of every service whose request log was
	// read whole, under min-instances 0 to 2 and both billing modes, and
	// gives each its cheapest setting within today's p95
	// (audit.Service.Cheapest). It keeps each service's requests in memory.
	WhatIf bool
	// Billing, when set, is the Cloud Billing export each service's cost
	// is compared with (ReadBill).
	Billing *BillingExport
	// BigQuery, when set, is where every service's logs are read instead
	// of Cloud Logging: one query computes the request log summaries of
	// all the services, grouped by service, and one reads their system
	// logs; no ListLogEntries call is made and every log is read whole.
	// Its Queries are the audit's (audit.Audit.BigQuery).
	BigQuery *BigQuery
	// Progress, when set, gets a line per service done.
	Progress io.Writer

	mu sync.Mutex // serializes progress lines
}

// Audit lists the project's services, shares the log budget between them,
// collects and analyzes each, and builds the audit against the earlier
// ones in cfg.History.
func Audit(ctx context.Context, cfg *AuditConfig) (*audit.Audit, error) {
	if cfg.Region == "" {
		cfg.Region = "-"
	}
	history, warnings, err := readHistory(cfg.History)
	if err != nil {
		return nil, err
	}
	col, err := cfg.collect(ctx)
	if err != nil {
		return nil, err
	}
	a := audit.Build(audit.Input{Project: cfg.Project, Region: cfg.Region, Window: analyze.Window{Start: cfg.Start, End: cfg.End},
		Generated: cfg.Generated, Services: col.rows, History: history, Thresholds: cfg.Thresholds,
		APICalls: col.calls, LogBudget: col.budget, Warnings: append(warnings, col.warnings...), Recommender: col.recommender, BigQuery: col.bigquery})
	a.Billed = col.bill.project()
	return a, nil
}

// KeepAudit writes the audit into the history directory dir, as
// PROJECT-YYYY-MM-DD.json (the window's end), creating dir if needed.
func KeepAudit(dir string, a *audit.Audit) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("-history: %w", err)
	}
	err := atomicfile.Write(historyFile(dir, a), func(w io.Writer) error { return render.AuditJSON(w, a) })
	if err != nil {
		return fmt.Errorf("-history: %w", err)
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/pipeline"
	"github.com/runlens/runlens/render"
)

// auditFlags are the audit command's flags.
type auditFlags struct {
	live        liveFlags // -project, -region, the window, -endpoint, -max-calls, -log-budget
	services    listFlag
	history     string
	html        string
	json        string
	format      string
	title       string
	maxMarkdown int
	workers     int
	whatif      bool
	thresholds  thresholdFlags
	bigquery    bigqueryFlags // -bigquery, -bigquery-endpoint, -max-bytes (bigquery.go)
	billing     billingFlags  // -billing-export (billing.go)
}

func auditCommand() command {
	return command{
		name:    "audit",
		summary: "audit the cost and waste of every Cloud Run service of a project, against earlier runs and thresholds",
		args: "-project P [-region R] [-service S ...] (-since 24h | -start T [-end T]) [-history DIR] [-config FILE] " +
			"[-fail-on warn|crit|EXPR ...] [-billing-export PROJECT.DATASET] [-o audit.html|-] [-json audit.json|-] [-format table|markdown|json|none] [-endpoint HOST:PORT] " +
			"[-bigquery PROJECT.DATASET[.VIEW_OR_TABLE_PREFIX] [-max-bytes N]]",
		examples: []string{
			"runlens audit -project my-project -since 24h -history audits -config thresholds.conf -o audit.html -json audit.json -fail-on warn",
			"runlens audit -project my-project -since 24h -bigquery my-project.run_logs -json audit.json",
			"runlens audit -endpoint 127.0.0.1:8085 -project runlens-demo -region europe-west1 -start 2024-03-14T09:59:30Z -end 2024-03-14T10:06:40Z -format markdown",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			f := &auditFlags{}
			f.live.register(fs, false)
			fs.Lookup("max-calls").Usage = "the run's budget of `N` Cloud Logging entries.list calls, shared by every service: the smallest needs " +
				"are read whole first, the rest sampled (their first pages) or skipped; -1 for no limit"
			fs.Var(&f.services, "service", "audit only the Cloud Run service `NAME`; repeatable (default: every service)")
			fs.BoolVar(&f.whatif, "whatif", false, "replay the traffic of each service whose logs were read whole, under min-instances 0 to 2 and both billing modes, and give its cheapest setting within today's p95 (see runlens whatif)")
			fs.StringVar(&f.history, "history", "", "`DIR` of earlier audits' JSON: compared with, and this audit's JSON is written there as PROJECT-YYYY-MM-DD.json")
			fs.StringVar(&f.html, "o", "", outputNote("the HTML page"))
			fs.StringVar(&f.json, "json", "", outputNote("the JSON audit"))
			fs.StringVar(&f.format, "format", "", formatUsage)
			fs.StringVar(&f.title, "title", "", "page title")
			fs.IntVar(&f.maxMarkdown, "max-markdown", render.DefaultMaxMarkdownBytes, maxMarkdownUsage)
			fs.IntVar(&f.workers, "workers", 4, "services collected at once; the -log-budget rate is shared between them")
			f.thresholds.register(fs)
			f.bigquery.register(fs)
			f.billing.register(fs, &f.bigquery)
			fs.Lookup("bigquery").Usage = "read every service's request and system logs from BigQuery, `PROJECT.DATASET[.VIEW_OR_TABLE_PREFIX]` " +
				"(a Log Analytics linked dataset or a log sink's dataset), instead of Cloud Logging: one query summarizes all the services, " +
				"grouped by service, every log read whole and no entries.list call made (see README)"
			return func(stdout, stderr io.Writer, args []string) error {
				if len(args) > 0 {
					return usagef("audit: unexpected argument %q", args[0])
				}
				ctx, stop := interruptible()
				defer stop()
				return runAudit(ctx, stdout, stderr, f)
			}
		},
	}
}

func runAudit(ctx context.Context, stdout, stderr io.Writer, f *auditFlags) error {
	f.live.stderr = stderr
	cfg, err := f.plan(ctx)
	if err != nil {
		return err
	}
	var level string
	if cfg.Thresholds, level, err = f.thresholds.load(audit.DefaultThresholds); err != nil {
		return err
	}
	a, err := pipeline.Audit(ctx, cfg)
	if err != nil {
		return err
	}
	ropts := render.Options{Title: f.title, MaxMarkdownBytes: f.maxMarkdown, Width: terminalColumns()}
	if err := pipeline.WriteAudit(stdout, a, pipeline.Outputs{HTML: f.html, JSON: f.json, Format: f.format, Render: ropts}); err != nil {
		return err
	}
	if f.history == "" {
		return failIfCrossed(a.Thresholds, level)
	}
	// Last, so that a history that cannot be written costs the night's
	// page, JSON and stdout nothing.
	if err := pipeline.KeepAudit(f.history, a); err != nil {
		fmt.Fprintf(stderr, "warning: %v; the audit's outputs were written, but later runs will not compare with it\n", err)
		return errors.Join(fmt.Errorf("this audit was not kept in the history %s", f.history), failIfCrossed(a.Thresholds, level))
	}
	return failIfCrossed(a.Thresholds, level)
}

// plan checks the flags and makes the run's settings.
func (f *auditFlags) plan(ctx context.Context) (*pipeline.AuditConfig, error) {
	var err error
	if f.format, err = stdoutFormat(f.format, map[string]string{"o": f.html, "json": f.json}); err != nil {
		return nil, err
	}
	switch {
	case f.live.maxCalls == 0:
		return nil, usagef("-max-calls: want a positive number, or -1 for no limit")
	case f.live.budget <= 0:
		return nil, usagef("-log-budget: want a positive number of calls a minute")
	case f.workers <= 0:
		return nil, usagef("-workers: want a positive number")
	}
	if err := checkMaxMarkdown(f.maxMarkdown); err != nil {
		return nil, err
	}
	if err := f.live.checkEndpoint(); err != nil {
		return nil, err
	}
	start, end, err := f.live.window()
	if err != nil {
		return nil, err
	}
	project, err := f.live.projectID(ctx)
	if err != nil {
		return nil, err
	}
	cfg := &pipeline.AuditConfig{Project: project, Region: f.live.region, Services: f.services, Start: start, End: end,
		Filter: f.live.filter, Endpoint: f.live.endpoint, MaxCalls: f.live.maxCalls, PerMinute: f.live.budget,
		Workers: f.workers, History: f.history, Generated: generated(), WhatIf: f.whatif}
	// The bill first: it says whether -bigquery-endpoint is used without
	// -bigquery.
	if cfg.Billing, err = f.billing.export(f.live.stderr); err != nil {
		return nil, err
	}
	if cfg.BigQuery, err = f.bigquery.source(f.live.stderr); err != nil {
		return nil, err
	}
	if cfg.BigQuery != nil && cfg.Filter != "" {
		return nil, usagef("-filter is a Cloud Logging filter: the logs read with -bigquery are not filtered by it")
	}
	if !f.live.quiet {
		cfg.Progress = f.live.stderr
	}
	return cfg, nil
}

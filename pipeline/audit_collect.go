package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/bigquery"
	"github.com/runlens/runlens/collect/gcp"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
	"github.com/runlens/runlens/whatif"
)

// auditCollection is what the services' collections gave.
type auditCollection struct {
	rows     []audit.Service
	calls    map[string]int
	budget   audit.LogBudget
	warnings []string
	bill     *auditBill // with -billing-export
	// recommender says how Google's recommendations were read.
	recommender *audit.RecommenderRead
	bigquery    *model.BigQueryRead // audit -bigquery: the dataset and the queries
}

// pushed is what the BigQuery queries read of every service's logs
// (audit -bigquery).
type pushed struct {
	src     *bigquery.Source
	sums    map[bigquery.Group]*bigquery.Summarized
	entries []collect.LogEntry
}

// auditTarget is one service to collect and its share of the log budget.
type auditTarget struct {
	svc             *model.ServiceConfig
	est             int64 // request_count over the window; -1 unknown
	needed, granted int
}

// collect lists the services, estimates each one's log calls from
// request_count, shares the budget, and collects and analyzes every service
// with a few at a time.
func (r *AuditConfig) collect(ctx context.Context) (*auditCollection, error) {
	client, err := gcp.Dial(ctx, r.Endpoint)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	if r.Progress != nil {
		client.SetProgress(r.Progress)
	}
	svcs, err := r.list(ctx, client)
	if err != nil {
		return nil, err
	}
	out := &auditCollection{budget: audit.LogBudget{MaxCalls: r.MaxCalls, PerMinute: r.PerMinute, PageSize: gcp.DefaultPageSize}}
	counts, err := client.RequestCounts(ctx, r.Project, r.Region, r.Start, r.End)
	if err != nil {
		out.warnings = append(out.warnings, fmt.Sprintf("request_count could not be read (%v): every service's logs are assumed to need 2 calls", err))
	}
	targets := r.share(svcs, counts, err == nil, &out.budget)
	var bq *pushed
	if r.BigQuery != nil {
		if bq, err = r.pushdown(ctx, targets, &out.budget); err != nil {
			return nil, err
		}
		out.bigquery = &model.BigQueryRead{Dataset: r.BigQuery.Ref, Layout: bq.src.Layout.String(), Queries: r.BigQuery.Queries}
	}
	r.Workers = max(1, min(r.Workers, len(targets))) // the rate is shared by the workers at work
	var billWarning string
	if out.bill, billWarning = r.readAuditBill(ctx, len(targets)); billWarning != "" {
		out.warnings = append(out.warnings, billWarning)
	}
	out.rows = make([]audit.Service, len(targets))
	perService := make([]map[string]int, len(targets))
	r.each(ctx, targets, func(i int, t auditTarget) {
		out.rows[i], perService[i] = r.one(ctx, t, bq, func(rpt *analyze.Report) { out.bill.attach(i, rpt) }, out.bill.row)
		r.progress(out.rows[i])
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("audit interrupted: %w", err)
	}
	out.recommender = recommendations(ctx, client, r.Project, out.rows)
	if out.recommender != nil {
		out.warnings = append(out.warnings, out.recommender.Errors...)
	}
	out.calls = client.Calls()
	for _, calls := range perService {
		for k, n := range calls {
			out.calls[k] += n
		}
	}
	if out.bill != nil {
		for k, n := range out.bill.bill.Calls() {
			out.calls[k] += n
		}
	}
	out.budget.Used = out.calls["ListLogEntries"]
	for _, row := range out.rows {
		if row.Error != "" {
			out.warnings = append(out.warnings, row.Name+": "+row.Error)
		}
	}
	out.warnings = append(out.warnings, client.Warnings()...) // partial Monitoring answers
	return out, nil
}

// list returns the services to audit, sorted by region and name; every
// -service must be among them. Without -region, the regions are those where
// any service was billed in the window (the Admin API lists one region at a
// time).
func (r *AuditConfig) list(ctx context.Context, client *gcp.Client) ([]*model.ServiceConfig, error) {
	regions := []string{r.Region}
	if r.Region == "-" {
		var err error
		if regions, err = client.Regions(ctx, r.Project, r.Start, r.End); err != nil {
			return nil, err
		}
	}
	var all []*model.ServiceConfig
	for _, region := range regions {
		svcs, err := client.ListServices(ctx, r.Project, region)
		if err != nil {
			return nil, err
		}
		all = append(all, svcs...)
	}
	slices.SortFunc(all, func(a, b *model.ServiceConfig) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Name, b.Name))
	})
	if len(r.Services) == 0 {
		return all, nil
	}
	var out []*model.ServiceConfig
	for _, name := range r.Services {
		n := len(out)
		for _, s := range all {
			if s.Name == name {
				out = append(out, s)
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("-service %s: no such Cloud Run service in projects/%s, regions %s", name, r.Project, strings.Join(regions, ", "))
		}
	}
	return out, nil
}

// share estimates each service's log calls and grants them from the budget.
func (r *AuditConfig) share(svcs []*model.ServiceConfig, counts map[string]int64, known bool, b *audit.LogBudget) []auditTarget {
	targets := make([]auditTarget, len(svcs))
	needs := make([]int, len(svcs))
	for i, s := range svcs {
		est := int64(-1)
		if known {
			est = counts[gcp.ServiceKey(s.Region, s.Name)]
		}
		needs[i] = audit.CallsNeeded(est, b.PageSize)
		targets[i] = auditTarget{svc: s, est: est, needed: needs[i]}
		b.Needed += needs[i]
	}
	for i, g := range audit.PlanLogs(needs, r.MaxCalls) {
		targets[i].granted = g
		b.Planned += g
	}
	return targets
}

// pushdown reads every service's logs in BigQuery, one query for the
// request logs of all, grouped by service, and one for the system logs:
// no Cloud Logging call is planned.
func (r *AuditConfig) pushdown(ctx context.Context, targets []auditTarget, b *audit.LogBudget) (*pushed, error) {
	b.Needed, b.Planned = 0, 0
	for i := range targets {
		targets[i].needed, targets[i].granted = 0, 0
	}
	src, sums, entries, err := pushdownAll(ctx, r.BigQuery, r.Start, r.End)
	if err != nil {
		return nil, fmt.Errorf("audit -bigquery %s: %w", r.BigQuery.Ref, err)
	}
	return &pushed{src: src, sums: sums, entries: entries}, nil
}

// each runs fn for every target, r.Workers at a time.
func (r *AuditConfig) each(ctx context.Context, targets []auditTarget, fn func(int, auditTarget)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(r.Workers, max(len(targets), 1)) {
		wg.Go(func() {
			for i := range next {
				fn(i, targets[i])
			}
		})
	}
	for i := range targets {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
}

// one collects a service into a temporary snapshot and analyzes it; with
// bq, its logs are bq's of its service, and Cloud Logging is not called.
// attach gets the report before the row is made of it, and row the row.
func (r *AuditConfig) one(ctx context.Context, t auditTarget, bq *pushed, attach func(*analyze.Report), row func(*audit.Service, *analyze.Report)) (audit.Service, map[string]int) {
	logs := audit.LogCoverage{EstimatedRequests: t.est, CallsNeeded: t.needed, CallsAllowed: t.granted}
	dir, err := os.MkdirTemp("", "runlens-audit-*")
	if err != nil {
		return audit.Failed(t.svc.Name, t.svc.Region, logs, err), nil
	}
	defer os.RemoveAll(dir)
	cfg := gcp.Config{Project: r.Project, Region: t.svc.Region, Service: t.svc.Name, Start: r.Start, End: r.End,
		ExtraFilter: r.Filter, Endpoint: r.Endpoint, OutDir: dir, LogCallBudget: max(1, r.PerMinute/r.Workers), Around: true, NoLogs: bq != nil}
	res, cov, cerr := gcp.CollectWithin(ctx, cfg, t.granted)
	logs.CallsMade = cov.Calls
	if res == nil {
		logs.Status = audit.LogsFailed
		return audit.Failed(t.svc.Name, t.svc.Region, logs, cerr), nil
	}
	ds, err := snapshot.Load(dir)
	if err != nil {
		logs.Status = audit.LogsFailed
		return audit.Failed(t.svc.Name, t.svc.Region, logs, err), res.Manifest.APICalls
	}
	if bq != nil {
		bq.add(ds, r.BigQuery.Ref, t.svc, &logs, cerr)
	} else {
		coverage(&logs, cov, ds, cerr)
	}
	rpt := analyze.Run(ds, analyze.Options{Generated: r.Generated})
	attach(rpt)
	svc := audit.NewService(rpt, ds, logs)
	if svc.Around == nil || svc.Around.Logging == nil { // byte_count returned nothing: the entries read
		if byLog, err := entryBytes(dir); err == nil {
			svc.LoggingFromEntries(byLog)
		}
	}
	row(&svc, rpt)
	if r.WhatIf && logs.Status == audit.LogsFull {
		svc.Cheapest = cheapest(ds, rpt)
	}
	return svc, res.Manifest.APICalls
}

// add gives ds the logs of its service that BigQuery read, and sets the
// coverage: whole, by one query for every service.
func (p *pushed) add(ds *model.Dataset, ref string, svc *model.ServiceConfig, l *audit.LogCoverage, err error) {
	g := bigquery.Group{Service: svc.Name, Location: svc.Region}
	sum, rows := summary.New(), 0
	if s := p.sums[g]; s != nil {
		sum, rows = s.Summary, s.Rows
	}
	addPushdown(ds, ref, p.src, sum, rows, bigquery.SystemOf(p.entries, g))
	l.EntriesRead = int(sum.Requests())
	if err != nil {
		l.Status, l.Note = audit.LogsFailed, "reading the service's configuration and metrics failed: "+err.Error()
		return
	}
	l.Status = audit.LogsFull
	l.Note = fmt.Sprintf("logs read whole in BigQuery %s (%s): %d requests summarized there, no Cloud Logging call", ref, p.src.Layout, l.EntriesRead)
}

// cheapest replays a service's traffic under min-instances 0 to 2 and both
// billing modes and picks the cheapest setting whose p95 is within today's
// (within the prediction's error bound on p95); nil when the traffic
// cannot be replayed.
func cheapest(ds *model.Dataset, rpt *analyze.Report) *audit.Cheapest {
	tr, err := whatif.Observe(ds, rpt)
	if err != nil {
		return nil
	}
	var settings []analyze.WhatIfSetting
	for mi := range 3 {
		for _, b := range []string{model.BillingRequest, model.BillingInstance} {
			settings = append(settings, analyze.WhatIfSetting{MinInstances: mi, Billing: b})
		}
	}
	res, err := whatif.Run(tr, settings, 1, nil)
	if err != nil {
		return nil
	}
	best := -1
	for i, p := range res.Predictions {
		if p.P95MS <= res.Observed.P95MS*(1+p.Bound["p95_ms"]) && (best < 0 || p.CostUSD < res.Predictions[best].CostUSD) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	p, base := res.Predictions[best], res.Backtest.CostUSD
	c := &audit.Cheapest{Setting: p.WhatIfSetting, CostUSD: p.CostUSD, P95MS: p.P95MS, ErrorBound: p.Bound["cost_usd"]}
	if base > 0 {
		c.Change = (p.CostUSD - base) / base
	}
	c.Saves = c.Change < 0 && -c.Change > c.ErrorBound
	set := fmt.Sprintf("min-instances %d, %s-based billing", p.MinInstances, p.Billing)
	if c.Saves {
		c.Text = fmt.Sprintf("Cheapest within today's p95, replayed: %s, $%.4g instead of $%.4g as replayed ($%.4g observed), %+.0f %% (error ±%.0f %%), p95 %.0f ms.",
			set, p.CostUSD, base, res.Observed.CostUSD, 100*c.Change, 100*c.ErrorBound, p.P95MS)
	} else {
		c.Text = fmt.Sprintf("No setting is cheaper within today's p95 beyond the prediction's error: the cheapest replayed, %s, changes the cost by %+.0f %% (error ±%.0f %%).",
			set, 100*c.Change, 100*c.ErrorBound)
	}
	return c
}

// coverage sets the log status and says, in a sentence, what was left out.
func coverage(l *audit.LogCoverage, cov gcp.Coverage, ds *model.Dataset, err error) {
	l.EntriesRead = ds.RequestCount()
	about := "an unknown number of"
	if l.EstimatedRequests >= 0 {
		about = "about " + fmt.Sprint(l.EstimatedRequests)
	}
	switch {
	case err != nil:
		l.Status, l.Note = audit.LogsFailed, "reading the logs failed: "+err.Error()
	case l.CallsAllowed == 0 && l.CallsNeeded == 0:
		l.Status, l.Note = audit.LogsNone, "request_count says there was no request in the window: the logs were not read"
	case l.CallsAllowed == 0:
		l.Status = audit.LogsSkipped
		l.Note = fmt.Sprintf("logs skipped: the run's ListLogEntries budget was spent on smaller services; %s requests would have needed %d calls "+
			"(raise -max-calls). Cost and requests come from the metrics; error rate and p95 from the metrics where they exist", about, l.CallsNeeded)
	case cov.Requests == gcp.LogComplete && cov.System == gcp.LogComplete:
		l.Status = audit.LogsFull
	case cov.Requests == gcp.LogComplete:
		l.Status = audit.LogsPartial
		l.Note = fmt.Sprintf("system log not read whole (%d of %d calls granted): the reasons of instance starts may be missing", l.CallsAllowed, l.CallsNeeded)
	default:
		l.Status = audit.LogsSampled
		until := lastRequest(ds)
		l.ReadUntil = &until
		l.Note = fmt.Sprintf("request log sampled: the first %d entries of %s (%d of %d calls granted), up to %s; "+
			"idle share is not measured, cold starts are those of the sample, error rate and p95 come from the metrics where they exist",
			l.EntriesRead, about, l.CallsAllowed, l.CallsNeeded, until.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
}

func lastRequest(ds *model.Dataset) time.Time {
	var last time.Time
	for i := range ds.Requests {
		if t := ds.Requests[i].Time; t.After(last) {
			last = t
		}
	}
	return last
}

// report writes a progress line for a service done.
func (r *AuditConfig) progress(row audit.Service) {
	if r.Progress == nil {
		return
	}
	what := fmt.Sprintf("$%.4g, %d requests, logs %s (%d calls)", row.CostUSD, row.Requests, row.Logs.Status, row.Logs.CallsMade)
	if row.Error != "" {
		what = "failed: " + firstLine(row.Error)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.Progress, "audit: %s (%s): %s\n", row.Name, row.Region, what)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

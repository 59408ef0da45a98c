package gcp

import (
	"context"
	"fmt"
	"slices"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"github.com/runlens/runlens/model"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// What CollectWithin read of a log.
const (
	LogComplete = "complete"
	LogPartial  = "partial"  // cut short by the call limit or a failure; the manifest records the gap
	LogNotRead  = "not_read" // no call was made for it, or none returned an entry before the limit
)

// Coverage says how much of each log CollectWithin read.
type Coverage struct {
	Requests, System string
	// Calls is the number of ListLogEntries calls made.
	Calls int
}

// CollectWithin is Collect for one service of many that share a budget of
// ListLogEntries calls: instead of refusing a window whose logs need more
// calls than allowed, it reads at most logCalls of them (the request log
// first, in time order, then the system log), and with logCalls 0 it reads
// no log at all; the manifest says what was left out. cfg.MaxLogCalls is
// ignored. The service and the metrics are read whole either way.
func CollectWithin(ctx context.Context, cfg Config, logCalls int) (*Result, Coverage, error) {
	cov := Coverage{Requests: LogNotRead, System: LogNotRead}
	cfg.MaxLogCalls = max(logCalls, 1)
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, cov, err
	}
	if err := emptyDir(cfg.OutDir); err != nil {
		return nil, cov, err
	}
	l := newLedger(cfg)
	cl, err := dial(ctx, cfg.Endpoint, l)
	if err != nil {
		return nil, cov, err
	}
	defer cl.close()
	c := newCollector(cfg, cl, l)
	res, err := c.runWithin(ctx, logCalls, &cov)
	cov.Calls = l.count("ListLogEntries")
	return res, cov, err
}

func newCollector(cfg Config, cl *clients, l *ledger) *collector {
	return &collector{cfg: cfg, cl: cl, ledger: l, m: model.Manifest{
		Schema: model.SnapshotSchema, Project: cfg.Project, Region: cfg.Region, Service: cfg.Service,
		Window:  model.Window{Start: cfg.Start, End: cfg.End},
		Filters: map[string]string{}, Sources: map[string]string{}, SourceCalls: map[string]map[string]int{},
	}}
}

func (c *collector) runWithin(ctx context.Context, logCalls int, cov *Coverage) (*Result, error) {
	res := &Result{Dir: c.cfg.OutDir}
	svc, metrics, err := c.readConfigAndMetrics(ctx)
	if err != nil {
		return nil, err
	}
	res.EstimatedRequests = requestEstimate(metrics)
	if err := c.writeConfigAndMetrics(svc, metrics, res); err != nil {
		return nil, err
	}
	if err := c.collectRevisions(ctx, svc); err != nil {
		return nil, err
	}
	var logErr error
	switch {
	case c.cfg.NoLogs: // the logs are read elsewhere (audit -bigquery)
	case logCalls > 0:
		logErr = c.readLogsCovered(ctx, res, cov)
	default:
		c.m.Warnings = append(c.m.Warnings, fmt.Sprintf(
			"logs not read: no ListLogEntries call of the run's budget was left for this service (request_count: %s requests)", estimate(res.EstimatedRequests)))
	}
	if werr := c.writeManifest(res); werr != nil {
		return nil, werr
	}
	if logErr != nil {
		return res, fmt.Errorf("%w; %s holds what was read, and its manifest records the gap", logErr, c.cfg.OutDir)
	}
	return res, nil
}

func estimate(n int64) string {
	if n < 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}

// readLogsCovered is readLogs, telling for each log whether it was read
// whole: a gap recorded while reading it means it was not.
func (c *collector) readLogsCovered(ctx context.Context, res *Result, cov *Coverage) error {
	errs := c.readLogs(ctx, res, func(q logQuery, n int, gap bool) {
		state := LogComplete
		switch {
		case gap && n == 0:
			state = LogNotRead
		case gap:
			state = LogPartial
		}
		if q.part == "requests" {
			cov.Requests = state
		} else {
			cov.System = state
		}
	})
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// ServiceKey is how RequestCounts names a service: "REGION/NAME".
func ServiceKey(region, name string) string { return region + "/" + name }

// RequestCounts sums the request_count metric of every Cloud Run service of
// a project over [start, end), keyed by ServiceKey; region "-" means every
// region. One ListTimeSeries query (and its pages) answers for all the
// services, so that an audit can plan its log reads before reading any.
// Services that served nothing in the window are absent.
func (c *Client) RequestCounts(ctx context.Context, project, region string, start, end time.Time) (map[string]int64, error) {
	col := &collector{cfg: c.cfg, cl: c.cl, ledger: c.ledger}
	col.cfg.Project = project
	filter := `metric.type = ` + quote(model.MetricRequestCount) + ` AND resource.type = "cloud_run_revision"`
	if region != "" && region != "-" {
		filter += ` AND resource.labels.location = ` + quote(region)
	}
	req := &monitoringpb.ListTimeSeriesRequest{
		Name:   "projects/" + project,
		Filter: filter,
		Interval: &monitoringpb.TimeInterval{StartTime: timestamppb.New(start.UTC().Truncate(alignmentPeriod)),
			EndTime: timestamppb.New(ceil(end.UTC(), alignmentPeriod))},
		Aggregation: aggregation(assumedKind(model.MetricRequestCount)),
		View:        monitoringpb.ListTimeSeriesRequest_FULL,
	}
	out := map[string]int64{}
	partial, err := col.listSeries(ctx, req, nil, func() { clear(out) }, func(ts *monitoringpb.TimeSeries) {
		labels := ts.GetResource().GetLabels()
		key := ServiceKey(labels["location"], labels["service_name"])
		for _, p := range ts.GetPoints() {
			out[key] += p.GetValue().GetInt64Value()
		}
	})
	if err != nil {
		return nil, fmt.Errorf("reading request_count of projects/%s: %w", project, explain(err, "roles/monitoring.viewer", project))
	}
	if len(partial) > 0 {
		c.warn(partialWarning("request_count of projects/"+project, partial))
	}
	return out, nil
}

// Regions returns the regions in which any Cloud Run service of the project
// was billed for instance time over [start, end), sorted: the Admin API
// lists services one region at a time (its ListServices takes no "-"
// wildcard), so an audit of every region asks the billing metric where to
// look. One ListTimeSeries query, summed per region by Monitoring.
func (c *Client) Regions(ctx context.Context, project string, start, end time.Time) ([]string, error) {
	col := &collector{cfg: c.cfg, cl: c.cl, ledger: c.ledger}
	col.cfg.Project = project
	s, e := start.UTC().Truncate(alignmentPeriod), ceil(end.UTC(), alignmentPeriod)
	req := &monitoringpb.ListTimeSeriesRequest{
		Name:     "projects/" + project,
		Filter:   `metric.type = ` + quote(model.MetricBillableTime) + ` AND resource.type = "cloud_run_revision"`,
		Interval: &monitoringpb.TimeInterval{StartTime: timestamppb.New(s), EndTime: timestamppb.New(e)},
		Aggregation: &monitoringpb.Aggregation{AlignmentPeriod: durationpb.New(e.Sub(s)), PerSeriesAligner: monitoringpb.Aggregation_ALIGN_DELTA,
			CrossSeriesReducer: monitoringpb.Aggregation_REDUCE_SUM, GroupByFields: []string{"resource.label.location"}},
		View: monitoringpb.ListTimeSeriesRequest_HEADERS,
	}
	var regions []string
	partial, err := col.listSeries(ctx, req, nil, func() { regions = regions[:0] }, func(ts *monitoringpb.TimeSeries) {
		if r := ts.GetResource().GetLabels()["location"]; r != "" {
			regions = append(regions, r)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("finding the regions of projects/%s: %w", project, explain(err, "roles/monitoring.viewer", project))
	}
	if len(partial) > 0 {
		c.warn(partialWarning("regions of projects/"+project+" (billable_instance_time)", partial))
	}
	slices.Sort(regions)
	return slices.Compact(regions), nil
}

// Warnings returns what the client's reads could not read whole, e.g. a
// RequestCounts answer that Monitoring marked as partial.
func (c *Client) Warnings() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.warnings)
}

func (c *Client) warn(w string) {
	c.mu.Lock()
	c.warnings = append(c.warnings, w)
	c.mu.Unlock()
}

// Calls returns the API calls the client made, by method.
func (c *Client) Calls() map[string]int {
	calls, _ := c.ledger.snapshot()
	return calls
}

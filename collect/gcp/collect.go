package gcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// Result says what a collection wrote.
type Result struct {
	Dir      string
	Manifest model.Manifest
	// Requests and SystemEntries are the log entries written.
	Requests, SystemEntries int
	// Series is the number of time series written, over all metrics.
	Series int
	// EstimatedRequests is the request_count metric's sum over the window,
	// or -1 when the metric returned nothing.
	EstimatedRequests int64
}

// collector is the state of one collection.
type collector struct {
	cfg    Config
	cl     *clients
	ledger *ledger
	m      model.Manifest
}

// logQueries are the two log reads, in the order they are made.
var logQueries = []logQuery{
	{part: "requests", logID: "run.googleapis.com/requests", file: snapshot.RequestsFile},
	{part: "system", logID: "run.googleapis.com/varlog/system", file: snapshot.SystemFile},
}

// Collect reads the service's configuration, metrics and logs over the
// window and writes them to cfg.OutDir as a snapshot. The service and the
// metrics are read first; the request_count metric then tells how many
// ListLogEntries calls the logs need, and a window that needs more than
// cfg.MaxLogCalls is refused with that estimate before any log is read.
//
// When a log read fails for good part way, what was read is kept, the
// manifest records the gap, and the error says so.
func Collect(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := emptyDir(cfg.OutDir); err != nil {
		return nil, err
	}
	l := newLedger(cfg)
	cl, err := dial(ctx, cfg.Endpoint, l)
	if err != nil {
		return nil, err
	}
	defer cl.close()
	c := &collector{cfg: cfg, cl: cl, ledger: l, m: model.Manifest{
		Schema: model.SnapshotSchema, Project: cfg.Project, Region: cfg.Region, Service: cfg.Service,
		Window:  model.Window{Start: cfg.Start, End: cfg.End},
		Filters: map[string]string{}, Sources: map[string]string{}, SourceCalls: map[string]map[string]int{},
	}}
	return c.run(ctx)
}

func (c *collector) run(ctx context.Context) (*Result, error) {
	res := &Result{Dir: c.cfg.OutDir}
	svc, metrics, err := c.readConfigAndMetrics(ctx)
	if err != nil {
		return nil, err
	}
	res.EstimatedRequests = requestEstimate(metrics)
	if err := c.checkBudget(res.EstimatedRequests); err != nil {
		return nil, err
	}
	if err := c.writeConfigAndMetrics(svc, metrics, res); err != nil {
		return nil, err
	}
	if err := c.collectRevisions(ctx, svc); err != nil {
		return nil, err
	}
	if err := c.copyClientFiles(); err != nil {
		return nil, err
	}
	var logErr error
	if !c.cfg.NoLogs {
		logErr = errors.Join(c.readLogs(ctx, res, nil)...)
	}
	if werr := c.writeManifest(res); werr != nil {
		return nil, werr
	}
	if logErr != nil {
		return res, fmt.Errorf("%w; %s holds what was read, and its manifest records the gap", logErr, c.cfg.OutDir)
	}
	return res, nil
}

// readConfigAndMetrics reads the service and every metric, in parallel.
func (c *collector) readConfigAndMetrics(ctx context.Context) (*runpb.Service, []metricResult, error) {
	var metrics []metricResult
	done := make(chan struct{})
	list := Metrics
	if c.cfg.Around {
		list = append(slices.Clone(Metrics), AroundMetrics...)
	}
	go func() {
		metrics = c.readMetrics(ctx, list)
		close(done)
	}()
	svc, err := c.readService(ctx)
	<-done
	if err != nil {
		return nil, nil, err
	}
	if svc.GetTemplate().GetNodeSelector().GetAccelerator() != "" {
		metrics = append(metrics, c.readMetrics(ctx, GPUMetrics)...)
	}
	for _, m := range metrics {
		if m.err != nil && isFatal(m.err) {
			return nil, nil, m.err
		}
	}
	return svc, metrics, nil
}

// checkBudget refuses a window whose logs need more calls than allowed.
func (c *collector) checkBudget(est int64) error {
	if est < 0 || c.cfg.MaxLogCalls <= 0 {
		return nil
	}
	calls := int((est+int64(c.cfg.PageSize)-1)/int64(c.cfg.PageSize)) + 1 // + the system log
	if calls <= c.cfg.MaxLogCalls {
		if calls > 1 && c.cfg.Progress != nil {
			fmt.Fprintf(c.cfg.Progress, "requests: about %d entries (request_count), about %d ListLogEntries calls, %s at %d calls a minute\n",
				est, calls, callTime(calls, c.cfg.LogCallBudget), c.cfg.LogCallBudget)
		}
		return nil
	}
	return fmt.Errorf("window %s to %s too large: request_count says about %d requests, which need about %d ListLogEntries calls, "+
		"%s at %d calls a minute, over the limit of %d calls; narrow the window (-start, -end), add -filter, or raise -max-calls",
		stamp(c.cfg.Start), stamp(c.cfg.End), est, calls, callTime(calls, c.cfg.LogCallBudget), c.cfg.LogCallBudget, c.cfg.MaxLogCalls)
}

// callTime is how long n paced calls take.
func callTime(n, perMinute int) time.Duration {
	return (time.Duration(n-1) * time.Minute / time.Duration(perMinute)).Round(time.Second)
}

// writeConfigAndMetrics writes service.json and a response per metric that
// has data; the manifest says how each was read and which had none.
func (c *collector) writeConfigAndMetrics(svc *runpb.Service, metrics []metricResult, res *Result) error {
	if svc != nil {
		if err := c.writeService(svc); err != nil {
			return err
		}
		c.m.Sources[snapshot.ServiceFile] = "Cloud Run Admin API v2 GetService " + svc.GetName()
	} else {
		c.m.Warnings = append(c.m.Warnings, fmt.Sprintf("service %s not found in %s: no service.json; cost assumes Cloud Run's defaults", c.cfg.Service, c.cfg.Region))
	}
	for _, r := range metrics {
		rel := model.MetricFile(r.metric)
		c.m.Filters[rel] = c.metricFilter(r.metric)
		c.m.SourceCalls[rel] = r.calls
		switch {
		case r.err != nil:
			c.m.Warnings = append(c.m.Warnings, "gap: "+r.err.Error())
		case len(r.series) == 0:
			c.m.Sources[rel] = r.how + ": no data, no file written"
			if len(r.partial) > 0 {
				c.m.Warnings = append(c.m.Warnings, partialWarning("metric "+r.metric, r.partial))
			}
		default:
			if len(r.partial) > 0 {
				c.m.Warnings = append(c.m.Warnings, partialWarning("metric "+r.metric, r.partial))
			}
			if _, err := c.writeMetric(r); err != nil {
				return err
			}
			c.m.Sources[rel] = r.how
			res.Series += len(r.series)
		}
	}
	return nil
}

// readLogs reads the request and system logs, one after the other (they
// share the entries.list quota), and returns the first error and each later
// one while the context lasts. read, if not nil, is told of each log read:
// how many entries, and whether a gap was recorded while reading it.
func (c *collector) readLogs(ctx context.Context, res *Result, read func(q logQuery, n int, gap bool)) []error {
	var errs []error
	for _, q := range logQueries {
		c.m.Filters[q.file] = c.filter(q.logID, c.cfg.Start)
		if ctx.Err() != nil {
			c.m.Warnings = append(c.m.Warnings, fmt.Sprintf("gap: %s entries from %s to %s were not read: %v", q.part, stamp(c.cfg.Start), stamp(c.cfg.End), ctx.Err()))
			continue
		}
		before := len(c.m.Warnings)
		n, err := c.readLog(ctx, q)
		if q.part == "requests" {
			res.Requests = n
		} else {
			res.SystemEntries = n
		}
		if read != nil {
			read(q, n, err != nil || slices.ContainsFunc(c.m.Warnings[before:], func(w string) bool { return strings.HasPrefix(w, "gap: ") }))
		}
		if err != nil && (len(errs) == 0 || ctx.Err() == nil) {
			errs = append(errs, err)
		}
	}
	return errs
}

// readLog pages through one log into its snapshot file.
func (c *collector) readLog(ctx context.Context, q logQuery) (int, error) {
	r := &logRun{c: c, q: q, from: c.cfg.Start, atLast: map[string]bool{},
		prog: newProgress(c.cfg.Progress, q.part, c.cfg.Start, c.cfg.End)}
	before := c.ledger.count("ListLogEntries")
	ew, err := writeEntries(filepath.Join(c.cfg.OutDir, q.file), func(w *entryWriter) error {
		r.w = w
		return r.run(ctx)
	})
	pages := c.ledger.count("ListLogEntries") - before
	r.prog.done(ew.n, pages)
	c.m.Sources[q.file] = fmt.Sprintf("Cloud Logging ListLogEntries, %d entries, %d calls, page size %d", ew.n, pages, c.cfg.PageSize)
	c.m.SourceCalls[q.file] = map[string]int{"ListLogEntries": pages}
	if r.gap != "" {
		c.m.Warnings = append(c.m.Warnings, r.gap)
	}
	if ew.skipped > 0 {
		c.m.Warnings = append(c.m.Warnings, fmt.Sprintf("%s: %d entries could not be written as JSON and were left out; the first: %v", q.file, ew.skipped, ew.first))
	}
	return ew.n, err
}

// copyClientFiles copies load-test results into client/.
func (c *collector) copyClientFiles() error {
	for _, f := range c.cfg.ClientFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("copying load-test results: %w", err)
		}
		rel := snapshot.ClientDir + "/" + filepath.Base(f)
		err = writeFile(filepath.Join(c.cfg.OutDir, rel), func(w io.Writer) error {
			_, err := w.Write(b)
			return err
		})
		if err != nil {
			return err
		}
		c.m.Sources[rel] = "copied from " + f
	}
	return nil
}

// writeManifest records the calls, retries and warnings, and writes it.
func (c *collector) writeManifest(res *Result) error {
	c.m.APICalls, c.m.Retries = c.ledger.snapshot()
	if len(c.m.Retries) == 0 {
		c.m.Retries = nil
	}
	slices.Sort(c.m.Warnings)
	c.m.Warnings = slices.Compact(c.m.Warnings)
	res.Manifest = c.m
	return snapshot.WriteManifest(c.cfg.OutDir, c.m)
}

// isFatal reports errors no other part of the collection can avoid: the
// caller may not read the project at all.
func isFatal(err error) bool {
	switch status.Code(err) {
	case codes.PermissionDenied, codes.Unauthenticated:
		return true
	}
	return false
}

// emptyDir fails when dir exists and holds anything: files of an earlier
// snapshot would be read with the new ones.
func emptyDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	if len(ents) > 0 {
		return fmt.Errorf("output directory %s is not empty: remove it or choose another, so that no file of an earlier snapshot is mixed in", dir)
	}
	return nil
}

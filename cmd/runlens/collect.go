package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/gcp"
	"github.com/runlens/runlens/collect/loadtest"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
	"github.com/runlens/runlens/pipeline"
)

// liveFlags are the flags that read a service from Google Cloud: collect's,
// and report's live form.
type liveFlags struct {
	project, region, service string
	since, start, end        string
	filter, endpoint         string
	quiet                    bool
	maxCalls, budget         int
	stderr                   io.Writer // progress; set by the command
	tempDir                  string    // report's temporary snapshot
}

// register adds the flags; report has its own -service (a file), which
// names the service in the live form.
func (lf *liveFlags) register(fs *flag.FlagSet, withService bool) {
	fs.StringVar(&lf.project, "project", "", "Google Cloud `PROJECT` (default: $GOOGLE_CLOUD_PROJECT, or the credentials' project)")
	fs.StringVar(&lf.region, "region", "", "Cloud Run `REGION`, e.g. europe-west1")
	if withService {
		fs.StringVar(&lf.service, "service", "", "Cloud Run service `NAME`")
	}
	fs.StringVar(&lf.since, "since", "", "window: the last `DURATION`, e.g. 90m, 2h, 1d")
	fs.StringVar(&lf.start, "start", "", "window start `TIME`, RFC 3339 (e.g. 2024-03-14T09:59:30Z)")
	fs.StringVar(&lf.end, "end", "", "window end `TIME`, RFC 3339 (default: now)")
	fs.StringVar(&lf.filter, "filter", "", "Cloud Logging `FILTER` ANDed to both log queries, e.g. 'resource.labels.revision_name=\"mobilenet-00002-xyz\"'")
	fs.StringVar(&lf.endpoint, "endpoint", "", "connect every Google client to `HOST:PORT` without credentials (a runlens fake-gcp server)")
	fs.BoolVar(&lf.quiet, "q", false, "no progress on stderr")
	fs.IntVar(&lf.maxCalls, "max-calls", gcp.DefaultMaxLogCalls, "refuse (or stop with a gap) beyond `N` Cloud Logging entries.list calls; -1 for no limit")
	fs.IntVar(&lf.budget, "log-budget", gcp.DefaultLogCallBudget, "at most `N` Cloud Logging entries.list calls a minute (the quota is 60 per project)")
}

// live reports whether any flag asks for a live read.
func (lf *liveFlags) live() bool {
	return lf.project != "" || lf.region != "" || lf.endpoint != "" || lf.since != "" || lf.start != "" || lf.end != ""
}

// config checks the flags and makes the collection's configuration.
func (lf *liveFlags) config(ctx context.Context, out string) (gcp.Config, error) {
	cfg := gcp.Config{Region: lf.region, Service: lf.service, ExtraFilter: lf.filter, Endpoint: lf.endpoint,
		OutDir: out, MaxLogCalls: lf.maxCalls, LogCallBudget: lf.budget}
	if lf.maxCalls == 0 {
		return cfg, usagef("-max-calls: want a positive number, or -1 for no limit")
	}
	if lf.budget <= 0 {
		return cfg, usagef("-log-budget: want a positive number of calls a minute")
	}
	if err := lf.checkEndpoint(); err != nil {
		return cfg, err
	}
	if err := gcp.CheckFilter(lf.filter); err != nil {
		return cfg, usagef("-filter: %v", err)
	}
	var err error
	if cfg.Start, cfg.End, err = lf.window(); err != nil {
		return cfg, err
	}
	switch {
	case lf.region == "":
		return cfg, usagef("-region is required, e.g. -region europe-west1")
	case lf.service == "":
		return cfg, usagef("-service is required: the Cloud Run service's name")
	}
	if cfg.Project, err = lf.projectID(ctx); err != nil {
		return cfg, err
	}
	if !lf.quiet {
		cfg.Progress = lf.stderr
	}
	return cfg, nil
}

// checkEndpoint checks -endpoint: HOST:PORT, the port from 1 to 65535.
func (lf *liveFlags) checkEndpoint() error {
	if lf.endpoint == "" {
		return nil
	}
	if err := gcp.CheckEndpoint(lf.endpoint); err != nil {
		return usagef("-endpoint: %v", err)
	}
	return nil
}

// window reads -since, or -start and -end.
func (lf *liveFlags) window() (time.Time, time.Time, error) {
	now := time.Now
	switch {
	case lf.since != "" && (lf.start != "" || lf.end != ""):
		return time.Time{}, time.Time{}, usagef("-since and -start are exclusive")
	case lf.since != "":
		d, err := parseSince(lf.since)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if d > collect.MaxWindow {
			return time.Time{}, time.Time{}, usagef("-since %s: longer than %d days, the longest window runlens reports", lf.since, int(collect.MaxWindow.Hours()/24))
		}
		end := now().UTC().Truncate(time.Second)
		return end.Add(-d), end, nil
	case lf.start == "":
		return time.Time{}, time.Time{}, usagef("a window is required: -since DURATION, or -start TIME [-end TIME]")
	}
	start, err := parseTime("-start", lf.start)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	end := now().UTC().Truncate(time.Second)
	if lf.end != "" {
		if end, err = parseTime("-end", lf.end); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	if !start.Before(end) {
		return time.Time{}, time.Time{}, usagef("-start %s is not before -end %s", lf.start, end.Format(time.RFC3339))
	}
	if end.Sub(start) > collect.MaxWindow {
		return time.Time{}, time.Time{}, usagef("-start %s to -end %s: longer than %d days, the longest window runlens reports",
			lf.start, end.Format(time.RFC3339), int(collect.MaxWindow.Hours()/24))
	}
	return start, end, nil
}

func parseSince(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if days, ok := strings.CutSuffix(s, "d"); ok && err != nil {
		n, nerr := strconv.Atoi(days)
		d, err = time.Duration(n)*24*time.Hour, nerr
	}
	if err != nil || d <= 0 {
		return 0, usagef("-since: %q is not a positive duration such as 90m, 2h or 1d", s)
	}
	return d, nil
}

func parseTime(flagName, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, usagef("%s: %q is not an RFC 3339 time such as 2024-03-14T09:59:30Z", flagName, s)
	}
	if y := t.UTC().Year(); y < 1970 || y > 2199 {
		return time.Time{}, usagef("%s: %s is outside the years 1970 to 2199 that runlens reads", flagName, s)
	}
	return t.UTC(), nil
}

// projectID is -project, else the environment's project, else (talking to
// Google) the credentials' project.
func (lf *liveFlags) projectID(ctx context.Context) (string, error) {
	for _, p := range []string{lf.project, os.Getenv("GOOGLE_CLOUD_PROJECT"), os.Getenv("CLOUDSDK_CORE_PROJECT")} {
		if p != "" {
			return p, nil
		}
	}
	if lf.endpoint == "" {
		p, err := gcp.DefaultProject(ctx)
		if err != nil {
			return "", err
		}
		if p != "" {
			return p, nil
		}
	}
	return "", usagef("-project is required (or set GOOGLE_CLOUD_PROJECT)")
}

// clientFiles expands -locust prefixes and -client files.
func clientFiles(tools map[string][]string, client []string) ([]string, error) {
	files, _, err := loadtest.Expand(tools)
	if err != nil {
		return nil, err
	}
	return append(append([]string{}, client...), files...), nil
}

// interruptible is a context that ends on SIGINT or SIGTERM.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func collectCommand() command {
	return command{
		name:    "collect",
		summary: "read a Cloud Run service's logs, metrics and configuration into a snapshot",
		args:    "-project P -region R -service S (-since 2h | -start T [-end T]) [-filter EXTRA] [-endpoint HOST:PORT] [-q] -o DIR",
		examples: []string{
			"runlens collect -project my-project -region europe-west1 -service mobilenet -since 2h -o snap",
			"runlens collect -project my-project -region europe-west1 -service mobilenet -start 2024-03-14T09:59:30Z -end 2024-03-14T10:06:40Z -locust results/run -o snap",
			"runlens collect -endpoint 127.0.0.1:8085 -project runlens-demo -region europe-west1 -service mobilenet -start 2024-03-14T09:59:30Z -end 2024-03-14T10:06:40Z -o snap",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			lf := &liveFlags{}
			lf.register(fs, true)
			var bqf bigqueryFlags
			bqf.register(fs)
			out := fs.String("o", "", "snapshot `DIR` to write")
			tools := registerTools(fs, ", to copy into the snapshot's client/; repeatable")
			var client listFlag
			fs.Var(&client, "client", "load-test result `FILE` of any tool ("+loadtest.ToolNames()+"), to copy into the snapshot's client/; repeatable")
			return func(stdout, stderr io.Writer, args []string) error {
				if len(args) > 0 {
					return usagef("collect: unexpected argument %q (the snapshot directory is given with -o)", args[0])
				}
				if *out == "" {
					return usagef("collect: -o DIR is required")
				}
				lf.stderr = stderr
				ctx, stop := interruptible()
				defer stop()
				b, err := bqf.source(stderr)
				if err != nil {
					return err
				}
				return runCollect(ctx, stderr, lf, b, *out, tools.byTool(), client)
			}
		},
	}
}

func runCollect(ctx context.Context, stderr io.Writer, lf *liveFlags, b *pipeline.BigQuery, out string, tools map[string][]string, client []string) error {
	cfg, err := lf.config(ctx, out)
	if err != nil {
		return err
	}
	// With -bigquery the logs are read there, not from Cloud Logging.
	cfg.NoLogs = b != nil
	if cfg.ClientFiles, err = clientFiles(tools, client); err != nil {
		return err
	}
	res, err := gcp.Collect(ctx, cfg)
	if res != nil {
		summarize(stderr, res, out == lf.tempDir)
	}
	if err != nil || b == nil {
		return err
	}
	if err := pipeline.CollectBigQuery(ctx, b, out); err != nil {
		return fmt.Errorf("collect -bigquery: %w; %s holds the rest, and its manifest the queries", err, out)
	}
	fmt.Fprintf(stderr, "wrote %s: the request log's summary and the system log from BigQuery %s\n", out, b.Ref)
	return nil
}

// summarize tells on stderr what a collection wrote.
func summarize(w io.Writer, res *gcp.Result, temporary bool) {
	calls, retries := 0, 0
	for _, n := range res.Manifest.APICalls {
		calls += n
	}
	for _, n := range res.Manifest.Retries {
		retries += n
	}
	what := "wrote " + res.Dir
	if temporary {
		what = "collected"
	}
	fmt.Fprintf(w, "%s: %d request entries, %d system entries, %d time series; %d API calls, %d retries\n",
		what, res.Requests, res.SystemEntries, res.Series, calls, retries)
	for _, warn := range res.Manifest.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// loadLive is report's live form: collect into a temporary snapshot, load
// it with the offline readers, and remove it.
func (lf *liveFlags) loadLive(args []string, service string, tools map[string][]string, client []string, exports bool) (*model.Dataset, error) {
	switch {
	case len(args) > 0:
		return nil, usagef("report: give a snapshot or the live flags (-project, -region, -service, -since or -start), not both")
	case exports:
		return nil, usagef("report: -logs and -metrics read exports; the live flags read the service itself: give one or the other")
	case service == "":
		return nil, usagef("-service is required: the Cloud Run service's name")
	}
	lf.service = service
	dir, err := os.MkdirTemp("", "runlens-live-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	lf.tempDir = dir
	ctx, stop := interruptible()
	defer stop()
	if err := runCollect(ctx, lf.stderr, lf, nil, dir, tools, client); err != nil {
		return nil, err
	}
	return snapshot.Load(dir)
}

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/runlens/runlens/internal/jsonerr"
	"github.com/runlens/runlens/model"
	"github.com/runlens/runlens/pipeline"
	"github.com/runlens/runlens/whatif"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/loadtest"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/render"
)

type reportFlags struct {
	inputs      snapshot.Inputs
	logs        listFlag
	metrics     listFlag
	client      listFlag
	tools       toolFlags // -locust, -k6, ... (tools.go)
	summaries   listFlag
	whatif      bool // replay the traffic to check the recommendations
	html        string
	json        string
	format      string
	percentiles string
	clockOffset string
	prices      string
	endpointMap string
	title       string
	maxMarkdown int
	bigquery    bigqueryFlags  // -bigquery (bigquery.go)
	billing     billingFlags   // -billing-export (billing.go)
	live        liveFlags      // report's live form (collect.go)
	thresholds  thresholdFlags // -config, -fail-on (thresholds.go)
}

func reportCommand() command {
	return command{
		name:    "report",
		summary: "analyze a snapshot or exported files and write the report",
		args:    "[SNAPSHOT] [-logs FILE ...] [-summary FILE ...] [-metrics FILE ...] [-service FILE] " + toolArgs() + " [-client FILE] [-billing-export PROJECT.DATASET] [-o report.html|-] [-json report.json|-] [-format table|markdown|json|none]",
		examples: []string{
			"runlens report fixtures/paper-mobilenet -o report.html -json report.json",
			"runlens report -logs requests.json -metrics request_count.json -locust results/run -format markdown",
			"runlens report -locust results/run",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			f := &reportFlags{}
			fs.Var(&f.logs, "logs", "Cloud Logging export (gcloud JSON or log-sink NDJSON, gzip allowed); repeatable")
			fs.Var(&f.metrics, "metrics", "Cloud Monitoring ListTimeSeries JSON; repeatable")
			fs.StringVar(&f.inputs.Service, "service", "", "Cloud Run service resource JSON (Admin API v2 or gcloud run services describe); with the live flags, the service's name")
			f.tools = registerTools(fs, "; repeatable")
			fs.Var(&f.client, "client", "load-test result `FILE` of any tool ("+loadtest.ToolNames()+"), sniffed by content; repeatable")
			fs.StringVar(&f.inputs.JMeterTimeFormat, "jmeter-time-format", "", "JTL timeStamp `PATTERN` in Java SimpleDateFormat syntax, e.g. \"yyyy/MM/dd HH:mm:ss\" (default: epoch ms, or guessed)")
			fs.Var(&f.summaries, "summary", "request-log summary `FILE` (runlens summarize), merged with the other request logs; repeatable")
			fs.StringVar(&f.html, "o", "", outputNote("the HTML report"))
			fs.StringVar(&f.json, "json", "", outputNote("the JSON report"))
			fs.StringVar(&f.format, "format", "", formatUsage)
			fs.StringVar(&f.percentiles, "percentiles", "", "percentiles the tables and charts show, e.g. 50,90,95,99,99.9 (default 50,60,70,80,90,95,99,100)")
			fs.StringVar(&f.clockOffset, "clock-offset", "", "client clock minus server clock, e.g. 2.5s, overriding the estimate")
			fs.StringVar(&f.prices, "prices", "", "price table `FILE` (JSON, as report.json's cost.price_table) overriding the built-in one")
			fs.StringVar(&f.endpointMap, "endpoint-map", "", "JSON `FILE` mapping client endpoint names to server endpoints, e.g. {\"Predict\": \"POST /predict\"}")
			fs.StringVar(&f.title, "title", "", "report title")
			fs.IntVar(&f.maxMarkdown, "max-markdown", render.DefaultMaxMarkdownBytes, maxMarkdownUsage)
			fs.BoolVar(&f.whatif, "whatif", false, "replay the traffic (see runlens whatif) to check the billing and min-instances recommendations, and put the replay in the JSON; keeps every request in memory")
			f.live.register(fs, false)
			f.bigquery.register(fs)
			f.billing.register(fs, &f.bigquery)
			f.thresholds.register(fs)
			return func(stdout, stderr io.Writer, args []string) error { return runReport(stdout, stderr, f, args) }
		},
	}
}

func runReport(stdout, stderr io.Writer, f *reportFlags, args []string) error {
	f.live.stderr = stderr
	opts, err := f.analyzeOptions()
	if err != nil {
		return err
	}
	thresholds, level, err := f.thresholds.load(nil)
	if err != nil {
		return err
	}
	if f.whatif && len(f.summaries) > 0 {
		return usagef("report: -whatif replays every request, and a -summary has none")
	}
	if !f.whatif {
		boundMemory()
	}
	bill, err := f.billing.export(stderr)
	if err != nil {
		return err
	}
	ds, err := f.load(args)
	if err != nil {
		return err
	}
	rpt := analyze.Run(ds, opts)
	if !f.whatif {
		// The summary is read. Collected now, with what the reading left,
		// it gives back memory the heap already has for the outputs to be
		// rendered in: new pages cost a fault each (5,000 fewer at a
		// million entries), and the collector would not run before the
		// memory limit (boundMemory).
		ds.Sink = nil
		runtime.GC()
	}
	if bill != nil {
		ctx, stop := interruptible()
		err := pipeline.AttachBill(ctx, bill, rpt)
		stop()
		if err != nil {
			return err
		}
	}
	if f.whatif {
		if err := checkWithReplay(rpt, ds, stderr); err != nil {
			return err
		}
	}
	analyze.ApplyThresholds(rpt, thresholds)
	for _, w := range rpt.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	ropts := render.Options{Title: f.title, MaxMarkdownBytes: f.maxMarkdown, Width: terminalColumns()}
	if err := pipeline.WriteReport(stdout, rpt, pipeline.Outputs{HTML: f.html, JSON: f.json, Format: f.format, Render: ropts}); err != nil {
		return err
	}
	return failIfCrossed(rpt.Thresholds, level)
}

// reportMemoryLimit is the soft memory limit of a report: the analysis of a
// large input keeps bounded state, and the collector then returns what the
// parse left behind instead of letting the heap double (GOGC). It is above
// what a day's summary holds with the reading's buffers and the repeat
// check (at most 53 MiB live at 10 M entries, a day's, in a plain file
// that tells the summary its span first), or the collector would run
// without pause: when the same summary still passed through 7,200 narrow
// intervals its live heap reached 81 MiB and the collector ran 721 times
// (33 now). A day's log read gzipped, which cannot tell its span first,
// still does. GOMEMLIMIT, when set, wins.
//
// Below the limit the collector does not run (GOGC off): the live heap
// grows with the summary, from a few MiB to about 35 at a million
// entries, and a collection each time the heap doubles would mark it
// again and again (11 collections of a million-entry report, against 3
// with the limit alone). GOGC, when set, wins.
const reportMemoryLimit = 80 << 20

func boundMemory() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(reportMemoryLimit)
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(-1)
	}
}

// load picks the sources the flags give: a snapshot, loose files or the
// live flags, and summaries.
func (f *reportFlags) load(args []string) (*model.Dataset, error) {
	f.inputs.Logs, f.inputs.Metrics, f.inputs.Client, f.inputs.Tools = f.logs, f.metrics, f.client, f.tools.byTool()
	loose := !f.inputs.Empty()
	switch {
	case f.live.live() && len(f.summaries) > 0:
		return nil, usagef("report: -summary is for offline reports: collect first, then report the snapshot with -summary")
	case f.live.live(): // the snapshot's client/ files are sniffed
		return f.live.loadLive(args, f.inputs.Service, f.inputs.Tools, f.client, len(f.logs)+len(f.metrics) > 0)
	case len(args) > 1:
		return nil, usagef("report: one snapshot at a time, got %d: %s", len(args), strings.Join(args, " "))
	case len(args) == 1 && loose:
		return nil, usagef("report: give a snapshot or loose files (-logs, -metrics, -service, -client, %s), not both", loadtest.ToolNames())
	case f.live.live() && f.bigquery.ref != "":
		return nil, usagef("report: -bigquery reads the logs offline from BigQuery; give a snapshot or files for the rest, not the live flags")
	case len(args) == 0 && !loose && len(f.summaries) == 0 && f.bigquery.ref == "":
		return nil, usagef("report: no sources: give a snapshot directory or -logs, -metrics, -client, %s files (see runlens help report)", loadtest.ToolNames())
	}
	src := pipeline.Sources{Inputs: f.inputs, Summaries: f.summaries, KeepRequests: f.whatif}
	if len(args) == 1 {
		src.Snapshot = args[0]
	}
	var err error
	if src.BigQuery, err = f.bigquery.source(f.live.stderr); err != nil {
		return nil, err
	}
	return pipeline.Load(src)
}

func (f *reportFlags) analyzeOptions() (analyze.Options, error) {
	opts := analyze.Options{Generated: generated()}
	if f.percentiles != "" {
		for _, s := range strings.Split(f.percentiles, ",") {
			p, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || !(p >= 0 && p <= 100) { // NaN too
				return opts, usagef("-percentiles: %q is not a number from 0 to 100", s)
			}
			opts.Percentiles = append(opts.Percentiles, p)
		}
	}
	if f.clockOffset != "" {
		d, err := time.ParseDuration(f.clockOffset)
		if err != nil {
			return opts, usagef("-clock-offset: %v", err)
		}
		opts.ClockOffset = &d
	}
	if f.prices != "" {
		b, err := os.ReadFile(f.prices)
		if err != nil {
			return opts, err
		}
		var p analyze.PriceTable
		if err := json.Unmarshal(b, &p); err != nil {
			return opts, jsonerr.At(f.prices, b, err)
		}
		opts.Prices = &p
	}
	if f.endpointMap != "" {
		b, err := os.ReadFile(f.endpointMap)
		if err != nil {
			return opts, err
		}
		if err := json.Unmarshal(b, &opts.EndpointMap); err != nil {
			return opts, jsonerr.At(f.endpointMap, b, err)
		}
	}
	if err := checkMaxMarkdown(f.maxMarkdown); err != nil {
		return opts, err
	}
	var err error
	f.format, err = stdoutFormat(f.format, map[string]string{"o": f.html, "json": f.json})
	return opts, err
}

// generated is the report's timestamp: SOURCE_DATE_EPOCH when set, so that
// builds of a report can be reproduced, else now.
func generated() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}

// checkWithReplay replays the report's traffic under the other billing
// mode and, without min instances, under min-instances 1, and holds the
// verdict's recommendations to the predictions (analyze.ApplyWhatIf).
func checkWithReplay(rpt *analyze.Report, ds *model.Dataset, stderr io.Writer) error {
	tr, err := whatif.Observe(ds, rpt)
	if err != nil {
		return fmt.Errorf("report -whatif: %w", err)
	}
	other := map[string]string{model.BillingRequest: model.BillingInstance, model.BillingInstance: model.BillingRequest}[rpt.Service.Billing]
	settings := []analyze.WhatIfSetting{{MinInstances: analyze.MinInstancesAsObserved, Billing: other}}
	if rpt.Service.MinInstances == 0 {
		settings = append(settings, analyze.WhatIfSetting{MinInstances: 1})
	}
	res, err := whatif.Run(tr, settings, 1, func(done, total int) {
		fmt.Fprintf(stderr, "whatif: %d of %d replays done\n", done, total)
	})
	if err != nil {
		return fmt.Errorf("report -whatif: %w", err)
	}
	analyze.ApplyWhatIf(rpt, res)
	return nil
}

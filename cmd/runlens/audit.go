package main

import (
	"context"
	"errors"
	"flag"
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
	thresholds  thresholdFlags
}

func auditCommand() command {
	return command{
		name:    "audit",
		summary: "audit the cost and waste of every Cloud Run service of a project, against earlier runs and thresholds",
		args: "-project P [-region R] [-service S ...] (-since 24h | -start T [-end T]) [-history DIR] [-config FILE] " +
			"[-fail-on warn|crit|EXPR ...] [-o audit.html|-] [-json audit.json|-] [-format table|markdown|json|none] [-endpoint HOST:PORT]",
		examples: []string{
			"runlens audit -project my-project -since 24h -history audits -config thresholds.conf -o audit.html -json audit.json -fail-on warn",
			"runlens audit -endpoint 127.0.0.1:8085 -project runlens-demo -region europe-west1 -start 2024-03-14T09:59:30Z -end 2024-03-14T10:06:40Z -format markdown",
		},
		flags: func(fs *flag.FlagSet) func(io.Writer, io.Writer, []string) error {
			f := &auditFlags{}
			f.live.register(fs, false)
			fs.Lookup("max-calls").Usage = "the run's budget of `N` Cloud Logging entries.list calls, shared by every service: the smallest needs " +
				"are read whole first, the rest sampled (their first pages) or skipped; -1 for no limit"
			fs.Var(&f.services, "service", "audit only the Cloud Run service `NAME`; repeatable (default: every service)")
			fs.StringVar(&f.history, "history", "", "`DIR` of earlier audits' JSON: compared with, and this audit's JSON is written there as PROJECT-YYYY-MM-DD.json")
			fs.StringVar(&f.html, "o", "", outputNote("the HTML page"))
			fs.StringVar(&f.json, "json", "", outputNote("the JSON audit"))
			fs.StringVar(&f.format, "format", "", formatUsage)
			fs.StringVar(&f.title, "title", "", "page title")
			fs.IntVar(&f.maxMarkdown, "max-markdown", render.DefaultMaxMarkdownBytes, maxMarkdownUsage)
			fs.IntVar(&f.workers, "workers", 4, "services collected at once; the -log-budget rate is shared between them")
			f.thresholds.register(fs)
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
	run, err := f.plan(ctx)
	if err != nil {
		return err
	}
	thresholds, level, err := f.thresholds.load(audit.DefaultThresholds)
	if err != nil {
		return err
	}
	history, warnings, err := readHistory(f.history)
	if err != nil {
		return err
	}
	col, err := run.collect(ctx)
	if err != nil {
		return err
	}
	a := audit.Build(audit.Input{Project: run.project, Region: run.region, Window: analyze.Window{Start: run.start, End: run.end},
		Generated: run.generated, Services: col.rows, History: history, Thresholds: thresholds,
		APICalls: col.calls, LogBudget: col.budget, Warnings: append(warnings, col.warnings...)})
	if err := f.write(stdout, a); err != nil {
		return err
	}
	if err := f.keep(a); err != nil {
		fmt.Fprintf(stderr, "warning: %v; the audit's outputs were written, but later runs will not compare with it\n", err)
		return errors.Join(fmt.Errorf("this audit was not kept in the history %s", f.history), failIfCrossed(a.Thresholds, level))
	}
	return failIfCrossed(a.Thresholds, level)
}

// plan checks the flags and makes the run's settings.
func (f *auditFlags) plan(ctx context.Context) (*auditRun, error) {
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
	r := &auditRun{project: project, region: f.live.region, services: f.services, start: start, end: end,
		filter: f.live.filter, endpoint: f.live.endpoint, maxCalls: f.live.maxCalls, perMinute: f.live.budget,
		workers: f.workers, generated: generated()}
	if r.region == "" {
		r.region = "-"
	}
	if !f.live.quiet {
		r.progress = f.live.stderr
	}
	return r, nil
}

// write writes the page, the JSON and stdout: all of them, or none when
// any fails to render or write.
func (f *auditFlags) write(stdout io.Writer, a *audit.Audit) error {
	ropts := render.Options{Title: f.title, MaxMarkdownBytes: f.maxMarkdown, Width: terminalColumns()}
	out := atomicfile.Set{Stdout: stdout}
	if f.html != "" {
		out.Add(f.html, func(w io.Writer) error { return render.AuditHTML(w, a, ropts) })
	}
	if f.json != "" {
		out.Add(f.json, func(w io.Writer) error { return render.AuditJSON(w, a) })
	}
	switch f.format {
	case "markdown":
		out.Add("-", func(w io.Writer) error { return render.AuditMarkdown(w, a, ropts) })
	case "json":
		out.Add("-", func(w io.Writer) error { return render.AuditJSON(w, a) })
	case "table":
		out.Add("-", func(w io.Writer) error { return render.AuditText(w, a, ropts) })
	}
	return out.Write()
}

// keep writes the audit into the history directory, when there is one:
// last, so that a history that cannot be written costs the night's page,
// JSON and stdout nothing.
func (f *auditFlags) keep(a *audit.Audit) error {
	if f.history == "" {
		return nil
	}
	if err := os.MkdirAll(f.history, 0o755); err != nil {
		return fmt.Errorf("-history: %w", err)
	}
	err := atomicfile.Write(historyFile(f.history, a), func(w io.Writer) error { return render.AuditJSON(w, a) })
	if err != nil {
		return fmt.Errorf("-history: %w", err)
	}
	return nil
}

// auditRun is what an audit reads.
type auditRun struct {
	project, region     string
	services            []string
	start, end          time.Time
	filter, endpoint    string
	maxCalls, perMinute int
	workers             int
	generated           time.Time
	progress            io.Writer  // nil: quiet
	mu                  sync.Mutex // serializes progress lines
}

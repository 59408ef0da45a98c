package loadtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/runlens/runlens/model"
)

// Options tell Read what the files cannot.
type Options struct {
	// Tool, when set ("locust", "k6", "jmeter" or "vegeta"), is the tool
	// every file must come from; a file of another tool is an error.
	Tool string
	// JMeterTimeFormat is the Java SimpleDateFormat pattern of JMeter's
	// timeStamp column (jmeter.save.saveservice.timestamp_format), e.g.
	// "yyyy/MM/dd HH:mm:ss". Empty: epoch milliseconds, or a common
	// pattern guessed from the file.
	JMeterTimeFormat string
}

// Read reads the result files of one load-test run, each sniffed by its
// content (never its name), with the reader of its tool: Locust CSVs,
// k6 --out json lines or a k6 summary, JMeter JTL (CSV or XML), vegeta
// results (JSON lines, CSV, gob) or a vegeta JSON report. Every file must
// come from the same tool.
//
// Files that list single requests (k6 JSON, JTL, vegeta results) are
// merged into exact statistics: per-endpoint and total counts, nearest-rank
// percentiles, a per-second timeline and the failures by error. A summary
// (k6 summary, vegeta report) gives the totals only (TotalsOnly is set);
// next to per-request files it only cross-checks their request total.
//
// Warnings, each "file:line: msg", report rows that were skipped. A file
// that no reader takes, or that holds nothing usable, is an error.
func Read(files []string) (*model.ClientRun, []string, error) {
	return ReadWith(files, Options{})
}

// ReadK6 reads k6 results (--out json lines, --summary-export or
// handleSummary JSON); any other file is an error.
func ReadK6(files []string) (*model.ClientRun, []string, error) {
	return ReadWith(files, Options{Tool: "k6"})
}

// ReadJMeter reads JMeter JTL files, CSV or XML; timeFormat is as
// Options.JMeterTimeFormat.
func ReadJMeter(files []string, timeFormat string) (*model.ClientRun, []string, error) {
	return ReadWith(files, Options{Tool: "jmeter", JMeterTimeFormat: timeFormat})
}

// ReadVegeta reads vegeta results (gob, JSON lines, CSV) or JSON reports.
func ReadVegeta(files []string) (*model.ClientRun, []string, error) {
	return ReadWith(files, Options{Tool: "vegeta"})
}

// ReadWith is Read with options.
func ReadWith(files []string, opts Options) (*model.ClientRun, []string, error) {
	what := strings.TrimSpace(opts.Tool + " results")
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("reading %s: no files given", what)
	}
	if opts.JMeterTimeFormat != "" {
		if _, err := JavaTimeLayout(opts.JMeterTimeFormat); err != nil {
			return nil, nil, fmt.Errorf("jmeter time format: %w", err)
		}
	}
	formats := make([]Format, len(files))
	tool := opts.Tool
	for i, f := range files {
		ff, err := sniffOrFail(f)
		if err != nil {
			return nil, nil, inFile(f, err)
		}
		switch {
		case opts.Tool != "" && ff.Tool() != opts.Tool:
			return nil, nil, fmt.Errorf("%s: not a %s result: the content looks like %s", f, opts.Tool, ff)
		case tool != "" && ff.Tool() != tool:
			return nil, nil, fmt.Errorf("%s: %s, but %s is %s: give one tool's results at a time", f, ff, files[0], formats[0])
		}
		formats[i], tool = ff, ff.Tool()
	}
	if tool == "locust" {
		return ReadLocust(files)
	}
	return readRun(tool, files, formats, opts)
}

// summary is what a totals-only file gives.
type summary struct {
	path     string
	format   Format
	total    model.ClientEndpoint
	failures []model.ClientFailure
}

// reader is what the readers of one file share.
type reader struct {
	path  string
	opts  Options
	warns *[]string
}

func (r *reader) warnf(line int, format string, args ...any) {
	*r.warns = append(*r.warns, fmt.Sprintf("%s:%d: ", r.path, line)+fmt.Sprintf(format, args...))
}

// readRun reads the files of one tool (not Locust) into one run.
func readRun(tool string, files []string, formats []Format, opts Options) (*model.ClientRun, []string, error) {
	run := &model.ClientRun{Tool: tool, Version: versionOf(formats), Files: slices.Clone(files)}
	t := newTally(tool != "k6") // k6 stamps a request when it ends
	var warns []string
	var sums []summary
	perRequest := false
	for i, f := range files {
		before := len(warns)
		r := &reader{path: f, opts: opts, warns: &warns}
		s, err := r.read(formats[i], t)
		capWarnings(&warns, before, f)
		if err != nil {
			return nil, warns, inFile(f, err)
		}
		if s != nil {
			sums = append(sums, *s)
		} else {
			perRequest = true
		}
	}
	if perRequest {
		t.fill(run)
		if msg := t.boundWarning(); msg != "" {
			warns = append(warns, fmt.Sprintf("%s: %s", strings.Join(files, ", "), msg))
		}
		crossCheck(run, sums, &warns)
		return run, warns, nil
	}
	useSummary(run, sums, &warns)
	return run, warns, nil
}

// read dispatches a file to its reader: a summary comes back, single
// requests go into t.
func (r *reader) read(f Format, t *tally) (*summary, error) {
	switch f {
	case FormatK6JSON:
		return nil, r.k6JSON(t)
	case FormatK6Summary:
		return r.k6Summary()
	case FormatJMeterCSV:
		return nil, r.jmeterCSV(t)
	case FormatJMeterXML:
		return nil, r.jmeterXML(t)
	case FormatVegetaJSON:
		return nil, r.vegetaJSON(t)
	case FormatVegetaCSV:
		return nil, r.vegetaCSV(t)
	case FormatVegetaGob:
		return nil, r.vegetaGob(t)
	case FormatVegetaReport:
		return r.vegetaReport()
	}
	return nil, errNotLoadTest
}

// crossCheck warns when a summary next to per-request files counts
// another request total.
func crossCheck(run *model.ClientRun, sums []summary, warns *[]string) {
	for _, s := range sums {
		if s.total.Requests != run.Total.Requests {
			*warns = append(*warns, fmt.Sprintf("%s:1: the summary counts %d requests, the per-request results %d; the statistics come from the per-request results",
				s.path, s.total.Requests, run.Total.Requests))
		}
	}
}

// useSummary makes a totals-only run of the first summary.
func useSummary(run *model.ClientRun, sums []summary, warns *[]string) {
	s := sums[0]
	run.Total, run.Failures, run.TotalsOnly = s.total, s.failures, true
	*warns = append(*warns, fmt.Sprintf("%s:1: a %s holds the run's totals only: no endpoints and no timeline, so the client charts stay empty; give the per-request results for those",
		s.path, describeSummary(s.format)))
	for _, o := range sums[1:] {
		*warns = append(*warns, fmt.Sprintf("%s:1: a second summary in one run (the first is %s); ignored", o.path, s.path))
	}
}

func describeSummary(f Format) string {
	if f == FormatVegetaReport {
		return "vegeta report"
	}
	return "k6 summary"
}

// versionOf names the formats read, e.g. "k6-json" or
// "k6-json+k6-summary".
func versionOf(formats []Format) string {
	var names []string
	for _, f := range formats {
		if !slices.Contains(names, string(f)) {
			names = append(names, string(f))
		}
	}
	slices.Sort(names)
	return strings.Join(names, "+")
}

// capWarnings keeps at most maxFileWarnings of the warnings one file added
// (from index before on) and counts the rest.
func capWarnings(warns *[]string, before int, path string) {
	if n := len(*warns) - before - maxFileWarnings; n > 0 {
		*warns = append((*warns)[:before+maxFileWarnings], fmt.Sprintf("%s:1: %d more warnings not shown", path, n))
	}
}

// errNothing is returned by a reader that found no request at all.
var errNothing = errors.New("no requests")

// lineError is an error at a line of a file.
type lineError struct {
	line int
	err  error
}

func atLine(line int, err error) error { return &lineError{line, err} }
func (e *lineError) Error() string     { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *lineError) Unwrap() error     { return e.err }

// inFile words an error of file f as every message does: "f:LINE: ..."
// where it has a line, else "f: ...".
func inFile(f string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return fmt.Errorf("%s:%d: %w", f, le.line, le.err)
	}
	return fmt.Errorf("%s: %w", f, err)
}

package render

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/runlens/runlens/analyze"
)

// WhatIfText writes a what-if analysis as a terminal table: what was
// observed, the observed setting replayed (the backtest) with its error,
// and each setting predicted.
func WhatIfText(w io.Writer, r *analyze.WhatIf, opts Options) error {
	return writeWhatIf(w, r, opts, false)
}

// WhatIfMarkdown writes the same as Markdown. Log-derived text is escaped.
func WhatIfMarkdown(w io.Writer, r *analyze.WhatIf, opts Options) error {
	return writeWhatIf(w, r, opts, true)
}

// WhatIfJSON writes the analysis as indented JSON (schema runlens.whatif/v1).
func WhatIfJSON(w io.Writer, r *analyze.WhatIf) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// whatIfErrors are the backtest's figures, in the table's order.
var whatIfErrors = []struct{ key, name string }{
	{"instances", "instances"}, {"cold_starts", "cold starts"}, {"billable_seconds", "billable time"},
	{"cost_usd", "cost"}, {"p50_ms", "p50"}, {"p95_ms", "p95"},
}

func writeWhatIf(w io.Writer, r *analyze.WhatIf, opts Options, md bool) error {
	width := termWidth(opts)
	head := docHead("runlens what-if: "+r.Service, md, width)
	lines := []string{fmt.Sprintf("The observed traffic (%s) replayed under each setting through the Cloud Run model, and analyzed as an observation.",
		pagePlural(int64(r.Calibration.Requests), "request", "requests"))}
	var errs string
	for _, e := range whatIfErrors {
		if v, ok := r.Error[e.key]; ok {
			errs += fmt.Sprintf("%s %+.1f %%, ", e.name, 100*v)
		}
	}
	if errs != "" {
		lines = append(lines, "Backtest (the observed setting replayed) against what was observed: "+errs[:len(errs)-2]+
			". A prediction that differs from the backtest by less than these is within the model's error.")
	}
	for _, a := range r.Calibration.Assumed {
		lines = append(lines, "Assumed: "+a)
	}
	for _, l := range lines {
		if md {
			head += markdownEscape(l) + "  \n"
		} else {
			head += escapeControls(l) + "\n"
		}
	}
	head += "\n"
	t := table{title: "Settings", left: 5, header: []string{"Run", "Min", "Max", "Concurrency", "Billing",
		"Instances", "Cold starts", "Billable s", "Cost USD", "p50 ms", "p95 ms", "Failed"}}
	row := func(name string, o analyze.WhatIfOutcome) []string {
		return []string{name, strconv.Itoa(o.MinInstances), strconv.Itoa(o.MaxInstances), strconv.Itoa(o.Concurrency), o.Billing,
			strconv.Itoa(o.Instances), strconv.Itoa(o.ColdStarts), fmt.Sprintf("%.1f", o.BillableSeconds), fmt.Sprintf("%.6g", o.CostUSD),
			fmt.Sprintf("%.0f", o.P50MS), fmt.Sprintf("%.0f", o.P95MS), strconv.FormatInt(o.Failed, 10)}
	}
	t.rows = append(t.rows, row("observed", r.Observed), row("backtest", r.Backtest))
	for i, p := range r.Predictions {
		t.rows = append(t.rows, row("setting "+strconv.Itoa(i+1), p))
	}
	t.rows = slices.Clip(t.rows)
	return writeDoc(w, md, markdownLimit(opts), width, head, []section{t})
}

package render

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

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
	{"instances", "instances"}, {"cold_starts", "cold starts"}, {"memory_kills", "memory kills"}, {"failed", "failed"},
	{"billable_seconds", "billable time"}, {"cost_usd", "cost"}, {"p50_ms", "p50"}, {"p95_ms", "p95"}, {"startup_ms", "startup"},
}

func writeWhatIf(w io.Writer, r *analyze.WhatIf, opts Options, md bool) error {
	width := termWidth(opts)
	head := docHead("runlens what-if: "+r.Service, md, width)
	lines := []string{fmt.Sprintf("The observed traffic (%s) replayed under each setting through the Cloud Run model, and analyzed as an observation.",
		pagePlural(int64(r.Calibration.Requests), "request", "requests"))}
	lines = append(lines, whatIfCalibrationLines(r)...)
	if len(r.Predictions) > 0 {
		var within []string
		if c := r.Constraint; c.MaxP95MS > 0 {
			within = append(within, fmt.Sprintf("p95 at most %.0f ms", c.MaxP95MS))
		}
		if c := r.Constraint; c.MaxCostUSD > 0 {
			within = append(within, fmt.Sprintf("cost at most $%.4g", c.MaxCostUSD))
		}
		var names []string
		for _, i := range r.Best {
			names = append(names, "setting "+strconv.Itoa(i+1))
		}
		line := "Best"
		if len(within) > 0 {
			line += " within " + strings.Join(within, " and ")
		}
		if len(names) == 0 {
			line += ": none of the settings"
		} else {
			line += ", cheapest first: " + strings.Join(names, ", ")
		}
		lines = append(lines, line+". On the front of cost against p95 (none cheaper and as fast): the settings marked in the Front column.")
	}
	for _, l := range lines {
		if md {
			head += markdownEscape(l) + "  \n"
		} else {
			head += escapeControls(l) + "\n"
		}
	}
	head += "\n"
	t := table{title: "Settings", left: 7, header: []string{"Run", "Min", "Max", "Concurrency", "Billing", "Memory MiB", "CPU boost",
		"Instances", "Cold starts", "Startup ms", "Memory kills", "Billable s", "Cost USD", "Cost error", "p50 ms", "p95 ms", "Failed", "Front"}}
	row := func(name string, o analyze.WhatIfOutcome) []string {
		costErr := ""
		if b, ok := o.Bound["cost_usd"]; ok {
			costErr = fmt.Sprintf("±%.0f %%", 100*b)
		}
		return []string{name, strconv.Itoa(o.MinInstances), strconv.Itoa(o.MaxInstances), strconv.Itoa(o.Concurrency), o.Billing,
			strconv.FormatInt(o.MemoryMiB, 10), o.CPUBoost, strconv.Itoa(o.Instances), strconv.Itoa(o.ColdStarts), fmt.Sprintf("%.0f", o.StartupMS), strconv.Itoa(o.MemoryKills),
			fmt.Sprintf("%.1f", o.BillableSeconds), fmt.Sprintf("%.6g", o.CostUSD), costErr,
			fmt.Sprintf("%.0f", o.P50MS), fmt.Sprintf("%.0f", o.P95MS), strconv.FormatInt(o.Failed, 10), map[bool]string{true: "yes"}[o.Pareto]}
	}
	t.rows = append(t.rows, row("observed", r.Observed), row("backtest", r.Backtest))
	for i, p := range r.Predictions {
		t.rows = append(t.rows, row("setting "+strconv.Itoa(i+1), p))
	}
	t.rows = slices.Clip(t.rows)
	sections := []section{t}
	if len(r.Advice) > 0 {
		adv := table{title: "Advice", left: 2, header: []string{"Setting", "Advice"}}
		for i, a := range r.Advice {
			adv.rows = append(adv.rows, []string{"setting " + strconv.Itoa(i+1), a.Text})
		}
		sections = append(sections, adv)
	}
	return writeDoc(w, md, markdownLimit(opts), width, head, sections)
}

// whatIfCalibrationLines are the backtest's error and what the replay was
// calibrated with (memory, contention, the load test's loop, what was
// assumed), as sentences: the terminal table's head and the page's facts.
func whatIfCalibrationLines(r *analyze.WhatIf) []string {
	var lines []string
	var errs string
	for _, e := range whatIfErrors {
		if v, ok := r.Error[e.key]; ok {
			errs += fmt.Sprintf("%s %+.1f %%, ", e.name, 100*v)
		}
	}
	if errs != "" {
		lines = append(lines, "Backtest (the observed setting replayed) against what was observed: "+errs[:len(errs)-2]+
			". Each prediction's error bound is this error plus twice the spread of its replays (and, for percentiles, their sampling error); a setting is recommended only for what it changes beyond it.")
	}
	if m := r.Calibration.Memory; m != nil {
		lines = append(lines, fmt.Sprintf("Memory, fitted to %s and the memory metric: %.0f MiB once started, %.1f MiB left by each request answered, %.0f MiB held by each request in flight.",
			pagePlural(int64(m.Kills), "memory kill", "memory kills"), m.BaseMiB, m.RetainedMiB, m.HeldMiB))
	}
	if c := r.Calibration.Contention; c != nil {
		var seen []string
		for _, f := range c.ByFlight {
			seen = append(seen, fmt.Sprintf("%d: %.2f (%s)", f.InFlight, f.Ratio, pagePlural(int64(f.Requests), "request", "requests")))
		}
		lines = append(lines, fmt.Sprintf("Contention: a request's service time is %.1f %% longer for each other request in flight on its instance, fitted to %s; observed, by requests in flight, over alone: %s.",
			100*c.Alpha, pagePlural(int64(c.Requests), "request", "requests"), strings.Join(seen, ", ")))
	}
	if b := r.Calibration.Boost; b != nil {
		lines = append(lines, fmt.Sprintf("Startup CPU boost (%s as observed) gives %s vCPU instead of %s while an instance starts and for 10 s after: a startup is multiplied by %.2f with it (%.2f to %.2f), its CPU-bound share (assumed %.0f %%, %.0f to %.0f %%) running that much faster; the boosted CPU is billed. A prediction that turns it on or off adds to its error bound how far the ends of that range move it.",
			analyze.BoostSetting(b.Observed), pageFloat(b.BoostedCPU, -1), pageFloat(b.CPU, -1), b.StartupFactor[1], b.StartupFactor[2], b.StartupFactor[0], 100*b.Share, 100*b.ShareRange[0], 100*b.ShareRange[1]))
	}
	if r.Calibration.LoopAgent != "" {
		lines = append(lines, fmt.Sprintf("The load test's requests (%s) are replayed as a loop of %s, each a think time after a response.",
			clip(r.Calibration.LoopAgent), pagePlural(int64(r.Calibration.LoopUsers), "user", "users")))
	}
	for _, a := range r.Calibration.Assumed {
		lines = append(lines, "Assumed: "+clip(a))
	}
	return lines
}
